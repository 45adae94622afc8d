//! The models: the voice-messaging cluster and the Persistent Chat pool, and
//! the vocabulary of their traces. No I/O, no clocks.
//!
//! Both models run on the engine behind one entry point, [`simulate`]: a
//! replication of a scenario, told to a [`trace::Tracer`], gives its metric
//! values in column order ([`metric_names`]).

pub use crate::metrics;

pub mod chat;
pub mod keepalive;
pub mod phone;
pub mod trace;
pub mod traffic;
pub mod voice;

use crate::engine::LimitError;
pub use crate::scenario::Kind;
use crate::scenario::Scenario;
use trace::Tracer;

/// How the role managers' keepalives are simulated. Both give identical results;
/// `Messages` sends every keepalive and is kept as the oracle for `Analytic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepaliveMode {
    /// Only ticks at which something happens are events (cost independent of
    /// the horizon and the interval).
    Analytic,
    /// Every tick of every server is an event.
    Messages,
}

/// Options of one replication, for either model.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The voice model's keepalives (the chat model has none).
    pub keepalive: KeepaliveMode,
    /// Run the invariant checker after every event (tests, debug builds).
    pub check_invariants: bool,
    /// The run fails if it would process more events than this.
    pub max_events: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            keepalive: KeepaliveMode::Analytic,
            check_invariants: cfg!(debug_assertions),
            max_events: 4_000_000_000,
        }
    }
}

/// What one replication gave: its metrics, its tracer (with whatever it
/// recorded) and the number of events the engine processed.
#[derive(Debug)]
pub struct Run<M, T> {
    pub metrics: M,
    pub tracer: T,
    pub events: u64,
}

/// The metric names of a kind of model, in column order.
pub fn metric_names(kind: Kind) -> Vec<&'static str> {
    kind.metric_names()
}

/// Runs replication `replication` of `scenario` (its own master seed),
/// telling `tracer` what happens: the metric values in column order.
pub fn simulate<T: Tracer>(
    scenario: &Scenario,
    replication: u64,
    options: RunOptions,
    tracer: T,
) -> Result<Run<Vec<f64>, T>, LimitError> {
    match scenario {
        Scenario::Voice(s) => {
            let run = voice::simulate(s, replication, options, tracer)?;
            let values = run.metrics.iter().map(|(_, v)| v).collect();
            Ok(Run { metrics: values, tracer: run.tracer, events: run.events })
        }
        Scenario::Chat(s) => chat::simulate(s, replication, options, tracer),
    }
}
