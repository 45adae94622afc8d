//! What one traced replication looked like, ready to draw: each server's
//! status over time, the faults in effect (paired in
//! [`crate::report::faults`]), and the load bins; and their reduction to
//! pixel columns, so that a year-long trace draws as fast and as legibly as
//! an hour-long one.
//!
//! ```text
//! status.csv ──► segments per server ──┐
//! events.csv ──► faults (start, end) ──┼──► runs of pixel columns ──► lanes
//! load.csv ────► bins ──► coarser bins ┘
//! ```

use super::style::Statuses;
use crate::model::trace::{Actor, State};
use crate::report::faults::{self, Fault};
use crate::report::folder::{self, Folder, TracedChange};

/// The first traced replication of a folder, ready to draw.
pub struct Trace<'a> {
    /// The folder's trace: the replication, its events, the time in each status.
    pub traced: &'a folder::Trace,
    pub servers: Vec<Actor>,
    /// Per server, in the order of `servers`.
    pub segments: Vec<Vec<Segment>>,
    pub faults: Vec<Fault>,
    /// `load.csv`'s bins; `None` when it has none for this replication.
    pub load: Option<Vec<Bin>>,
    pub horizon_s: f64,
    pub statuses: Statuses,
}

/// The servers a load bin counts calls on, in the order of [`Bin::peaks`].
pub const LOAD_SERVERS: [Actor; 2] = [Actor::Publisher, Actor::Subscriber];

impl<'a> Trace<'a> {
    /// The folder's traced replication; `None` when no trace file has a row.
    pub fn of(folder: &'a Folder) -> Option<Trace<'a>> {
        let t = folder.trace.as_ref()?;
        let load: Vec<Bin> = t.load.iter().map(Bin::of).collect();
        let horizon = folder.horizon();
        let horizon_s = horizon.secs();
        let servers = t.servers();
        let segments: Vec<Vec<Segment>> = servers
            .iter()
            .map(|&server| {
                let mine: Vec<&TracedChange> = t.changes.iter().filter(|c| c.server == server).collect();
                segments(t.initial_status(server), &mine, horizon_s)
            })
            .collect();
        let mut faults = faults::faults(t, &servers, horizon);
        faults.sort_by(|a, b| a.start.cmp(&b.start).then(a.kind.cmp(&b.kind)));
        Some(Trace {
            traced: t,
            servers,
            segments,
            faults,
            load: Some(load).filter(|l| !l.is_empty()),
            horizon_s,
            statuses: Statuses::of(t),
        })
    }
}

/// A stretch of time a server spent in one status.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start_s: f64,
    pub end_s: f64,
    pub status: String,
}

/// A server's statuses from 0 to `horizon_s`. The status at 0 is the
/// `initial_status` event's, else the first change's `from`; without either,
/// nothing is known and the lane stays empty. Changes out of order are
/// clamped rather than trusted to go back in time.
pub fn segments(initial: Option<State>, changes: &[&TracedChange], horizon_s: f64) -> Vec<Segment> {
    let Some(first) = initial.or(changes.first().map(|c| c.from)) else { return vec![] };
    let mut current = first.as_str().to_string();
    let mut start_s = 0.0;
    let mut out = vec![];
    for change in changes {
        let at = change.time.as_f64().clamp(start_s, horizon_s);
        if at > start_s {
            out.push(Segment { start_s, end_s: at, status: current });
        }
        current = change.to.as_str().to_string();
        start_s = at;
    }
    if horizon_s > start_s {
        out.push(Segment { start_s, end_s: horizon_s, status: current });
    }
    out
}

/// A run of consecutive pixel columns that show the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<T> {
    pub start_s: f64,
    pub end_s: f64,
    pub value: T,
}

/// Reduces a server's segments to at most `columns` runs. A column shows the
/// notable status that filled most of it if there is one, else the routine
/// status that did: a five-minute outage in a year stays visible as one
/// column instead of vanishing between pixels.
pub fn status_runs(segments: &[Segment], horizon_s: f64, columns: usize, routine: &[String]) -> Vec<Run<String>> {
    if columns == 0 || horizon_s <= 0.0 {
        return vec![];
    }
    let width_s = horizon_s / columns as f64;
    let mut time: Vec<Vec<(&str, f64)>> = vec![vec![]; columns];
    for seg in segments.iter().filter(|s| s.end_s > s.start_s) {
        for (column, overlap_s) in overlaps(seg.start_s, seg.end_s, width_s, columns) {
            let slot = &mut time[column];
            match slot.iter_mut().find(|(status, _)| *status == seg.status) {
                Some(entry) => entry.1 += overlap_s,
                None => slot.push((seg.status.as_str(), overlap_s)),
            }
        }
    }
    let is_routine = |status: &str| routine.iter().any(|r| r == status);
    let chosen = time.iter().map(|slot| {
        slot.iter()
            .max_by(|a, b| (!is_routine(a.0)).cmp(&!is_routine(b.0)).then(a.1.total_cmp(&b.1)))
            .map(|(status, _)| status.to_string())
    });
    merge_columns(chosen, width_s)
}

/// Reduces intervals to the runs of columns any of them touches.
pub fn interval_runs(intervals: &[(f64, f64)], horizon_s: f64, columns: usize) -> Vec<Run<()>> {
    if columns == 0 || horizon_s <= 0.0 {
        return vec![];
    }
    let width_s = horizon_s / columns as f64;
    let mut marked = vec![false; columns];
    for &(start_s, end_s) in intervals.iter().filter(|(s, e)| e > s) {
        for (column, _) in overlaps(start_s, end_s, width_s, columns) {
            marked[column] = true;
        }
    }
    merge_columns(marked.into_iter().map(|m| m.then_some(())), width_s)
}

/// The columns `[start_s, end_s)` overlaps, with the overlap in seconds.
fn overlaps(start_s: f64, end_s: f64, width_s: f64, columns: usize) -> impl Iterator<Item = (usize, f64)> {
    let first = ((start_s / width_s).floor().max(0.0) as usize).min(columns - 1);
    let last = ((end_s / width_s).ceil().max(0.0) as usize).clamp(first + 1, columns);
    (first..last).filter_map(move |c| {
        let lo = start_s.max(c as f64 * width_s);
        let hi = end_s.min((c + 1) as f64 * width_s);
        (hi > lo || start_s == end_s).then_some((c, (hi - lo).max(0.0)))
    })
}

fn merge_columns<T: PartialEq>(values: impl Iterator<Item = Option<T>>, width_s: f64) -> Vec<Run<T>> {
    let mut out: Vec<Run<T>> = vec![];
    for (column, value) in values.enumerate() {
        let Some(value) = value else { continue };
        let start_s = column as f64 * width_s;
        match out.last_mut() {
            Some(last) if last.value == value && (last.end_s - start_s).abs() < width_s / 2.0 => {
                last.end_s = start_s + width_s
            }
            _ => out.push(Run { start_s, end_s: start_s + width_s, value }),
        }
    }
    out
}

/// A bin of `load.csv`: peak calls in progress per server ([`LOAD_SERVERS`]) and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub start_s: f64,
    pub width_s: f64,
    pub peaks: Vec<f64>,
    /// Calls blocked, dropped, and answered without mailbox access.
    pub affected: [f64; 3],
}

impl Bin {
    fn of(row: &crate::report::rows::LoadRow) -> Bin {
        Bin {
            start_s: row.start_s.as_f64(),
            width_s: row.width_s.as_f64(),
            peaks: vec![row.publisher_peak.into(), row.subscriber_peak.into()],
            affected: [row.blocked.into(), row.dropped.into(), row.mailbox_unavailable.into()],
        }
    }
}

/// Merges runs of consecutive bins so that at most `max` remain: peaks take
/// the maximum, counts the sum.
pub fn coarsen(bins: &[Bin], max: usize) -> Vec<Bin> {
    if max == 0 || bins.len() <= max {
        return bins.to_vec();
    }
    let group = bins.len().div_ceil(max);
    bins.chunks(group)
        .map(|chunk| {
            let first = &chunk[0];
            let last = &chunk[chunk.len() - 1];
            let mut merged = first.clone();
            merged.width_s = last.start_s + last.width_s - first.start_s;
            for bin in &chunk[1..] {
                for (peak, other) in merged.peaks.iter_mut().zip(&bin.peaks) {
                    *peak = peak.max(*other);
                }
                for (count, other) in merged.affected.iter_mut().zip(bin.affected) {
                    *count += other;
                }
            }
            merged
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(time_s: f64, from: &str, to: &str) -> TracedChange {
        let time = crate::report::rows::Seconds(crate::engine::Time::from_secs_f64(time_s));
        let (from, to) = (State::parse(from).unwrap(), State::parse(to).unwrap());
        TracedChange { time, server: Actor::Publisher, from, to, cause: String::new() }
    }

    fn seg(start_s: f64, end_s: f64, status: &str) -> Segment {
        Segment { start_s, end_s, status: status.into() }
    }

    #[test]
    fn segments_start_from_the_initial_status_and_end_at_the_horizon() {
        let a = change(10.0, "primary", "not_functioning");
        let b = change(30.0, "not_functioning", "starting");
        let got = segments(State::parse("primary"), &[&a, &b], 100.0);
        assert_eq!(
            got,
            vec![seg(0.0, 10.0, "primary"), seg(10.0, 30.0, "not_functioning"), seg(30.0, 100.0, "starting")]
        );
    }

    #[test]
    fn segments_without_an_initial_status_use_the_first_change() {
        let a = change(10.0, "secondary", "primary");
        assert_eq!(segments(None, &[&a], 20.0), vec![seg(0.0, 10.0, "secondary"), seg(10.0, 20.0, "primary")]);
        assert_eq!(segments(None, &[], 20.0), vec![]);
    }

    #[test]
    fn segments_clamp_changes_out_of_order() {
        let a = change(10.0, "primary", "starting");
        let b = change(5.0, "starting", "secondary");
        assert_eq!(
            segments(State::parse("primary"), &[&a, &b], 20.0),
            vec![seg(0.0, 10.0, "primary"), seg(10.0, 20.0, "secondary")]
        );
    }

    #[test]
    fn a_short_outage_keeps_its_column() {
        let segs =
            vec![seg(0.0, 500.0, "primary"), seg(500.0, 501.0, "not_functioning"), seg(501.0, 1000.0, "primary")];
        let routine = ["primary".to_string(), "secondary".to_string()];
        let runs = status_runs(&segs, 1000.0, 10, &routine);
        let values: Vec<_> = runs.iter().map(|r| (r.start_s, r.end_s, r.value.as_str())).collect();
        assert_eq!(
            values,
            vec![(0.0, 500.0, "primary"), (500.0, 600.0, "not_functioning"), (600.0, 1000.0, "primary")]
        );
    }

    #[test]
    fn interval_runs_merge_neighbouring_columns() {
        let runs = interval_runs(&[(5.0, 25.0), (25.0, 31.0), (80.0, 80.5)], 100.0, 10);
        let spans: Vec<_> = runs.iter().map(|r| (r.start_s, r.end_s)).collect();
        assert_eq!(spans, vec![(0.0, 40.0), (80.0, 90.0)]);
    }

    #[test]
    fn coarsen_keeps_peaks_and_sums_counts() {
        let bin = |start_s: f64, peak: f64, blocked: f64| Bin {
            start_s,
            width_s: 10.0,
            peaks: vec![peak],
            affected: [blocked, 0.0, 1.0],
        };
        let bins = [bin(0.0, 3.0, 1.0), bin(10.0, 5.0, 2.0), bin(20.0, 1.0, 0.0)];
        let got = coarsen(&bins, 2);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].width_s, got[0].peaks[0], got[0].affected), (20.0, 5.0, [3.0, 0.0, 2.0]));
        assert_eq!((got[1].start_s, got[1].peaks[0]), (20.0, 1.0));
    }
}
