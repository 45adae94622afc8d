//! The voice-messaging cluster (R1–R21, docs/model.md): two servers with role managers, the
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
mod queries;
mod roles;
mod settle;
mod state;
mod tally;

use super::keepalive::{Channel, Ticks};
use super::metrics::Metrics;
use super::trace::{Actor, EventKind, Fields, State, Tracer};
use super::traffic::{Arrivals, HoldSampler};
use super::{KeepaliveMode, Run, RunOptions};
use crate::engine::rng::{self, StreamRng};
use crate::engine::{self, LimitError, Limits, Model, Scheduler, Time};
use crate::scenario::{Node, Status, VoiceScenario};
use calls::CallTable;
use faults::Process;
use mwi::{Notifier, Waiting};
use rand::RngExt;
use state::{Config, Server, Switchover, TIMER_KINDS, Takeover, TakeoverCause, TimerKind, streams};
use tally::Tally;

pub use state::Ev;

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
        let cfg = Config::new(scenario, options);
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
            sched.schedule_chain(first, Ev::Arrival);
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

    // Into the engine's loop: a call's events cost no call of their own.
    #[inline(always)]
    fn handle(&mut self, event: Ev, sched: &mut Scheduler<Ev>) {
        // Calls are the hot path and are handled here; everything else is in
        // a function of its own, so that this one stays small.
        match event {
            Ev::Arrival => self.on_arrival(sched),
            Ev::CallEnd { slot } => self.on_call_end(slot, sched.now()),
            _ => self.on_state_event(event, sched),
        }
        if self.cfg.check {
            self.check_or_panic(sched.now());
        }
    }
}

impl<T: Tracer> Voice<T> {
    /// Every event that is not a call's: each changes state, then `settle`.
    #[inline(never)]
    fn on_state_event(&mut self, event: Ev, sched: &mut Scheduler<Ev>) {
        match event {
            Ev::Arrival | Ev::CallEnd { .. } => unreachable!("calls are handled by `handle` itself"),
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
    }

    #[inline(never)]
    fn check_or_panic(&self, now: Time) {
        if let Err(problem) = self.check_invariants(now) {
            panic!(
                "invariant violated at t = {} s: {problem} (reproduce with seed {} replication {})",
                engine::to_secs(now),
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
