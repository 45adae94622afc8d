//! `comparison.png`: the key metrics per port-allocation strategy, as bars
//! with 95 % whiskers, one panel per metric so each keeps its own scale
//! (a blocking probability and a count of calls share no axis). A mark over
//! a bar says its paired difference from the first strategy is beyond the
//! difference's own 95 % interval: with common random numbers, differences
//! are much tighter than the whiskers suggest.

use super::Draw;
use super::data;
use super::layout::{self, Swatch};
use super::style;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// The metrics `compare` prints by default (see the README): the first
/// ones present are drawn, else the file's first six.
const KEY_METRICS: [&str; 6] = [
    "blocking_probability",
    "calls_blocked",
    "calls_dropped",
    "mailbox_unavailable_calls",
    "messages_failed",
    "mailbox_unavailable_s",
];
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
    metrics: Vec<String>,
    cells: Vec<Cell>,
}

impl Chart {
    /// Reads `comparison.csv`; `None` when it is missing or has no rows.
    pub fn load(dir: &Path) -> Result<Option<Chart>> {
        let Some(mut file) = data::open(dir, "comparison.csv")? else { return Ok(None) };
        let [strategy, metric, mean, ci95, diff, diff_ci95] =
            file.columns(["strategy", "metric", "mean", "ci95", "diff", "diff_ci95"])?;
        let (mut strategies, mut all_metrics, mut cells) = (Vec::<String>::new(), Vec::<String>::new(), vec![]);
        file.for_each(|row| {
            let name = row.str(strategy)?;
            let index = strategies.iter().position(|s| s == name).unwrap_or_else(|| {
                strategies.push(name.to_string());
                strategies.len() - 1
            });
            let m = row.str(metric)?.to_string();
            if !all_metrics.contains(&m) {
                all_metrics.push(m.clone());
            }
            let (d, d_ci) = (row.number(diff)?, row.number(diff_ci95)?);
            let differs = index > 0 && d.is_finite() && d_ci.is_finite() && d.abs() > d_ci;
            cells.push(Cell { strategy: index, metric: m, mean: row.number(mean)?, ci95: row.number(ci95)?, differs });
            Ok(true)
        })?;
        if cells.is_empty() {
            return Ok(None);
        }
        let key: Vec<String> =
            KEY_METRICS.iter().filter(|m| all_metrics.iter().any(|a| a == *m)).map(|m| m.to_string()).collect();
        let metrics = if key.is_empty() { all_metrics.into_iter().take(MAX_PANELS).collect() } else { key };
        Ok(Some(Chart { strategies, metrics, cells }))
    }

    fn cells_of<'a>(&'a self, metric: &'a str) -> impl Iterator<Item = &'a Cell> {
        self.cells.iter().filter(move |c| c.metric == metric && c.mean.is_finite())
    }
}

impl Draw for Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
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

impl Chart {
    fn header<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = "Port-allocation strategies compared";
        layout::text(area, title, (24, 24), &style::title(), HPos::Left, VPos::Center)?;
        let first = &self.strategies[0];
        let subtitle = format!(
            "Mean over the replications, with 95 % confidence whiskers. All strategies saw the same calls and faults; \
             ▲ marks a paired difference from {first} beyond its own 95 % interval."
        );
        layout::text(area, &subtitle, (24, 58), &style::label(), HPos::Left, VPos::Center)?;
        let items: Vec<(Swatch, String)> =
            self.strategies.iter().enumerate().map(|(i, s)| (Swatch::Box(style::series_color(i)), s.clone())).collect();
        layout::legend_row(area, (24, 94), &items)?;
        Ok(())
    }

    fn panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, metric: &str) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        layout::metric_heading(area, metric, (24, 18))?;
        let top = self.cells_of(metric).map(|c| c.mean + c.ci95.max(0.0)).fold(0.0, f64::max);
        let bottom = self.cells_of(metric).map(|c| c.mean - c.ci95.max(0.0)).fold(0.0, f64::min);
        let span = (top - bottom).max(f64::MIN_POSITIVE);
        let (y_min, y_max) = if top == 0.0 && bottom == 0.0 { (0.0, 1.0) } else { (bottom, top + 0.22 * span) };
        let n = self.strategies.len() as f64;
        let mut chart = ChartBuilder::on(area)
            .margin_top(36)
            .margin_right(24)
            .margin_bottom(8)
            .y_label_area_size(80)
            .x_label_area_size(30)
            .build_cartesian_2d(0.0..n, y_min..y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&style::ticks(y_min, y_max))
            .bold_line_style(style::GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(style::MUTED)
            .label_style(style::small())
            .draw()?;
        self.bars(&chart, area, metric)?;
        if top == 0.0 && bottom == 0.0 {
            let (w, h) = area.dim_in_pixel();
            let at = (w as i32 / 2 + 40, h as i32 / 2);
            layout::text(area, "0 for every strategy", at, &style::note(), HPos::Center, VPos::Center)?;
        }
        Ok(())
    }

    fn bars<DB: DrawingBackend>(
        &self,
        chart: &ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        area: &DrawingArea<DB, Shift>,
        metric: &str,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let base = area.get_base_pixel();
        let slot = |x: f64, y: f64| {
            let (px, py) = chart.backend_coord(&(x, y));
            (px - base.0, py - base.1)
        };
        let (left, _) = slot(0.0, 0.0);
        let (right, _) = slot(1.0, 0.0);
        let names_fit = self.strategies.iter().try_fold(true, |fit, s| {
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
                let name = &self.strategies[cell.strategy];
                layout::text(area, name, (px, axis_y + 14), &style::small(), HPos::Center, VPos::Center)?;
            }
        }
        Ok(())
    }
}

/// A vertical 95 % whisker with caps, in pixels.
fn draw_whisker<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, low: (i32, i32), high: (i32, i32)) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let ink = style::TEXT.stroke_width(2);
    area.draw(&PathElement::new(vec![low, high], ink))?;
    for (x, y) in [low, high] {
        area.draw(&PathElement::new(vec![(x - 8, y), (x + 8, y)], ink))?;
    }
    Ok(())
}
