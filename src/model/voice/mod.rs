//! The voice-messaging cluster (SPEC §1): two servers with role managers, the
//! phone system in front of them, call traffic and the failure timeline.
//!
//! ```text
//!            ┌────────── keepalives (R3) ──────────┐
//!   publisher ◀──────── replication (R12) ────────▶ subscriber
//!        │  ╲                                    ╱  │
//!        │   network (ping check, R4)    network    │
//!        └────────────── phone_system ──────────────┘
//!                 routing, ports, overflow (R17, R18)
//! ```
//!
//! Events are of two sorts. Calls (arrival, end) are the hot path: they read
//! cached per-server flags and never change server state. Everything else
//! (faults, admin actions, timers, keepalive ticks) changes state and is
//! followed by [`Voice::settle`], which re-derives every cached flag from the
//! state, drops calls that lost their server, starts automatic changes, releases
//! waiting MWIs, integrates the availability clocks and reschedules the role
//! managers' next interesting tick.

mod calls;
mod faults;
mod invariants;
mod mwi;
mod roles;

use super::keepalive::{Channel, Ticks};
use super::metrics::{Metric, Metrics};
use super::phone::PhonePlan;
use super::trace::{Actor, EventKind, Fields, State, Tracer};
use super::traffic::{Arrivals, HoldSampler};
use super::{KeepaliveMode, Run, RunOptions};
use crate::engine::rng::{self, StreamRng};
use crate::engine::{self, LimitError, Limits, Model, Scheduler, Time};
use crate::scenario::{Action, Node, Service, Status, VoiceScenario};
use calls::CallTable;
use faults::Process;
use mwi::{MwiStats, Notifier, Waiting};
use rand::RngExt;

pub use invariants::allowed_transition;

pub const PUBLISHER: usize = 0;
pub const SUBSCRIBER: usize = 1;
const PHONE: usize = 2;
const NETWORK: usize = 3;

/// The other server.
#[inline]
pub fn peer(s: usize) -> usize {
    1 - s
}

pub fn server_name(s: usize) -> &'static str {
    ["publisher", "subscriber"][s]
}

fn node_index(node: Node) -> usize {
    match node {
        Node::Publisher => PUBLISHER,
        Node::Subscriber => SUBSCRIBER,
        Node::PhoneSystem => PHONE,
        Node::Network => NETWORK,
    }
}

/// Random stream ids (R21): each quantity draws from its own stream.
mod streams {
    pub const ARRIVALS: u64 = 0;
    pub const HOLD: u64 = 1;
    pub const KIND: u64 = 2;
    pub const ROUTING: u64 = 3;
    pub const TICK_PHASES: u64 = 4;
    /// Fault process i draws from stream FAULTS + i.
    pub const FAULTS: u64 = 16;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    Takeover,
    Switchover,
    Starting,
    Replicating,
    UnmountEnd,
    RecoveryEnd,
}

const TIMER_KINDS: usize = 6;

/// The model's events. Small and `Copy` (8 bytes): the queue holds them by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ev {
    Arrival,
    CallEnd { slot: u32 },
    Timeline { index: u32, heal: bool },
    Fault { process: u8, repair: bool },
    Timer { kind: TimerKind, server: u8, generation: u32 },
    Tick { server: u8, generation: u32 },
}

/// The scenario's durations and options, in engine units.
struct Config {
    horizon: Time,
    /// Metrics cover `[from, to)`: calls that arrive in it, time within it,
    /// episodes that overlap it.
    from: Time,
    to: Time,
    keepalive_timeout: Time,
    takeover: Time,
    starting: Time,
    replicating: Time,
    recovery_base: Time,
    recovery_per_message: Time,
    unmount: Time,
    mwi_spacing: Time,
    reclaims: bool,
    dead_server_detect: Time,
    plan: PhonePlan,
    leave_fraction: f64,
    timeline: Vec<Entry>,
    mode: KeepaliveMode,
    check: bool,
}

/// A timeline entry in engine units.
struct Entry {
    at: Time,
    action: Action,
    /// `for`: the action undoes itself this long after each occurrence.
    lasting: Option<Time>,
    /// `every`: the entry repeats with this period before `until`.
    every: Option<Time>,
    until: Time,
}

/// One server's state. The fields after `// derived` are caches that
/// [`Voice::settle`] recomputes from the rest.
#[derive(Debug, Clone)]
struct Server {
    status: Status,
    /// The status a `replicating_data` server returns to.
    resume: Status,
    /// Active stops of each critical service (overlapping faults compose).
    stopped: [u16; 4],
    /// Active crash causes; the server restarts when the last one heals.
    down_causes: u16,
    taking_calls: bool,
    /// Deactivation is configuration (R9): it survives a crash and restart.
    deactivated: bool,
    /// The role manager's view: has it heard its peer within the timeout?
    peer_available: bool,
    /// A secondary's conclusion that it has no primary (R4), and why; `None`
    /// while it hears one (or is not secondary).
    lost: Option<TakeoverCause>,
    /// The last keepalive heard from the peer while the peer held the
    /// primary role, recorded when the peer gave the role up (or at start and
    /// restart, when the clock starts); while the peer holds the role it is
    /// simply the last keepalive heard.
    primary_heard: Time,
    /// Last keepalive heard (message mode only; analytic mode derives it).
    last_heard: Option<Time>,
    ping_failed_logged: bool,
    /// A self-promotion (R4, or a manual one without a primary) is under way.
    takeover_pending: Option<Takeover>,
    ticks: Ticks,
    scheduled_tick: Option<Time>,
    /// The last tick whose handler ran: events later in the same instant see
    /// that tick as past.
    last_tick: Option<Time>,
    // derived
    answering: bool,
    /// Answering, with mailbox access (R2): new calls get their mailbox.
    mailbox_ok: bool,
    /// Calls on it reach their mailbox (R2, R6), answering or not.
    reaches_mailbox: bool,
    stale_until: Time,
    busy: u32,
    capacity: u32,
}

/// Why a secondary promotes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TakeoverCause {
    /// R4: the peer fell silent (`keepalive_lost`).
    KeepaliveLost,
    /// R4: the peer is heard but holds no primary role, or nothing was heard
    /// since start or restart (`primary_not_heard`).
    NoPrimary,
    /// R8 with no primary to hand over: the administrator's `make_primary`.
    Manual,
}

impl TakeoverCause {
    /// The status change's cause, named after the event that explains it.
    fn as_str(self) -> &'static str {
        match self {
            TakeoverCause::KeepaliveLost => "keepalive_lost",
            TakeoverCause::NoPrimary => "primary_not_heard",
            TakeoverCause::Manual => "manual_change",
        }
    }
}

/// A self-promotion under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Takeover {
    cause: TakeoverCause,
    /// When `status_change_started` was raised (a failover's episode starts here).
    started_at: Time,
}

/// An R7/R8/R11 change of primary in progress: `to` becomes primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Switchover {
    to: usize,
    cause: &'static str,
    automatic: bool,
    started_at: Time,
}

/// Counters and clocks of one replication.
#[derive(Debug, Clone, Default)]
struct Tally {
    offered: u64,
    answered: u64,
    blocked: u64,
    blocked_stale: u64,
    dropped: u64,
    completed: u64,
    messages_left: u64,
    messages_failed: u64,
    mailbox_unavailable_calls: u64,
    split_brain_messages: u64,
    failovers: u64,
    detection_delay_max: Time,
    /// Calls answered by a server that does not answer calls (R2): always 0
    /// unless the model is wrong; counted only when checking invariants.
    answered_wrongly: u64,
    mwi: MwiStats,
    clocks: Clocks,
}

/// Time integrals of the availability conditions over the measured window.
#[derive(Debug, Clone, Copy, Default)]
struct Clocks {
    since: Time,
    flags: Flags,
    /// The split brain going on has been counted as an episode.
    split_counted: bool,
    split_episodes: u64,
    cluster_down: Time,
    mailbox_down: Time,
    service_down: Time,
    split: Time,
    sync_down: Time,
    recovery: Time,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Flags {
    cluster_down: bool,
    mailbox_down: bool,
    split: bool,
    sync_down: bool,
    recovery: bool,
}

impl Clocks {
    /// Adds the time since the last change, clipped to the window
    /// `[window_from, window_to)`. A split brain is counted as an episode as
    /// soon as it has measured time, so its time never comes without it.
    fn advance(&mut self, now: Time, window_from: Time, window_to: Time) {
        let from = self.since.max(window_from);
        let to = now.min(window_to);
        if to > from {
            if self.flags.split && !self.split_counted {
                self.split_counted = true;
                self.split_episodes += 1;
            }
            let dt = to - from;
            let f = self.flags;
            self.cluster_down += dt * f.cluster_down as u64;
            self.mailbox_down += dt * f.mailbox_down as u64;
            self.service_down += dt * (f.cluster_down || f.mailbox_down) as u64;
            self.split += dt * f.split as u64;
            self.sync_down += dt * f.sync_down as u64;
            self.recovery += dt * f.recovery as u64;
        }
        self.since = now;
    }
}

pub struct Voice<T: Tracer> {
    cfg: Config,
    servers: [Server; 2],
    /// Active cuts of each directed link, indexed [from][to] over
    /// publisher, subscriber, phone_system, network.
    cuts: [[u16; 4]; 4],
    /// Keepalive channel from each server to its peer.
    channels: [Channel; 2],
    timer_generation: [[u32; 2]; TIMER_KINDS],
    tick_generation: [u32; 2],
    switchover: Option<Switchover>,
    /// Split-brain recovery (R15) is under way.
    recovery: bool,
    /// The message store is unmounted (the first part of recovery).
    unmounted: bool,
    /// Split-brain messages since the current episode began (R15's reconcile work).
    episode_messages: u64,
    calls: CallTable,
    shared_busy: u32,
    round_robin_next: usize,
    arrivals: Arrivals,
    hold: HoldSampler,
    hold_rng: StreamRng,
    kind_rng: StreamRng,
    routing_rng: StreamRng,
    processes: Vec<Process>,
    notifiers: [Notifier; 2],
    waiting: [Waiting; 2],
    tally: Tally,
    trace: T,
    replication: u64,
    seed: u64,
}

impl<T: Tracer> Voice<T> {
    /// Builds replication `replication` of `scenario` and schedules its first events.
    fn new(scenario: &VoiceScenario, replication: u64, options: RunOptions, trace: T) -> (Self, Scheduler<Ev>) {
        let seed = rng::replication_seed(scenario.seed, replication);
        let c = &scenario.cluster;
        let cfg = Config {
            horizon: scenario.duration.as_us(),
            from: scenario.warmup.as_us(),
            to: scenario.duration.as_us(),
            keepalive_timeout: c.keepalive.timeout.as_us(),
            takeover: c.takeover.as_us(),
            starting: c.starting.as_us(),
            replicating: c.replicating.as_us(),
            recovery_base: c.split_brain_recovery.as_us(),
            recovery_per_message: c.split_brain_recovery_per_message.as_us(),
            unmount: c.message_store_unmount.as_us(),
            mwi_spacing: engine::from_secs(1.0 / c.delivery_per_second).max(Time::from_us(1)),
            reclaims: c.publisher_reclaims_primary,
            dead_server_detect: scenario.phone_system.dead_server_detect.as_us(),
            plan: PhonePlan::new(&scenario.phone_system),
            leave_fraction: scenario.traffic.leave_message,
            timeline: scenario
                .failures
                .iter()
                .map(|e| Entry {
                    at: e.at.as_us(),
                    action: e.action(),
                    lasting: e.for_.map(|d| d.as_us()),
                    every: e.every.map(|d| d.as_us()),
                    until: e.until.unwrap_or(scenario.duration).as_us(),
                })
                .collect(),
            mode: options.keepalive,
            check: options.check_invariants,
        };
        let interval = c.keepalive.interval.as_us();
        let phases = tick_phases(seed, interval);
        let initial = [c.initial.publisher, c.initial.subscriber];
        let servers = [0, 1].map(|s| Server {
            status: initial[s],
            resume: initial[s],
            stopped: [0; 4],
            down_causes: (initial[s] == Status::NotFunctioning) as u16,
            taking_calls: true,
            deactivated: initial[s] == Status::Deactivated,
            peer_available: false,
            lost: None,
            primary_heard: Time::ZERO,
            last_heard: None,
            ping_failed_logged: false,
            takeover_pending: None,
            ticks: Ticks { phase: phases[s], interval },
            scheduled_tick: None,
            last_tick: None,
            answering: false,
            mailbox_ok: false,
            reaches_mailbox: false,
            stale_until: Time::ZERO,
            busy: 0,
            capacity: cfg.plan.server_ports[s],
        });
        let processes = faults::processes(&scenario.random_failures, seed);
        let mut model = Voice {
            servers,
            cuts: [[0; 4]; 4],
            channels: [Channel::default(); 2],
            timer_generation: [[0; 2]; TIMER_KINDS],
            tick_generation: [0; 2],
            switchover: None,
            recovery: false,
            unmounted: false,
            episode_messages: 0,
            calls: CallTable::default(),
            shared_busy: 0,
            round_robin_next: PUBLISHER,
            arrivals: Arrivals::new(&scenario.traffic, rng::stream(seed, streams::ARRIVALS)),
            hold: HoldSampler::new(&scenario.traffic.hold_time),
            hold_rng: rng::stream(seed, streams::HOLD),
            kind_rng: rng::stream(seed, streams::KIND),
            routing_rng: rng::stream(seed, streams::ROUTING),
            processes,
            notifiers: [Notifier::default(); 2],
            waiting: [Waiting::default(); 2],
            tally: Tally::default(),
            trace,
            replication,
            seed: scenario.seed,
            cfg,
        };
        let mut sched = Scheduler::with_capacity(64 + 2 * model.cfg.plan.total_capacity() as usize);
        model.start(&mut sched);
        (model, sched)
    }

    /// R1: the initial state, then the first arrival, timeline entries, fault
    /// processes and (in message mode) every server's first tick.
    fn start(&mut self, sched: &mut Scheduler<Ev>) {
        let both_functioning = self.functioning(PUBLISHER) && self.functioning(SUBSCRIBER);
        // Two initial primaries have not yet heard each other: an initial split brain.
        let initial_split = self.servers.iter().all(|s| s.status == Status::Primary);
        for s in 0..2 {
            let status = self.servers[s].status;
            self.trace.event(
                Time::ZERO,
                Actor::server(s),
                EventKind::InitialStatus,
                Fields::status(State::Server(status)),
                || status.as_str().into(),
            );
            let available = both_functioning && !initial_split;
            self.servers[s].peer_available = available;
            if available {
                self.servers[s].last_heard = Some(Time::ZERO);
                self.channels[peer(s)].delivered_before = Some(Time::ZERO);
            }
        }
        if let Some(first) = self.arrivals.next_after(Time::ZERO).filter(|t| *t < self.cfg.horizon) {
            sched.schedule_at(first, Ev::Arrival);
        }
        for (index, entry) in self.cfg.timeline.iter().enumerate() {
            sched.schedule_at(entry.at, Ev::Timeline { index: index as u32, heal: false });
        }
        for index in 0..self.processes.len() {
            let first = self.processes[index].draw_up();
            sched.schedule_at(first, Ev::Fault { process: index as u8, repair: false });
        }
        if self.cfg.mode == KeepaliveMode::Messages {
            for s in 0..2 {
                sched.schedule_late(self.servers[s].ticks.phase, Ev::Tick { server: s as u8, generation: 0 });
            }
        }
        self.settle(sched);
    }

    // ---- state queries ------------------------------------------------------

    #[inline]
    fn functioning(&self, s: usize) -> bool {
        self.servers[s].status != Status::NotFunctioning
    }

    #[inline]
    fn running(&self, s: usize, service: Service) -> bool {
        self.servers[s].stopped[service.index()] == 0
    }

    fn all_services_running(&self, s: usize) -> bool {
        self.servers[s].stopped.iter().all(|n| *n == 0)
    }

    #[inline]
    fn link_up(&self, from: usize, to: usize) -> bool {
        self.cuts[from][to] == 0
    }

    fn both_ways(&self, a: usize, b: usize) -> bool {
        self.link_up(a, b) && self.link_up(b, a)
    }

    /// A `primary`, or a primary temporarily `replicating_data` (it keeps the
    /// active message store and its Notifier).
    fn holds_primary_role(&self, s: usize) -> bool {
        let server = &self.servers[s];
        server.status == Status::Primary
            || (server.status == Status::ReplicatingData && server.resume == Status::Primary)
    }

    /// R2: answers new calls.
    fn answering(&self, s: usize) -> bool {
        let server = &self.servers[s];
        matches!(server.status, Status::Primary | Status::Secondary)
            && server.taking_calls
            && self.running(s, Service::ConversationManager)
            && self.both_ways(s, PHONE)
    }

    /// Whether calls in progress on `s` continue (Table 3-3: status changes to
    /// replicating_data or split_brain_recovery do not affect them).
    fn can_carry(&self, s: usize) -> bool {
        matches!(
            self.servers[s].status,
            Status::Primary | Status::Secondary | Status::ReplicatingData | Status::SplitBrainRecovery
        ) && self.running(s, Service::ConversationManager)
            && self.both_ways(s, PHONE)
    }

    /// Whether `s` uses its own message store: a primary (R2), or either
    /// server while it reconciles in R15's recovery.
    fn own_store(&self, s: usize) -> bool {
        self.holds_primary_role(s) || self.servers[s].status == Status::SplitBrainRecovery
    }

    /// The message store `s` serves is mounted and its database runs.
    fn store_mounted(&self, s: usize) -> bool {
        self.own_store(s) && self.running(s, Service::Database) && !self.unmounted
    }

    /// R2: a call on `s` reaches its mailbox (R6 asks this when a call is
    /// answered and when its recording ends).
    fn mailbox_ok(&self, s: usize) -> bool {
        if !self.running(s, Service::Database) {
            return false;
        }
        if self.own_store(s) {
            self.store_mounted(s)
        } else {
            self.store_mounted(peer(s)) && self.both_ways(s, peer(s))
        }
    }

    /// R12: database and message-store replication flows between the servers.
    fn replicating(&self) -> bool {
        (0..2).all(|s| {
            self.functioning(s)
                && self.servers[s].peer_available
                && self.running(s, Service::Replication)
                && self.servers[s].status != Status::Deactivated
        }) && self.both_ways(PUBLISHER, SUBSCRIBER)
            && !self.recovery
    }

    /// Whether `s`'s tick at `now` (if it has one) is already past.
    fn tick_done(&self, s: usize, now: Time) -> bool {
        self.servers[s].last_tick == Some(now)
    }

    fn can_ping(&self, s: usize) -> bool {
        self.both_ways(s, NETWORK)
    }

    /// Whether `now` falls in the measured window.
    fn measured(&self, now: Time) -> bool {
        (self.cfg.from..self.cfg.to).contains(&now)
    }

    /// Whether an episode from `start` to `end` (inclusive) overlaps the
    /// measured window: SPEC §5 counts every episode that does.
    fn overlaps_window(&self, start: Time, end: Time) -> bool {
        start < self.cfg.to && (end > self.cfg.from || (start == end && self.measured(start)))
    }

    // ---- state changes --------------------------------------------------------

    fn set_status(&mut self, s: usize, to: Status, cause: &'static str, now: Time) {
        let from = self.servers[s].status;
        if from == to {
            return;
        }
        let held_role = self.holds_primary_role(s);
        assert!(
            allowed_transition(from, to),
            "status change {} → {} of {} is not an edge of SPEC §1 (seed {}, replication {})",
            from.as_str(),
            to.as_str(),
            server_name(s),
            self.seed,
            self.replication
        );
        self.servers[s].status = to;
        let p = peer(s);
        let hears_primary = self.servers[s].peer_available && self.holds_primary_role(p);
        if to == Status::Primary || (to == Status::Secondary && hears_primary) {
            // R4's conclusion "no primary" belongs to a secondary that hears none.
            self.servers[s].lost = None;
        }
        if held_role && !self.holds_primary_role(s) {
            // R4: the peer's clock for "heard a primary" stops at the last
            // keepalive it had from us while we held the role.
            self.servers[p].primary_heard = self.last_heard(p, now).unwrap_or(Time::ZERO);
        }
        self.trace.status(now, Actor::server(s), State::Server(from), State::Server(to), cause);
    }

    fn cancel_timer(&mut self, kind: TimerKind, s: usize) {
        self.timer_generation[kind as usize][s] = self.timer_generation[kind as usize][s].wrapping_add(1);
    }

    fn start_timer(&mut self, sched: &mut Scheduler<Ev>, kind: TimerKind, s: usize, delay: Time) {
        self.cancel_timer(kind, s);
        let generation = self.timer_generation[kind as usize][s];
        sched.schedule_in(delay, Ev::Timer { kind, server: s as u8, generation });
    }

    /// Re-derives everything that depends on the state after a control event.
    fn settle(&mut self, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        self.update_channels(now);
        // R15: two primaries that hear each other start recovery at once,
        // whichever event made them so (a keepalive, or a primary returning
        // from replicating data).
        let both_primary = self.servers.iter().all(|sv| sv.status == Status::Primary);
        if both_primary && self.servers.iter().all(|sv| sv.peer_available) {
            self.start_recovery(sched);
        }
        self.update_phone_view(now);
        for s in 0..2 {
            if self.servers[s].busy > 0 && !self.can_carry(s) {
                self.drop_calls(s, now);
            }
        }
        self.maybe_hand_over(sched);
        self.release_waiting_messages(now);
        self.update_clocks(now);
        if self.cfg.mode == KeepaliveMode::Analytic {
            for s in 0..2 {
                self.reschedule_tick(s, sched);
            }
        }
    }

    /// Caches R2's answering and mailbox flags and starts R18's stale window
    /// when a server stops answering abruptly.
    fn update_phone_view(&mut self, now: Time) {
        for s in 0..2 {
            let answering = self.answering(s);
            let reaches_mailbox = self.mailbox_ok(s);
            let mailbox_ok = answering && reaches_mailbox;
            let server = &self.servers[s];
            let graceful = matches!(
                server.status,
                Status::Deactivated | Status::Starting | Status::ReplicatingData | Status::SplitBrainRecovery
            ) || !server.taking_calls;
            let stale_until = if answering {
                Time::ZERO
            } else if server.answering && !graceful {
                now.saturating_add(self.cfg.dead_server_detect)
            } else if graceful {
                Time::ZERO
            } else {
                server.stale_until
            };
            let server = &mut self.servers[s];
            server.answering = answering;
            server.mailbox_ok = mailbox_ok;
            server.reaches_mailbox = reaches_mailbox;
            server.stale_until = stale_until;
        }
    }

    fn update_clocks(&mut self, now: Time) {
        let answering = [self.servers[0].answering, self.servers[1].answering];
        let flags = Flags {
            cluster_down: !answering[0] && !answering[1],
            mailbox_down: (0..2).any(|s| answering[s] && !self.servers[s].mailbox_ok),
            split: self.servers.iter().all(|s| s.status == Status::Primary),
            recovery: self.recovery,
            // R12: a primary replicating data keeps running mailbox sync.
            sync_down: !(0..2).any(|s| self.holds_primary_role(s) && self.running(s, Service::MailboxSync)),
        };
        let measured = self.measured(now);
        let clocks = &mut self.tally.clocks;
        if flags == clocks.flags {
            return;
        }
        clocks.advance(now, self.cfg.from, self.cfg.to);
        if flags.split && !clocks.flags.split {
            // An episode that starts in the window counts even if it lasts
            // no time at all; one already going counts when the window opens.
            clocks.split_counted = measured;
            clocks.split_episodes += measured as u64;
            self.trace.event(now, Actor::Cluster, EventKind::SplitBrainStarted, Fields::NONE, || {
                "two servers are primary".into()
            });
        }
        clocks.flags = flags;
    }

    /// R16: messages waiting for a Notifier are released once a primary's
    /// Notifier can see them (its own store, or replicated to it).
    fn release_waiting_messages(&mut self, now: Time) {
        for s in 0..2 {
            if self.waiting[s].is_empty() {
                continue;
            }
            let target = if self.holds_primary_role(s) && !self.recovery {
                Some(s)
            } else if self.holds_primary_role(peer(s)) && self.replicating() {
                Some(peer(s))
            } else {
                None
            };
            if let Some(q) = target {
                let count = self.waiting[s].count;
                self.notifiers[q].release(&mut self.waiting[s], now, self.cfg.mwi_spacing, &mut self.tally.mwi);
                self.trace.event(now, Actor::server(q), EventKind::MwiBacklogReleased, Fields::count(count), || {
                    format!("{count} waiting message(s) from {} reach the Notifier", server_name(s))
                });
            }
        }
    }

    /// Closes the books at the horizon and reports the metrics.
    fn finish(&mut self) -> Metrics {
        let horizon = self.cfg.horizon;
        let measured = (self.cfg.to - self.cfg.from).as_us() as f64;
        self.tally.clocks.advance(horizon, self.cfg.from, self.cfg.to);
        let mut mwi = self.tally.mwi;
        for w in &self.waiting {
            mwi::censor(w, horizon, &mut mwi);
        }
        let t = &self.tally;
        let c = &t.clocks;
        let secs = engine::to_secs;
        let in_progress = self.calls.measured_in_progress();
        let mut m = Metrics::default();
        let values = [
            (Metric::CallsOffered, t.offered as f64),
            (Metric::CallsAnswered, t.answered as f64),
            (Metric::CallsBlocked, t.blocked as f64),
            (Metric::CallsDropped, t.dropped as f64),
            (Metric::CallsCompleted, t.completed as f64),
            (Metric::BlockingProbability, if t.offered == 0 { 0.0 } else { t.blocked as f64 / t.offered as f64 }),
            (Metric::MessagesLeft, t.messages_left as f64),
            (Metric::MessagesFailed, t.messages_failed as f64),
            (Metric::MailboxUnavailableCalls, t.mailbox_unavailable_calls as f64),
            (Metric::SplitBrainMessages, t.split_brain_messages as f64),
            (Metric::MwiDelayMaxS, secs(mwi.max_delay)),
            (Metric::MwiDelayMeanS, if mwi.sent == 0 { 0.0 } else { mwi.sum_delay as f64 / mwi.sent as f64 / 1e6 }),
            (Metric::ClusterUnavailableS, secs(c.cluster_down)),
            (Metric::MailboxUnavailableS, secs(c.mailbox_down)),
            (Metric::SplitBrainS, secs(c.split)),
            (Metric::SplitBrainEpisodes, c.split_episodes as f64),
            (Metric::Failovers, t.failovers as f64),
            (Metric::DetectionDelayMaxS, secs(t.detection_delay_max)),
            (Metric::MailboxSyncDownS, secs(c.sync_down)),
            (Metric::Availability, 1.0 - c.cluster_down.as_us() as f64 / measured),
            (Metric::ServiceAvailability, 1.0 - c.service_down.as_us() as f64 / measured),
            (Metric::CallsInProgressEnd, in_progress as f64),
            (Metric::CallsBlockedStale, t.blocked_stale as f64),
            (Metric::ServiceUnavailableS, secs(c.service_down)),
            (Metric::MessagesMwiPending, self.waiting.iter().map(|w| w.count).sum::<u64>() as f64),
            (Metric::SplitBrainRecoveryS, secs(c.recovery)),
        ];
        for (metric, value) in values {
            m.set(metric, value);
        }
        m
    }
}

/// Distinct tick phases for the two role managers, in [0, interval).
fn tick_phases(seed: u64, interval: Time) -> [Time; 2] {
    let mut r = rng::stream(seed, streams::TICK_PHASES);
    let interval = interval.as_us();
    let first = r.random_range(0..interval);
    // Draw the second among the other interval − 1 values (interval ≥ 1 ms).
    let mut second = r.random_range(0..interval - 1);
    if second >= first {
        second += 1;
    }
    [Time::from_us(first), Time::from_us(second)]
}

impl<T: Tracer> Model for Voice<T> {
    type Event = Ev;

    fn handle(&mut self, event: Ev, sched: &mut Scheduler<Ev>) {
        match event {
            Ev::Arrival => self.on_arrival(sched),
            Ev::CallEnd { slot } => self.on_call_end(slot, sched.now()),
            Ev::Timeline { index, heal } => {
                self.on_timeline(index as usize, heal, sched);
                self.settle(sched);
            }
            Ev::Fault { process, repair } => {
                self.on_fault(process as usize, repair, sched);
                self.settle(sched);
            }
            Ev::Timer { kind, server, generation } => {
                if self.timer_generation[kind as usize][server as usize] == generation {
                    self.on_timer(kind, server as usize, sched);
                    self.settle(sched);
                }
            }
            Ev::Tick { server, generation } => {
                let s = server as usize;
                let due = match self.cfg.mode {
                    KeepaliveMode::Messages => {
                        sched.schedule_late(self.servers[s].ticks.after(sched.now()), Ev::Tick { server, generation });
                        true
                    }
                    KeepaliveMode::Analytic => {
                        let due = self.tick_generation[s] == generation;
                        if due {
                            self.servers[s].scheduled_tick = None;
                        }
                        due
                    }
                };
                if due {
                    self.servers[s].last_tick = Some(sched.now());
                    self.on_tick(s, sched);
                    self.settle(sched);
                }
            }
        }
        if self.cfg.check
            && let Err(problem) = self.check_invariants(sched.now())
        {
            panic!(
                "invariant violated at t = {} s: {problem} (reproduce with seed {} replication {})",
                engine::to_secs(sched.now()),
                self.seed,
                self.replication
            );
        }
    }
}

/// Runs replication `replication` of `scenario`, telling `tracer` what
/// happens ([`NoTrace`] for an untraced run, a [`Recorder`] to keep it).
pub fn simulate<T: Tracer>(
    scenario: &VoiceScenario,
    replication: u64,
    options: RunOptions,
    tracer: T,
) -> Result<Run<Metrics, T>, LimitError> {
    let (mut model, mut sched) = Voice::new(scenario, replication, options, tracer);
    let horizon = model.cfg.horizon;
    let stats = engine::run(&mut model, &mut sched, Limits { horizon, max_events: options.max_events })?;
    Ok(Run { metrics: model.finish(), tracer: model.trace, events: stats.events })
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn events_stay_eight_bytes() {
        // The queue moves (time, rank, event) entries: 24 bytes with 8-byte events.
        assert_eq!(std::mem::size_of::<super::Ev>(), 8);
    }
}
