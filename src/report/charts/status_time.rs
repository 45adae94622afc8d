//! `status-time.png`: where each server's time went, over the traced
//! replications. The routine statuses take nearly all of it, so the chart has
//! two panels: the whole split as one bar per server, and the rest — the time
//! outside primary and secondary — on a scale of its own, where it shows.

use super::Draw;
use super::data::{self, Summary};
use super::layout::{self, Swatch};
use super::style::{self, Statuses};
use super::trace::Trace;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Runs at least this long count as long (a month).
const LONG_S: f64 = 30.0 * 86_400.0;

/// Whether the folder is a long or randomly failing run, the kind whose
/// availability is a distribution worth drawing: two replications or more,
/// and a horizon of a month or more, or status changes traced in more than
/// one replication (with fixed timelines only one is traced by default).
/// A chat pool (`fixed_timeline`) fails only where its timeline says, so
/// every traced replication changes status: only its horizon counts.
pub fn is_long_run(dir: &Path, summary: Option<&Summary>, trace: Option<&Trace>, fixed_timeline: bool) -> Result<bool> {
    let replications = match summary {
        Some(s) => s.replications,
        None => count_rows(dir, "replications.csv")?,
    };
    if replications < 2 {
        return Ok(false);
    }
    let horizon_s = summary.map(|s| s.duration_s).or(trace.map(|t| t.horizon_s)).unwrap_or(0.0);
    Ok(horizon_s >= LONG_S || (!fixed_timeline && replications_with_changes(dir)? > 1))
}

fn count_rows(dir: &Path, name: &str) -> Result<u64> {
    let Some(mut file) = data::open(dir, name)? else { return Ok(0) };
    let mut rows = 0;
    file.for_each(|_| {
        rows += 1;
        Ok(true)
    })?;
    Ok(rows)
}

fn replications_with_changes(dir: &Path) -> Result<usize> {
    let Some(mut file) = data::open(dir, "status.csv")? else { return Ok(0) };
    let column = file.column("replication")?;
    let mut seen = BTreeSet::new();
    file.for_each(|row| {
        seen.insert(row.replication(column)?);
        Ok(seen.len() < 2)
    })?;
    Ok(seen.len())
}

/// Seconds per (server, status), summed over the traced replications.
#[derive(Default)]
struct Totals {
    seconds: BTreeMap<(String, String), f64>,
    /// Per (replication, server): the current status and since when.
    current: BTreeMap<(u64, String), (String, f64)>,
}

impl Totals {
    fn add(&mut self, server: &str, status: &str, seconds: f64) {
        *self.seconds.entry((server.to_string(), status.to_string())).or_default() += seconds.max(0.0);
    }

    fn change(&mut self, replication: u64, server: &str, from: &str, to: &str, at_s: f64) {
        let key = (replication, server.to_string());
        let (status, since) = self.current.remove(&key).unwrap_or_else(|| (from.to_string(), 0.0));
        let at_s = at_s.max(since);
        self.add(server, &status, at_s - since);
        self.current.insert(key, (to.to_string(), at_s));
    }

    fn finish(&mut self, horizon_s: f64) {
        for ((_, server), (status, since)) in std::mem::take(&mut self.current) {
            self.add(&server, &status, horizon_s - since.min(horizon_s));
        }
    }
}

pub struct Chart {
    scenario: String,
    horizon_s: f64,
    replications: u64,
    servers: Vec<String>,
    /// Mean seconds per replication, per (server, status).
    mean_s: BTreeMap<(String, String), f64>,
    statuses: Statuses,
}

impl Chart {
    /// Sums the traced replications' time per status; `None` without traces.
    pub fn load(dir: &Path, summary: Option<&Summary>, trace: Option<&Trace>) -> Result<Option<Chart>> {
        let Some(trace) = trace else { return Ok(None) };
        let horizon_s = summary.map_or(trace.horizon_s, |s| s.duration_s);
        let mut totals = Totals::default();
        let mut replications = BTreeSet::new();
        read_initial(dir, &mut totals, &mut replications)?;
        read_changes(dir, &mut totals, &mut replications)?;
        totals.finish(horizon_s);
        if replications.is_empty() || horizon_s <= 0.0 {
            return Ok(None);
        }
        let count = replications.len() as f64;
        let mean_s: BTreeMap<(String, String), f64> = totals.seconds.into_iter().map(|(k, v)| (k, v / count)).collect();
        let mut seen: Vec<String> = trace.statuses.legend.iter().map(|(s, _)| s.clone()).collect();
        for (_, status) in mean_s.keys() {
            if !seen.contains(status) {
                seen.push(status.clone());
            }
        }
        Ok(Some(Chart {
            scenario: summary.map_or_else(String::new, |s| s.scenario.clone()),
            horizon_s,
            replications: replications.len() as u64,
            servers: trace.servers.clone(),
            mean_s,
            statuses: Statuses::new(&seen, &trace.statuses.routine),
        }))
    }
}

fn read_initial(dir: &Path, totals: &mut Totals, replications: &mut BTreeSet<u64>) -> Result<()> {
    let Some(mut file) = data::open(dir, "events.csv")? else { return Ok(()) };
    let [rep, server, event, detail] = file.columns(["replication", "server", "event", "detail"])?;
    file.for_each(|row| {
        if row.str(event)? == "initial_status" {
            let r = row.replication(rep)?;
            replications.insert(r);
            totals.current.insert((r, row.str(server)?.to_string()), (row.str(detail)?.to_string(), 0.0));
        }
        Ok(true)
    })
}

fn read_changes(dir: &Path, totals: &mut Totals, replications: &mut BTreeSet<u64>) -> Result<()> {
    let Some(mut file) = data::open(dir, "status.csv")? else { return Ok(()) };
    let [rep, time, server, from, to] = file.columns(["replication", "time_s", "server", "from", "to"])?;
    file.for_each(|row| {
        let r = row.replication(rep)?;
        replications.insert(r);
        totals.change(r, row.str(server)?, row.str(from)?, row.str(to)?, row.amount(time)?);
        Ok(true)
    })
}

impl Chart {
    /// Statuses in legend order.
    fn status_order(&self) -> Vec<String> {
        self.statuses.legend.iter().map(|(s, _)| s.clone()).collect()
    }

    fn seconds(&self, server: &str, status: &str) -> f64 {
        self.mean_s.get(&(server.to_string(), status.to_string())).copied().unwrap_or(0.0)
    }

    /// The (status, server) pairs outside the routine statuses with any
    /// time, the longest first.
    fn notable(&self) -> Vec<(String, String, f64)> {
        let mut out = vec![];
        for status in self.status_order().into_iter().filter(|s| !self.statuses.is_routine(s)) {
            for server in &self.servers {
                let s = self.seconds(server, &status);
                if s > 0.0 {
                    out.push((status.clone(), server.clone(), s));
                }
            }
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2));
        out
    }
}

impl Draw for Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (header, body) = root.split_vertically(90);
        self.header(&header)?;
        let (left, right) = body.split_horizontally(700);
        self.share_panel(&left)?;
        self.notable_panel(&right)
    }
}

impl Chart {
    fn header<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let name = if self.scenario.is_empty() { String::new() } else { format!("{}: ", self.scenario) };
        let title = format!("{name}where each server's time went, over {} traced replications", self.replications);
        layout::text(area, &title, (24, 24), &style::title(), HPos::Left, VPos::Center)?;
        let subtitle = format!(
            "Mean per replication of {} (from status.csv and the initial statuses in events.csv); \
             the statuses are coloured as in availability.png.",
            style::duration(self.horizon_s)
        );
        layout::text(area, &subtitle, (24, 58), &style::label(), HPos::Left, VPos::Center)
    }

    /// One bar per server, split by status, as a share of the horizon.
    fn share_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        layout::text(area, "Share of time in each status", (24, 14), &style::heading(), HPos::Left, VPos::Center)?;
        let present: Vec<(Swatch, String)> = self
            .status_order()
            .into_iter()
            .filter(|status| self.servers.iter().any(|server| self.seconds(server, status) > 0.0))
            .map(|status| (Swatch::Box(self.statuses.color(&status)), status))
            .collect();
        layout::legend_row(area, (24, 44), &present)?;
        let rows = self.servers.len().max(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .margin_top(70)
            .margin_right(30)
            .margin_bottom(20)
            .y_label_area_size(130)
            .x_label_area_size(60)
            .build_cartesian_2d(0.0..100.0, 0.0..rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0} %"))
            .bold_line_style(style::GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED)
            .label_style(style::small())
            .draw()?;
        let base = area.get_base_pixel();
        for (i, server) in self.servers.iter().enumerate() {
            let top = rows - i as f64 - 0.2;
            let bottom = top - 0.6;
            let mut from = 0.0;
            for status in self.status_order() {
                let share = 100.0 * self.seconds(server, &status) / self.horizon_s;
                if share <= 0.0 {
                    continue;
                }
                let to = (from + share).min(100.0);
                let color = self.statuses.color(&status);
                chart.draw_series(std::iter::once(Rectangle::new([(from, top), (to, bottom)], color.filled())))?;
                let (x0, y) = chart.backend_coord(&(from, (top + bottom) / 2.0));
                let (x1, _) = chart.backend_coord(&(to, top));
                let ink_color = style::ink_on(color);
                let ink = style::small().color(&ink_color);
                let labels = [format!("{status} {} %", style::number(share)), format!("{} %", style::number(share))];
                for label in labels {
                    if x1 - x0 > layout::text_width(area, &label, &ink)? + 12 {
                        layout::text(area, &label, (x0 - base.0 + 6, y - base.1), &ink, HPos::Left, VPos::Center)?;
                        break;
                    }
                }
                from = to;
            }
            let (_, y) = chart.backend_coord(&(0.0, (top + bottom) / 2.0));
            layout::text(area, server, (130 - 12, y - base.1), &style::heading(), HPos::Right, VPos::Center)?;
        }
        let (w, h) = area.dim_in_pixel();
        layout::text(
            area,
            "share of the horizon",
            ((130 + (w - 160) / 2) as i32, h as i32 - 24),
            &style::label(),
            HPos::Center,
            VPos::Center,
        )
    }

    /// The time outside primary and secondary, per status and server.
    fn notable_panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let heading = format!("Time outside {}, per replication", self.statuses.routine.join(" and "));
        layout::text(area, &heading, (24, 14), &style::heading(), HPos::Left, VPos::Center)?;
        let bars = self.notable();
        if bars.is_empty() {
            let (w, h) = area.dim_in_pixel();
            let text = format!("No server left {} in the traced replications.", self.statuses.routine.join(" or "));
            return layout::text(area, &text, (w as i32 / 2, h as i32 / 2), &style::note(), HPos::Center, VPos::Center);
        }
        let largest = bars.iter().map(|b| b.2).fold(0.0, f64::max);
        let (unit_s, unit) = unit_for(largest);
        let x_max = largest / unit_s * 1.7;
        let rows = bars.len() as f64;
        let mut chart = ChartBuilder::on(area)
            .margin_top(70)
            .margin_right(30)
            .margin_bottom(20)
            .y_label_area_size(290)
            .x_label_area_size(60)
            .build_cartesian_2d(0.0..x_max, 0.0..rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&layout::tick)
            .bold_line_style(style::GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED)
            .label_style(style::small())
            .draw()?;
        let base = area.get_base_pixel();
        for (i, (status, server, seconds)) in bars.iter().enumerate() {
            let top = rows - i as f64 - 0.2;
            let bottom = top - 0.6;
            let x = seconds / unit_s;
            let color = self.statuses.color(status);
            chart.draw_series(std::iter::once(Rectangle::new([(0.0, top), (x, bottom)], color.filled())))?;
            let (px, py) = chart.backend_coord(&(x, (top + bottom) / 2.0));
            let share = 100.0 * seconds / self.horizon_s;
            let value = format!("{} ({} % of the time)", style::duration(*seconds), style::number(share));
            layout::text(area, &value, (px - base.0 + 8, py - base.1), &style::small(), HPos::Left, VPos::Center)?;
            layout::legend_row(area, (24, py - base.1), &[(Swatch::Box(color), format!("{status}, {server}"))])?;
        }
        let (w, h) = area.dim_in_pixel();
        let description = format!("mean {unit} per replication");
        layout::text(
            area,
            &description,
            ((290 + (w - 320) / 2) as i32, h as i32 - 24),
            &style::label(),
            HPos::Center,
            VPos::Center,
        )
    }
}

/// The unit the notable panel's axis counts in, from its largest bar.
fn unit_for(largest_s: f64) -> (f64, &'static str) {
    match largest_s {
        s if s >= 2.0 * 86_400.0 => (86_400.0, "days"),
        s if s >= 2.0 * 3_600.0 => (3_600.0, "hours"),
        s if s >= 120.0 => (60.0, "minutes"),
        _ => (1.0, "seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_split_at_each_change_and_closed_at_the_horizon() {
        let mut t = Totals::default();
        t.current.insert((0, "publisher".into()), ("primary".into(), 0.0));
        t.change(0, "publisher", "primary", "not_functioning", 10.0);
        t.change(0, "publisher", "not_functioning", "starting", 15.0);
        t.change(1, "subscriber", "secondary", "primary", 40.0);
        t.finish(100.0);
        let get = |server: &str, status: &str| t.seconds[&(server.to_string(), status.to_string())];
        assert_eq!(get("publisher", "primary"), 10.0);
        assert_eq!(get("publisher", "not_functioning"), 5.0);
        assert_eq!(get("publisher", "starting"), 85.0);
        assert_eq!(get("subscriber", "secondary"), 40.0);
        assert_eq!(get("subscriber", "primary"), 60.0);
    }
}
