//! `availability-distribution.png`: how many nines, across replications.
//!
//! Availability near 1 is read in nines, so the x axis is −log10(1 − a): each
//! step right is one more nine, and 99.9 % sits as far from 99.99 % as 99.99 %
//! from 99.999 %. Replications with no outage at all have infinitely many
//! nines; they get their own bar at the right instead of vanishing.

use super::Draw;
use super::kit::{self, Area, Backend, Plot};
use super::layout::{self, Swatch};
use super::style;
use crate::report::folder::Folder;
use anyhow::{Result, bail};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The metrics shown, one panel each, with what they measure.
const METRICS: [(&str, &str); 2] = [
    ("availability", "Availability: some server answers calls"),
    ("service_availability", "Service availability: calls answered with mailbox access"),
];

/// What `availability` measures in a chat pool's run.
const CHAT_AVAILABILITY: &str = "Availability: the chat service is up (outside the failover's outage)";

const BAR: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const PERFECT: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const MEAN: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// One metric's values over the replications.
struct Panel {
    title: &'static str,
    values: Vec<f64>,
}

pub struct Chart {
    scenario: Option<String>,
    duration_s: Option<f64>,
    panels: Vec<Panel>,
}

/// The nines of availability `a`: 3 for 99.9 %; `None` for a perfect run.
/// Rounded to 1e-9 so that 0.999 is 3 nines, not 2.9999999999999996.
fn nines(a: f64) -> Option<f64> {
    (a < 1.0).then(|| (-(1.0 - a).log10() * 1e9).round() / 1e9)
}

/// `a` as a percentage with as many decimals as its nines need.
fn percent(a: f64) -> String {
    let decimals = nines(a).map_or(1, |n| (n.ceil() as usize).saturating_sub(1).clamp(1, 12));
    let text = format!("{:.decimals$}", a * 100.0);
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{text} %")
}

/// The label of `k` nines: 90 %, 99 %, 99.9 %, ...
fn nines_label(k: i32) -> String {
    match k {
        ..=0 => "0 %".into(),
        1 => "90 %".into(),
        2 => "99 %".into(),
        _ => format!("99.{} %", "9".repeat((k - 2) as usize)),
    }
}

/// A histogram over the nines of the imperfect replications.
struct Histogram {
    low: f64,
    high: f64,
    width: f64,
    counts: Vec<u32>,
    perfect: u32,
}

/// The whole nines that enclose every imperfect value, so that panels
/// side by side share one axis.
fn range<'a>(values: impl Iterator<Item = &'a f64>) -> (f64, f64) {
    let logs: Vec<f64> = values.filter(|v| v.is_finite()).filter_map(|a| nines(*a)).collect();
    if logs.is_empty() {
        return (2.0, 5.0);
    }
    let low = logs.iter().copied().fold(f64::INFINITY, f64::min).floor();
    let high = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max).ceil();
    (low, high.max(low + 1.0))
}

impl Histogram {
    fn new(values: &[f64], (low, high): (f64, f64)) -> Histogram {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let logs: Vec<f64> = finite.iter().filter_map(|a| nines(*a)).collect();
        let perfect = (finite.len() - logs.len()) as u32;
        let width = match high - low {
            r if r <= 3.0 => 0.1,
            r if r <= 6.0 => 0.2,
            _ => 0.5,
        };
        let bins = ((high - low) / width).round() as usize;
        let mut counts = vec![0; bins.max(1)];
        for n in logs {
            let i = (((n - low) / width).floor() as usize).min(counts.len() - 1);
            counts[i] += 1;
        }
        Histogram { low, high, width, counts, perfect }
    }

    /// Where the bar of perfect replications sits, right of the axis's end.
    fn perfect_x(&self) -> f64 {
        self.high + 0.25 + (self.high - self.low) * 0.08
    }

    fn x_max(&self) -> f64 {
        self.perfect_x() + (self.high - self.low) * 0.08
    }
}

impl Chart {
    /// From `replications.csv`; `None` when it is missing, has fewer than
    /// two rows, or has no availability column.
    pub fn new(folder: &Folder) -> Result<Option<Chart>> {
        let Some(replications) = &folder.replications else { return Ok(None) };
        let mut panels = vec![];
        for (name, title) in METRICS {
            let title = if folder.is_chat() && name == "availability" { CHAT_AVAILABILITY } else { title };
            let Some(values) = replications.values(name) else { continue };
            if let Some(bad) = values.iter().find(|v| v.is_finite() && !(0.0..=1.0).contains(*v)) {
                bail!("replications.csv: {name} `{bad}` is not between 0 and 1");
            }
            panels.push(Panel { title, values });
        }
        panels.retain(|p| p.values.iter().filter(|v| v.is_finite()).count() >= 2);
        let summary = folder.summary.as_ref();
        let scenario = summary.map(|s| s.scenario.clone());
        Ok(Some(Chart { scenario, duration_s: summary.map(|s| s.duration_s), panels }).filter(|c| !c.panels.is_empty()))
    }

    fn header<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        let title = kit::title(self.scenario.as_deref(), "availability across replications, in nines");
        let runs = self.panels[0].values.len();
        let each = self.duration_s.map_or_else(String::new, |d| format!(" of {} each", style::duration(d)));
        let subtitle = format!(
            "{runs} replications{each}. Each step right on the x axis is one more nine (99 % → 99.9 % → 99.99 %); \
             replications without any outage are counted apart, on the right."
        );
        kit::header(area, &title, &subtitle, 58)
    }
}

fn draw_panel<DB: Backend>(area: &Area<DB>, panel: &Panel, range: (f64, f64)) -> Result<()> {
    let h = Histogram::new(&panel.values, range);
    let (caption, plot_area) = area.split_vertically(60);
    layout::text(&caption, panel.title, (24, 14), &style::heading(), HPos::Left, VPos::Center)?;
    let finite: Vec<f64> = panel.values.iter().copied().filter(|v| v.is_finite()).collect();
    let mean = finite.iter().sum::<f64>() / finite.len() as f64;
    let mean_nines = nines(mean).map_or(String::new(), |n| format!(" ({} nines)", style::number(n)));
    let items = [
        (Swatch::Box(BAR), "replications".to_string()),
        (Swatch::Box(PERFECT), "no outage".to_string()),
        (Swatch::Line(MEAN), format!("mean {}{mean_nines}", percent(mean))),
    ];
    layout::legend_row(&caption, (24, 42), &items)?;
    let y_max = (h.counts.iter().copied().max().unwrap_or(0).max(h.perfect) as f64 * 1.15).ceil().max(1.0);
    let mut chart = kit::plot(&plot_area, [24, 30, 0, 20], (60, 80), h.low..h.x_max(), 0.0..y_max)?;
    kit::mesh(&mut chart)
        .disable_x_mesh()
        .x_labels(0)
        .y_labels((y_max as usize + 1).min(8))
        .y_label_formatter(&layout::count_tick)
        .draw()?;
    draw_bars(&mut chart, &h)?;
    draw_nines(&plot_area, &chart, &h, y_max)?;
    if let Some(n) = nines(mean) {
        let line = [(n, 0.0), (n, y_max)];
        chart.draw_series(std::iter::once(PathElement::new(line, MEAN.stroke_width(2))))?;
    }
    kit::axis_caption(&plot_area, "availability (one grid line per nine)", (80, 30), 16)?;
    let (_, top) = kit::pixel(&chart, &plot_area, (h.low, y_max));
    layout::text(&plot_area, "replications", (20, top - 14), &style::small(), HPos::Left, VPos::Center)
}

fn draw_bars<DB: Backend>(chart: &mut Plot<DB>, h: &Histogram) -> Result<()> {
    let bars = h.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| {
        let x0 = h.low + i as f64 * h.width;
        Rectangle::new([(x0 + h.width * 0.06, 0.0), (x0 + h.width * 0.94, *c as f64)], BAR.filled())
    });
    chart.draw_series(bars)?;
    if h.perfect > 0 {
        let half = (h.high - h.low) * 0.04;
        let x = h.perfect_x();
        let bar = Rectangle::new([(x - half, 0.0), (x + half, h.perfect as f64)], PERFECT.filled());
        chart.draw_series(std::iter::once(bar))?;
    }
    Ok(())
}

/// A grid line per whole nine, labelled with its percentage below the axis,
/// and the label of the perfect replications' bar.
fn draw_nines<DB: Backend>(area: &Area<DB>, chart: &Plot<DB>, h: &Histogram, y_max: f64) -> Result<()> {
    let at = |x: f64, y: f64| kit::pixel(chart, area, (x, y));
    let mut k = h.low.ceil() as i32;
    while k as f64 <= h.high {
        let x = k as f64;
        let line = [at(x, 0.0), at(x, y_max)];
        area.draw(&PathElement::new(line.to_vec(), style::MUTED.mix(0.5).stroke_width(1)))?;
        let (px, py) = at(x, 0.0);
        layout::text(area, &nines_label(k), (px, py + 16), &style::small(), HPos::Center, VPos::Center)?;
        layout::text(area, &format!("{k} nines"), (px, py + 36), &style::note(), HPos::Center, VPos::Center)?;
        k += 1;
    }
    let (px, py) = at(h.perfect_x(), 0.0);
    layout::text(area, "100 %", (px, py + 16), &style::small(), HPos::Center, VPos::Center)?;
    layout::text(area, "no outage", (px, py + 36), &style::note(), HPos::Center, VPos::Center)?;
    Ok(())
}

impl Draw for Chart {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let (header, body) = root.split_vertically(90);
        self.header(&header)?;
        let panels = body.split_evenly((1, self.panels.len()));
        let range = range(self.panels.iter().flat_map(|p| &p.values));
        for (panel, area) in self.panels.iter().zip(panels.iter()) {
            draw_panel(area, panel, range)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nines_count_the_nines() {
        assert_eq!(nines(0.999), Some(3.0));
        assert_eq!(nines(1.0), None);
    }

    #[test]
    fn percentages_show_the_nines() {
        assert_eq!(percent(0.999995), "99.9995 %");
        assert_eq!(percent(0.99), "99 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(nines_label(4), "99.99 %");
        assert_eq!(nines_label(1), "90 %");
    }

    #[test]
    fn perfect_replications_are_counted_apart() {
        let values = [0.999, 0.9999, 1.0, 1.0, f64::NAN];
        let h = Histogram::new(&values, range(values.iter()));
        assert_eq!(h.perfect, 2);
        assert_eq!(h.counts.iter().sum::<u32>(), 2);
        assert_eq!((h.low, h.high), (3.0, 4.0));
    }
}
