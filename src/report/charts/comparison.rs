//! `comparison.png`: the key metrics per strategy (a port-allocation
//! strategy, or a value of the key `compare --set` varies), as bars with
//! 95 % whiskers, one panel per metric so each keeps its own scale (a
//! blocking probability and a count of calls share no axis). A mark over a
//! bar says its paired difference from the first strategy is beyond the
//! difference's own 95 % interval: with common random numbers, differences
//! are much tighter than the whiskers suggest.
//!
//! Strategies named `key=value` for one shared key are labelled by their
//! value, with the key in the title, as in the printed table.

use super::Draw;
use super::kit::{self, Area, Backend, Plot};
use super::layout::{self, Swatch};
use super::style;
use crate::experiment::compare;
use crate::report::folder::Folder;
use crate::scenario::Integration;
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The most panels: the key metrics of [`kit::COMPARED`] the file has.
const MAX_PANELS: usize = 6;

/// One row of `comparison.csv`.
struct Cell {
    strategy: usize,
    metric: String,
    mean: f64,
    ci95: f64,
    differs: bool,
}

pub struct Chart {
    strategies: Vec<String>,
    /// What each strategy is called on the chart (see [`short_labels`]).
    labels: Vec<String>,
    /// The key every strategy sets, when they are all `key=value` of one key.
    key: Option<String>,
    metrics: Vec<String>,
    cells: Vec<Cell>,
    /// A chat pool's strategies (a voice cluster's else).
    chat: bool,
}

/// Strategies named `key=value` for one shared key are labelled by their
/// value alone, and the key returned; other names are kept whole.
fn short_labels(names: &[String]) -> (Option<String>, Vec<String>) {
    let split: Vec<Option<(&str, &str)>> =
        names.iter().map(|n| n.split_once('=').filter(|(_, v)| !v.contains('=') && !v.is_empty())).collect();
    if let Some(Some((key, _))) = split.first()
        && split.iter().all(|s| s.is_some_and(|(k, _)| k == *key))
    {
        let values = split.iter().map(|s| s.map_or_else(String::new, |(_, v)| v.to_string())).collect();
        return (Some(key.to_string()), values);
    }
    (None, names.to_vec())
}

impl Chart {
    /// From `comparison.csv`; `None` when it is missing or has no rows.
    pub fn new(folder: &Folder) -> Option<Chart> {
        let (mut strategies, mut all_metrics, mut cells) = (Vec::<String>::new(), Vec::<String>::new(), vec![]);
        for row in &folder.comparison {
            let index = strategies.iter().position(|s| *s == row.strategy).unwrap_or_else(|| {
                strategies.push(row.strategy.clone());
                strategies.len() - 1
            });
            if !all_metrics.contains(&row.metric) {
                all_metrics.push(row.metric.clone());
            }
            let differs =
                index > 0 && row.diff.is_finite() && row.diff_ci95.is_finite() && row.diff.abs() > row.diff_ci95;
            cells.push(Cell { strategy: index, metric: row.metric.clone(), mean: row.mean, ci95: row.ci95, differs });
        }
        if cells.is_empty() {
            return None;
        }
        let metrics = kit::key_metrics(&all_metrics, &kit::COMPARED, MAX_PANELS);
        let (key, labels) = short_labels(&strategies);
        Some(Chart { strategies, labels, key, metrics, cells, chat: folder.is_chat() })
    }

    fn cells_of<'a>(&'a self, metric: &'a str) -> impl Iterator<Item = &'a Cell> {
        self.cells.iter().filter(move |c| c.metric == metric && c.mean.is_finite())
    }

    fn header<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        // The port-allocation strategies of R17 and the scenario's own.
        let allocation = |s: &String| Integration::parse(s).is_some() || s == compare::CUSTOM;
        let allocation = self.strategies.iter().all(allocation);
        let title = match &self.key {
            _ if allocation => "Port-allocation strategies compared".to_string(),
            Some(key) => format!("Strategies compared: {key}"),
            None => "Strategies compared".to_string(),
        };
        let first = match &self.key {
            Some(key) => format!("{key} = {}", self.labels[0]),
            None => self.labels[0].clone(),
        };
        let draws = if self.chat { "posts and runbook draws" } else { "calls and faults" };
        let subtitle = format!(
            "Mean over the replications, with 95 % confidence whiskers. All strategies saw the same {draws}; \
             ▲ marks a paired difference from {first} beyond its own 95 % interval."
        );
        kit::header(area, &title, &subtitle, 58)?;
        let items: Vec<(Swatch, String)> =
            self.labels.iter().enumerate().map(|(i, s)| (Swatch::Box(style::series_color(i)), s.clone())).collect();
        layout::keyed_legend(area, self.key.as_ref().map(|k| format!("{k}:")).as_deref(), &items, 94)
    }

    fn panel<DB: Backend>(&self, area: &Area<DB>, metric: &str) -> Result<()> {
        kit::metric_heading(area, metric, (24, 18))?;
        let top = self.cells_of(metric).map(|c| c.mean + c.ci95.max(0.0)).fold(0.0, f64::max);
        let bottom = self.cells_of(metric).map(|c| c.mean - c.ci95.max(0.0)).fold(0.0, f64::min);
        let span = (top - bottom).max(f64::MIN_POSITIVE);
        let (y_min, y_max) = if top == 0.0 && bottom == 0.0 { (0.0, 1.0) } else { (bottom, top + 0.22 * span) };
        let n = self.strategies.len() as f64;
        let mut chart = kit::plot(area, [36, 24, 8, 0], (80, 30), 0.0..n, y_min..y_max)?;
        kit::mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&style::ticks(y_min, y_max))
            .draw()?;
        self.bars(&chart, area, metric)?;
        if top == 0.0 && bottom == 0.0 {
            let (w, h) = area.dim_in_pixel();
            let at = (w as i32 / 2 + 40, h as i32 / 2);
            layout::text(area, "0 for every strategy", at, &style::note(), HPos::Center, VPos::Center)?;
        }
        Ok(())
    }

    fn bars<DB: Backend>(&self, chart: &Plot<DB>, area: &Area<DB>, metric: &str) -> Result<()> {
        let slot = |x: f64, y: f64| kit::pixel(chart, area, (x, y));
        let (left, _) = slot(0.0, 0.0);
        let (right, _) = slot(1.0, 0.0);
        let names_fit = self.labels.iter().try_fold(true, |fit, s| {
            Ok::<bool, anyhow::Error>(fit && layout::text_width(area, s, &style::small())? + 6 < right - left)
        })?;
        for cell in self.cells_of(metric) {
            let x = cell.strategy as f64;
            let color = style::series_color(cell.strategy);
            let bar = Rectangle::new([(x + 0.18, 0.0), (x + 0.82, cell.mean)], color.filled());
            chart.plotting_area().draw(&bar)?;
            let ci = cell.ci95.max(0.0);
            if ci > 0.0 {
                draw_whisker(area, slot(x + 0.5, cell.mean - ci), slot(x + 0.5, cell.mean + ci))?;
            }
            let (px, py) = slot(x + 0.5, cell.mean + ci);
            let label =
                if cell.differs { format!("▲ {}", style::number(cell.mean)) } else { style::number(cell.mean) };
            layout::text(area, &label, (px, py - 12), &style::small(), HPos::Center, VPos::Center)?;
            if names_fit {
                let (_, axis_y) = slot(x + 0.5, chart.y_range().start);
                let name = &self.labels[cell.strategy];
                layout::text(area, name, (px, axis_y + 14), &style::small(), HPos::Center, VPos::Center)?;
            }
        }
        Ok(())
    }
}

/// A vertical 95 % whisker with caps, in pixels.
fn draw_whisker<DB: Backend>(area: &Area<DB>, low: (i32, i32), high: (i32, i32)) -> Result<()> {
    let ink = style::TEXT.stroke_width(2);
    area.draw(&PathElement::new(vec![low, high], ink))?;
    for (x, y) in [low, high] {
        area.draw(&PathElement::new(vec![(x - 8, y), (x + 8, y)], ink))?;
    }
    Ok(())
}

impl Draw for Chart {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let (header, body) = root.split_vertically(120);
        self.header(&header)?;
        let count = self.metrics.len();
        let columns = if count <= 3 { count } else { count.div_ceil(2) };
        let rows = count.div_ceil(columns);
        let areas = body.split_evenly((rows, columns));
        for (metric, area) in self.metrics.iter().zip(areas.iter()) {
            self.panel(area, metric)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn strategies_of_one_key_are_labelled_by_their_value() {
        let names = strings(&["log_shipping.backup_interval=5m", "log_shipping.backup_interval=15m"]);
        assert_eq!(short_labels(&names), (Some("log_shipping.backup_interval".into()), strings(&["5m", "15m"])));
        let mixed = strings(&["a=1", "b=2"]);
        assert_eq!(short_labels(&mixed), (None, mixed.clone()));
        let presets = strings(&["sccp", "sip_trunk"]);
        assert_eq!(short_labels(&presets), (None, presets.clone()));
    }
}
