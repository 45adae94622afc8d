//! `availability.png`: one traced replication at a glance. Top to bottom, on
//! one time axis:
//!
//! ```text
//! ┌ title: scenario, replication, horizon ───────────────────────────────┐
//! │ legend rows: the seven statuses; the faults                          │
//! │ publisher   ████████████▒▒▒████████  status lane, fault strip below  │
//! │ subscriber  ████████████████████████                                 │
//! │ links & cluster   ▬    ▬             link cuts, split brain, unmount │
//! │ calls in progress, one panel per server (peak per bin), faults shaded │
//! │ blocked / dropped / mailbox-less calls per bin: markers, or lines     │
//! └ time axis, then a note on how the picture was reduced ───────────────┘
//! ```
//!
//! Every lane is reduced to pixel columns first (see [`timeline`]), so a
//! year-long trace is as quick and as clear as an hour-long one.

use super::Draw;
use super::kit::{self, Area, Backend, Plot, TimeAxis};
use super::layout::{self, PLOT_LEFT, PLOT_RIGHT, Swatch};
use super::style;
use super::timeline::{self, Bin, LOAD_SERVERS, Trace};
use crate::report::faults::FaultKind;
use crate::report::folder::Folder;
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Vertical pitch of a server's lane: status bar, gap, fault strip, gap.
const LANE: f64 = 58.0;
const BAR: f64 = 32.0;
const STRIP_TOP: f64 = 36.0;
const STRIP: f64 = 9.0;
/// The links-and-cluster lane: three strips.
const CLUSTER_STRIP: f64 = 10.0;
const CLUSTER_PITCH: f64 = 13.0;
const CLUSTER_KINDS: [FaultKind; 3] = [FaultKind::LinkCut, FaultKind::SplitBrain, FaultKind::MailboxesUnmounted];

/// Link cuts are named beside their strip when there are at most this many.
const MAX_LINK_LABELS: usize = 4;

const HEADER_H: u32 = 74;
const LEGEND_H: u32 = 56;
const CAPTION_H: u32 = 26;
const FOOTNOTE_H: u32 = 30;
const AXIS_H: u32 = 56;

const LOAD: RGBColor = RGBColor(0x3A, 0x5F, 0x8A);
const SHADE: RGBColor = RGBColor(0x80, 0x80, 0x80);
const SHADE_ALPHA: f64 = 0.16;
const BLOCKED: RGBColor = RGBColor(0x11, 0x11, 0x11);
const DROPPED: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const MAILBOX: RGBColor = RGBColor(0xAA, 0x33, 0x77);

/// A panel's legend starts this far after its title, and no further left
/// than this: aligned across panels when the titles allow.
const LEGEND_AFTER: (i32, i32) = (32, PLOT_LEFT as i32 + 300);

/// More bins than this with calls of a kind, and markers would merge into a
/// cloud: the kind is drawn as a line instead.
const DENSE_BINS: usize = 150;

/// The calls the bottom panel counts, as in [`Bin::affected`], in drawing
/// order (the commonest first, so that the rarer ones are drawn on top):
/// each one's name, colour and marker.
const AFFECTED: [(&str, RGBColor, Swatch); 3] = [
    ("blocked (no free port)", BLOCKED, Swatch::Cross(BLOCKED)),
    ("dropped in progress", DROPPED, Swatch::Triangle(DROPPED)),
    ("answered without mailbox access", MAILBOX, Swatch::Dot(MAILBOX)),
];

/// Whether calls of kind `i` are drawn as a line rather than markers.
fn is_dense(bins: &[Bin], i: usize) -> bool {
    bins.iter().filter(|b| b.affected[i] > 0.0).count() > DENSE_BINS
}

pub struct Chart<'a> {
    trace: &'a Trace<'a>,
    scenario: Option<&'a str>,
    replications: Option<u64>,
    axis: TimeAxis,
}

impl<'a> Chart<'a> {
    pub fn new(trace: &'a Trace, folder: &'a Folder) -> Chart<'a> {
        Chart {
            trace,
            scenario: folder.summary.as_ref().map(|s| s.scenario.as_str()),
            replications: folder.summary.as_ref().map(|s| s.replications),
            axis: TimeAxis::for_span(trace.horizon_s),
        }
    }

    fn x_max(&self) -> f64 {
        self.axis.x(self.trace.horizon_s)
    }

    fn lanes_height(&self) -> f64 {
        let cluster = if self.show_cluster_lane() { CLUSTER_PITCH * 3.0 + 8.0 } else { 0.0 };
        (self.trace.servers.len() as f64 * LANE + cluster).max(LANE)
    }

    /// The links-and-cluster lane belongs to the voice cluster; another kind
    /// of run shows it only if such a fault was traced.
    fn show_cluster_lane(&self) -> bool {
        self.trace.statuses.voice || self.trace.faults.iter().any(|f| CLUSTER_KINDS.contains(&f.kind))
    }

    /// The faults the legend names: the voice cluster's five for a voice
    /// run, and any other kind seen.
    fn fault_kinds(&self) -> Vec<FaultKind> {
        let seen = |k: &FaultKind| self.trace.faults.iter().any(|f| f.kind == *k);
        let voice = FaultKind::VOICE.into_iter().filter(|k| self.trace.statuses.voice || seen(k));
        voice.chain(std::iter::once(FaultKind::DataCentreLoss).filter(seen)).collect()
    }

    /// The load bins, coarsened only if a file holds more than clustersim
    /// writes: a few bins per pixel draw well, and keep the file's bin width.
    fn bins(&self) -> Vec<Bin> {
        self.trace.load.as_ref().map_or_else(Vec::new, |l| timeline::coarsen(l, crate::experiment::LOAD_BINS as usize))
    }

    /// Without load bins (a chat pool, or a replication load.csv lacks), the
    /// lanes are all there is: drawn up to four times as tall, with the time axis.
    fn draw_lanes_only<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        let room = style::HEIGHT.saturating_sub(HEADER_H + FOOTNOTE_H + LEGEND_H + AXIS_H + 8) as f64;
        let scale = (room / self.lanes_height()).min(4.0);
        let lanes_h = LEGEND_H + (scale * self.lanes_height()) as u32 + 8 + AXIS_H;
        let (header, body) = root.split_vertically(HEADER_H);
        let (lanes, footnote) = body.split_vertically(lanes_h);
        self.header(&header)?;
        let columns = self.lanes(&lanes, true)?;
        self.footnote(&footnote, columns)
    }

    fn header<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        let what =
            if self.trace.load.is_some() { "server status, calls and faults" } else { "server status and faults" };
        let t = self.trace;
        let which = kit::which_replication(t.traced, self.replications);
        let subtitle = format!("Shows {which}; {} simulated.", style::duration(t.horizon_s));
        kit::header(area, &kit::title(self.scenario, &format!("{what} over time")), &subtitle, 56)
    }

    /// A chart on `area` sharing the time axis of every panel; `labels`
    /// draws the axis's tick labels and name under it.
    fn plot<'b, DB: Backend>(
        &self,
        area: &'b Area<DB>,
        y_max: f64,
        labels: bool,
        y_labels: bool,
    ) -> Result<Plot<'b, DB>> {
        let x_labels = if labels { AXIS_H } else { 0 };
        let mut chart = kit::plot(area, [0, PLOT_RIGHT, 0, 0], (PLOT_LEFT, x_labels), 0.0..self.x_max(), 0.0..y_max)?;
        let mut mesh = kit::mesh(&mut chart);
        mesh.x_labels(14)
            .y_labels(if y_labels { 5 } else { 0 })
            .x_label_formatter(&layout::tick)
            .y_label_formatter(&layout::count_tick);
        if !y_labels {
            mesh.disable_y_mesh();
        }
        mesh.draw()?;
        if labels {
            kit::axis_caption(area, &self.axis.description(), (PLOT_LEFT, PLOT_RIGHT), 14)?;
        }
        Ok(chart)
    }

    /// The status lanes, fault strips and their legends; returns the plot's
    /// width in pixels, the column count every panel is reduced to.
    fn lanes<DB: Backend>(&self, area: &Area<DB>, labels: bool) -> Result<usize> {
        let (legend, plot_area) = area.split_vertically(LEGEND_H);
        self.lane_legend(&legend)?;
        let height = self.lanes_height();
        let mut chart = self.plot(&plot_area, height, labels, false)?;
        let columns = chart.plotting_area().dim_in_pixel().0.max(1) as usize;
        for (i, segments) in self.trace.segments.iter().enumerate() {
            let top = height - i as f64 * LANE;
            let (statuses, horizon_s) = (&self.trace.statuses, self.trace.horizon_s);
            kit::status_lane(segments, statuses, horizon_s, columns, self.bar(&mut chart, top, top - BAR))?;
            // A crash is drawn over a stopped service, as it supersedes it.
            for kind in [FaultKind::ServiceStopped, FaultKind::Crash, FaultKind::DataCentreLoss] {
                let spans = self.spans(|f| f.kind == kind && f.server == self.trace.servers[i]);
                let strip = self.bar(&mut chart, top - STRIP_TOP, top - STRIP_TOP - STRIP);
                kit::fault_strip(&spans, kind, horizon_s, columns, strip)?;
            }
            self.lane_name(area, &chart, self.trace.servers[i].as_str(), top - BAR / 2.0, &style::heading())?;
        }
        if self.show_cluster_lane() {
            self.cluster_lane(&mut chart, area, columns)?;
        }
        Ok(columns)
    }

    /// Draws a span of simulated time from `top` to `bottom` on `chart`.
    fn bar<'c, 'd, DB: Backend>(
        &'c self,
        chart: &'c mut Plot<'d, DB>,
        top: f64,
        bottom: f64,
    ) -> impl FnMut(f64, f64, RGBColor) -> Result<()> + 'c {
        move |from, to, color| {
            let corners = [(self.axis.x(from), top), (self.axis.x(to), bottom)];
            chart.draw_series(std::iter::once(Rectangle::new(corners, color.filled())))?;
            Ok(())
        }
    }

    /// The spans of the faults `pick` keeps, in seconds.
    fn spans(&self, pick: impl Fn(&crate::report::faults::Fault) -> bool) -> Vec<(f64, f64)> {
        self.trace.faults.iter().filter(|f| pick(f)).map(|f| (f.start.secs(), f.end.secs())).collect()
    }

    /// Writes a lane's name right-aligned just left of the plot.
    fn lane_name<DB: Backend>(
        &self,
        area: &Area<DB>,
        chart: &Plot<DB>,
        name: &str,
        y: f64,
        style: &TextStyle,
    ) -> Result<()> {
        kit::lane_name(area, name, kit::pixel(chart, area, (0.0, y)).1, style)
    }

    /// The lane of faults that belong to no one server: link cuts, split
    /// brain, the message store unmounted during recovery.
    fn cluster_lane<DB: Backend>(&self, chart: &mut Plot<DB>, area: &Area<DB>, columns: usize) -> Result<()> {
        let lane_top = self.lanes_height() - self.trace.servers.len() as f64 * LANE;
        for (row, kind) in CLUSTER_KINDS.into_iter().enumerate() {
            let top = lane_top - row as f64 * CLUSTER_PITCH;
            let spans = self.spans(|f| f.kind == kind);
            kit::fault_strip(&spans, kind, self.trace.horizon_s, columns, self.bar(chart, top, top - CLUSTER_STRIP))?;
        }
        self.link_labels(chart, area, lane_top - CLUSTER_STRIP / 2.0)?;
        let middle = lane_top - CLUSTER_PITCH - CLUSTER_STRIP / 2.0;
        if !self.trace.faults.iter().any(|f| CLUSTER_KINDS.contains(&f.kind)) {
            let (x, y) = kit::pixel(chart, area, (0.0, middle));
            let at = (x + 12, y);
            let text = "no link cut, split brain or unmounted message store";
            layout::text(area, text, at, &style::note(), HPos::Left, VPos::Center)?;
        }
        self.lane_name(area, chart, "links & cluster", middle, &style::label())
    }

    /// Names the links of each cut right after its strip, when there are few
    /// cuts and the name fits before the next one: "which link?" is the first
    /// question a cut raises, and the legend cannot answer it.
    fn link_labels<DB: Backend>(&self, chart: &Plot<DB>, area: &Area<DB>, y: f64) -> Result<()> {
        let cuts: Vec<_> = self.trace.faults.iter().filter(|f| f.kind == FaultKind::LinkCut).collect();
        if cuts.len() > MAX_LINK_LABELS {
            return Ok(());
        }
        let base = area.get_base_pixel();
        let (right, _) = chart.backend_coord(&(self.x_max(), y));
        for (i, cut) in cuts.iter().enumerate() {
            let (x, py) = chart.backend_coord(&(self.axis.x(cut.end.secs()), y));
            let next = cuts.get(i + 1).map_or(right, |n| chart.backend_coord(&(self.axis.x(n.start.secs()), y)).0);
            let width = layout::text_width(area, &cut.what, &style::note())?;
            if x + 8 + width < next.min(right) {
                let at = (x + 8 - base.0, py - base.1);
                layout::text(area, &cut.what, at, &style::note(), HPos::Left, VPos::Center)?;
            }
        }
        Ok(())
    }

    fn lane_legend<DB: Backend>(&self, area: &Area<DB>) -> Result<()> {
        let heading = style::heading();
        let left = 24;
        let first = 14;
        let second = 40;
        layout::text(area, "Server status", (left, first), &heading, HPos::Left, VPos::Center)?;
        let (statuses, faults) = kit::lane_legend(&self.trace.statuses, &self.fault_kinds());
        layout::legend_row(area, (PLOT_LEFT as i32, first), &statuses)?;
        if faults.is_empty() {
            return Ok(());
        }
        layout::text(area, "Faults (thin bars)", (left, second), &heading, HPos::Left, VPos::Center)?;
        layout::legend_row(area, (PLOT_LEFT as i32, second), &faults)?;
        Ok(())
    }

    /// Calls in progress on one server: the peak of each bin, the highest
    /// peak as a dashed line, faults shaded.
    fn load_panel<DB: Backend>(&self, area: &Area<DB>, index: usize, columns: usize) -> Result<()> {
        let bins = self.bins();
        let server = LOAD_SERVERS[index];
        let peak_of = |b: &Bin| b.peaks.get(index).copied().unwrap_or(0.0);
        let highest = bins.iter().map(peak_of).fold(0.0, f64::max);
        let overall = (0..LOAD_SERVERS.len())
            .flat_map(|i| bins.iter().map(move |b| b.peaks.get(i).copied().unwrap_or(0.0)))
            .fold(0.0, f64::max);
        let y_max = (overall * 1.2).ceil().max(1.0);
        let (caption, plot_area) = area.split_vertically(CAPTION_H);
        let width = bins.first().map_or(0.0, |b| b.width_s);
        let title = format!("Calls in progress on the {server}");
        let items = [
            (Swatch::Band(LOAD, 0.45), format!("highest in each {} bin", style::duration(width))),
            (
                Swatch::Dashed(style::TEXT),
                format!("highest of the run: {} (the ports are at least this many)", highest),
            ),
            (Swatch::Band(SHADE, SHADE_ALPHA), "a fault in effect".to_string()),
        ];
        layout::caption(&caption, &title, CAPTION_H as i32 / 2, LEGEND_AFTER, &items)?;
        let mut chart = self.plot(&plot_area, y_max, false, true)?;
        self.shade(&mut chart, y_max, columns)?;
        let points = bins
            .iter()
            .flat_map(|b| [(self.axis.x(b.start_s), peak_of(b)), (self.axis.x(b.start_s + b.width_s), peak_of(b))]);
        chart.draw_series(AreaSeries::new(points, 0.0, LOAD.mix(0.45)).border_style(LOAD.stroke_width(1)))?;
        if highest > 0.0 {
            let line = vec![(0.0, highest), (self.x_max(), highest)];
            chart.draw_series(DashedLineSeries::new(line, 8, 6, style::TEXT.stroke_width(1)))?;
        }
        Ok(())
    }

    fn shade<DB: Backend>(&self, chart: &mut Plot<DB>, y_max: f64, columns: usize) -> Result<()> {
        // Every fault's span, merged to pixel columns.
        let bands = timeline::interval_runs(&self.spans(|_| true), self.trace.horizon_s, columns);
        let color = SHADE.mix(SHADE_ALPHA);
        chart.draw_series(
            bands.iter().map(|r| {
                Rectangle::new([(self.axis.x(r.start_s), 0.0), (self.axis.x(r.end_s), y_max)], color.filled())
            }),
        )?;
        Ok(())
    }

    /// Blocked, dropped and mailbox-less calls: a marker per bin that had any.
    fn events_panel<DB: Backend>(&self, area: &Area<DB>, columns: usize) -> Result<()> {
        let bins = self.bins();
        let highest = bins.iter().flat_map(|b| b.affected).fold(0.0, f64::max);
        let y_max = (highest * 1.25).ceil().max(1.0);
        let y_labels = highest > 0.0;
        let (caption, plot_area) = area.split_vertically(CAPTION_H);
        let width = bins.first().map_or(0.0, |b| b.width_s);
        let title = format!("Calls affected, per {} bin", style::duration(width));
        let swatch = |i, marker| if is_dense(&bins, i) { Swatch::Line(AFFECTED[i].1) } else { marker };
        let mut items: Vec<(Swatch, String)> =
            AFFECTED.iter().enumerate().map(|(i, (name, _, marker))| (swatch(i, *marker), name.to_string())).collect();
        items.push((Swatch::Band(SHADE, SHADE_ALPHA), "a fault in effect".to_string()));
        layout::caption(&caption, &title, CAPTION_H as i32 / 2, LEGEND_AFTER, &items)?;
        let mut chart = self.plot(&plot_area, y_max, true, y_labels)?;
        self.shade(&mut chart, y_max, columns)?;
        for i in 0..AFFECTED.len() {
            self.affected_series(&chart, &bins, i)?;
        }
        if highest == 0.0 {
            let message = if bins.is_empty() {
                "load.csv has no bins for this replication"
            } else {
                "No call was blocked, dropped or left without mailbox access in this replication."
            };
            let (w, h) = plot_area.dim_in_pixel();
            let at = ((PLOT_LEFT + (w - PLOT_LEFT - PLOT_RIGHT) / 2) as i32, (h.saturating_sub(AXIS_H) / 2) as i32);
            layout::text(&plot_area, message, at, &style::note(), HPos::Center, VPos::Center)?;
        }
        Ok(())
    }

    /// One kind of affected call: a marker per bin that had any, or, when
    /// markers would merge into a cloud, a line of the count per bin. Markers
    /// get a white halo so that the rarer kinds drawn last stand out.
    fn affected_series<DB: Backend>(&self, chart: &Plot<DB>, bins: &[Bin], i: usize) -> Result<()> {
        let (area, (_, color, marker)) = (chart.plotting_area(), AFFECTED[i]);
        if is_dense(bins, i) {
            let steps = bins.iter().flat_map(|b| [(b.start_s, b.affected[i]), (b.start_s + b.width_s, b.affected[i])]);
            let points: Vec<(f64, f64)> = steps.map(|(t, v)| (self.axis.x(t), v)).collect();
            area.draw(&PathElement::new(points, color.mix(0.75).stroke_width(1)))?;
            return Ok(());
        }
        let halo = WHITE.filled();
        for b in bins.iter().filter(|b| b.affected[i] > 0.0) {
            let at = (self.axis.x(b.start_s + b.width_s / 2.0), b.affected[i]);
            match marker {
                Swatch::Cross(_) => {
                    area.draw(&Cross::new(at, 5, WHITE.stroke_width(5)))?;
                    area.draw(&Cross::new(at, 5, color.stroke_width(2)))?;
                }
                Swatch::Triangle(_) => {
                    area.draw(&TriangleMarker::new(at, 8, halo))?;
                    area.draw(&TriangleMarker::new(at, 6, color.filled()))?;
                }
                _ => {
                    area.draw(&Circle::new(at, 6, halo))?;
                    area.draw(&Circle::new(at, 4, color.filled()))?;
                }
            }
        }
        Ok(())
    }

    fn footnote<DB: Backend>(&self, area: &Area<DB>, columns: usize) -> Result<()> {
        let pixel_s = self.trace.horizon_s / columns.max(1) as f64;
        let text = format!(
            "One pixel is {} of simulated time. A lane shows each pixel in the least routine status it held; statuses \
             other than {}, and faults, are drawn at least {} pixels wide.",
            style::duration(pixel_s),
            self.trace.statuses.routine.join(" and "),
            kit::MIN_MARK_PX
        );
        layout::text(area, &text, (24, FOOTNOTE_H as i32 / 2), &style::note(), HPos::Left, VPos::Center)
    }
}

impl Draw for Chart<'_> {
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> Result<()> {
        if self.trace.load.is_none() {
            return self.draw_lanes_only(root);
        }
        let lanes_h = LEGEND_H + self.lanes_height() as u32 + 8;
        let servers = LOAD_SERVERS.len() as u32;
        let rest = style::HEIGHT.saturating_sub(HEADER_H + lanes_h + FOOTNOTE_H + AXIS_H);
        let events_h = (rest / (servers + 1)).max(120).min(rest);
        let load_h = (rest - events_h) / servers;
        let (header, body) = root.split_vertically(HEADER_H);
        let (lanes, body) = body.split_vertically(lanes_h);
        let (loads, body) = body.split_vertically(load_h * servers);
        let (events, footnote) = body.split_vertically(events_h + AXIS_H);
        self.header(&header)?;
        let columns = self.lanes(&lanes, false)?;
        for (i, area) in loads.split_evenly((servers as usize, 1)).iter().enumerate() {
            self.load_panel(area, i, columns)?;
        }
        self.events_panel(&events, columns)?;
        self.footnote(&footnote, columns)
    }
}
