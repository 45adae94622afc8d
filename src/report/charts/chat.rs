//! `availability.png` of a Persistent Chat run (C1–C5): what the
//! failover looked like, and what was lost. Top to bottom:
//!
//! ```text
//! ┌ title; replication; the traced replication's figures (replications.csv) ┐
//! │ whole run   mgc_primary ██████████▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓  status lanes, and     │
//! │             mgc_backup  ████████████▓▓█████████  the data-centre loss │
//! │                           └─ zoomed below ─┘                          │
//! │ zoom, from before the last log backup to after the mirror is back:    │
//! │   status lanes                                                        │
//! │   log backups, copies, restores, compliance adapter runs (ticks)      │
//! │   posts lost (last backup → failure), compliance records lost         │
//! │   runbook: one Gantt row per step, with the seed's command            │
//! │   outage and unmirrored periods shaded behind every row               │
//! └ time axis (h:mm), then how to read it ────────────────────────────────┘
//! ```
//!
//! Everything comes from `events.csv` (the jobs, the failure, one event per
//! runbook step at its end), `status.csv` and the replication's row of
//! `replications.csv`; a folder without that file still draws, with the
//! figures the events give.

use super::Draw;
use super::kit::{self, Area, Backend, Scale, TimeAxis};
use super::layout::{self, PLOT_LEFT, PLOT_RIGHT, Swatch};
use super::style::{self, HEIGHT, WIDTH};
use super::timeline::Trace;
use crate::model::trace::{Actor, EventKind};
use crate::report::faults::FaultKind;
use crate::report::folder::{Folder, TracedEvent};
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The runbook's steps' short names, for their rows, in the order of [`EventKind::RUNBOOK`] (C4).
const STEP_NAMES: [&str; 8] = [
    "decide",
    "remove log shipping",
    "copy backups",
    "apply backups",
    "restore with recovery",
    "FailedOver",
    "install mirror",
    "active servers",
];

fn step_name(kind: EventKind) -> &'static str {
    EventKind::RUNBOOK.iter().position(|k| *k == kind).map_or(kind.as_str(), |i| STEP_NAMES[i])
}

/// The periodic jobs of C2 and C5, one tick row each, by index: the
/// event of a run, the row's name, what a run moves (one, many), the colour.
const JOBS: [(EventKind, &str, [&str; 2], RGBColor); 4] = [
    (EventKind::LogBackup, "log backups", ["post", "posts"], RGBColor(0x00, 0x72, 0xB2)),
    (EventKind::LogCopy, "log copies", ["file", "files"], RGBColor(0x00, 0x9E, 0x73)),
    (EventKind::LogRestore, "log restores", ["backup", "backups"], RGBColor(0x11, 0x77, 0x33)),
    (EventKind::ComplianceAdapter, "compliance adapter", ["record", "records"], COMPLIANCE),
];

/// What a run of job `kind` moved, for the label beside its tick.
fn moved(kind: usize, n: u64) -> String {
    format!("{n} {}", JOBS[kind].2[usize::from(n != 1)])
}

const OUTAGE: RGBColor = RGBColor(0xB2, 0x22, 0x22);
const UNMIRRORED: RGBColor = RGBColor(0x6A, 0x3D, 0x9A);
/// How strongly the outage and the unmirrored period shade the rows.
const PERIOD_ALPHA: f64 = 0.10;
const LOST: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const COMPLIANCE: RGBColor = RGBColor(0xAA, 0x33, 0x77);
const STEP: RGBColor = RGBColor(0x3A, 0x5F, 0x8A);
const IDLE: RGBColor = RGBColor(0xA8, 0xA8, 0xA8);
const WINDOW: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// A period shaded behind the zoom's rows: the outage, or the time unmirrored.
struct Period {
    start_s: f64,
    end_s: f64,
    color: RGBColor,
    /// Its length as the figures give it.
    length_s: f64,
    name: &'static str,
    /// Whether the run ended before the period did (its length is a lower bound).
    cut_short: bool,
}

/// A runbook step, from the previous runbook event (the first from the
/// failure) to its own event.
struct Step {
    name: &'static str,
    detail: String,
    start_s: f64,
    end_s: f64,
}

/// A run of a periodic job and what it moved (the event's count).
struct Job {
    /// Its index in [`JOBS`].
    kind: usize,
    time_s: f64,
    moved: Option<u64>,
}

/// What the events say of the failover.
struct Failover {
    failure_s: Option<f64>,
    /// The server whose site was lost, and the posts lost with it.
    failed_server: Option<Actor>,
    failure_count: Option<u64>,
    steps: Vec<Step>,
    jobs: Vec<Job>,
    back_s: Option<f64>,
    /// Step 5: the pool is failed over; the backup runs unmirrored from here.
    failed_over_s: Option<f64>,
    mirrored_s: Option<f64>,
    /// The last log backup and compliance adapter run before the failure
    /// (jobs due at its instant run before it, and come first in the file).
    last_backup_s: Option<f64>,
    last_adapter_s: Option<f64>,
}

impl Failover {
    fn new(events: &[TracedEvent]) -> Failover {
        let failure_index = events.iter().position(|e| e.kind == EventKind::DatacenterDown);
        let failure = failure_index.map(|i| &events[i]);
        let failure_s = failure.map(|e| e.time.as_f64());
        let mut steps = vec![];
        let mut previous = failure_s;
        for e in events.iter().filter(|e| e.kind.is_runbook_step()) {
            let end_s = e.time.as_f64();
            let start_s = previous.map_or(end_s, |p| p.min(end_s));
            steps.push(Step { name: step_name(e.kind), detail: e.detail.clone(), start_s, end_s });
            previous = Some(end_s);
        }
        let job = |e: &TracedEvent| {
            JOBS.iter().position(|j| j.0 == e.kind).map(|kind| Job { kind, time_s: e.time.as_f64(), moved: e.count })
        };
        let before = &events[..failure_index.unwrap_or(0)];
        let last = |kind| before.iter().rev().find(|e| e.kind == kind).map(|e| e.time.as_f64());
        let at = |kind| events.iter().find(|e| e.kind == kind).map(|e| e.time.as_f64());
        Failover {
            failure_s,
            failed_server: failure.map(|e| e.server),
            failure_count: failure.and_then(|e| e.count),
            steps,
            jobs: events.iter().filter_map(job).collect(),
            back_s: at(EventKind::RunbookActiveServersSet),
            failed_over_s: at(EventKind::RunbookPoolFailedOver),
            mirrored_s: at(EventKind::RunbookMirrorInstalled),
            last_backup_s: last(EventKind::LogBackup),
            last_adapter_s: last(EventKind::ComplianceAdapter),
        }
    }
}

/// The traced replication's figures, by metric: its row of
/// `replications.csv`, as the model measured them; without that file, only
/// what the events record (the posts lost with the data centre).
struct Figures {
    values: Vec<(&'static str, f64)>,
    from_file: bool,
}

impl Figures {
    fn new(folder: &Folder, replication: u64, failover: &Failover) -> Figures {
        let Some(r) = folder.replications.as_ref().filter(|r| r.rows.iter().any(|(i, _)| *i == replication)) else {
            let lost = failover.failure_count.map(|n| ("posts_lost", n as f64));
            return Figures { values: lost.into_iter().collect(), from_file: false };
        };
        let value = |m: &'static str| r.value(replication, m).filter(|v| v.is_finite()).map(|v| (m, v));
        Figures { values: crate::metrics::CHAT.into_iter().filter_map(value).collect(), from_file: true }
    }

    fn get(&self, metric: &str) -> Option<f64> {
        self.values.iter().find(|(m, _)| *m == metric).map(|(_, v)| *v)
    }
}

pub struct Chart<'a> {
    trace: &'a Trace<'a>,
    scenario: Option<&'a str>,
    replications: Option<u64>,
    axis: TimeAxis,
    failover: Failover,
    figures: Figures,
}

/// `text`, cut with "…" to fit `width` pixels; `None` if too little is left.
fn fit<DB: Backend>(area: &Area<DB>, text: &str, style: &TextStyle, width: i32) -> Result<Option<String>> {
    if layout::text_width(area, text, style)? <= width {
        return Ok(Some(text.to_string()));
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cut: String = chars[..mid].iter().collect::<String>() + "…";
        if layout::text_width(area, &cut, style)? <= width { lo = mid } else { hi = mid - 1 }
    }
    Ok((lo >= 12).then(|| chars[..lo].iter().collect::<String>().trim_end().to_string() + "…"))
}

fn rect<DB: Backend>(area: &Area<DB>, (x0, y0): (i32, i32), (x1, y1): (i32, i32), style: ShapeStyle) -> Result<()> {
    Ok(area.draw(&Rectangle::new([(x0, y0), (x1, y1)], style))?)
}

fn line<DB: Backend>(area: &Area<DB>, points: Vec<(i32, i32)>, style: ShapeStyle) -> Result<()> {
    Ok(area.draw(&PathElement::new(points, style))?)
}

/// Text placed beside a span `[x0, x1]` on row `y`: after it if it fits
/// before `right`; else inside it, on its `fill`, if it fits there; else
/// before it if it fits after `left`; else cut to the larger side. Text that
/// crosses the line at `avoid` gets a halo.
fn beside<DB: Backend>(
    area: &Area<DB>,
    text: &str,
    (x0, x1): (i32, i32),
    (left, right, avoid): (i32, i32, Option<i32>),
    (y, fill): (i32, Option<RGBColor>),
    style: &TextStyle,
) -> Result<()> {
    let width = layout::text_width(area, text, style)?;
    let (after, before) = (right - (x1 + 8), (x0 - 8) - left);
    if let Some(fill) = fill.filter(|_| width > after && width + 16 <= x1 - x0) {
        let ink = style::ink_on(fill);
        return layout::text(area, text, (x0 + 8, y), &style.color(&ink), HPos::Left, VPos::Center);
    }
    let after_side = width <= after || (width > before && after >= before);
    let (room, x, h) = if after_side { (after, x1 + 8, HPos::Left) } else { (before, x0 - 8, HPos::Right) };
    let Some(t) = fit(area, text, style, room)? else { return Ok(()) };
    let w = layout::text_width(area, &t, style)?;
    let (from, to) = if after_side { (x, x + w) } else { (x - w, x) };
    if avoid.is_some_and(|a| from <= a && a <= to) {
        rect(area, (from - 4, y - 9), (to + 4, y + 9), WHITE.mix(0.85).filled())?;
    }
    layout::text(area, &t, (x, y), style, h, VPos::Center)
}

/// The vertical plan of the chart, in pixels.
const SUBTITLE_Y: i32 = 54;
const FIGURES_Y: i32 = 86;
const OVERVIEW_LEGEND_Y: i32 = 122;
const OVERVIEW_TOP: i32 = 138;
const OVERVIEW_BAR: i32 = 24;
const OVERVIEW_PITCH: i32 = 38;
const ZOOM_CAPTION_H: i32 = 30;
const BAND_LABEL_H: i32 = 24;
const GROUP_H: i32 = 24;
const AXIS_H: i32 = 30;
const FOOTNOTE_H: i32 = 54;

/// A row of the zoom panel.
enum Row<'s> {
    Status(usize),
    Group(&'static str),
    Jobs(usize),
    PostsLost,
    ComplianceLost,
    Step(&'s Step),
    Note(&'static str),
}

impl Row<'_> {
    /// Height relative to the others (group headings have a fixed height).
    fn weight(&self) -> f64 {
        match self {
            Row::Group(_) => 0.0,
            Row::Jobs(_) => 0.8,
            _ => 1.0,
        }
    }
}

impl<'a> Chart<'a> {
    pub fn new(trace: &'a Trace, folder: &'a Folder) -> Chart<'a> {
        let failover = Failover::new(&trace.traced.events);
        let figures = Figures::new(folder, trace.traced.replication, &failover);
        Chart {
            trace,
            scenario: folder.summary.as_ref().map(|s| s.scenario.as_str()),
            replications: folder.summary.as_ref().map(|s| s.replications),
            axis: TimeAxis::for_span(trace.horizon_s),
            failover,
            figures,
        }
    }

    /// Where the lost posts start: `rpo_s` before the failure (back to the
    /// last copied backup when the share was lost), else the last backup.
    fn loss_start_s(&self) -> Option<f64> {
        let failure_s = self.failover.failure_s?;
        let from_rpo = self.figures.get("rpo_s").map(|rpo| failure_s - rpo);
        Some(from_rpo.or(self.failover.last_backup_s).unwrap_or(0.0).clamp(0.0, failure_s))
    }
    /// Whether posts were lost in backups taken but never copied: the loss
    /// reaches back beyond the last backup (C3, `backup_share_survives: false`).
    fn share_lost(&self) -> bool {
        match (self.loss_start_s(), self.failover.last_backup_s) {
            (Some(start), Some(backup)) => start < backup - 1e-3,
            _ => false,
        }
    }

    fn compliance_start_s(&self) -> Option<f64> {
        let failure_s = self.failover.failure_s?;
        Some(self.failover.last_adapter_s.unwrap_or(0.0).min(failure_s))
    }

    /// When the service came back, or the horizon if it did not.
    fn back_s(&self) -> Option<f64> {
        self.failover.failure_s?;
        Some(self.failover.back_s.unwrap_or(self.trace.horizon_s).min(self.trace.horizon_s))
    }

    fn mirrored_s(&self) -> Option<f64> {
        self.failover.failed_over_s?;
        Some(self.failover.mirrored_s.unwrap_or(self.trace.horizon_s).min(self.trace.horizon_s))
    }

    /// The zoomed span: from a little before the last log backup (or the
    /// start of what was lost) to a little after the mirror is installed; the
    /// whole run when no data centre was lost.
    fn window(&self) -> (f64, f64) {
        let horizon = self.trace.horizon_s;
        let Some(failure_s) = self.failover.failure_s else { return (0.0, horizon) };
        let starts = [self.loss_start_s(), self.compliance_start_s(), self.failover.last_backup_s];
        let start = starts.into_iter().flatten().fold(failure_s, f64::min);
        let last_step = self.failover.steps.iter().map(|s| s.end_s).fold(failure_s, f64::max);
        let end = match (self.failover.mirrored_s, self.failover.steps.len() < EventKind::RUNBOOK.len()) {
            (Some(m), _) => m.max(last_step).max(self.failover.back_s.unwrap_or(m)),
            // The runbook had not ended: show it up to the horizon.
            (None, true) => horizon,
            (None, false) => last_step,
        };
        let pad = ((end - start) * 0.04).max(30.0);
        ((start - pad).max(0.0), (end + pad).min(horizon).max(start + 1.0))
    }

    fn zoomed(&self) -> bool {
        let (start, end) = self.window();
        start > 0.0 || end < self.trace.horizon_s
    }

    fn header<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let what = match self.failover.failure_s {
            Some(_) => "data-centre loss, manual failover and what was lost",
            None => "chat pool over time",
        };
        let t = self.trace;
        let which = kit::which_replication(t.traced, self.replications).replacen('r', "R", 1);
        let failure = match (self.failover.failure_s, self.failover.failed_server) {
            (Some(f), server) => {
                let whose = server.map_or(String::new(), |s| format!(" ({s})"));
                format!(
                    " The primary data centre{whose} is lost at {}; an administrator fails over to the backup by hand.",
                    self.axis.clock(f, true)
                )
            }
            (None, _) => " No data centre was lost in this replication.".into(),
        };
        let subtitle = format!("{which}; {} simulated.{failure}", style::duration(t.horizon_s));
        kit::header(root, &kit::title(self.scenario, what), &subtitle, SUBTITLE_Y)?;
        self.figures_row(root)
    }

    /// The traced replication's figures, as "name value" pairs.
    fn figures_row<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let f = &self.figures;
        let count = |v: Option<f64>| v.map(style::number);
        let time = |v: Option<f64>| v.map(style::duration);
        // Periods the run cut short are lower bounds; one that never began
        // is left out.
        let failed = self.failover.failure_s.is_some();
        let at_least = |v: Option<String>, cut: bool| v.map(|v| if cut { format!("≥ {v}") } else { v });
        let back = self.failover.back_s.is_some();
        let failed_over = self.failover.failed_over_s.is_some();
        let outage = at_least(time(f.get("outage_s")), failed && !back);
        let unmirrored = at_least(time(f.get("unmirrored_s")), failed_over && self.failover.mirrored_s.is_none());
        let items = [
            ("posts lost", count(f.get("posts_lost"))),
            ("rpo (data-loss window)", time(f.get("rpo_s"))),
            ("outage (RTO)", outage),
            ("unmirrored", unmirrored.filter(|_| failed_over || !failed)),
            ("compliance records lost", count(f.get("compliance_records_lost"))),
            ("posts refused", count(f.get("posts_refused"))),
            ("backups applied by hand", count(f.get("backups_applied"))),
        ];
        let lead = if f.from_file { "This replication:" } else { "From the events:" };
        let (small, bold) = (style::small(), style::heading());
        layout::text(root, lead, (24, FIGURES_Y), &small, HPos::Left, VPos::Center)?;
        let mut x = 24 + layout::text_width(root, lead, &small)? + 16;
        for (name, value) in items {
            let Some(value) = value else { continue };
            layout::text(root, name, (x, FIGURES_Y), &small, HPos::Left, VPos::Center)?;
            x += layout::text_width(root, name, &small)? + 6;
            layout::text(root, &value, (x, FIGURES_Y), &bold, HPos::Left, VPos::Center)?;
            x += layout::text_width(root, &value, &bold)? + 28;
        }
        Ok(())
    }

    /// The whole run: one status lane per server, the data-centre loss under
    /// its server, and the zoomed span outlined.
    fn overview<DB: Backend>(&self, root: &Area<DB>, scale: Scale, bottom: i32) -> Result<()> {
        let heading = style::heading();
        layout::text(root, "Whole run", (24, OVERVIEW_LEGEND_Y), &heading, HPos::Left, VPos::Center)?;
        self.status_legend(root, scale.x0)?;
        let columns = (scale.x1 - scale.x0).max(1) as usize;
        let horizon_s = self.trace.horizon_s;
        for (i, segments) in self.trace.segments.iter().enumerate() {
            let top = OVERVIEW_TOP + i as i32 * OVERVIEW_PITCH;
            let bar = |top: i32, bottom: i32| {
                move |from: f64, to: f64, color: RGBColor| {
                    rect(root, (scale.x(from), top), (scale.x(to), bottom), color.filled())
                }
            };
            kit::status_lane(segments, &self.trace.statuses, horizon_s, columns, bar(top, top + OVERVIEW_BAR))?;
            self.status_names(root, scale, segments, top + OVERVIEW_BAR / 2)?;
            let server = self.trace.servers[i];
            let at = (scale.x0 - 12, top + OVERVIEW_BAR / 2);
            layout::text(root, server.as_str(), at, &heading, HPos::Right, VPos::Center)?;
            let strip_top = top + OVERVIEW_BAR + 3;
            for kind in [FaultKind::Crash, FaultKind::DataCentreLoss] {
                let spans: Vec<(f64, f64)> = (self.trace.faults.iter())
                    .filter(|f| f.kind == kind && f.server == server)
                    .map(|f| (f.start.secs(), f.end.secs()))
                    .collect();
                kit::fault_strip(&spans, kind, horizon_s, columns, bar(strip_top, strip_top + 6))?;
            }
        }
        kit::time_axis(root, scale, self.axis, bottom, false)?;
        if self.zoomed() {
            let (start, end) = self.window();
            let (a, b) = (scale.x(start), scale.x(end).max(scale.x(start) + 2));
            rect(root, (a - 1, OVERVIEW_TOP - 5), (b + 1, bottom - 6), WINDOW.stroke_width(2))?;
        }
        Ok(())
    }

    /// The statuses' colours, and the data-centre loss's strip.
    fn status_legend<DB: Backend>(&self, root: &Area<DB>, x: i32) -> Result<()> {
        let faults = if self.failover.failure_s.is_some() { &[FaultKind::DataCentreLoss][..] } else { &[] };
        let (mut items, strips) = kit::lane_legend(&self.trace.statuses, faults);
        items.extend(strips);
        layout::legend_row(root, (x, OVERVIEW_LEGEND_Y), &items)?;
        Ok(())
    }

    /// Status names written inside their bars, where they fit.
    fn status_names<DB: Backend>(
        &self,
        root: &Area<DB>,
        scale: Scale,
        segments: &[super::timeline::Segment],
        y: i32,
    ) -> Result<()> {
        let small = style::small();
        for seg in segments.iter().filter(|s| scale.shows(s.start_s, s.end_s)) {
            let (a, b) = (scale.x(seg.start_s), scale.x(seg.end_s));
            let width = layout::text_width(root, &seg.status, &small)?;
            if width + 12 <= b - a {
                let ink = style::ink_on(self.trace.statuses.color(&seg.status));
                layout::text(root, &seg.status, ((a + b) / 2, y), &small.color(&ink), HPos::Center, VPos::Center)?;
            }
        }
        Ok(())
    }

    fn rows(&self) -> Vec<Row<'_>> {
        let mut rows: Vec<Row> = (0..self.trace.servers.len()).map(Row::Status).collect();
        let kinds: Vec<usize> = (0..JOBS.len()).filter(|k| self.failover.jobs.iter().any(|j| j.kind == *k)).collect();
        if !kinds.is_empty() {
            rows.push(Row::Group("Log shipping and compliance jobs"));
            rows.extend(kinds.into_iter().map(Row::Jobs));
        }
        if self.failover.failure_s.is_some() {
            rows.push(Row::Group("Lost with the primary data centre"));
            rows.push(Row::PostsLost);
            rows.push(Row::ComplianceLost);
        }
        if self.failover.steps.is_empty() && self.failover.failure_s.is_none() {
            return rows;
        }
        rows.push(Row::Group("Runbook (manual failover), one row per step"));
        if self.failover.steps.is_empty() {
            rows.push(Row::Note("No runbook step was traced."));
        }
        rows.extend(self.failover.steps.iter().map(Row::Step));
        if self.failover.failure_s.is_some() && self.failover.mirrored_s.is_none() {
            rows.push(Row::Note(if self.failover.back_s.is_none() {
                "The run ends before the runbook does: the service is not back by the end of the run."
            } else {
                "The run ends before the mirror is installed."
            }));
        }
        rows
    }

    /// The zoomed span: shaded periods behind every row, then the rows.
    fn zoom_panel<DB: Backend>(&self, root: &Area<DB>, scale: Scale, top: i32) -> Result<()> {
        let caption = if self.zoomed() {
            format!(
                "The failover, zoomed in: {} to {}",
                self.axis.clock(scale.t0, false),
                self.axis.clock(scale.t1, false)
            )
        } else {
            "The whole run".to_string()
        };
        let mut legend = vec![];
        for p in self.periods().iter().filter(|p| scale.shows(p.start_s, p.end_s)) {
            let name = if p.color == OUTAGE { "outage: service down" } else { p.name };
            legend.push((Swatch::Band(p.color, 0.25), name.to_string()));
        }
        let idle = self.failover.jobs.iter().any(|j| j.moved == Some(0) && scale.shows(j.time_s, j.time_s));
        if idle {
            legend.push((Swatch::Tick(IDLE), "a job run that moved nothing".to_string()));
        }
        if self.failover.steps.iter().any(|s| s.end_s <= s.start_s) {
            legend.push((Swatch::Diamond(STEP), "a step that took no time".to_string()));
        }
        let caption_y = top + ZOOM_CAPTION_H / 2 - 4;
        layout::caption(root, &caption, caption_y, (40, PLOT_LEFT as i32 + 360), &legend)?;
        let rows = self.rows();
        let band_top = top + ZOOM_CAPTION_H;
        let rows_top = band_top + BAND_LABEL_H;
        let axis_y = HEIGHT as i32 - FOOTNOTE_H - AXIS_H;
        let groups = rows.iter().filter(|r| matches!(r, Row::Group(_))).count() as i32;
        let weights: f64 = rows.iter().map(Row::weight).sum();
        let room = (axis_y - 4 - rows_top - groups * GROUP_H).max(1) as f64;
        // Rows of a failover share the room up to a readable height; the
        // few rows of a run without one fill the chart.
        let most = if self.failover.failure_s.is_some() { 44.0 } else { f64::INFINITY };
        let unit = (room / weights.max(1.0)).min(most);
        // Rows centred vertically when they are capped.
        let used = groups * GROUP_H + (unit * weights).round() as i32;
        let rows_top = rows_top + ((axis_y - 4 - rows_top - used) / 2).max(0);

        for (t, _) in kit::time_ticks(scale, self.axis, true) {
            let x = scale.x(t);
            line(root, vec![(x, rows_top), (x, axis_y)], style::GRID.stroke_width(1))?;
        }
        self.bands(root, scale, band_top, axis_y)?;
        let failure_label_end = self.failure_label(root, scale, band_top)?;
        let mut y = rows_top as f64;
        let mut placed = vec![];
        for row in &rows {
            let height = if let Row::Group(_) = row { GROUP_H as f64 } else { unit * row.weight() };
            placed.push((y, height));
            y += height;
        }
        for (row, (y, _)) in rows.iter().zip(&placed) {
            if let Row::Group(_) = row {
                let y = (*y + 4.0) as i32;
                line(root, vec![(24, y), (scale.x1, y)], RGBColor(0xD0, 0xD0, 0xD0).stroke_width(1))?;
            }
        }
        if let Some(failure) = self.failover.failure_s {
            let x = scale.x(failure);
            rect(root, (x - 1, band_top), (x + 1, axis_y), OUTAGE.filled())?;
        }
        self.band_labels(root, scale, band_top, failure_label_end)?;
        for (row, (y, h)) in rows.iter().zip(&placed) {
            let middle = (y + h / 2.0).round() as i32;
            self.row(root, scale, row, middle, *h)?;
        }
        kit::time_axis(root, scale, self.axis, axis_y, true)
    }

    /// The outage and the unmirrored period.
    fn periods(&self) -> Vec<Period> {
        let (Some(failure), Some(back)) = (self.failover.failure_s, self.back_s()) else { return vec![] };
        let outage = Period {
            start_s: failure,
            end_s: back,
            color: OUTAGE,
            length_s: self.figures.get("outage_s").unwrap_or(back - failure),
            name: "outage (service down)",
            cut_short: self.failover.back_s.is_none(),
        };
        let (Some(failed_over), Some(mirrored)) = (self.failover.failed_over_s, self.mirrored_s()) else {
            return vec![outage];
        };
        let unmirrored = Period {
            start_s: failed_over,
            end_s: mirrored,
            color: UNMIRRORED,
            length_s: self.figures.get("unmirrored_s").unwrap_or(mirrored - failed_over),
            name: "running unmirrored",
            cut_short: self.failover.mirrored_s.is_none(),
        };
        vec![outage, unmirrored]
    }

    /// The outage and unmirrored periods, shaded from the band labels down
    /// to the axis.
    fn bands<DB: Backend>(&self, root: &Area<DB>, scale: Scale, top: i32, bottom: i32) -> Result<()> {
        for p in self.periods().iter().filter(|p| scale.shows(p.start_s, p.end_s)) {
            rect(root, (scale.x(p.start_s), top), (scale.x(p.end_s), bottom), p.color.mix(PERIOD_ALPHA).filled())?;
        }
        Ok(())
    }

    /// Each period's name and length above it, right of `from` (where the
    /// failure's label ends), shortened to what fits.
    fn band_labels<DB: Backend>(&self, root: &Area<DB>, scale: Scale, top: i32, from: i32) -> Result<()> {
        let label_y = top + BAND_LABEL_H / 2;
        // The unmirrored period lies inside the outage in the seed's order:
        // each label starts after the one before it.
        let mut left = from;
        for p in self.periods().iter().filter(|p| scale.shows(p.start_s, p.end_s)) {
            let (a, b) = (scale.x(p.start_s).max(left), scale.x(p.end_s));
            let at_least = if p.cut_short { "≥ " } else { "" };
            let length = format!("{at_least}{}", style::duration(p.length_s));
            let heading = style::heading().color(&p.color);
            let long = format!("{}: {length}", p.name);
            for text in [long.as_str(), length.as_str()] {
                let width = layout::text_width(root, text, &heading)?;
                if width + 8 <= b - a {
                    layout::text(root, text, (a + 4, label_y), &heading, HPos::Left, VPos::Center)?;
                    left = a + 4 + width + 16;
                    break;
                }
            }
        }
        Ok(())
    }

    /// Names the failure at the top of its line: left of it if there is
    /// room, else right of it. Returns where the label ends on the right.
    fn failure_label<DB: Backend>(&self, root: &Area<DB>, scale: Scale, top: i32) -> Result<i32> {
        let Some(failure) = self.failover.failure_s else { return Ok(scale.x0) };
        let x = scale.x(failure);
        let at = kit::zoom_clock(self.axis, scale, failure, true);
        let label = format!("data centre lost {at}");
        let heading = style::heading().color(&OUTAGE);
        let width = layout::text_width(root, &label, &heading)?;
        let y = top + BAND_LABEL_H / 2;
        if width + 8 <= x - scale.x0 {
            layout::text(root, &label, (x - 8, y), &heading, HPos::Right, VPos::Center)?;
            Ok(x)
        } else {
            layout::text(root, &label, (x + 8, y), &heading, HPos::Left, VPos::Center)?;
            Ok(x + 8 + width + 8)
        }
    }

    fn row<DB: Backend>(&self, root: &Area<DB>, scale: Scale, row: &Row, y: i32, height: f64) -> Result<()> {
        let (small, note) = (style::small(), style::note());
        let name_at = (scale.x0 - 12, y);
        let half = ((height * 0.34).round() as i32).max(4);
        match row {
            Row::Group(title) => {
                layout::text(root, title, (24, y + 2), &style::heading(), HPos::Left, VPos::Center)?;
            }
            Row::Note(text) => {
                // After the last step, else at the left on a halo.
                let last = self.failover.steps.last().map(|s| scale.x(s.end_s) + 12);
                let width = layout::text_width(root, text, &note)?;
                match last.filter(|x| x + width <= scale.x1) {
                    Some(x) => layout::text(root, text, (x, y), &note, HPos::Left, VPos::Center)?,
                    None => {
                        let x = scale.x0 + 12;
                        rect(root, (x - 4, y - 9), (x + width + 4, y + 9), WHITE.mix(0.85).filled())?;
                        layout::text(root, text, (x, y), &note, HPos::Left, VPos::Center)?;
                    }
                }
            }
            Row::Status(i) => {
                let segments = &self.trace.segments[*i];
                for seg in segments.iter().filter(|s| scale.shows(s.start_s, s.end_s)) {
                    let (a, b) = (scale.x(seg.start_s), scale.x(seg.end_s));
                    let color = self.trace.statuses.color(&seg.status);
                    rect(root, (a, y - half), (b.max(a + 1), y + half), color.filled())?;
                }
                self.status_names(root, scale, segments, y)?;
                layout::text(
                    root,
                    self.trace.servers[*i].as_str(),
                    name_at,
                    &style::heading(),
                    HPos::Right,
                    VPos::Center,
                )?;
            }
            Row::Jobs(kind) => {
                layout::text(root, JOBS[*kind].1, name_at, &small, HPos::Right, VPos::Center)?;
                self.job_ticks(root, scale, *kind, y, half)?;
            }
            Row::PostsLost => {
                layout::text(root, "posts", name_at, &small, HPos::Right, VPos::Center)?;
                self.posts_lost(root, scale, y, half)?;
            }
            Row::ComplianceLost => {
                layout::text(root, "compliance records", name_at, &small, HPos::Right, VPos::Center)?;
                self.compliance_lost(root, scale, y, half)?;
            }
            Row::Step(step) => {
                layout::text(root, step.name, name_at, &small, HPos::Right, VPos::Center)?;
                let (a, b) = (scale.x(step.start_s), scale.x(step.end_s));
                let length = step.end_s - step.start_s;
                if length <= 0.0 {
                    root.draw(&layout::diamond((a, y), half.min(7), STEP))?;
                } else {
                    rect(root, (a, y - half), (b.max(a + 2), y + half), STEP.filled())?;
                }
                let (a, b) = if length <= 0.0 { (a - 7, a + 7) } else { (a, b.max(a + 2)) };
                let text = format!("{} · {}", style::duration(length), step.detail);
                let fill = (length > 0.0).then_some(STEP);
                let avoid = self.failover.failure_s.map(|f| scale.x(f));
                beside(root, &text, (a, b), (scale.x0, scale.x1, avoid), (y, fill), &small)?;
            }
        }
        Ok(())
    }

    /// One job's runs in the window: a tick each, grey when it moved
    /// nothing, with what it moved beside it where there is room.
    fn job_ticks<DB: Backend>(&self, root: &Area<DB>, scale: Scale, kind: usize, y: i32, half: i32) -> Result<()> {
        let runs: Vec<&Job> =
            self.failover.jobs.iter().filter(|j| j.kind == kind && scale.shows(j.time_s, j.time_s)).collect();
        let note = style::note();
        // The run before the window, which the jobs in it follow on from.
        let earlier = self.failover.jobs.iter().rfind(|j| j.kind == kind && j.time_s < scale.t0);
        if let Some(job) = earlier {
            let what = job.moved.map_or(String::new(), |n| format!(", {}", moved(kind, n)));
            let text = format!("◂ last before: {}{what}", self.axis.clock(job.time_s, true));
            let first = runs.first().map_or(scale.x1, |j| scale.x(j.time_s));
            let width = layout::text_width(root, &text, &note)?;
            if scale.x0 + 6 + width + 10 <= first {
                // On a halo: it may cross the failure's line and the shading.
                rect(root, (scale.x0 + 2, y - 9), (scale.x0 + 10 + width, y + 9), WHITE.mix(0.85).filled())?;
                layout::text(root, &text, (scale.x0 + 6, y), &note, HPos::Left, VPos::Center)?;
            }
        }
        let failure_x = self.failover.failure_s.map(|f| scale.x(f));
        for (i, job) in runs.iter().enumerate() {
            let x = scale.x(job.time_s);
            let idle = job.moved == Some(0);
            let (color, reach) = if idle { (IDLE, half * 2 / 3) } else { (JOBS[kind].3, half + 2) };
            rect(root, (x - 1, y - reach), (x + 1, y + reach), color.filled())?;
            let Some(n) = job.moved else { continue };
            let label = moved(kind, n);
            let next = runs.get(i + 1).map_or(scale.x1, |n| scale.x(n.time_s));
            // A run before the failure is labelled before its line.
            let next = match failure_x {
                Some(f) if x < f => next.min(f),
                _ => next,
            };
            if x + 6 + layout::text_width(root, &label, &note)? + 6 <= next {
                let color = JOBS[kind].3;
                let ink = if idle { note.clone() } else { style::small().color(&color) };
                layout::text(root, &label, (x + 6, y), &ink, HPos::Left, VPos::Center)?;
            }
        }
        Ok(())
    }

    /// The posts lost: from the last log backup taken (or, with the share
    /// lost, the last one copied) to the failure.
    fn posts_lost<DB: Backend>(&self, root: &Area<DB>, scale: Scale, y: i32, half: i32) -> Result<()> {
        let (Some(failure), Some(start)) = (self.failover.failure_s, self.loss_start_s()) else { return Ok(()) };
        let (a, b) = (scale.x(start), scale.x(failure));
        let lost = self
            .figures
            .get("posts_lost")
            .map_or_else(|| "Posts".to_string(), |n| format!("{} posts", style::number(n)));
        let rpo = style::duration(failure - start);
        let text = match (self.share_lost(), self.failover.last_backup_s) {
            (true, Some(backup)) => {
                let m = scale.x(backup);
                rect(root, (a, y - half), (m, y + half), LOST.mix(0.30).filled())?;
                rect(root, (m, y - half), (b, y + half), LOST.mix(0.65).filled())?;
                let split = match (self.figures.get("posts_in_uncopied_backups"), self.figures.get("posts_lost")) {
                    (Some(uncopied), Some(all)) => format!(
                        ": {} in log backups never copied (the share was lost with the site), {} since the {} backup",
                        style::number(uncopied),
                        style::number((all - uncopied).max(0.0)),
                        self.axis.clock(backup, true)
                    ),
                    _ => format!(
                        " back to the last copied log backup, {} (the share was lost)",
                        self.axis.clock(start, true)
                    ),
                };
                format!("← {lost} lost{split}; rpo {rpo}")
            }
            _ => {
                rect(root, (a, y - half), (b.max(a + 1), y + half), LOST.mix(0.65).filled())?;
                let since = match self.failover.last_backup_s {
                    Some(backup) => format!("since the {} log backup", self.axis.clock(backup, true)),
                    None => "since the start: no log backup had been taken".to_string(),
                };
                format!("← {lost} lost, every post {since} (rpo {rpo})")
            }
        };
        rect(root, (a, y - half), (b.max(a + 1), y + half), LOST.stroke_width(1))?;
        beside(root, &text, (a, b), (scale.x0, scale.x1, None), (y, None), &style::small())
    }

    /// The compliance records lost: from the adapter's last run to the failure.
    fn compliance_lost<DB: Backend>(&self, root: &Area<DB>, scale: Scale, y: i32, half: i32) -> Result<()> {
        let (Some(failure), Some(start)) = (self.failover.failure_s, self.compliance_start_s()) else { return Ok(()) };
        let (a, b) = (scale.x(start), scale.x(failure));
        rect(root, (a, y - half), (b.max(a + 1), y + half), COMPLIANCE.mix(0.55).filled())?;
        rect(root, (a, y - half), (b.max(a + 1), y + half), COMPLIANCE.stroke_width(1))?;
        let lost = self
            .figures
            .get("compliance_records_lost")
            .map_or_else(|| "Compliance records".to_string(), |n| format!("{} compliance records", style::number(n)));
        let since = match self.failover.last_adapter_s {
            Some(t) => format!("since the adapter's {} run", self.axis.clock(t, true)),
            None => "since the start: the adapter had not run".to_string(),
        };
        let text = format!("← {lost} lost, not yet processed {since} (mgccomp is not failed over)");
        beside(root, &text, (a, b), (scale.x0, scale.x1, None), (y, None), &style::small())
    }

    fn footnote<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let y = HEIGHT as i32 - FOOTNOTE_H + 12;
        let first = "Each runbook step is drawn from the previous step's event (the first from the failure) to its \
                     own, with the seed's command, in the order they ran (the seed's: the mirror before the active servers, \
                     unless runbook.mirror puts it after).";
        let source = if self.figures.from_file {
            format!("replications.csv, replication {}", self.trace.traced.replication)
        } else {
            "the events (replications.csv has no row for this replication)".to_string()
        };
        let second = format!(
            "Posts are lost back to the last log backup taken (to the last one copied if the backup share is lost); \
             compliance records back to the adapter's last run. Figures from {source}."
        );
        let note = style::note();
        if self.failover.failure_s.is_none() {
            let only = "Ticks are the runs of the periodic jobs (rules C2, C5). No data centre was lost, so no runbook \
                        ran and nothing was lost.";
            return layout::text(root, only, (24, y), &note, HPos::Left, VPos::Center);
        }
        layout::text(root, first, (24, y), &note, HPos::Left, VPos::Center)?;
        layout::text(root, &second, (24, y + 22), &note, HPos::Left, VPos::Center)
    }
}

impl Draw for Chart<'_> {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let (x0, x1) = (PLOT_LEFT as i32, (WIDTH - PLOT_RIGHT) as i32);
        self.header(root)?;
        let (start, end) = self.window();
        let zoom = Scale { t0: start, t1: end, x0, x1 };
        if !self.zoomed() {
            // Nothing to zoom into: the panel below is the whole run.
            let heading = style::heading();
            layout::text(root, "Server status", (24, OVERVIEW_LEGEND_Y), &heading, HPos::Left, VPos::Center)?;
            self.status_legend(root, x0)?;
            self.zoom_panel(root, zoom, OVERVIEW_LEGEND_Y + 14)?;
            return self.footnote(root);
        }
        let lanes = self.trace.servers.len().max(1) as i32;
        let overview_bottom = OVERVIEW_TOP + lanes * OVERVIEW_PITCH - (OVERVIEW_PITCH - OVERVIEW_BAR - 10);
        let whole = Scale { t0: 0.0, t1: self.trace.horizon_s, x0, x1 };
        self.overview(root, whole, overview_bottom)?;
        let zoom_top = overview_bottom + 40;
        {
            let grey = RGBColor(0xB0, 0xB0, 0xB0).stroke_width(1);
            let (a, b) = (whole.x(start), whole.x(end));
            line(root, vec![(a, overview_bottom + 4), (a, overview_bottom + 14), (x0, zoom_top - 2)], grey)?;
            line(root, vec![(b, overview_bottom + 4), (b, overview_bottom + 14), (x1, zoom_top - 2)], grey)?;
        }
        self.zoom_panel(root, zoom, zoom_top)?;
        self.footnote(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trace::Links;
    use crate::report::rows::Seconds;

    fn event(time_s: u64, server: Actor, kind: EventKind, count: Option<u64>) -> TracedEvent {
        let time = Seconds(crate::engine::SECOND * time_s);
        let (detail, cause, service, status) = (format!("{kind}"), String::new(), String::new(), String::new());
        TracedEvent { time, server, kind, detail, cause, links: Links::NONE, service, status, count }
    }

    #[test]
    fn steps_run_from_the_previous_runbook_event_and_jobs_stop_at_the_failure() {
        let (primary, backup) = (Actor::MgcPrimary, Actor::MgcBackup);
        let events = [
            event(900, primary, EventKind::LogBackup, Some(479)),
            event(1200, primary, EventKind::ComplianceAdapter, Some(166)),
            event(1300, primary, EventKind::DatacenterDown, Some(266)),
            event(1800, backup, EventKind::LogCopy, Some(0)),
            event(2200, backup, EventKind::RunbookDecided, None),
            event(2300, backup, EventKind::RunbookLogShippingRemoved, None),
            event(2300, backup, EventKind::RunbookBackupsCopied, Some(0)),
            event(2500, backup, EventKind::RunbookActiveServersSet, None),
        ];
        let f = Failover::new(&events);
        let spans: Vec<_> = f.steps.iter().map(|s| (s.name, s.start_s, s.end_s)).collect();
        assert_eq!(
            spans,
            [
                ("decide", 1300.0, 2200.0),
                ("remove log shipping", 2200.0, 2300.0),
                ("copy backups", 2300.0, 2300.0),
                ("active servers", 2300.0, 2500.0)
            ]
        );
        assert_eq!((f.failure_s, f.back_s, f.mirrored_s), (Some(1300.0), Some(2500.0), None));
        assert_eq!((f.last_backup_s, f.last_adapter_s, f.failure_count), (Some(900.0), Some(1200.0), Some(266)));
        let moved: Vec<_> = f.jobs.iter().map(|j| j.moved).collect();
        assert_eq!(moved, [Some(479), Some(166), Some(0)]);
    }
}
