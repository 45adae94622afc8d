//! What one traced replication looked like, derived from its trace rows: each
//! server's status over time, the faults in effect, and the load bins; and
//! their reduction to pixel columns, so that a year-long trace draws as fast
//! and as legibly as an hour-long one.
//!
//! ```text
//! status.csv ──► segments per server ──┐
//! events.csv ──► faults (start, end) ──┼──► runs of pixel columns ──► lanes
//! load.csv ────► bins ──► coarser bins ┘
//! ```

use std::collections::BTreeMap;

/// A status change of `status.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub time_s: f64,
    pub server: String,
    pub from: String,
    pub to: String,
}

/// A row of `events.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub time_s: f64,
    pub server: String,
    pub event: String,
    pub detail: String,
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
pub fn segments(initial: Option<&str>, changes: &[&Change], horizon_s: f64) -> Vec<Segment> {
    let Some(first) = initial.or(changes.first().map(|c| c.from.as_str())) else { return vec![] };
    let mut current = first.to_string();
    let mut start_s = 0.0;
    let mut out = vec![];
    for change in changes {
        let at = change.time_s.clamp(start_s, horizon_s);
        if at > start_s {
            out.push(Segment { start_s, end_s: at, status: current });
        }
        current = change.to.clone();
        start_s = at;
    }
    if horizon_s > start_s {
        out.push(Segment { start_s, end_s: horizon_s, status: current });
    }
    out
}

/// The faults a chart shades, in the order their lanes are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    Crash,
    ServiceStopped,
    LinkCut,
    SplitBrain,
    MailboxesUnmounted,
    /// A chat pool's primary data centre lost (C3): the site, not a server, fails.
    DataCentreLoss,
}

impl FaultKind {
    /// The voice cluster's faults, all named in its legend.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::Crash,
        FaultKind::ServiceStopped,
        FaultKind::LinkCut,
        FaultKind::SplitBrain,
        FaultKind::MailboxesUnmounted,
    ];
}

/// A fault in effect from `start_s` to `end_s` (the horizon when its end was
/// not traced); `server` is `None` for the links and the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub server: Option<String>,
    pub start_s: f64,
    pub end_s: f64,
    pub label: String,
}

/// Directed links and how many cuts hold each one down (timeline entries,
/// `for` ends and random cuts may overlap, as in the model).
#[derive(Default)]
struct Links {
    cuts: BTreeMap<(String, String), u32>,
    names: Vec<String>,
}

impl Links {
    fn any_cut(&self) -> bool {
        self.cuts.values().any(|&n| n > 0)
    }

    fn cut(&mut self, detail: &str) {
        let (parts, _) = link_parts(detail);
        for part in &parts {
            for key in directed(part) {
                *self.cuts.entry(key).or_default() += 1;
            }
            if !self.names.contains(part) {
                self.names.push(part.clone());
            }
        }
    }

    /// A `heal:` entry of the timeline clears its links whatever cut them;
    /// the end of a `for` or a random repair undoes one cut.
    fn heal(&mut self, detail: &str) {
        let (parts, origin) = link_parts(detail);
        for part in &parts {
            for key in directed(part) {
                let count = self.cuts.entry(key).or_default();
                *count = if origin == "timeline" { 0 } else { count.saturating_sub(1) };
            }
        }
    }
}

/// Splits "publisher–subscriber, publisher→network cut (timeline)" into its
/// links and its origin ("timeline").
fn link_parts(detail: &str) -> (Vec<String>, &str) {
    let (body, origin) = match detail.rfind(" (") {
        Some(i) if detail.ends_with(')') => (&detail[..i], &detail[i + 2..detail.len() - 1]),
        _ => (detail, ""),
    };
    let body = body.strip_suffix(" cut").or_else(|| body.strip_suffix(" restored")).unwrap_or(body);
    let parts = body.split(", ").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
    (parts, origin)
}

/// "a–b" is both directions, "a→b" one; anything else is taken as one link.
fn directed(part: &str) -> Vec<(String, String)> {
    if let Some((a, b)) = part.split_once('–') {
        return vec![(a.into(), b.into()), (b.into(), a.into())];
    }
    if let Some((a, b)) = part.split_once('→') {
        return vec![(a.into(), b.into())];
    }
    vec![(part.into(), part.into())]
}

/// Faults started and not yet ended, keyed by kind and what they hit.
#[derive(Default)]
struct Open {
    faults: BTreeMap<(FaultKind, String), Fault>,
    done: Vec<Fault>,
}

impl Open {
    fn start(&mut self, kind: FaultKind, key: String, server: Option<String>, at_s: f64, label: String) {
        self.faults.entry((kind, key)).or_insert(Fault { kind, server, start_s: at_s, end_s: at_s, label });
    }

    fn end(&mut self, kind: FaultKind, key: String, at_s: f64) {
        if let Some(mut fault) = self.faults.remove(&(kind, key)) {
            fault.end_s = at_s;
            self.done.push(fault);
        }
    }
}

/// Pairs fault events with their ends. An end without a start is ignored; a
/// start without an end lasts to the horizon. Split brain is not an event
/// pair but a state (both servers primary), so it comes from the segments.
pub fn faults(events: &[Event], servers: &[Vec<Segment>], horizon_s: f64) -> Vec<Fault> {
    let mut open = Open::default();
    let mut links = Links::default();
    for e in events {
        let t = e.time_s.min(horizon_s);
        let server = || Some(e.server.clone());
        let service = e.detail.split_whitespace().next().unwrap_or("service");
        let service_key = format!("{}/{service}", e.server);
        match e.event.as_str() {
            "crash" => open.start(FaultKind::Crash, e.server.clone(), server(), t, format!("{} down", e.server)),
            "datacenter_down" => {
                open.start(FaultKind::DataCentreLoss, e.server.clone(), server(), t, "data centre lost".into())
            }
            "restart" => open.end(FaultKind::Crash, e.server.clone(), t),
            "service_stopped" => open.start(FaultKind::ServiceStopped, service_key, server(), t, service.into()),
            "service_started" => open.end(FaultKind::ServiceStopped, service_key, t),
            "message_store_unmounted" => {
                open.start(FaultKind::MailboxesUnmounted, String::new(), None, t, "mailboxes unmounted".into())
            }
            "message_store_mounted" | "split_brain_recovery_completed" => {
                open.end(FaultKind::MailboxesUnmounted, String::new(), t)
            }
            "partition" => {
                links.cut(&e.detail);
                open.start(FaultKind::LinkCut, String::new(), None, t, String::new());
            }
            "heal" => {
                links.heal(&e.detail);
                if !links.any_cut() {
                    name_link_cut(&mut open, &mut links);
                    open.end(FaultKind::LinkCut, String::new(), t);
                }
            }
            _ => {}
        }
    }
    name_link_cut(&mut open, &mut links);
    let mut out = open.done;
    out.extend(open.faults.into_values().map(|f| Fault { end_s: horizon_s, ..f }));
    out.extend(split_brain(servers).into_iter().map(|(start_s, end_s)| Fault {
        kind: FaultKind::SplitBrain,
        server: None,
        start_s,
        end_s,
        label: "two primaries".into(),
    }));
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.kind.cmp(&b.kind)));
    out
}

/// Labels the open link cut with every link it involved, and forgets them.
fn name_link_cut(open: &mut Open, links: &mut Links) {
    if let Some(fault) = open.faults.get_mut(&(FaultKind::LinkCut, String::new())) {
        fault.label = format!("{} cut", links.names.join(", "));
    }
    links.names.clear();
}

/// The stretches where two or more servers are primary at once. One sweep
/// over the boundaries, with a cursor per server (segments are in time
/// order), so a trace with many changes stays linear.
fn split_brain(servers: &[Vec<Segment>]) -> Vec<(f64, f64)> {
    let mut bounds: Vec<f64> = servers.iter().flatten().flat_map(|s| [s.start_s, s.end_s]).collect();
    bounds.sort_by(f64::total_cmp);
    bounds.dedup();
    let mut cursors = vec![0; servers.len()];
    let mut out: Vec<(f64, f64)> = vec![];
    for pair in bounds.windows(2) {
        let mid = (pair[0] + pair[1]) / 2.0;
        let mut primaries = 0;
        for (segs, cursor) in servers.iter().zip(&mut cursors) {
            while *cursor < segs.len() && segs[*cursor].end_s <= mid {
                *cursor += 1;
            }
            let seg = segs.get(*cursor);
            primaries += usize::from(seg.is_some_and(|s| s.start_s <= mid && s.status == "primary"));
        }
        if primaries < 2 {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 == pair[0] => last.1 = pair[1],
            _ => out.push((pair[0], pair[1])),
        }
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

/// A bin of `load.csv`: peak calls in progress per server and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    pub start_s: f64,
    pub width_s: f64,
    pub peaks: Vec<f64>,
    pub blocked: f64,
    pub dropped: f64,
    pub mailbox_unavailable: f64,
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
                merged.blocked += bin.blocked;
                merged.dropped += bin.dropped;
                merged.mailbox_unavailable += bin.mailbox_unavailable;
            }
            merged
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(time_s: f64, from: &str, to: &str) -> Change {
        Change { time_s, server: "publisher".into(), from: from.into(), to: to.into() }
    }

    fn event(time_s: f64, server: &str, name: &str, detail: &str) -> Event {
        Event { time_s, server: server.into(), event: name.into(), detail: detail.into() }
    }

    fn seg(start_s: f64, end_s: f64, status: &str) -> Segment {
        Segment { start_s, end_s, status: status.into() }
    }

    #[test]
    fn segments_start_from_the_initial_status_and_end_at_the_horizon() {
        let a = change(10.0, "primary", "not_functioning");
        let b = change(30.0, "not_functioning", "starting");
        let got = segments(Some("primary"), &[&a, &b], 100.0);
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
            segments(Some("primary"), &[&a, &b], 20.0),
            vec![seg(0.0, 10.0, "primary"), seg(10.0, 20.0, "secondary")]
        );
    }

    #[test]
    fn crash_pairs_with_restart_and_a_missing_end_lasts_to_the_horizon() {
        let events = [
            event(10.0, "publisher", "crash", "publisher crashes (timeline)"),
            event(20.0, "publisher", "restart", "publisher restarts (end of `for`)"),
            event(50.0, "subscriber", "restart", "already running; nothing to do"),
            event(60.0, "subscriber", "crash", "subscriber crashes (random)"),
        ];
        let got = faults(&events, &[], 100.0);
        let spans: Vec<_> = got.iter().map(|f| (f.kind, f.server.as_deref(), f.start_s, f.end_s)).collect();
        assert_eq!(
            spans,
            vec![
                (FaultKind::Crash, Some("publisher"), 10.0, 20.0),
                (FaultKind::Crash, Some("subscriber"), 60.0, 100.0)
            ]
        );
    }

    #[test]
    fn overlapping_cuts_end_when_the_last_link_is_restored() {
        let events = [
            event(10.0, "cluster", "partition", "publisher–subscriber cut (timeline)"),
            event(15.0, "cluster", "partition", "publisher→network cut (random)"),
            event(20.0, "cluster", "heal", "publisher–subscriber restored (end of `for`)"),
            event(30.0, "cluster", "heal", "publisher→network restored (random)"),
        ];
        let got = faults(&events, &[], 100.0);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].kind, got[0].start_s, got[0].end_s), (FaultKind::LinkCut, 10.0, 30.0));
        assert_eq!(got[0].label, "publisher–subscriber, publisher→network cut");
    }

    #[test]
    fn a_timeline_heal_clears_every_cut_of_its_links() {
        let events = [
            event(10.0, "cluster", "partition", "publisher→subscriber cut (timeline)"),
            event(12.0, "cluster", "partition", "publisher→subscriber cut (timeline)"),
            event(20.0, "cluster", "heal", "publisher–subscriber, publisher–network restored (timeline)"),
        ];
        let got = faults(&events, &[], 100.0);
        assert_eq!((got[0].start_s, got[0].end_s), (10.0, 20.0));
    }

    #[test]
    fn mailboxes_remount_early_when_recovery_ends_early() {
        let events = [
            event(10.0, "cluster", "message_store_unmounted", "mailboxes temporarily unavailable to 3 call(s)"),
            event(12.0, "cluster", "split_brain_recovery_completed", "ended early: a server stopped functioning"),
        ];
        let got = faults(&events, &[], 100.0);
        assert_eq!((got[0].kind, got[0].start_s, got[0].end_s), (FaultKind::MailboxesUnmounted, 10.0, 12.0));
    }

    #[test]
    fn split_brain_is_where_both_servers_are_primary() {
        let publisher = vec![seg(0.0, 50.0, "primary"), seg(50.0, 100.0, "split_brain_recovery")];
        let subscriber = vec![seg(0.0, 20.0, "secondary"), seg(20.0, 50.0, "primary"), seg(50.0, 100.0, "primary")];
        let got = faults(&[], &[publisher, subscriber], 100.0);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].kind, got[0].start_s, got[0].end_s), (FaultKind::SplitBrain, 20.0, 50.0));
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
            blocked,
            dropped: 0.0,
            mailbox_unavailable: 0.0,
        };
        let bins = [bin(0.0, 3.0, 1.0), bin(10.0, 5.0, 2.0), bin(20.0, 1.0, 0.0)];
        let got = coarsen(&bins, 2);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].width_s, got[0].peaks[0], got[0].blocked), (20.0, 5.0, 3.0));
        assert_eq!((got[1].start_s, got[1].peaks[0]), (20.0, 1.0));
    }
}
