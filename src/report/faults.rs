//! The faults of a traced replication, paired from the events' typed fields
//! (kind, server, service, links, cause), never from their sentences. The
//! report's timeline and the charts draw the same pairs.
//!
//! | fault | from | to |
//! |---|---|---|
//! | a crash | `crash` | the server's `restart` |
//! | a stopped service | `service_stopped` | `service_started` of the same server and service |
//! | a lost data centre | `datacenter_down` | the end of the run |
//! | a link cut | the first `partition` while every link was up | the `heal` that leaves none cut |
//! | split brain | two servers primary at once (status changes) | one of them no longer primary |
//! | the message store unmounted | `message_store_unmounted` | `message_store_mounted`, or the end of recovery |
//!
//! An end without a start is ignored; a start without an end lasts to the horizon.

use crate::engine::Time;
use crate::model::trace::{Actor, EventKind, Links, State};
use crate::report::folder::{Trace, TracedEvent};
use crate::scenario::Status;
use std::collections::BTreeMap;

/// What a fault is, in the order the charts draw their strips.
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
    /// The voice cluster's faults, all named in its legends.
    pub const VOICE: [FaultKind; 5] = [
        FaultKind::Crash,
        FaultKind::ServiceStopped,
        FaultKind::LinkCut,
        FaultKind::SplitBrain,
        FaultKind::MailboxesUnmounted,
    ];

    /// Whether the fault hits one server (else the links or the cluster).
    pub fn of_a_server(self) -> bool {
        matches!(self, FaultKind::Crash | FaultKind::ServiceStopped | FaultKind::DataCentreLoss)
    }
}

/// A fault in effect from `start` to `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// The server it hit, or the cluster for links, split brain and the message store.
    pub server: Actor,
    pub start: Time,
    pub end: Time,
    /// What it was, for people: `publisher down (crash)`, `publisher–subscriber cut`.
    pub what: String,
    pub cause: String,
    /// The starting event's detail, then how it ended.
    pub detail: String,
    /// The index of the event that started it (split brain has none).
    pub event: Option<usize>,
}

impl Fault {
    fn open(kind: FaultKind, e: &TracedEvent, what: String, index: usize) -> Fault {
        let (start, end) = (e.time.0, e.time.0);
        let (cause, detail) = (e.cause.clone(), e.detail.clone());
        Fault { kind, server: e.server, start, end, what, cause, detail, event: Some(index) }
    }
}

/// Every fault of `trace` over `[0, horizon]`: the servers' (crashes,
/// stopped services, a lost data centre) in time order, then the link cuts,
/// split brain among `servers`, and the unmounted message store.
pub fn faults(trace: &Trace, servers: &[Actor], horizon: Time) -> Vec<Fault> {
    let mut out = server_faults(trace, horizon);
    out.extend(link_cuts(trace, horizon));
    out.extend(split_brain(trace, servers, horizon));
    out.extend(unmounted(trace, horizon));
    out
}

/// Spans opened by one event and closed by another, keyed by what they hit.
#[derive(Default)]
struct Open {
    spans: BTreeMap<String, Fault>,
    done: Vec<Fault>,
}

impl Open {
    fn start(&mut self, key: String, fault: Fault) {
        self.spans.entry(key).or_insert(fault);
    }

    fn end(&mut self, key: &str, e: &TracedEvent) {
        if let Some(mut fault) = self.spans.remove(key) {
            fault.end = e.time.0.max(fault.start);
            if !e.detail.is_empty() {
                fault.detail = format!("{}; ends: {}", fault.detail, e.detail);
            }
            self.done.push(fault);
        }
    }

    /// The spans, those never ended lasting to the horizon, in time order.
    fn finish(mut self, horizon: Time) -> Vec<Fault> {
        for (_, mut fault) in std::mem::take(&mut self.spans) {
            fault.end = horizon.max(fault.start);
            self.done.push(fault);
        }
        self.done.sort_by_key(|f| f.start);
        self.done
    }
}

fn server_faults(trace: &Trace, horizon: Time) -> Vec<Fault> {
    let mut open = Open::default();
    for (i, e) in trace.events.iter().enumerate() {
        let server = e.server.as_str();
        let service_key = format!("{server}/{}", e.service);
        let fault = |kind, what| Fault::open(kind, e, what, i);
        match e.kind {
            EventKind::Crash => open.start(server.into(), fault(FaultKind::Crash, format!("{server} down (crash)"))),
            EventKind::Restart => open.end(server, e),
            EventKind::ServiceStopped => {
                let what = format!("{} stopped on {server}", e.service);
                open.start(service_key, fault(FaultKind::ServiceStopped, what))
            }
            EventKind::ServiceStarted => open.end(&service_key, e),
            EventKind::DatacenterDown => {
                open.start(server.into(), fault(FaultKind::DataCentreLoss, "primary data centre lost".into()))
            }
            _ => {}
        }
    }
    open.finish(horizon)
}

/// Cuts of one directed link may overlap (a timeline entry, a random cut):
/// a timeline `heal` clears its links whatever cut them, the end of a `for`
/// or a random repair undoes one cut.
fn link_cuts(trace: &Trace, horizon: Time) -> Vec<Fault> {
    let mut cuts: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    let mut current: Option<Fault> = None;
    let mut named = Links::NONE;
    let mut out = vec![];
    for (i, e) in trace.events.iter().enumerate() {
        match e.kind {
            EventKind::Partition => {
                for pair in e.links.pairs() {
                    *cuts.entry(pair).or_default() += 1;
                }
                named = Links::of(named.pairs().chain(e.links.pairs()));
                let fault = || Fault { server: Actor::Cluster, ..Fault::open(FaultKind::LinkCut, e, String::new(), i) };
                current.get_or_insert_with(fault);
            }
            EventKind::Heal => {
                for pair in e.links.pairs() {
                    let count = cuts.entry(pair).or_default();
                    *count = if e.cause == "timeline" { 0 } else { count.saturating_sub(1) };
                }
                if cuts.values().all(|&n| n == 0)
                    && let Some(mut fault) = current.take()
                {
                    fault.end = e.time.0.max(fault.start);
                    fault.what = format!("{} cut", named.describe());
                    fault.detail = format!("{}; ends: {}", fault.detail, e.detail);
                    out.push(fault);
                    named = Links::NONE;
                }
            }
            _ => {}
        }
    }
    if let Some(mut fault) = current {
        fault.end = horizon.max(fault.start);
        fault.what = format!("{} cut", named.describe());
        out.push(fault);
    }
    out
}

/// Where two or more servers are primary at once, from the status changes.
fn split_brain(trace: &Trace, servers: &[Actor], horizon: Time) -> Vec<Fault> {
    let primary = State::Server(Status::Primary);
    let mut status: Vec<Option<State>> = servers.iter().map(|s| trace.initial_status(*s)).collect();
    let primaries = |status: &[Option<State>]| status.iter().filter(|s| **s == Some(primary)).count();
    let mut out = vec![];
    let mut since = (primaries(&status) >= 2).then_some(Time::ZERO);
    let close = |start: Time, end: Time| Fault {
        kind: FaultKind::SplitBrain,
        server: Actor::Cluster,
        start,
        end: end.max(start),
        what: "two primaries".into(),
        cause: String::new(),
        detail: String::new(),
        event: None,
    };
    for c in &trace.changes {
        let Some(index) = servers.iter().position(|s| *s == c.server) else { continue };
        status[index] = Some(c.to);
        match (since, primaries(&status) >= 2) {
            (None, true) => since = Some(c.time.0),
            (Some(from), false) => {
                out.push(close(from, c.time.0));
                since = None;
            }
            _ => {}
        }
    }
    out.extend(since.map(|from| close(from, horizon)));
    out
}

/// The message store unmounted by split-brain recovery (R15), until it is
/// mounted again or the recovery ends.
fn unmounted(trace: &Trace, horizon: Time) -> Vec<Fault> {
    let mut open = Open::default();
    for (i, e) in trace.events.iter().enumerate() {
        match e.kind {
            EventKind::MessageStoreUnmounted => {
                let what = "message store unmounted".to_string();
                open.start(String::new(), Fault::open(FaultKind::MailboxesUnmounted, e, what, i))
            }
            EventKind::MessageStoreMounted | EventKind::SplitBrainRecoveryCompleted => open.end("", e),
            _ => {}
        }
    }
    open.finish(horizon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SECOND;
    use crate::report::folder::TracedChange;
    use crate::report::rows::Seconds;

    fn event(t: u64, server: Actor, kind: EventKind, cause: &str, links: Links) -> TracedEvent {
        let (detail, service, status) = (format!("{kind} at {t}"), String::new(), String::new());
        TracedEvent {
            time: Seconds(SECOND * t),
            server,
            kind,
            detail,
            cause: cause.into(),
            links,
            service,
            status,
            count: None,
        }
    }

    fn change(t: u64, server: Actor, from: Status, to: Status) -> TracedChange {
        let (from, to) = (State::Server(from), State::Server(to));
        TracedChange { time: Seconds(SECOND * t), server, from, to, cause: "x".into() }
    }

    fn trace(events: Vec<TracedEvent>, changes: Vec<TracedChange>) -> Trace {
        Trace { replication: 0, replications: 1, events, changes, load: vec![], status_time: Default::default() }
    }

    /// Each fault's kind and span in whole seconds, over a 100 s run.
    fn spans(t: &Trace) -> Vec<(FaultKind, u64, u64)> {
        let seconds = |t: Time| t.as_us() / SECOND.as_us();
        let all = faults(t, &[Actor::Publisher, Actor::Subscriber], SECOND * 100);
        all.iter().map(|f| (f.kind, seconds(f.start), seconds(f.end))).collect()
    }

    #[test]
    fn a_crash_pairs_with_its_restart_and_one_without_lasts_to_the_horizon() {
        let t = trace(
            vec![
                event(10, Actor::Publisher, EventKind::Crash, "timeline", Links::NONE),
                event(20, Actor::Publisher, EventKind::Restart, "for_ended", Links::NONE),
                event(50, Actor::Subscriber, EventKind::Restart, "timeline", Links::NONE),
                event(60, Actor::Subscriber, EventKind::Crash, "random", Links::NONE),
            ],
            vec![],
        );
        assert_eq!(spans(&t), [(FaultKind::Crash, 10, 20), (FaultKind::Crash, 60, 100)]);
        let f = faults(&t, &[], SECOND * 100);
        assert_eq!((f[0].server, f[1].server), (Actor::Publisher, Actor::Subscriber));
        assert_eq!(f[0].detail, "crash at 10; ends: restart at 20");
    }

    #[test]
    fn overlapping_cuts_make_one_fault_until_the_last_link_heals() {
        // Both directions publisher–subscriber cut at 10 s (timeline), the
        // publisher→network direction at 15 s (random); the first heal at
        // 20 s leaves the second cut, the random repair at 30 s ends it.
        let ps = Links::of([(0, 1), (1, 0)]);
        let pn = Links::of([(0, 3)]);
        let t = trace(
            vec![
                event(10, Actor::Cluster, EventKind::Partition, "timeline", ps),
                event(15, Actor::Cluster, EventKind::Partition, "random", pn),
                event(20, Actor::Cluster, EventKind::Heal, "for_ended", ps),
                event(30, Actor::Cluster, EventKind::Heal, "random", pn),
            ],
            vec![],
        );
        assert_eq!(spans(&t), [(FaultKind::LinkCut, 10, 30)]);
        assert_eq!(faults(&t, &[], SECOND * 100)[0].what, "publisher–subscriber, publisher→network cut");
    }

    #[test]
    fn a_timeline_heal_clears_every_cut_of_its_links() {
        let ps = Links::of([(0, 1)]);
        let t = trace(
            vec![
                event(10, Actor::Cluster, EventKind::Partition, "timeline", ps),
                event(12, Actor::Cluster, EventKind::Partition, "random", ps),
                event(20, Actor::Cluster, EventKind::Heal, "timeline", Links::of([(0, 1), (1, 0)])),
            ],
            vec![],
        );
        assert_eq!(spans(&t), [(FaultKind::LinkCut, 10, 20)]);
    }

    #[test]
    fn split_brain_is_where_both_servers_are_primary() {
        let initial = |server, status: &str| TracedEvent {
            status: status.into(),
            ..event(0, server, EventKind::InitialStatus, "", Links::NONE)
        };
        let t = trace(
            vec![initial(Actor::Publisher, "primary"), initial(Actor::Subscriber, "secondary")],
            vec![
                change(20, Actor::Subscriber, Status::Secondary, Status::Primary),
                change(50, Actor::Publisher, Status::Primary, Status::SplitBrainRecovery),
                change(50, Actor::Subscriber, Status::Primary, Status::SplitBrainRecovery),
            ],
        );
        assert_eq!(spans(&t), [(FaultKind::SplitBrain, 20, 50)]);
    }

    #[test]
    fn the_message_store_remounts_early_when_recovery_ends_early() {
        let t = trace(
            vec![
                event(10, Actor::Cluster, EventKind::MessageStoreUnmounted, "", Links::NONE),
                event(12, Actor::Cluster, EventKind::SplitBrainRecoveryCompleted, "", Links::NONE),
            ],
            vec![],
        );
        assert_eq!(spans(&t), [(FaultKind::MailboxesUnmounted, 10, 12)]);
    }
}
