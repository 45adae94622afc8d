//! The chart toolkit: the pieces every chart is made of, so that a chart file
//! only says which panels it has and what goes in them.
//!
//! ```text
//! ┌ header: title, subtitle ─────────────────────────────────────────────┐
//! │ lane legend: statuses ■ ■ ■, faults ▬ ▬                               │
//! │ server   ████████▒▒██████  status lane (runs of pixel columns)        │
//! │          ▬▬      ▬         fault strip                                │
//! │ panels on a mesh: grid, axis, labels in one style                     │
//! └ time axis: hours, or days beyond four days ───────────────────────────┘
//! ```
//! Also here (from `layout`, below it): the one bound every drawing function
//! puts on its backend; and the order in which charts pick the metrics worth a panel.

use super::layout::{self, Legend, PLOT_LEFT, Swatch};
use super::style::{self, Statuses};
use super::timeline::{self, Segment};
use crate::report::faults::FaultKind;
use anyhow::Result;
use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

pub use super::layout::{Area, Backend};

/// A panel with numbers on both axes.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart's title: the scenario's name, when known, then what it shows.
pub fn title(scenario: Option<&str>, what: &str) -> String {
    match scenario.filter(|s| !s.is_empty()) {
        Some(name) => format!("{name}: {what}"),
        None => what.to_string(),
    }
}

/// The header of a chart: its title, and a subtitle line at `subtitle_y`.
pub fn header<DB: Backend>(area: &Area<DB>, title: &str, subtitle: &str, subtitle_y: i32) -> Result<()> {
    layout::text(area, title, (24, 24), &style::title(), HPos::Left, VPos::Center)?;
    layout::text(area, subtitle, (24, subtitle_y), &style::label(), HPos::Left, VPos::Center)
}

/// An axis's caption, centred under a plot that leaves `left` and `right`
/// pixels of its area, `up` pixels above the area's bottom.
pub fn axis_caption<DB: Backend>(area: &Area<DB>, text: &str, (left, right): (u32, u32), up: i32) -> Result<()> {
    let (width, height) = area.dim_in_pixel();
    let at = ((left + (width - left - right) / 2) as i32, height as i32 - up);
    layout::text(area, text, at, &style::label(), HPos::Center, VPos::Center)
}

/// Which replication a trace chart shows, among how many traced and run.
pub fn which_replication(trace: &crate::report::folder::Trace, run: Option<u64>) -> String {
    let replication = trace.replication;
    match (trace.replications, run) {
        (n, _) if n > 1 => format!("replication {replication}, the first of {n} traced replications"),
        (_, Some(total)) if total > 1 => format!("replication {replication} of {total} (the one traced)"),
        _ => format!("replication {replication}"),
    }
}

/// A panel on `area` with numbers on both axes: `margins` as top, right,
/// bottom, left; `labels` the width of the y labels' area and the height of
/// the x labels'.
pub fn plot<'a, DB: Backend>(
    area: &'a Area<DB>,
    [top, right, bottom, left]: [u32; 4],
    (y_labels, x_labels): (u32, u32),
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<Plot<'a, DB>> {
    let mut builder = ChartBuilder::on(area);
    builder.margin_top(top).margin_right(right).margin_bottom(bottom).margin_left(left);
    Ok(builder.y_label_area_size(y_labels).x_label_area_size(x_labels).build_cartesian_2d(x, y)?)
}

/// Where a point of `chart` falls in pixels of `area` (which holds it).
pub fn pixel<DB: Backend>(chart: &Plot<DB>, area: &Area<DB>, (x, y): (f64, f64)) -> (i32, i32) {
    let ((px, py), base) = (chart.backend_coord(&(x, y)), area.get_base_pixel());
    (px - base.0, py - base.1)
}

/// The mesh of every panel: light grid lines at the labelled ticks only,
/// muted axes, small labels. The caller says how many labels and how they read.
pub fn mesh<'a, 'b, DB: Backend>(chart: &'b mut Plot<'a, DB>) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(style::MUTED)
        .label_style(style::small());
    mesh
}

/// Runs longer than this are drawn on a days axis, shorter ones on hours.
pub const DAYS_BEYOND_S: f64 = 4.0 * DAY_S;
const DAY_S: f64 = 86_400.0;

/// Simulated time on an axis: hours, or days for runs beyond four days —
/// the one rule of every chart, whether its axis is a plotters mesh or drawn
/// in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    pub unit_s: f64,
    pub name: &'static str,
}

impl TimeAxis {
    pub fn for_span(span_s: f64) -> TimeAxis {
        if span_s > DAYS_BEYOND_S {
            TimeAxis { unit_s: DAY_S, name: "days" }
        } else {
            TimeAxis { unit_s: 3_600.0, name: "hours" }
        }
    }

    pub fn days(&self) -> bool {
        self.unit_s == DAY_S
    }

    pub fn x(&self, seconds: f64) -> f64 {
        seconds / self.unit_s
    }

    pub fn description(&self) -> String {
        format!("simulated time ({})", self.name)
    }

    /// A moment as a clock: `2:07`, `2:07:30`, or, on a days axis, `day 3, 13:52`.
    pub fn clock(&self, t: f64, seconds: bool) -> String {
        let total = t.round().max(0.0) as u64;
        let (day, rest) = if self.days() { (total / 86_400, total % 86_400) } else { (0, total) };
        let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
        let hm = if seconds { format!("{h}:{m:02}:{s:02}") } else { format!("{h}:{m:02}") };
        if self.days() { format!("day {day}, {hm}") } else { hm }
    }
}

/// Maps simulated time `[t0, t1]` to pixel columns `[x0, x1]`.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub t0: f64,
    pub t1: f64,
    pub x0: i32,
    pub x1: i32,
}

impl Scale {
    pub fn x(&self, t: f64) -> i32 {
        let f = ((t - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0);
        self.x0 + (f * (self.x1 - self.x0) as f64).round() as i32
    }

    pub fn shows(&self, start_s: f64, end_s: f64) -> bool {
        end_s >= self.t0 && start_s <= self.t1
    }

    /// Whether the span lies within one day (a zoom into a long run names
    /// its day once, in the axis's unit).
    fn one_day(&self) -> bool {
        (self.t0 / DAY_S).floor() == (self.t1 / DAY_S).floor()
    }
}

/// Tick spacings, in seconds, from a second to a year.
const TICK_STEPS: [f64; 26] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0, 7200.0, 10800.0,
    21600.0, 43200.0, 86400.0, 172800.0, 432000.0, 864000.0, 1728000.0, 4320000.0, 8640000.0, 31536000.0,
];

/// The roundest spacing that puts at most `most` ticks on `span_s`.
pub fn tick_step(span_s: f64, most: f64) -> f64 {
    let fits = TICK_STEPS.iter().find(|s| span_s / **s <= most).copied();
    fits.unwrap_or_else(|| 10f64.powf((span_s / most).log10().ceil()))
}

/// The ticks of a time axis drawn in pixels, and their labels: on a days
/// axis the whole run reads in days and a zoom into one day names the day
/// once (in [`time_axis`]'s unit) and reads h:mm; else h:mm throughout.
pub fn time_ticks(scale: Scale, axis: TimeAxis, zoom: bool) -> Vec<(f64, String)> {
    let step = tick_step(scale.t1 - scale.t0, 12.0);
    let seconds = step < 60.0;
    let first = (scale.t0 / step).ceil() as i64;
    let last = ((scale.t1 + 1e-9) / step).floor() as i64;
    let label = |t: f64| match (zoom, axis.days()) {
        (false, true) => style::number(t / DAY_S),
        (true, _) => zoom_clock(axis, scale, t, seconds),
        (false, false) => axis.clock(t, seconds),
    };
    (first..=last).map(|i| i as f64 * step).map(|t| (t, label(t))).collect()
}

const HOURS: TimeAxis = TimeAxis { unit_s: 3_600.0, name: "hours" };

/// A moment on a zoomed axis: within one day of a long run, without the
/// day (the axis's unit names it).
pub fn zoom_clock(axis: TimeAxis, scale: Scale, t: f64, seconds: bool) -> String {
    if axis.days() && scale.one_day() { HOURS.clock(t % DAY_S, seconds) } else { axis.clock(t, seconds) }
}

/// A time axis drawn in pixels at `y`: tick labels under it, the unit in the left margin.
pub fn time_axis<DB: Backend>(area: &Area<DB>, scale: Scale, axis: TimeAxis, y: i32, zoom: bool) -> Result<()> {
    let rule = style::MUTED.stroke_width(1);
    area.draw(&PathElement::new(vec![(scale.x0, y), (scale.x1, y)], rule))?;
    for (t, label) in time_ticks(scale, axis, zoom) {
        let x = scale.x(t);
        area.draw(&PathElement::new(vec![(x, y), (x, y + 5)], rule))?;
        layout::text(area, &label, (x, y + 16), &style::small(), HPos::Center, VPos::Center)?;
    }
    let unit = match (zoom, axis.days()) {
        (false, true) => "time (days)".to_string(),
        (true, true) if scale.one_day() => format!("day {}, h:mm", (scale.t0 / DAY_S).floor()),
        _ => "time (h:mm)".to_string(),
    };
    layout::text(area, &unit, (scale.x0 - 30, y + 16), &style::note(), HPos::Right, VPos::Center)
}

/// The least width of a notable status or a fault, in pixels: a brief
/// outage in a long run still catches the eye.
pub const MIN_MARK_PX: f64 = 3.0;

/// A span widened about its middle to at least `min_s`, within `[0, horizon_s]`.
fn widen(start_s: f64, end_s: f64, min_s: f64, horizon_s: f64) -> (f64, f64) {
    let grow = ((min_s - (end_s - start_s)) / 2.0).max(0.0);
    ((start_s - grow).max(0.0), (end_s + grow).min(horizon_s))
}

/// A server's status lane over `[0, horizon_s]` in `columns` pixel columns:
/// each column in its least routine status, routine statuses first so that
/// the notable ones, at least [`MIN_MARK_PX`] wide, draw on top. `bar`
/// draws one span in a colour.
pub fn status_lane(
    segments: &[Segment],
    statuses: &Statuses,
    horizon_s: f64,
    columns: usize,
    mut bar: impl FnMut(f64, f64, RGBColor) -> Result<()>,
) -> Result<()> {
    let mut runs = timeline::status_runs(segments, horizon_s, columns, &statuses.routine);
    runs.sort_by_key(|r| !statuses.is_routine(&r.value));
    let min_s = MIN_MARK_PX * horizon_s / columns.max(1) as f64;
    for r in &runs {
        let min_s = if statuses.is_routine(&r.value) { 0.0 } else { min_s };
        let (from, to) = widen(r.start_s, r.end_s, min_s, horizon_s);
        bar(from, to, statuses.color(&r.value))?;
    }
    Ok(())
}

/// A strip of one fault kind's spans, merged to pixel columns and at least
/// [`MIN_MARK_PX`] wide.
pub fn fault_strip(
    spans: &[(f64, f64)],
    kind: FaultKind,
    horizon_s: f64,
    columns: usize,
    mut bar: impl FnMut(f64, f64, RGBColor) -> Result<()>,
) -> Result<()> {
    let min_s = MIN_MARK_PX * horizon_s / columns.max(1) as f64;
    for r in timeline::interval_runs(spans, horizon_s, columns) {
        let (from, to) = widen(r.start_s, r.end_s, min_s, horizon_s);
        bar(from, to, style::fault_look(kind).0)?;
    }
    Ok(())
}

/// The legend of the status lanes: a box per status, then a strip per fault kind.
pub fn lane_legend(statuses: &Statuses, faults: &[FaultKind]) -> (Legend, Legend) {
    let boxes = statuses.legend.iter().map(|(name, color)| (Swatch::Box(*color), name.clone())).collect();
    let strips =
        faults.iter().map(|k| style::fault_look(*k)).map(|(color, name)| (Swatch::Strip(color), name.to_string()));
    (boxes, strips.collect())
}

/// A lane's name, right-aligned just left of the plot, centred on `y`.
pub fn lane_name<DB: Backend>(area: &Area<DB>, name: &str, y: i32, style: &TextStyle) -> Result<()> {
    layout::text(area, name, (PLOT_LEFT as i32 - 12, y), style, HPos::Right, VPos::Center)
}

/// The metrics worth a panel, in the order drawn, per chart and kind of
/// model (voice, then chat): the one place the charts choose metrics. A
/// comparison shows what each strategy costs: calls blocked and dropped and
/// mailbox access, or posts lost, recovery, redundancy and compliance
/// (C3–C5). A sweep follows what port and integration choices are made
/// for, or what a backup interval and a time to decide trade: posts lost
/// against the outage, and the backups applied by hand that explain it.
pub const COMPARED: [&[&str]; 2] = [
    &[
        "blocking_probability",
        "calls_blocked",
        "calls_dropped",
        "mailbox_unavailable_calls",
        "messages_failed",
        "mailbox_unavailable_s",
    ],
    &["posts_lost", "rpo_s", "outage_s", "unmirrored_s", "compliance_records_lost", "availability"],
];
pub const SWEPT: [&[&str]; 2] = [
    &["blocking_probability", "calls_dropped", "mailbox_unavailable_calls", "service_availability"],
    &["posts_lost", "outage_s", "rpo_s", "backups_applied", "unmirrored_s", "compliance_records_lost"],
];

/// Up to `most` panels from the metrics a file has (`all`, in file order):
/// every one when they are that few, else those of the first of `lists`
/// with any present; listed metrics first either way, in their list's order.
pub fn key_metrics(all: &[String], lists: &[&[&str]; 2], most: usize) -> Vec<String> {
    let rank = |m: &String| lists.iter().find_map(|list| list.iter().position(|k| k == m)).unwrap_or(usize::MAX);
    let mut chosen: Vec<String> = if all.len() <= most {
        all.to_vec()
    } else {
        let present = |list: &[&str]| -> Vec<String> {
            list.iter().filter(|m| all.iter().any(|a| a == *m)).take(most).map(|m| m.to_string()).collect()
        };
        let key = lists.iter().map(|list| present(list)).find(|p| !p.is_empty());
        key.unwrap_or_else(|| all.iter().take(most).cloned().collect())
    };
    chosen.sort_by_key(rank);
    chosen
}

/// What a metric counts, for a panel's heading ("" when unknown).
pub fn metric_unit(metric: &str) -> &'static str {
    match metric {
        "blocking_probability" => "fraction of calls offered",
        "availability" | "service_availability" => "fraction of the measured time",
        "split_brain_episodes" => "episodes",
        "failovers" => "automatic status changes",
        m if m.ends_with("_s") => "seconds",
        m if m.contains("calls") => "calls",
        m if m.contains("messages") => "messages",
        m if m.contains("posts") => "posts",
        m if m.contains("records") => "records",
        m if m.contains("backups") => "log backups",
        _ => "",
    }
}

/// A panel's heading: the metric's name, then what it counts.
pub fn metric_heading<DB: Backend>(area: &Area<DB>, metric: &str, at: (i32, i32)) -> Result<()> {
    layout::text(area, metric, at, &style::heading(), HPos::Left, VPos::Center)?;
    let unit = metric_unit(metric);
    if unit.is_empty() {
        return Ok(());
    }
    let x = at.0 + layout::text_width(area, metric, &style::heading())? + 10;
    layout::text(area, &format!("({unit}, mean per replication)"), (x, at.1), &style::note(), HPos::Left, VPos::Center)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ticks: Vec<(f64, String)>) -> Vec<String> {
        ticks.into_iter().map(|(_, l)| l).collect()
    }

    #[test]
    fn four_days_read_in_hours_and_anything_longer_in_days() {
        // 4 days is 345,600 s: still hours; a second more is days.
        assert_eq!(TimeAxis::for_span(345_600.0).name, "hours");
        assert_eq!(TimeAxis::for_span(345_601.0).name, "days");
        assert_eq!(TimeAxis::for_span(86_400.0).x(7_200.0), 2.0);
        assert_eq!(TimeAxis::for_span(365.0 * 86_400.0).x(86_400.0 * 50.0), 50.0);
    }

    #[test]
    fn a_day_gets_two_hour_ticks_and_a_year_fifty_day_ones() {
        // 86,400 s over at most 12 ticks: 3,600 s gives 24 (too many),
        // 7,200 s gives 12; the ticks are 0:00, 2:00, ... 24:00 (13 of them).
        let day = Scale { t0: 0.0, t1: 86_400.0, x0: 0, x1: 1200 };
        let want: Vec<String> = (0..=12).map(|i| format!("{}:00", 2 * i)).collect();
        assert_eq!(labels(time_ticks(day, TimeAxis::for_span(86_400.0), false)), want);
        // A year, 31,536,000 s: 20 days gives 18.25 ticks, 50 days 7.3; on a
        // days axis the labels are 0, 50, ... 350.
        let year_s = 365.0 * 86_400.0;
        let year = Scale { t0: 0.0, t1: year_s, x0: 0, x1: 1200 };
        let want: Vec<String> = (0..=7).map(|i| (50 * i).to_string()).collect();
        assert_eq!(labels(time_ticks(year, TimeAxis::for_span(year_s), false)), want);
    }

    #[test]
    fn a_zoom_into_one_day_of_a_long_run_reads_h_mm() {
        // Day 3, 13:00 to 14:00 of a year: 5-minute ticks, the day left to the unit.
        let t0 = 3.0 * 86_400.0 + 13.0 * 3_600.0;
        let zoom = Scale { t0, t1: t0 + 3_600.0, x0: 0, x1: 1200 };
        let ticks = labels(time_ticks(zoom, TimeAxis::for_span(365.0 * 86_400.0), true));
        assert_eq!((ticks[0].as_str(), ticks[1].as_str(), ticks.len()), ("13:00", "13:05", 13));
        assert_eq!(TimeAxis::for_span(365.0 * 86_400.0).clock(t0 + 3_120.0, false), "day 3, 13:52");
        assert_eq!(HOURS.clock(7650.0, true), "2:07:30");
    }

    #[test]
    fn key_metrics_come_first_and_a_file_with_few_keeps_them_all() {
        let strings = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let few = strings(&["calls_dropped", "calls_offered", "blocking_probability"]);
        assert_eq!(key_metrics(&few, &SWEPT, 4), ["blocking_probability", "calls_dropped", "calls_offered"]);
        let chat =
            strings(&["posts", "posts_refused", "posts_lost", "outage_s", "unmirrored_s", "rpo_s", "backups_applied"]);
        assert_eq!(key_metrics(&chat, &SWEPT, 4), ["posts_lost", "outage_s", "rpo_s", "backups_applied"]);
        let compared = ["posts_lost", "rpo_s", "outage_s", "unmirrored_s"];
        assert_eq!(key_metrics(&chat, &COMPARED, 6), compared);
        let other = strings(&["a", "b", "c", "d", "e"]);
        assert_eq!(key_metrics(&other, &SWEPT, 4), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_short_mark_is_widened_about_its_middle_within_the_run() {
        assert_eq!(widen(10.0, 11.0, 3.0, 100.0), (9.0, 12.0));
        assert_eq!(widen(0.0, 1.0, 3.0, 100.0), (0.0, 2.0));
        assert_eq!(widen(10.0, 20.0, 3.0, 100.0), (10.0, 20.0));
    }
}
