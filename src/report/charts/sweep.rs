//! `sweep.png`: a metric against the first swept key, one line per value of
//! the other keys, each with its 95 % band. With several metrics in the file,
//! up to four panels: blocking probability first, as it is what port and
//! integration sweeps are run for; for a chat pool, posts lost, then the
//! outage and the data-loss window.
//!
//! The x axis is numeric when every value of the key is a number or a
//! duration (`30s` < `2m` < `1h`, ordered by their value), else the values
//! are categories in the order the sweep ran them.

use super::Draw;
use super::kit::{self, Area, Backend, Plot};
use super::layout::{self, Swatch};
use super::style;
use crate::report::folder::{Folder, Sizing, SweepRow as Point};
use crate::scenario::Duration;
use anyhow::{Result, bail};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The most panels: the key metrics of [`kit::SWEPT`] the file has.
const MAX_PANELS: usize = 4;

/// How the first key's values map to the x axis.
struct XAxis {
    /// The distinct values as typed, in sweep order, with their position.
    ticks: Vec<(String, f64)>,
    numeric: bool,
}

impl XAxis {
    fn new(values: &[&str]) -> XAxis {
        let distinct = distinct(values);
        let numbers: Option<Vec<f64>> =
            distinct.iter().map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite())).collect();
        let durations: Option<Vec<f64>> =
            distinct.iter().map(|v| Duration::parse(v).ok().map(Duration::as_secs_f64)).collect();
        // Categories stand at 0, 1, 2, ... in the order the sweep ran them.
        let numeric = numbers.is_some() || durations.is_some();
        let xs = numbers.or(durations).unwrap_or_else(|| (0..distinct.len()).map(|i| i as f64).collect());
        let mut ticks: Vec<(String, f64)> = distinct.into_iter().zip(xs).collect();
        ticks.sort_by(|a, b| a.1.total_cmp(&b.1));
        XAxis { ticks, numeric }
    }

    fn position(&self, value: &str) -> Option<f64> {
        self.ticks.iter().find(|(v, _)| v == value).map(|(_, x)| *x)
    }

    /// The x range, padded so end points and categories are not on the edge.
    fn range(&self) -> (f64, f64) {
        let low = self.ticks.first().map_or(0.0, |t| t.1);
        let high = self.ticks.last().map_or(1.0, |t| t.1);
        let pad = if self.numeric { ((high - low) * 0.04).max(if high == low { 1.0 } else { 0.0 }) } else { 0.5 };
        (low - pad, high + pad)
    }
}

pub struct Chart<'a> {
    keys: Vec<String>,
    points: Vec<Point>,
    metrics: Vec<String>,
    /// For `sizing.png`: the targets and answers drawn over the lines.
    sizing: Option<&'a Sizing>,
}

/// How far above a `<=` target a sizing panel's axis goes: the curve falls
/// from near 1 at one port, and the answer is where it crosses the target.
const SIZING_HEADROOM: f64 = 4.0;

/// The distinct names, in order of first appearance.
fn distinct<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut all: Vec<String> = vec![];
    for name in names {
        if !all.iter().any(|a| a == name.as_ref()) {
            all.push(name.as_ref().to_string());
        }
    }
    all
}

/// One line: the other keys' values it stands for, and its points.
struct Line {
    label: String,
    points: Vec<(f64, f64, f64)>,
}

impl<'a> Chart<'a> {
    /// From `sweep.csv`; `None` when it is missing or has no rows.
    pub fn new(folder: &Folder) -> Result<Option<Chart<'_>>> {
        let Some(sweep) = folder.sweep.as_ref().filter(|s| !s.rows.is_empty()) else { return Ok(None) };
        if sweep.keys.is_empty() {
            bail!("sweep.csv has no swept key before its `metric` column");
        }
        let points = sweep.rows.clone();
        let metrics = kit::key_metrics(&distinct(points.iter().map(|p| &p.metric)), &kit::SWEPT, MAX_PANELS);
        Ok(Some(Chart { keys: sweep.keys.clone(), points, metrics, sizing: None }))
    }

    /// From `sizing.csv` and `sizing.json`: the key on the x axis, a line
    /// per strategy, a panel per target metric. `None` when the folder has
    /// no sizing.
    pub fn sizing(folder: &'a Folder) -> Option<Chart<'a>> {
        let sizing = folder.sizing.as_ref().filter(|s| !s.candidates.is_empty())?;
        let points = sizing.candidates.iter().map(|c| Point {
            values: vec![c.value.clone(), c.strategy.clone()],
            metric: c.metric.clone(),
            mean: c.mean,
            ci95: c.ci95,
        });
        let metrics = distinct(sizing.targets.iter().map(|t| &t.metric));
        let keys = vec![sizing.key.clone(), "strategy".to_string()];
        Some(Chart { keys, points: points.collect(), metrics, sizing: Some(sizing) })
    }

    /// The lines of `metric`, one per combination of the keys after the
    /// first, in the order the sweep ran them.
    fn lines(&self, metric: &str, axis: &XAxis) -> Vec<Line> {
        let mut lines: Vec<Line> = vec![];
        for p in self.points.iter().filter(|p| p.metric == metric && p.mean.is_finite()) {
            let Some(x) = axis.position(&p.values[0]) else { continue };
            // Each combination of the other keys has a label of its own.
            let label = self.line_label(&p.values[1..]);
            if !lines.iter().any(|l| l.label == label) {
                lines.push(Line { label: label.clone(), points: vec![] });
            }
            let line = lines.iter_mut().find(|l| l.label == label).expect("pushed above");
            line.points.push((x, p.mean, p.ci95.max(0.0)));
        }
        for line in &mut lines {
            line.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        lines
    }

    /// "sccp" with one other key (named in the legend's title), else
    /// "key=value, key=value".
    fn line_label(&self, others: &[String]) -> String {
        match others.len() {
            0 => "mean".into(),
            1 => others[0].clone(),
            _ => self.keys[1..].iter().zip(others).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "),
        }
    }

    fn axis(&self) -> XAxis {
        let values: Vec<&str> = self.points.iter().map(|p| p.values[0].as_str()).collect();
        XAxis::new(&values)
    }

    fn header<DB: Backend>(&self, area: &Area<DB>, axis: &XAxis) -> Result<()> {
        let title = match &self.sizing {
            Some(sizing) => {
                let targets: Vec<String> =
                    sizing.targets.iter().map(|t| format!("{} {} {}", t.metric, t.op, t.value)).collect();
                format!("Sizing: the least {} with {}", self.keys[0], targets.join(" and "))
            }
            None => format!("Sweep over {}", self.keys.join(" × ")),
        };
        let per_line = match self.keys.len() {
            1 => String::new(),
            _ => format!(" One line per value of {}.", self.keys[1..].join(" and ")),
        };
        let subtitle = match &self.sizing {
            Some(_) => format!(
                "Mean over each evaluated value's replications, 95 % bands; the dashed line is the target, a ring \
                 each answer.{per_line}"
            ),
            None => format!("Mean over each grid point's replications; bands are 95 % confidence intervals.{per_line}"),
        };
        kit::header(area, &title, &subtitle, 58)?;
        let lines = self.lines(&self.metrics[0], axis);
        if self.keys.len() > 1 {
            let items: Vec<(Swatch, String)> = lines
                .iter()
                .enumerate()
                .map(|(i, l)| (Swatch::Line(style::series_color(i)), l.label.clone()))
                .collect();
            let lead = if self.keys.len() == 2 { format!("{}:", self.keys[1]) } else { "lines:".to_string() };
            layout::keyed_legend(area, Some(&lead), &items, 94)?;
        }
        Ok(())
    }

    fn panel<DB: Backend>(&self, area: &Area<DB>, metric: &str, axis: &XAxis) -> Result<()> {
        kit::metric_heading(area, metric, (24, 18))?;
        let mut lines = self.lines(metric, axis);
        let targets: Vec<(String, f64)> = (self.sizing.iter().flat_map(|s| &s.targets))
            .filter(|t| t.metric == metric)
            .map(|t| (t.op.clone(), t.value))
            .collect();
        let (bottom, mut top) = y_range(&lines);
        for (op, value) in &targets {
            if op == "<=" && *value > 0.0 && top > SIZING_HEADROOM * value {
                top = SIZING_HEADROOM * value;
            }
            top = top.max(value * 1.1);
        }
        // Cut what lies above the axis, so the crossing of the target shows.
        for point in lines.iter_mut().flat_map(|l| l.points.iter_mut()) {
            let mean = point.1.min(top);
            point.2 = point.2.min(top - mean).max(0.0);
            point.1 = mean;
        }
        let (x_low, x_high) = axis.range();
        let mut chart = kit::plot(area, [36, 30, 10, 0], (80, 60), x_low..x_high, bottom..top)?;
        kit::mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&style::ticks(bottom, top))
            .draw()?;
        self.x_ticks(&chart, area, axis)?;
        // A line that later ones would hide (same values, as sccp and
        // sip_trunk share a service availability, or every time to decide
        // loses the same posts) is drawn wider by 4 px per line over it, so
        // that each still shows as an outline.
        for (i, line) in lines.iter().enumerate() {
            let over = lines[i + 1..].iter().filter(|later| same_points(later, line)).count() as u32;
            draw_line(&mut chart, line, style::series_color(i), 4 * over)?;
        }
        for (_, value) in &targets {
            let dashes = (0..60).map(|i| x_low + (x_high - x_low) * i as f64 / 60.0);
            chart.draw_series(dashes.step_by(2).map(|x| {
                let step = (x_high - x_low) / 60.0;
                PathElement::new(vec![(x, *value), (x + step, *value)], style::MUTED.stroke_width(2))
            }))?;
        }
        if let Some(sizing) = &self.sizing {
            for (i, line) in lines.iter().enumerate() {
                let answer =
                    sizing.answers.iter().find(|(name, _)| *name == line.label).and_then(|a| a.1.map(|v| v as f64));
                let Some(at) = answer.and_then(|a| line.points.iter().find(|p| p.0 == a)) else { continue };
                let ring = Circle::new((at.0, at.1), 11, style::series_color(i).stroke_width(3));
                chart.draw_series(std::iter::once(ring))?;
            }
        }
        Ok(())
    }

    /// The swept values as typed, under their points, with a grid line each;
    /// when they would overlap, only every n-th is named.
    fn x_ticks<DB: Backend>(&self, chart: &Plot<DB>, area: &Area<DB>, axis: &XAxis) -> Result<()> {
        let (y_range, small) = (chart.y_range(), style::small());
        let pixel = |x: f64, y: f64| kit::pixel(chart, area, (x, y));
        let widest = axis
            .ticks
            .iter()
            .map(|(v, _)| layout::text_width(area, v, &small))
            .try_fold(0, |a, w| w.map(|w| a.max(w)))?;
        let gaps = axis.ticks.windows(2).map(|w| pixel(w[1].1, 0.0).0 - pixel(w[0].1, 0.0).0);
        let narrowest = gaps.min().unwrap_or(i32::MAX).max(1);
        let every = ((widest + 12) as f64 / narrowest as f64).ceil().max(1.0) as usize;
        for (i, (value, x)) in axis.ticks.iter().enumerate() {
            let (px, bottom) = pixel(*x, y_range.start);
            let (_, top) = pixel(*x, y_range.end);
            area.draw(&PathElement::new(vec![(px, top), (px, bottom)], style::GRID.stroke_width(1)))?;
            if i % every == 0 {
                layout::text(area, value, (px, bottom + 16), &small, HPos::Center, VPos::Center)?;
            }
        }
        kit::axis_caption(area, &self.keys[0], (80, 30), 22)
    }
}

/// Whether two lines would be drawn on top of each other.
fn same_points(a: &Line, b: &Line) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-12);
    a.points.len() == b.points.len()
        && a.points.iter().zip(&b.points).all(|(p, q)| p.0 == q.0 && close(p.1, q.1) && close(p.2, q.2))
}

/// The y range of a panel: from 0 unless the values sit in a narrow band far
/// from it (an availability of 0.999x), where starting at 0 would flatten
/// every difference into one line.
fn y_range(lines: &[Line]) -> (f64, f64) {
    let points = lines.iter().flat_map(|l| &l.points);
    let high = points.clone().map(|p| p.1 + p.2).fold(f64::NEG_INFINITY, f64::max);
    let low = points.map(|p| p.1 - p.2).fold(f64::INFINITY, f64::min);
    if !high.is_finite() || !low.is_finite() {
        return (0.0, 1.0);
    }
    let span = (high - low).max(high.abs().max(low.abs()) * 1e-3).max(1e-9);
    let far_from_zero = (low > 0.0 && high - low < 0.25 * high) || (high < 0.0 && high - low < 0.25 * -low);
    let bottom = if far_from_zero { low - 0.08 * span } else { low.min(0.0) };
    let top = if far_from_zero || high > 0.0 { high + 0.08 * span } else { 0.0 };
    (bottom, top.max(bottom + span * 0.01))
}

fn draw_line<DB: Backend>(chart: &mut Plot<DB>, line: &Line, color: RGBColor, wider: u32) -> Result<()> {
    let upper = line.points.iter().map(|p| (p.0, p.1 + p.2));
    let lower = line.points.iter().rev().map(|p| (p.0, p.1 - p.2));
    let band: Vec<(f64, f64)> = upper.chain(lower).collect();
    chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18).filled())))?;
    let centre: Vec<(f64, f64)> = line.points.iter().map(|p| (p.0, p.1)).collect();
    chart.draw_series(LineSeries::new(centre.clone(), color.stroke_width(3 + wider)))?;
    chart.draw_series(centre.into_iter().map(|p| Circle::new(p, 5 + wider, color.filled())))?;
    Ok(())
}

impl Draw for Chart<'_> {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let axis = self.axis();
        let (header, body) = root.split_vertically(120);
        self.header(&header, &axis)?;
        let count = self.metrics.len();
        let (rows, columns) = if count <= 2 { (1, count) } else { (2, 2) };
        let areas = body.split_evenly((rows, columns));
        for (metric, area) in self.metrics.iter().zip(areas.iter()) {
            self.panel(area, metric, &axis)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_ordered_by_value() {
        let axis = XAxis::new(&["2m", "30s", "1h"]);
        let order: Vec<&str> = axis.ticks.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(order, ["30s", "2m", "1h"]);
        assert!(axis.numeric);
    }

    #[test]
    fn numbers_are_numeric_and_words_are_categories() {
        let ports = XAxis::new(&["8", "24", "12"]);
        assert_eq!(ports.position("24"), Some(24.0));
        let words = XAxis::new(&["sip_trunk", "sccp", "sip_trunk"]);
        assert!(!words.numeric);
        assert_eq!(words.position("sccp"), Some(1.0));
    }
}
