//! The traced replication as lanes of marks, for the report's interactive
//! timeline: a lane per server with its statuses and one with its events,
//! then the faults, link cuts, split brain, the unmounted message store and
//! the calls affected (a chat pool: the data-centre loss and the runbook,
//! one Gantt row per step).
//!
//! ```text
//!   Trace ──lanes()──▶ [Lane { label, marks: [Mark { start, end?, server, what, cause, detail }] }]
//!                            └──▶ SVG (page.rs): a <rect> per mark with data-time-s, data-server, ...
//! ```
//! Faults are paired from the events' typed fields (the kind, the server,
//! the service, the links and the cause), never from their sentences.

use super::folder::{Trace, TracedChange, TracedEvent};
use crate::engine::Time;
use crate::model::trace::{Actor, EventKind, Links, State};
use crate::scenario::Status;
use std::collections::BTreeMap;

/// One mark: a span (`end` is `Some`) or an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub start: Time,
    pub end: Option<Time>,
    /// Who it belongs to: a server, or `cluster` for the links and the calls.
    pub server: &'static str,
    /// CSS classes that colour it.
    pub class: String,
    /// Its headline in the tooltip: the status, the event, the fault.
    pub what: String,
    pub cause: String,
    pub detail: String,
    /// The row of the event list it links to, for an event.
    pub event: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    Status,
    Events,
    Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub label: String,
    pub kind: LaneKind,
    pub marks: Vec<Mark>,
}

impl Lane {
    fn new(label: impl Into<String>, kind: LaneKind, marks: Vec<Mark>) -> Lane {
        Lane { label: label.into(), kind, marks }
    }
}

/// The servers of the trace in the order it introduces them (`cluster` is none).
pub fn servers(trace: &Trace) -> Vec<Actor> {
    let initial = trace.events.iter().filter(|e| e.kind == EventKind::InitialStatus).map(|e| e.server);
    let changed = trace.changes.iter().map(|c| c.server);
    let mut out: Vec<Actor> = vec![];
    for actor in initial.chain(changed) {
        if actor != Actor::Cluster && !out.contains(&actor) {
            out.push(actor);
        }
    }
    out
}

/// Every lane of the timeline of `trace` over `[0, horizon]`.
pub fn lanes(trace: &Trace, horizon: Time, chat: bool) -> Vec<Lane> {
    let servers = servers(trace);
    let mut out = vec![];
    for &server in &servers {
        out.push(Lane::new(server.as_str(), LaneKind::Status, status_marks(trace, server, horizon)));
        out.push(Lane::new(format!("{server} events"), LaneKind::Events, event_marks(trace, Some(server))));
    }
    let cluster = event_marks(trace, None);
    if !cluster.is_empty() {
        out.push(Lane::new("cluster events", LaneKind::Events, cluster));
    }
    let span = |label: &str, marks| Lane::new(label, LaneKind::Span, marks);
    if chat {
        out.push(span("data centre lost", fault_marks(trace, horizon)));
        out.extend(runbook_lanes(trace));
        return out;
    }
    out.push(span("faults", fault_marks(trace, horizon)));
    out.push(span("link cuts", link_marks(trace, horizon)));
    out.push(span("split brain", split_brain_marks(trace, &servers, horizon)));
    out.push(span("message store unmounted", unmounted_marks(trace, horizon)));
    out.extend(call_lanes(trace));
    out
}

/// A server's statuses as spans: the initial one from 0, then one per change.
fn status_marks(trace: &Trace, server: Actor, horizon: Time) -> Vec<Mark> {
    let changes: Vec<&TracedChange> = trace.changes.iter().filter(|c| c.server == server).collect();
    let initial = trace
        .events
        .iter()
        .find(|e| e.server == server && e.kind == EventKind::InitialStatus)
        .and_then(|e| State::parse(&e.status))
        .or_else(|| changes.first().map(|c| c.from));
    let mut starts: Vec<(Time, State, String, String)> = vec![];
    if let Some(status) = initial {
        starts.push((Time::ZERO, status, "initial status".into(), String::new()));
    }
    for c in &changes {
        starts.push((c.time.0, c.to, c.cause.clone(), format!("{} → {}", c.from.as_str(), c.to.as_str())));
    }
    let ends: Vec<Time> = starts.iter().skip(1).map(|s| s.0).chain([horizon]).collect();
    starts
        .into_iter()
        .zip(ends)
        .map(|((start, status, cause, detail), end)| Mark {
            start,
            end: Some(end.max(start)),
            server: server.as_str(),
            class: format!("status st-{}", status.as_str()),
            what: status.as_str().to_string(),
            cause,
            detail,
            event: None,
        })
        .collect()
}

/// A colour class per family of events.
fn event_class(kind: EventKind) -> &'static str {
    use EventKind::*;
    match kind {
        Crash | Partition | ServiceStopped | DatacenterDown => "ev ev-fault",
        Restart | Heal | ServiceStarted => "ev ev-repair",
        AdminMakePrimary | AdminDeactivate | AdminActivate | AdminReplicate | AdminRefused | TakingCallsStopped
        | TakingCallsResumed => "ev ev-admin",
        CallsDropped | MwiBacklogReleased => "ev ev-calls",
        SplitBrainStarted | SplitBrainDetected | MessageStoreUnmounted => "ev ev-split",
        k if k.is_runbook_step() => "ev ev-runbook",
        _ => "ev",
    }
}

/// The facts an event carries beside its kind, as `name=value` pairs.
pub fn facts(e: &TracedEvent) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    let text = |name, value: &str| (!value.is_empty()).then(|| (name, value.to_string()));
    out.extend(text("cause", &e.cause));
    if !e.links.is_empty() {
        out.push(("link", e.links.describe()));
    }
    out.extend(text("service", &e.service));
    out.extend(text("status", &e.status));
    out.extend(e.count.map(|n| ("count", n.to_string())));
    out
}

/// The events of `server` (`None`: the cluster's), initial statuses aside.
fn event_marks(trace: &Trace, server: Option<Actor>) -> Vec<Mark> {
    let wanted = server.unwrap_or(Actor::Cluster);
    trace
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.server == wanted && e.kind != EventKind::InitialStatus)
        .map(|(i, e)| {
            let facts: Vec<String> =
                facts(e).into_iter().filter(|(n, _)| *n != "cause").map(|(n, v)| format!("{n} {v}")).collect();
            let detail =
                if facts.is_empty() { e.detail.clone() } else { format!("{} [{}]", e.detail, facts.join(", ")) };
            Mark {
                start: e.time.0,
                end: None,
                server: e.server.as_str(),
                class: event_class(e.kind).to_string(),
                what: e.kind.as_str().to_string(),
                cause: e.cause.clone(),
                detail,
                event: Some(i),
            }
        })
        .collect()
}

/// Spans opened by one event and closed by another, keyed by what they hit.
#[derive(Default)]
struct Open {
    spans: BTreeMap<String, (Time, Mark)>,
    done: Vec<Mark>,
}

impl Open {
    fn start(&mut self, key: String, e: &TracedEvent, what: String, class: &str, index: usize) {
        let mark = Mark {
            start: e.time.0,
            end: None,
            server: e.server.as_str(),
            class: class.to_string(),
            what,
            cause: e.cause.clone(),
            detail: e.detail.clone(),
            event: Some(index),
        };
        self.spans.entry(key).or_insert((e.time.0, mark));
    }

    fn end(&mut self, key: &str, at: Time, how: &str) {
        if let Some((_, mut mark)) = self.spans.remove(key) {
            mark.end = Some(at.max(mark.start));
            if !how.is_empty() {
                mark.detail = format!("{}; ends: {how}", mark.detail);
            }
            self.done.push(mark);
        }
    }

    /// The spans, those never ended lasting to the horizon, in time order.
    fn finish(mut self, horizon: Time) -> Vec<Mark> {
        for (_, (_, mut mark)) in std::mem::take(&mut self.spans) {
            mark.end = Some(horizon.max(mark.start));
            self.done.push(mark);
        }
        self.done.sort_by_key(|m| m.start);
        self.done
    }
}

/// Crashes until the restart, stopped services until they start again,
/// and the chat pool's lost data centre (for the rest of the run).
fn fault_marks(trace: &Trace, horizon: Time) -> Vec<Mark> {
    let mut open = Open::default();
    for (i, e) in trace.events.iter().enumerate() {
        let server = e.server.as_str();
        let service_key = format!("{server}/{}", e.service);
        match e.kind {
            EventKind::Crash => open.start(server.into(), e, format!("{server} down (crash)"), "fault f-crash", i),
            EventKind::Restart => open.end(server, e.time.0, &e.detail),
            EventKind::ServiceStopped => {
                open.start(service_key, e, format!("{} stopped on {server}", e.service), "fault f-service", i)
            }
            EventKind::ServiceStarted => open.end(&service_key, e.time.0, &e.detail),
            EventKind::DatacenterDown => {
                open.start(server.into(), e, "primary data centre lost".into(), "fault f-crash", i)
            }
            _ => {}
        }
    }
    open.finish(horizon)
}

/// Link cuts: from the first cut while all links were up to the heal that
/// leaves none cut. Cuts of one directed link may overlap (a timeline entry,
/// a random cut); a timeline `heal` clears its links whatever cut them,
/// the end of a `for` or a random repair undoes one cut.
fn link_marks(trace: &Trace, horizon: Time) -> Vec<Mark> {
    let mut cuts: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    let mut current: Option<Mark> = None;
    let mut named = Links::NONE;
    let mut out = vec![];
    for (i, e) in trace.events.iter().enumerate() {
        match e.kind {
            EventKind::Partition => {
                for pair in e.links.pairs() {
                    *cuts.entry(pair).or_default() += 1;
                }
                named = Links::of(named.pairs().chain(e.links.pairs()));
                current.get_or_insert_with(|| Mark {
                    start: e.time.0,
                    end: None,
                    server: Actor::Cluster.as_str(),
                    class: "fault f-link".into(),
                    what: String::new(),
                    cause: e.cause.clone(),
                    detail: e.detail.clone(),
                    event: Some(i),
                });
            }
            EventKind::Heal => {
                for pair in e.links.pairs() {
                    let count = cuts.entry(pair).or_default();
                    *count = if e.cause == "timeline" { 0 } else { count.saturating_sub(1) };
                }
                if cuts.values().all(|&n| n == 0)
                    && let Some(mut mark) = current.take()
                {
                    mark.end = Some(e.time.0.max(mark.start));
                    mark.what = format!("{} cut", named.describe());
                    mark.detail = format!("{}; ends: {}", mark.detail, e.detail);
                    out.push(mark);
                    named = Links::NONE;
                }
            }
            _ => {}
        }
    }
    if let Some(mut mark) = current {
        mark.end = Some(horizon.max(mark.start));
        mark.what = format!("{} cut", named.describe());
        out.push(mark);
    }
    out
}

/// Where two or more servers are primary at once, from the status changes.
fn split_brain_marks(trace: &Trace, servers: &[Actor], horizon: Time) -> Vec<Mark> {
    let primary = State::Server(Status::Primary);
    let mut status: Vec<Option<State>> = servers
        .iter()
        .map(|s| {
            let initial = trace.events.iter().find(|e| e.server == *s && e.kind == EventKind::InitialStatus);
            initial.and_then(|e| State::parse(&e.status))
        })
        .collect();
    let primaries = |status: &[Option<State>]| status.iter().filter(|s| **s == Some(primary)).count();
    let mut out = vec![];
    let mut since = (primaries(&status) >= 2).then_some(Time::ZERO);
    let close = |from: Time, to: Time, out: &mut Vec<Mark>| {
        out.push(Mark {
            start: from,
            end: Some(to.max(from)),
            server: Actor::Cluster.as_str(),
            class: "fault f-split".into(),
            what: "two primaries".into(),
            cause: String::new(),
            detail: format!("split brain for {}", super::duration_text(to.saturating_sub(from))),
            event: None,
        });
    };
    for c in &trace.changes {
        let Some(index) = servers.iter().position(|s| *s == c.server) else { continue };
        status[index] = Some(c.to);
        let split = primaries(&status) >= 2;
        match (since, split) {
            (None, true) => since = Some(c.time.0),
            (Some(from), false) => {
                close(from, c.time.0, &mut out);
                since = None;
            }
            _ => {}
        }
    }
    if let Some(from) = since {
        close(from, horizon, &mut out);
    }
    out
}

/// The message store unmounted by split-brain recovery (R15), until it is
/// mounted again or the recovery ends.
fn unmounted_marks(trace: &Trace, horizon: Time) -> Vec<Mark> {
    let mut open = Open::default();
    for (i, e) in trace.events.iter().enumerate() {
        match e.kind {
            EventKind::MessageStoreUnmounted => {
                open.start(String::new(), e, "message store unmounted".into(), "fault f-unmounted", i)
            }
            EventKind::MessageStoreMounted | EventKind::SplitBrainRecoveryCompleted => {
                open.end("", e.time.0, &e.detail)
            }
            _ => {}
        }
    }
    open.finish(horizon)
}

/// The calls affected, from `load.csv`'s bins: a lane each for calls
/// blocked, dropped and answered without a mailbox; a mark per bin with any.
fn call_lanes(trace: &Trace) -> Vec<Lane> {
    type Count = fn(&crate::report::rows::LoadRow) -> u32;
    let kinds: [(&str, &str, &str, Count); 3] = [
        ("calls blocked", "blocked", "calls c-blocked", |b| b.blocked),
        ("calls dropped", "dropped", "calls c-dropped", |b| b.dropped),
        ("calls without mailbox", "without a mailbox", "calls c-mailbox", |b| b.mailbox_unavailable),
    ];
    kinds
        .into_iter()
        .map(|(label, what, class, count)| {
            let marks = trace
                .load
                .iter()
                .filter(|b| count(b) > 0)
                .map(|b| Mark {
                    start: b.start_s.0,
                    end: Some(b.start_s.0 + b.width_s.0),
                    server: Actor::Cluster.as_str(),
                    class: class.to_string(),
                    what: format!("{} call(s) {what}", count(b)),
                    cause: String::new(),
                    detail: format!(
                        "in this {} bin: peak calls in progress {} on the publisher, {} on the subscriber",
                        super::duration_text(b.width_s.0),
                        b.publisher_peak,
                        b.subscriber_peak
                    ),
                    event: None,
                })
                .collect();
            Lane::new(label, LaneKind::Span, marks)
        })
        .collect()
}

/// The chat runbook as Gantt rows, in the seed's order of steps: each step
/// runs from the previous step's end (the data-centre loss for the
/// decision) to its own event.
fn runbook_lanes(trace: &Trace) -> Vec<Lane> {
    let failure = trace.events.iter().find(|e| e.kind == EventKind::DatacenterDown).map(|e| e.time.0);
    let mut steps: Vec<(usize, &TracedEvent)> =
        trace.events.iter().enumerate().filter(|(_, e)| e.kind.is_runbook_step()).collect();
    steps.sort_by_key(|(i, e)| (e.time, *i));
    let mut previous = failure;
    let mut marks: BTreeMap<EventKind, Mark> = BTreeMap::new();
    for (i, e) in steps {
        let start = previous.unwrap_or(e.time.0).min(e.time.0);
        marks.insert(
            e.kind,
            Mark {
                start,
                end: Some(e.time.0),
                server: e.server.as_str(),
                class: "runbook".into(),
                what: format!("{} ({})", runbook_step_name(e.kind), super::duration_text(e.time.0 - start)),
                cause: e.cause.clone(),
                detail: e.detail.clone(),
                event: Some(i),
            },
        );
        previous = Some(e.time.0);
    }
    EventKind::RUNBOOK
        .iter()
        .map(|kind| {
            Lane::new(
                format!("runbook: {}", runbook_step_name(*kind)),
                LaneKind::Span,
                marks.remove(kind).into_iter().collect(),
            )
        })
        .collect()
}

/// A runbook step's short name (C4).
fn runbook_step_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::RunbookDecided => "decide",
        EventKind::RunbookLogShippingRemoved => "1 remove log shipping",
        EventKind::RunbookBackupsCopied => "2 copy backups",
        EventKind::RunbookBackupsApplied => "3 apply backups",
        EventKind::RunbookDatabaseOnline => "4 restore with recovery",
        EventKind::RunbookPoolFailedOver => "5 pool FailedOver",
        EventKind::RunbookMirrorInstalled => "6 install mirror",
        EventKind::RunbookActiveServersSet => "7 set active servers",
        _ => kind.as_str(),
    }
}

/// Events that run like clockwork and say nothing about the failure (chat
/// log-shipping jobs); the rest decide where the timeline opens.
fn is_routine(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::InitialStatus
            | EventKind::LogBackup
            | EventKind::LogCopy
            | EventKind::LogRestore
            | EventKind::ComplianceAdapter
    )
}

/// Where the timeline opens: around the status changes and the events that
/// are not routine, with a margin; the whole run when they spread over
/// most of it or there are none.
pub fn initial_view(trace: &Trace, horizon: Time) -> (Time, Time) {
    let notable = trace.events.iter().filter(|e| !is_routine(e.kind)).map(|e| e.time.0);
    let times: Vec<Time> = notable.chain(trace.changes.iter().map(|c| c.time.0)).collect();
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else {
        return (Time::ZERO, horizon);
    };
    let margin = ((last - first) / 10).max(crate::engine::MINUTE);
    let spread = last - first + margin * 2;
    if spread.as_us() * 2 > horizon.as_us() {
        return (Time::ZERO, horizon);
    }
    (first.saturating_sub(margin), (last + margin).min(horizon))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SECOND;
    use crate::report::rows::Seconds;

    fn event(t: u64, server: Actor, kind: EventKind, cause: &str, links: Links) -> TracedEvent {
        TracedEvent {
            time: Seconds(SECOND * t),
            server,
            kind,
            detail: format!("{kind} at {t}"),
            cause: cause.into(),
            links,
            service: String::new(),
            status: String::new(),
            count: None,
        }
    }

    fn initial(server: Actor, status: &str) -> TracedEvent {
        TracedEvent { status: status.into(), ..event(0, server, EventKind::InitialStatus, "", Links::NONE) }
    }

    fn change(t: u64, server: Actor, from: Status, to: Status) -> TracedChange {
        TracedChange {
            time: Seconds(SECOND * t),
            server,
            from: State::Server(from),
            to: State::Server(to),
            cause: "x".into(),
        }
    }

    fn trace(events: Vec<TracedEvent>, changes: Vec<TracedChange>) -> Trace {
        Trace { replication: 0, replications: 1, events, changes, load: vec![] }
    }

    fn spans(marks: &[Mark]) -> Vec<(u64, u64)> {
        marks.iter().map(|m| (m.start.as_us() / SECOND.as_us(), m.end.unwrap().as_us() / SECOND.as_us())).collect()
    }

    #[test]
    fn a_server_lane_has_its_initial_status_then_one_span_per_change() {
        let t = trace(
            vec![initial(Actor::Publisher, "primary")],
            vec![
                change(10, Actor::Publisher, Status::Primary, Status::NotFunctioning),
                change(40, Actor::Publisher, Status::NotFunctioning, Status::Starting),
            ],
        );
        let marks = status_marks(&t, Actor::Publisher, SECOND * 100);
        assert_eq!(spans(&marks), [(0, 10), (10, 40), (40, 100)]);
        let what: Vec<&str> = marks.iter().map(|m| m.what.as_str()).collect();
        assert_eq!(what, ["primary", "not_functioning", "starting"]);
    }

    #[test]
    fn overlapping_cuts_make_one_span_until_the_last_link_heals() {
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
        let marks = link_marks(&t, SECOND * 100);
        assert_eq!(spans(&marks), [(10, 30)]);
        assert_eq!(marks[0].what, "publisher–subscriber, publisher→network cut");
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
        assert_eq!(spans(&link_marks(&t, SECOND * 100)), [(10, 20)]);
    }

    #[test]
    fn a_crash_without_a_restart_lasts_to_the_horizon() {
        let t = trace(
            vec![
                event(10, Actor::Publisher, EventKind::Crash, "timeline", Links::NONE),
                event(20, Actor::Publisher, EventKind::Restart, "for_ended", Links::NONE),
                event(60, Actor::Subscriber, EventKind::Crash, "random", Links::NONE),
            ],
            vec![],
        );
        let marks = fault_marks(&t, SECOND * 100);
        assert_eq!(spans(&marks), [(10, 20), (60, 100)]);
        assert_eq!((marks[0].server, marks[1].server), ("publisher", "subscriber"));
    }

    #[test]
    fn split_brain_is_where_both_servers_are_primary() {
        let t = trace(
            vec![initial(Actor::Publisher, "primary"), initial(Actor::Subscriber, "secondary")],
            vec![
                change(20, Actor::Subscriber, Status::Secondary, Status::Primary),
                change(50, Actor::Publisher, Status::Primary, Status::SplitBrainRecovery),
                change(50, Actor::Subscriber, Status::Primary, Status::SplitBrainRecovery),
            ],
        );
        let servers = servers(&t);
        assert_eq!(spans(&split_brain_marks(&t, &servers, SECOND * 100)), [(20, 50)]);
    }

    #[test]
    fn runbook_steps_run_from_the_previous_step_to_their_own_event() {
        // Lost at 100 s, decided at 400 s, step 1 done at 460 s, step 2 at 460 s (nothing to copy).
        let t = trace(
            vec![
                event(100, Actor::MgcPrimary, EventKind::DatacenterDown, "", Links::NONE),
                event(400, Actor::MgcBackup, EventKind::RunbookDecided, "", Links::NONE),
                event(460, Actor::MgcBackup, EventKind::RunbookLogShippingRemoved, "", Links::NONE),
                event(460, Actor::MgcBackup, EventKind::RunbookBackupsCopied, "", Links::NONE),
            ],
            vec![],
        );
        let lanes = runbook_lanes(&t);
        assert_eq!(lanes.len(), 8);
        let rows: Vec<Vec<(u64, u64)>> = lanes.iter().take(4).map(|l| spans(&l.marks)).collect();
        assert_eq!(rows, [vec![(100, 400)], vec![(400, 460)], vec![(460, 460)], vec![]]);
    }

    #[test]
    fn the_view_opens_around_what_happened() {
        // Events at 1000 s and 1600 s of a day: a margin of a tenth of the
        // 600 s span, at least a minute: [940, 1660].
        let t = trace(
            vec![
                initial(Actor::Publisher, "primary"),
                event(1000, Actor::Publisher, EventKind::Crash, "timeline", Links::NONE),
                event(1600, Actor::Publisher, EventKind::Restart, "timeline", Links::NONE),
            ],
            vec![],
        );
        assert_eq!(initial_view(&t, SECOND * 86_400), (SECOND * 940, SECOND * 1660));
        // The 720 s view would be more than half of a 1400 s run: the whole run.
        assert_eq!(initial_view(&t, SECOND * 1400), (Time::ZERO, SECOND * 1400));
        // Less than half of a 2000 s run: around what happened.
        assert_eq!(initial_view(&t, SECOND * 2000), (SECOND * 940, SECOND * 1660));
    }
}
