//! The generic discrete-event engine: simulated time, an event queue, a bounded
//! run loop and seeded random streams. It knows nothing of servers or calls.
//!
//! ```text
//!   Scheduler ──pop (time, priority, seq)──▶ Model::handle(event) ──schedule──▶ Scheduler
//! ```
//!
//! Time is an integer count of microseconds ([`Time`]); floats never reach the
//! queue. Events with equal time come out by priority ([`Priority::Normal`] before
//! [`Priority::Late`]), then in the order they were scheduled, so a run is a pure
//! function of its inputs. The `Late` lane exists for periodic observers (the
//! role managers' keepalive ticks) that must see the state left by every other
//! event of the same instant, whatever order those were scheduled in; SimPy's
//! `URGENT`/`NORMAL` priorities play the same role.

mod queue;
pub mod rng;

use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

pub use queue::{EventQueue, Priority};

/// Simulated time in microseconds since the start of the run.
pub type Time = u64;

/// Microseconds per millisecond, second, minute, hour and day.
pub const MS: Time = 1_000;
pub const SECOND: Time = 1_000_000;
pub const MINUTE: Time = 60 * SECOND;
pub const HOUR: Time = 60 * MINUTE;
pub const DAY: Time = 24 * HOUR;

/// Converts a time to seconds for reporting (never used inside the engine).
pub fn to_secs(t: Time) -> f64 {
    t as f64 / SECOND as f64
}

/// `x.round() as u64` for 0 <= x < 2^64 without the libm call (same result:
/// x - trunc(x) is exact, and ties go away from zero).
#[inline]
pub fn round_u64(x: f64) -> u64 {
    let t = x as u64;
    if x - t as f64 >= 0.5 { t + 1 } else { t }
}

/// Converts a non-negative number of seconds to the nearest microsecond,
/// saturating at `Time::MAX` (used where a sampled duration becomes a time).
pub fn from_secs(s: f64) -> Time {
    if s.is_nan() || s <= 0.0 {
        0
    } else {
        let us = s * SECOND as f64;
        if us >= Time::MAX as f64 { Time::MAX } else { round_u64(us) }
    }
}

/// A domain model driven by the engine. Static dispatch only: the run loop is
/// monomorphised for each model, so the hot path has no trait objects.
pub trait Model {
    type Event: Copy;
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);
}

/// The model's view of the engine while it handles an event.
pub struct Scheduler<E> {
    queue: EventQueue<E>,
    now: Time,
}

impl<E: Copy> Scheduler<E> {
    pub fn new() -> Self {
        Scheduler { queue: EventQueue::new(), now: 0 }
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Scheduler { queue: EventQueue::with_capacity(capacity), now: 0 }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `event` at absolute time `at` (not before now).
    #[inline]
    pub fn schedule_at(&mut self, at: Time, event: E) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        self.queue.push(at.max(self.now), Priority::Normal, event);
    }

    /// Schedules `event` after `delay`, saturating at the end of time.
    #[inline]
    pub fn schedule_in(&mut self, delay: Time, event: E) {
        self.queue.push(self.now.saturating_add(delay), Priority::Normal, event);
    }

    /// Schedules `event` at `at`, after every `Normal` event of that instant.
    #[inline]
    pub fn schedule_late(&mut self, at: Time, event: E) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        self.queue.push(at.max(self.now), Priority::Late, event);
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

impl<E: Copy> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// The bounds of one run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Events at or after this time are not processed.
    pub horizon: Time,
    /// The run fails if it would process more events than this.
    pub max_events: u64,
}

/// Set to ask every running simulation to stop at its next check (Ctrl-C).
/// Runs poll it every [`STOP_POLL`] events, so stopping takes milliseconds.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// Events between two polls of [`STOP`].
pub const STOP_POLL: u64 = 1 << 16;

/// Asks running simulations to stop.
pub fn request_stop() {
    STOP.store(true, AtomicOrdering::Relaxed);
}

/// Whether a stop was requested.
pub fn stop_requested() -> bool {
    STOP.load(AtomicOrdering::Relaxed)
}

/// Which bound stopped a run early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "the run hit the event limit of {limit} events at simulated time {:.3} s; \
         raise it with --max-events if the scenario really needs more",
        to_secs(*at)
    )]
    Events { limit: u64, at: Time },
    #[error("interrupted at simulated time {:.3} s", to_secs(*at))]
    Interrupted { at: Time },
}

/// What a finished run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunStats {
    pub events: u64,
}

/// Runs `model` until the queue is empty or the next event is at or after the
/// horizon. On return `sched.now()` is the horizon (or the last event time if
/// the queue ran dry earlier, then advanced to the horizon).
pub fn run<M: Model>(model: &mut M, sched: &mut Scheduler<M::Event>, limits: Limits) -> Result<RunStats, LimitError> {
    let mut events: u64 = 0;
    while let Some(at) = sched.queue.peek_time() {
        if at >= limits.horizon {
            break;
        }
        if events == limits.max_events {
            return Err(LimitError::Events { limit: limits.max_events, at });
        }
        if events.is_multiple_of(STOP_POLL) && stop_requested() {
            return Err(LimitError::Interrupted { at });
        }
        let (at, event) = sched.queue.pop().expect("peeked");
        sched.now = at;
        events += 1;
        model.handle(event, sched);
    }
    sched.now = sched.now.max(limits.horizon);
    Ok(RunStats { events })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder {
        seen: Vec<(Time, u32)>,
    }

    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, event: u32, sched: &mut Scheduler<u32>) {
            self.seen.push((sched.now(), event));
            if event == 1 {
                // Scheduled now, at the same instant: runs after what was queued first.
                sched.schedule_at(sched.now(), 10);
            }
        }
    }

    #[test]
    fn events_come_out_by_time_priority_then_insertion_order() {
        let mut sched = Scheduler::new();
        sched.schedule_late(5, 99);
        sched.schedule_at(5, 1);
        sched.schedule_at(5, 2);
        sched.schedule_at(3, 3);
        sched.schedule_at(7, 4);
        let mut model = Recorder { seen: vec![] };
        let stats = run(&mut model, &mut sched, Limits { horizon: 100, max_events: 100 }).unwrap();
        assert_eq!(model.seen, vec![(3, 3), (5, 1), (5, 2), (5, 10), (5, 99), (7, 4)]);
        assert_eq!(stats.events, 6);
        assert_eq!(sched.now(), 100);
    }

    #[test]
    fn the_horizon_is_exclusive() {
        let mut sched = Scheduler::new();
        sched.schedule_at(9, 1);
        sched.schedule_at(10, 2);
        let mut model = Recorder { seen: vec![] };
        run(&mut model, &mut sched, Limits { horizon: 10, max_events: 100 }).unwrap();
        assert_eq!(model.seen, vec![(9, 1), (9, 10)]);
    }

    #[test]
    fn the_event_limit_is_an_error_that_names_itself() {
        struct Forever;
        impl Model for Forever {
            type Event = ();
            fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
                sched.schedule_in(1, ());
            }
        }
        let mut sched = Scheduler::new();
        sched.schedule_at(0, ());
        let err = run(&mut Forever, &mut sched, Limits { horizon: u64::MAX, max_events: 1000 }).unwrap_err();
        assert_eq!(err, LimitError::Events { limit: 1000, at: 1000 });
        assert!(err.to_string().contains("--max-events"));
    }

    #[test]
    fn seconds_round_to_the_nearest_microsecond() {
        assert_eq!(from_secs(1.5), 1_500_000);
        assert_eq!(from_secs(1e-7), 0);
        assert_eq!(from_secs(-3.0), 0);
        assert_eq!(from_secs(f64::NAN), 0);
        assert_eq!(from_secs(1e300), Time::MAX);
        assert_eq!(to_secs(2_500_000), 2.5);
    }
}
