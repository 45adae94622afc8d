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
//! Faults are paired by [`crate::report::faults`], as in the charts.

use crate::engine::Time;
use crate::model::trace::{Actor, EventKind, State};
use crate::report::faults::{self, Fault, FaultKind};
use crate::report::folder::{Trace, TracedChange, TracedEvent};
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

/// Every lane of the timeline of `trace` over `[0, horizon]`.
pub fn lanes(trace: &Trace, horizon: Time, chat: bool) -> Vec<Lane> {
    let servers = trace.servers();
    let mut out = vec![];
    for &server in &servers {
        out.push(Lane::new(server.as_str(), LaneKind::Status, status_marks(trace, server, horizon)));
        out.push(Lane::new(format!("{server} events"), LaneKind::Events, event_marks(trace, Some(server))));
    }
    let cluster = event_marks(trace, None);
    if !cluster.is_empty() {
        out.push(Lane::new("cluster events", LaneKind::Events, cluster));
    }
    let faults = faults::faults(trace, &servers, horizon);
    let span = |label: &str, pick: &dyn Fn(FaultKind) -> bool| {
        let marks = faults.iter().filter(|f| pick(f.kind)).map(fault_mark).collect();
        Lane::new(label, LaneKind::Span, marks)
    };
    if chat {
        out.push(span("data centre lost", &FaultKind::of_a_server));
        out.extend(runbook_lanes(trace));
        return out;
    }
    out.push(span("faults", &FaultKind::of_a_server));
    out.push(span("link cuts", &|k| k == FaultKind::LinkCut));
    out.push(span("split brain", &|k| k == FaultKind::SplitBrain));
    out.push(span("message store unmounted", &|k| k == FaultKind::MailboxesUnmounted));
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

fn fault_mark(f: &Fault) -> Mark {
    let class = match f.kind {
        FaultKind::Crash | FaultKind::DataCentreLoss => "fault f-crash",
        FaultKind::ServiceStopped => "fault f-service",
        FaultKind::LinkCut => "fault f-link",
        FaultKind::SplitBrain => "fault f-split",
        FaultKind::MailboxesUnmounted => "fault f-unmounted",
    };
    let detail = match f.kind {
        FaultKind::SplitBrain => format!("split brain for {}", super::duration_text(f.end - f.start)),
        _ => f.detail.clone(),
    };
    Mark {
        start: f.start,
        end: Some(f.end),
        server: f.server.as_str(),
        class: class.into(),
        what: f.what.clone(),
        cause: f.cause.clone(),
        detail,
        event: f.event,
    }
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
    use crate::model::trace::Links;
    use crate::report::rows::Seconds;
    use crate::scenario::Status;

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
        Trace { replication: 0, replications: 1, events, changes, load: vec![], status_time: Default::default() }
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
