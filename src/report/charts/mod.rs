//! Charts of a results folder, drawn from its files alone, so that
//! `clustersim chart DIR` redraws exactly what the run drew.
//!
//! | file | drawn when the folder has | answers |
//! |---|---|---|
//! | `availability.png` | trace files | what happened to the servers, the calls and the mailboxes, when; for a chat pool, what the failover looked like and what was lost |
//! | `availability-distribution.png` | `replications.csv`, a long or randomly failing run (a chat pool: a long one) | how many nines, and how much they vary between replications |
//! | `status-time.png` | trace files, a long or randomly failing run (a chat pool: a long one) | where each server's time went |
//! | `comparison.png` | `comparison.csv` | which strategy does better (port allocation, or any key `compare --set` varies), and is the difference real |
//! | `sweep.png` | `sweep.csv` | how a metric moves with the swept keys |
//!
//! Every chart is a pure function of the folder, read once into a
//! [`Folder`]: no clock, no hash order, a bundled font. The same files give
//! the same bytes. Each chart file describes its panels; what they share
//! (header, status lanes, time axis, mesh, metric order) is in [`kit`].

mod availability;
mod chat;
mod comparison;
mod distribution;
mod kit;
mod layout;
mod status_time;
pub(crate) mod style;
mod sweep;
mod timeline;

use crate::report::folder::{self, Folder};
use anyhow::{Context, Result};
use kit::{Area, Backend};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// The image format of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Png,
    Svg,
}

impl ChartFormat {
    fn extension(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
        }
    }
}

/// Draws every chart that the files in results folder `dir` allow, into `dir`,
/// and returns the paths written (sorted). Reads only files in `dir`.
pub fn draw_dir(dir: &Path, format: ChartFormat) -> Result<Vec<PathBuf>> {
    let folder = folder::read(dir)?;
    let mut files = Files { dir, format, written: vec![] };
    each_chart(&folder, &mut files)?;
    let mut written = files.written;
    written.sort();
    Ok(written)
}

/// The same charts as [`draw_dir`], as SVG documents in memory (for the
/// HTML report), by file stem (`availability`, ...), sorted.
pub fn svg_documents(folder: &Folder) -> Result<Vec<(String, String)>> {
    let mut documents = Documents(vec![]);
    each_chart(folder, &mut documents)?;
    let mut out = documents.0;
    out.sort();
    Ok(out)
}

/// Where the charts go: files in the folder, or strings.
trait Sink {
    fn put(&mut self, name: &str, chart: &impl Draw) -> Result<()>;
}

struct Files<'a> {
    dir: &'a Path,
    format: ChartFormat,
    written: Vec<PathBuf>,
}

impl Sink for Files<'_> {
    fn put(&mut self, name: &str, chart: &impl Draw) -> Result<()> {
        self.written.push(save(chart, self.dir, name, self.format)?);
        Ok(())
    }
}

struct Documents(Vec<(String, String)>);

impl Sink for Documents {
    fn put(&mut self, name: &str, chart: &impl Draw) -> Result<()> {
        let text = svg_text(chart).with_context(|| format!("cannot draw {name}.svg"))?;
        self.0.push((name.to_string(), text));
        Ok(())
    }
}

/// Hands every chart the folder allows to `sink`.
fn each_chart(folder: &Folder, sink: &mut impl Sink) -> Result<()> {
    style::register_fonts()?;
    let chat = folder.is_chat();
    let trace = timeline::Trace::of(folder);
    if let Some(t) = &trace {
        if chat {
            sink.put("availability", &chat::Chart::new(t, folder))?;
        } else {
            sink.put("availability", &availability::Chart::new(t, folder))?;
        }
    }
    if status_time::is_long_run(folder, trace.as_ref(), chat) {
        if let Some(chart) = distribution::Chart::new(folder)? {
            sink.put("availability-distribution", &chart)?;
        }
        if let Some(chart) = trace.as_ref().and_then(|t| status_time::Chart::new(folder, t)) {
            sink.put("status-time", &chart)?;
        }
    }
    if let Some(chart) = comparison::Chart::new(folder) {
        sink.put("comparison", &chart)?;
    }
    if let Some(chart) = sweep::Chart::new(folder)? {
        sink.put("sweep", &chart)?;
    }
    if let Some(chart) = sweep::Chart::sizing(folder) {
        sink.put("sizing", &chart)?;
    }
    Ok(())
}

/// A chart that can draw itself on any plotters backend, on
/// [`style::WIDTH`] by [`style::HEIGHT`] pixels.
trait Draw {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()>;
}

const SIZE: (u32, u32) = (style::WIDTH, style::HEIGHT);
/// Draws `chart` to `dir/name.EXT` through a hidden temporary file, so a
/// failed drawing never leaves half an image under the real name.
fn save(chart: &impl Draw, dir: &Path, name: &str, format: ChartFormat) -> Result<PathBuf> {
    let path = dir.join(format!("{name}.{}", format.extension()));
    // The bitmap encoder picks the format from the extension: keep it last.
    let temp = dir.join(format!(".{name}.tmp.{}", format.extension()));
    let drawn = match format {
        ChartFormat::Png => draw_png(chart, &temp),
        ChartFormat::Svg => draw_svg(chart, &temp),
    };
    let renamed =
        drawn.and_then(|()| std::fs::rename(&temp, &path).with_context(|| format!("cannot write {}", path.display())));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed.with_context(|| format!("cannot draw {}", path.display()))?;
    Ok(path)
}

fn draw_png(chart: &impl Draw, temp: &Path) -> Result<()> {
    let root = BitMapBackend::new(temp, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    layout::with_glyph_placement(true, || chart.draw(&root))?;
    root.present()?;
    Ok(())
}

fn draw_svg(chart: &impl Draw, temp: &Path) -> Result<()> {
    let text = svg_text(chart)?;
    std::fs::write(temp, text).with_context(|| format!("cannot write {}", temp.display()))
}

fn svg_text(chart: &impl Draw) -> Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        chart.draw(&root)?;
        root.present()?;
    }
    Ok(text)
}
