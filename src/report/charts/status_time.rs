//! `status-time.png`: where each server's time went, over the traced
//! replications. The routine statuses take nearly all of it, so the chart has
//! two panels: the whole split as one bar per server, and the rest — the time
//! outside primary and secondary — on a scale of its own, where it shows.

use super::Draw;
use super::kit::{self, Area, Backend};
use super::layout::{self, Swatch};
use super::style::{self, Statuses};
use super::timeline::Trace;
use crate::report::folder::Folder;
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeMap;

/// Both panels' margins: top (under their heading and legend), right, bottom, left.
const BAR_MARGINS: [u32; 4] = [70, 30, 20, 0];

/// Runs at least this long count as long (a month).
const LONG_S: f64 = 30.0 * 86_400.0;

/// Whether the folder is a long or randomly failing run, the kind whose
/// availability is a distribution worth drawing: two replications or more,
/// and a horizon of a month or more, or status changes traced in more than
/// one replication (with fixed timelines only one is traced by default).
/// A chat pool fails only where its timeline says, so every traced
/// replication changes status: only its horizon counts.
pub fn is_long_run(folder: &Folder, trace: Option<&Trace>, chat: bool) -> bool {
    let summary = folder.summary.as_ref();
    let rows = folder.replications.as_ref().map_or(0, |r| r.rows.len() as u64);
    if summary.map_or(rows, |s| s.replications) < 2 {
        return false;
    }
    let horizon_s = summary.map(|s| s.duration_s).or(trace.map(|t| t.horizon_s)).unwrap_or(0.0);
    let changed = trace.map_or(0, |t| t.traced.status_time.changed.len());
    horizon_s >= LONG_S || (!chat && changed > 1)
}

pub struct Chart {
    scenario: Option<String>,
    horizon_s: f64,
    replications: u64,
    servers: Vec<String>,
    /// Mean seconds per replication, per (server, status).
    mean_s: BTreeMap<(String, String), f64>,
    statuses: Statuses,
}

impl Chart {
    /// The traced replications' mean time per status; `None` when no
    /// replication was traced.
    pub fn new(folder: &Folder, trace: &Trace) -> Option<Chart> {
        let summary = folder.summary.as_ref();
        let horizon_s = summary.map_or(trace.horizon_s, |s| s.duration_s);
        let count = trace.traced.status_time.replications.len();
        if count == 0 || horizon_s <= 0.0 {
            return None;
        }
        let totals = trace.traced.status_time.finish(horizon_s).into_iter();
        let mean_s: BTreeMap<(String, String), f64> = totals
            .map(|((server, status), s)| ((server.to_string(), status.as_str().to_string()), s / count as f64))
            .collect();
        let mut seen: Vec<String> = trace.statuses.legend.iter().map(|(s, _)| s.clone()).collect();
        for (_, status) in mean_s.keys() {
            if !seen.contains(status) {
                seen.push(status.clone());
            }
        }
        Some(Chart {
            scenario: summary.map(|s| s.scenario.clone()),
            horizon_s,
            replications: count as u64,
            servers: trace.servers.iter().map(|s| s.to_string()).collect(),
            mean_s,
            statuses: Statuses::new(&seen, &trace.statuses.routine),
        })
    }

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

    fn header<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        let what = format!("where each server's time went, over {} traced replications", self.replications);
        let subtitle = format!(
            "Mean per replication of {} (from status.csv and the initial statuses in events.csv); \
             the statuses are coloured as in availability.png.",
            style::duration(self.horizon_s)
        );
        kit::header(area, &kit::title(self.scenario.as_deref(), &what), &subtitle, 58)
    }

    /// One bar per server, split by status, as a share of the horizon.
    fn share_panel<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        layout::text(area, "Share of time in each status", (24, 14), &style::heading(), HPos::Left, VPos::Center)?;
        let present: Vec<(Swatch, String)> = self
            .status_order()
            .into_iter()
            .filter(|status| self.servers.iter().any(|server| self.seconds(server, status) > 0.0))
            .map(|status| (Swatch::Box(self.statuses.color(&status)), status))
            .collect();
        layout::legend_row(area, (24, 44), &present)?;
        let rows = self.servers.len().max(1) as f64;
        let mut chart = kit::plot(area, BAR_MARGINS, (130, 60), 0.0..100.0, 0.0..rows)?;
        kit::mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0} %"))
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
        kit::axis_caption(area, "share of the horizon", (130, 30), 24)
    }

    /// The time outside primary and secondary, per status and server.
    fn notable_panel<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        let heading = format!("Time outside {}, per replication", self.statuses.routine.join(" and "));
        layout::text(area, &heading, (24, 14), &style::heading(), HPos::Left, VPos::Center)?;
        let bars = self.notable();
        if bars.is_empty() {
            let (w, h) = area.dim_in_pixel();
            let text = format!("No server left {} in the traced replications.", self.statuses.routine.join(" or "));
            return layout::text(area, &text, (w as i32 / 2, h as i32 / 2), &style::note(), HPos::Center, VPos::Center);
        }
        let largest = bars.iter().map(|b| b.2).fold(0.0, f64::max);
        let (unit_s, _, unit) = style::unit(largest);
        let x_max = largest / unit_s * 1.7;
        let rows = bars.len() as f64;
        let mut chart = kit::plot(area, BAR_MARGINS, (290, 60), 0.0..x_max, 0.0..rows)?;
        kit::mesh(&mut chart).disable_y_mesh().y_labels(0).x_labels(8).x_label_formatter(&layout::tick).draw()?;
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
        kit::axis_caption(area, &format!("mean {unit} per replication"), (290, 30), 24)
    }
}

impl Draw for Chart {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let (header, body) = root.split_vertically(90);
        self.header(&header)?;
        let (left, right) = body.split_horizontally(700);
        self.share_panel(&left)?;
        self.notable_panel(&right)
    }
}
