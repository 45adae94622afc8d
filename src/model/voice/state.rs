//! The voice model's state types: its events and timers, the scenario in
//! engine units, and each server's state (what it is, and the caches that
//! [`super::Voice::settle`] keeps).

use crate::engine::{self, Time};
use crate::model::keepalive::Ticks;
use crate::model::phone::PhonePlan;
use crate::model::{KeepaliveMode, RunOptions};
use crate::scenario::{Action, Status, VoiceScenario};

/// Random stream ids (R21): each quantity draws from its own stream.
pub(super) mod streams {
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

pub(super) const TIMER_KINDS: usize = 6;

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
pub(super) struct Config {
    pub(super) horizon: Time,
    /// Metrics cover `[from, to)`: calls that arrive in it, time within it,
    /// episodes that overlap it.
    pub(super) from: Time,
    pub(super) to: Time,
    pub(super) keepalive_timeout: Time,
    pub(super) takeover: Time,
    pub(super) starting: Time,
    pub(super) replicating: Time,
    pub(super) recovery_base: Time,
    pub(super) recovery_per_message: Time,
    pub(super) unmount: Time,
    pub(super) mwi_spacing: Time,
    pub(super) reclaims: bool,
    pub(super) dead_server_detect: Time,
    pub(super) plan: PhonePlan,
    pub(super) leave_fraction: f64,
    pub(super) timeline: Vec<Entry>,
    pub(super) mode: KeepaliveMode,
    pub(super) check: bool,
}

impl Config {
    /// The scenario's durations in engine units, and the run's options.
    pub(super) fn new(scenario: &VoiceScenario, options: RunOptions) -> Config {
        let c = &scenario.cluster;
        let window = crate::scenario::measure::window_of(scenario.duration, scenario.warmup, scenario.window);
        Config {
            horizon: scenario.duration.as_us(),
            from: window.0,
            to: window.1,
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
        }
    }
}

/// A timeline entry in engine units.
pub(super) struct Entry {
    pub(super) at: Time,
    pub(super) action: Action,
    /// `for`: the action undoes itself this long after each occurrence.
    pub(super) lasting: Option<Time>,
    /// `every`: the entry repeats with this period before `until`.
    pub(super) every: Option<Time>,
    pub(super) until: Time,
}

/// One server's state. The fields after `// derived` are caches that
/// [`Voice::settle`] recomputes from the rest.
#[derive(Debug, Clone)]
pub(super) struct Server {
    pub(super) status: Status,
    /// The status a `replicating_data` server returns to.
    pub(super) resume: Status,
    /// Active stops of each critical service (overlapping faults compose).
    pub(super) stopped: [u16; 4],
    /// Active crash causes; the server restarts when the last one heals.
    pub(super) down_causes: u16,
    pub(super) taking_calls: bool,
    /// Deactivation is configuration (R9): it survives a crash and restart.
    pub(super) deactivated: bool,
    /// The role manager's view: has it heard its peer within the timeout?
    pub(super) peer_available: bool,
    /// A secondary's conclusion that it has no primary (R4), and why; `None`
    /// while it hears one (or is not secondary).
    pub(super) lost: Option<TakeoverCause>,
    /// The last keepalive heard from the peer while the peer held the
    /// primary role, recorded when the peer gave the role up (or at start and
    /// restart, when the clock starts); while the peer holds the role it is
    /// simply the last keepalive heard.
    pub(super) primary_heard: Time,
    /// Last keepalive heard (message mode only; analytic mode derives it).
    pub(super) last_heard: Option<Time>,
    pub(super) ping_failed_logged: bool,
    /// A self-promotion (R4, or a manual one without a primary) is under way.
    pub(super) takeover_pending: Option<Takeover>,
    pub(super) ticks: Ticks,
    pub(super) scheduled_tick: Option<Time>,
    /// The last tick whose handler ran: events later in the same instant see
    /// that tick as past.
    pub(super) last_tick: Option<Time>,
    // derived
    pub(super) answering: bool,
    /// Answering, with mailbox access (R2): new calls get their mailbox.
    pub(super) mailbox_ok: bool,
    /// Calls on it reach their mailbox (R2, R6), answering or not.
    pub(super) reaches_mailbox: bool,
    pub(super) stale_until: Time,
    pub(super) busy: u32,
    pub(super) capacity: u32,
}

/// Why a secondary promotes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TakeoverCause {
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
    pub(super) fn as_str(self) -> &'static str {
        match self {
            TakeoverCause::KeepaliveLost => "keepalive_lost",
            TakeoverCause::NoPrimary => "primary_not_heard",
            TakeoverCause::Manual => "manual_change",
        }
    }
}

/// A self-promotion under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Takeover {
    pub(super) cause: TakeoverCause,
    /// When `status_change_started` was raised (a failover's episode starts here).
    pub(super) started_at: Time,
}

/// An R7/R8/R11 change of primary in progress: `to` becomes primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Switchover {
    pub(super) to: usize,
    pub(super) cause: &'static str,
    pub(super) automatic: bool,
    pub(super) started_at: Time,
}
