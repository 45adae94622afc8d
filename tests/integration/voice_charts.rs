//! A voice run's availability chart shows what its trace says. The status
//! lanes are coloured, at each time, with the palette colour of the status
//! `status.csv` gives that server then; the legend pairs each status with the
//! same colour; and there is one fault mark for each fault `events.csv`
//! records, spanning the fault's time. Expected values come from the trace of
//! the same run and the palette of the charts, read through
//! `report::palette`, never from an earlier picture. The chart is drawn as
//! SVG and read as rectangles and texts, found by what they are.

use crate::common::*;
use crate::svg::{self, Element, Rgb};
use clustersim::report::charts::{ChartFormat, draw_dir};
use clustersim::report::palette::{self, FaultKind};
use std::path::Path;

const HORIZON_S: f64 = 86_400.0;

/// A day with a crash of each server, a stopped service and a partition long
/// enough for split brain, hours apart where a pixel of the lanes is about a
/// minute: every fault gets a mark of its own.
const DAY: &str = "\
name: marks-day
duration: 24h
replications: 1
seed: 5
phone_system: {integration: sccp, ports: 12}
traffic: {calls_per_hour: 200, hold_time: {distribution: lognormal, mean: 90s, sd: 60s}}
failures:
  - {at: 3h, crash: publisher, for: 40m}
  - {at: 7h, crash: subscriber, for: 30m}
  - {at: 11h, stop_service: {server: publisher, service: conversation_manager}, for: 20m}
  - {at: 15h, partition: [publisher, subscriber], for: 30m}
";

const SERVERS: [&str; 2] = ["publisher", "subscriber"];

/// The rows of a CSV file of the run, as maps from column to value.
fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect()
}

/// The day run, traced, with its availability chart drawn as SVG.
struct Day {
    _tmp: tempfile::TempDir,
    events: Vec<std::collections::BTreeMap<String, String>>,
    changes: Vec<std::collections::BTreeMap<String, String>>,
    chart: Vec<Element>,
}

fn day() -> Day {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", DAY);
    let o = run_cli(&["run", "s.yaml", "--out", "run", "--quiet", "--no-charts"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tmp.path().join("run");
    draw_dir(&dir, ChartFormat::Svg).unwrap();
    let events = rows(&dir.join("events.csv"));
    let changes = rows(&dir.join("status.csv"));
    Day { events, changes, chart: svg::read(&dir.join("availability.svg")), _tmp: tmp }
}

/// The palette colour of a voice status.
fn status_color(status: &str) -> Rgb {
    let (_, color) =
        palette::STATUSES.iter().find(|(name, _)| name.as_str() == status).unwrap_or_else(|| panic!("{status}"));
    Rgb(color.0, color.1, color.2)
}

fn fault_color(kind: FaultKind) -> Rgb {
    let c = palette::fault_color(kind);
    Rgb(c.0, c.1, c.2)
}

/// A server's lane: the status-coloured rectangles level with its label.
fn lane<'a>(chart: &'a [Element], server: &str) -> Vec<&'a Element> {
    let label =
        chart.iter().find(|e| e.name == "text" && e.text == server).unwrap_or_else(|| panic!("no {server} lane"));
    let is_status = |c: Option<Rgb>| palette::STATUSES.iter().any(|(_, s)| c == Some(Rgb(s.0, s.1, s.2)));
    let rects: Vec<&Element> =
        chart.iter().filter(|e| e.name == "rect" && is_status(e.fill()) && e.holds_y(label.num("y"))).collect();
    assert!(!rects.is_empty(), "the {server} lane has no status rectangles");
    rects
}

/// Where the lanes put time: their rectangles run from time 0 to the horizon.
struct TimeAxis {
    x0: f64,
    x1: f64,
}

impl TimeAxis {
    fn of(lanes: &[&Element]) -> TimeAxis {
        let x0 = lanes.iter().map(|r| r.span_x().0).fold(f64::INFINITY, f64::min);
        let x1 = lanes.iter().map(|r| r.span_x().1).fold(f64::NEG_INFINITY, f64::max);
        TimeAxis { x0, x1 }
    }

    fn x(&self, time_s: f64) -> f64 {
        self.x0 + (self.x1 - self.x0) * time_s / HORIZON_S
    }
}

/// A server's statuses over the day from the trace: its `initial_status`
/// event, then its rows of `status.csv`, as `(start_s, end_s, status)`.
fn segments(day: &Day, server: &str) -> Vec<(f64, f64, String)> {
    let initial = day.events.iter().find(|e| e["server"] == server && e["event"] == "initial_status").unwrap();
    let mut status = initial["status"].clone();
    let mut start_s = 0.0;
    let mut out = vec![];
    for change in day.changes.iter().filter(|c| c["server"] == server) {
        let at: f64 = change["time_s"].parse().unwrap();
        assert_eq!(change["from"], status, "status.csv of {server} at {at} s");
        out.push((start_s, at, status));
        (start_s, status) = (at, change["to"].clone());
    }
    out.push((start_s, HORIZON_S, status));
    out
}

#[test]
fn each_status_lane_shows_the_palette_colour_of_the_status_the_trace_gives_at_each_time() {
    let day = day();
    let lanes: Vec<Vec<&Element>> = SERVERS.iter().map(|s| lane(&day.chart, s)).collect();
    let axis = TimeAxis::of(&lanes.concat());
    let mut checked = vec![];
    for (server, lane) in SERVERS.iter().zip(&lanes) {
        for (start_s, end_s, status) in segments(&day, server) {
            // Statuses shorter than a few pixels share their columns with
            // their neighbours; the lane shows the notable one of the column.
            if axis.x(end_s) - axis.x(start_s) < 6.0 {
                continue;
            }
            let x = axis.x((start_s + end_s) / 2.0);
            let rect = lane.iter().find(|r| r.span_x().0 <= x && x < r.span_x().1);
            let rect = rect.unwrap_or_else(|| panic!("{server}: nothing drawn at {x} ({status} from {start_s} s)"));
            assert_eq!(rect.fill(), Some(status_color(&status)), "{server} is {status} from {start_s} to {end_s} s");
            checked.push((server.to_string(), status));
        }
    }
    // The crash of each server: its lane is not_functioning's colour while it is down.
    for server in SERVERS {
        assert!(checked.contains(&(server.into(), "not_functioning".into())), "{checked:?}");
    }
    assert!(checked.contains(&("subscriber".into(), "primary".into())), "the failover shows: {checked:?}");
}

#[test]
fn the_legend_pairs_each_voice_status_with_its_palette_colour() {
    let day = day();
    for status in palette::STATUSES.map(|(status, _)| status.as_str()) {
        let label = day.chart.iter().find(|e| e.name == "text" && e.text == status);
        let label = label.unwrap_or_else(|| panic!("the legend lacks {status}"));
        // The swatch: a rectangle level with the label, ending just before it.
        let swatch = day.chart.iter().find(|e| {
            e.name == "rect" && e.holds_y(label.num("y")) && (0.0..=30.0).contains(&(label.num("x") - e.span_x().1))
        });
        let swatch = swatch.unwrap_or_else(|| panic!("{status} has no swatch"));
        assert_eq!(swatch.fill(), Some(status_color(status)), "{status}");
    }
}

/// The event that starts each kind of fault the voice chart marks, and the
/// one that ends it.
const FAULT_EVENTS: [(FaultKind, &str, &str); 5] = [
    (FaultKind::Crash, "crash", "restart"),
    (FaultKind::ServiceStopped, "service_stopped", "service_started"),
    (FaultKind::LinkCut, "partition", "heal"),
    (FaultKind::SplitBrain, "split_brain_started", "split_brain_detected"),
    (FaultKind::MailboxesUnmounted, "message_store_unmounted", "message_store_mounted"),
];

/// The fault marks: rectangles of a fault's colour among the lanes (the
/// legend's swatches are above them).
fn fault_marks(day: &Day, kind: FaultKind) -> Vec<&Element> {
    let top = SERVERS.iter().flat_map(|s| lane(&day.chart, s)).map(|r| r.num("y")).fold(f64::INFINITY, f64::min);
    day.chart.iter().filter(|e| e.name == "rect" && e.fill() == Some(fault_color(kind)) && e.num("y") >= top).collect()
}

#[test]
fn the_chart_draws_one_fault_mark_for_each_fault_of_the_trace() {
    let day = day();
    let count = |event: &str| day.events.iter().filter(|e| e["event"] == event).count();
    for (kind, starts, _) in FAULT_EVENTS {
        // The day has one of each but the crash, which hits both servers.
        let expected = count(starts);
        assert!(expected >= 1, "the day has no {starts}: the test would prove nothing");
        assert_eq!(fault_marks(&day, kind).len(), expected, "{kind:?}: one mark per {starts} event");
    }
    assert_eq!(fault_marks(&day, FaultKind::Crash).len(), 2);
}

#[test]
fn a_fault_mark_spans_the_fault_from_its_start_to_its_end_in_the_trace() {
    let day = day();
    let lanes: Vec<&Element> = SERVERS.iter().flat_map(|s| lane(&day.chart, s)).collect();
    let axis = TimeAxis::of(&lanes);
    let time = |e: &std::collections::BTreeMap<String, String>| e["time_s"].parse::<f64>().unwrap();
    // Faults of the same kind do not overlap in this day, so the n-th start
    // pairs with the n-th end.
    for (kind, starts, ends) in &FAULT_EVENTS[..3] {
        let from: Vec<f64> = day.events.iter().filter(|e| e["event"] == *starts).map(time).collect();
        let to: Vec<f64> = day.events.iter().filter(|e| e["event"] == *ends).map(time).collect();
        assert_eq!(from.len(), to.len(), "{starts}/{ends}");
        let marks = fault_marks(&day, *kind);
        for (start_s, end_s) in from.into_iter().zip(to) {
            let (x_start, x_end) = (axis.x(start_s), axis.x(end_s));
            // A mark covers the pixel columns the fault touches: within a
            // column (and plotters' rounding) of the exact times.
            let found =
                marks.iter().any(|m| (m.span_x().0 - x_start).abs() <= 2.0 && (m.span_x().1 - x_end).abs() <= 2.0);
            assert!(found, "{kind:?} from {start_s} to {end_s} s: no mark from x {x_start:.1} to {x_end:.1}");
        }
    }
}
