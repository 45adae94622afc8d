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
//!
//! A model with a source of events each of which schedules the next (a
//! Poisson source's arrivals) can hand them to [`Scheduler::schedule_chain`]:
//! they come out in the same order, at less cost.

mod queue;
pub mod rng;
mod time;

use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

pub use queue::{EventQueue, Priority};
pub use time::{DAY, HOUR, MINUTE, MS, SECOND, Time, round_u64};

/// Converts a time to seconds for reporting (never used inside the engine).
pub fn to_secs(t: Time) -> f64 {
    t.secs()
}

/// Converts a non-negative number of seconds to the nearest microsecond,
/// saturating at `Time::MAX` (used where a sampled duration becomes a time).
#[inline]
pub fn from_secs(s: f64) -> Time {
    Time::from_secs_f64(s)
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
        Scheduler { queue: EventQueue::new(), now: Time::ZERO }
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Scheduler { queue: EventQueue::with_capacity(capacity), now: Time::ZERO }
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

    /// Schedules the next event of the model's chain at absolute time `at`
    /// (not before now): events of which each schedules the next, so that at
    /// most one is pending, like a Poisson source's arrivals. It comes
    /// out in the same order as if scheduled with [`Scheduler::schedule_at`],
    /// at less cost.
    #[inline]
    pub fn schedule_chain(&mut self, at: Time, event: E) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        self.queue.push_chain(at.max(self.now), Priority::Normal, event);
    }

    /// Schedules `event` at `at`, after every `Normal` event of that instant.
    #[inline]
    pub fn schedule_late(&mut self, at: Time, event: E) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        self.queue.push(at.max(self.now), Priority::Late, event);
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
    /// The run would process more events than [`Limits::max_events`].
    #[error("the run hit the event limit of {limit} events at simulated time {:.3} s", to_secs(*at))]
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
    while let Some((at, event)) = sched.queue.pop_before(limits.horizon) {
        if events == limits.max_events {
            return Err(LimitError::Events { limit: limits.max_events, at });
        }
        if events.is_multiple_of(STOP_POLL) && stop_requested() {
            return Err(LimitError::Interrupted { at });
        }
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

    fn t(us: u64) -> Time {
        Time::from_us(us)
    }

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
        sched.schedule_late(t(5), 99);
        sched.schedule_at(t(5), 1);
        sched.schedule_at(t(5), 2);
        sched.schedule_at(t(3), 3);
        sched.schedule_at(t(7), 4);
        let mut model = Recorder { seen: vec![] };
        let stats = run(&mut model, &mut sched, Limits { horizon: t(100), max_events: 100 }).unwrap();
        assert_eq!(model.seen, vec![(t(3), 3), (t(5), 1), (t(5), 2), (t(5), 10), (t(5), 99), (t(7), 4)]);
        assert_eq!(stats.events, 6);
        assert_eq!(sched.now(), t(100));
    }

    #[test]
    fn the_horizon_is_exclusive() {
        let mut sched = Scheduler::new();
        sched.schedule_at(t(9), 1);
        sched.schedule_at(t(10), 2);
        let mut model = Recorder { seen: vec![] };
        run(&mut model, &mut sched, Limits { horizon: t(10), max_events: 100 }).unwrap();
        assert_eq!(model.seen, vec![(t(9), 1), (t(9), 10)]);
    }

    #[test]
    fn the_event_limit_is_an_error_that_names_itself() {
        struct Forever;
        impl Model for Forever {
            type Event = ();
            fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
                sched.schedule_in(t(1), ());
            }
        }
        let mut sched = Scheduler::new();
        sched.schedule_at(t(0), ());
        let err = run(&mut Forever, &mut sched, Limits { horizon: Time::MAX, max_events: 1000 }).unwrap_err();
        assert_eq!(err, LimitError::Events { limit: 1000, at: t(1000) });
        // The engine names its bound, not the command line's flag.
        assert_eq!(err.to_string(), "the run hit the event limit of 1000 events at simulated time 0.001 s");
    }
}
