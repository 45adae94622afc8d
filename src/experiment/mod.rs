//! Experiments: replications of a scenario, their summaries and confidence
//! intervals.
//!
//! ```text
//!   scenario ──▶ replication i (seed from (master, i)) ──▶ metrics row i ──▶ summary
//!                 (in parallel, collected in index order)
//! ```
//! Each replication is a pure function of (scenario, master seed, index), and
//! results are gathered in index order, so output never depends on the number
//! of threads.

pub mod stats;

use crate::engine::LimitError;
use crate::engine::rng::replication_seed;
use crate::model::metrics::Metric;
use crate::model::trace::Recorder;
use crate::model::voice::{self, RunOptions};
use crate::scenario::Scenario;
use rayon::prelude::*;

pub use stats::{Stat, summarize};

/// Which replications record statuses, events and load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceChoice {
    First,
    All,
    None,
}

/// The number of load bins a traced replication keeps (the chart's resolution).
pub const LOAD_BINS: u64 = 2000;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub scenario: Scenario,
    pub seed: u64,
    /// Replication indices `first .. first + count` (a shard runs a sub-range).
    pub first: u64,
    pub count: u64,
    pub trace: TraceChoice,
    pub threads: Option<usize>,
    pub options: RunOptions,
}

/// One replication's results.
#[derive(Debug)]
pub struct Replication {
    pub index: u64,
    pub seed: u64,
    pub values: Vec<f64>,
    pub trace: Option<Recorder>,
}

/// A run's results, replications in index order.
#[derive(Debug)]
pub struct RunOutput {
    pub metric_names: Vec<&'static str>,
    pub replications: Vec<Replication>,
}

impl RunOutput {
    /// The values of metric `column` over the replications.
    pub fn column(&self, column: usize) -> Vec<f64> {
        self.replications.iter().map(|r| r.values[column]).collect()
    }

    /// Mean, ci95, min and max of each metric, in column order.
    pub fn summary(&self) -> Vec<(&'static str, Stat)> {
        self.metric_names.iter().enumerate().map(|(i, name)| (*name, summarize(&self.column(i)))).collect()
    }
}

/// Why a run failed after its scenario was accepted.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("replication {replication}: {source}")]
    Limit { replication: u64, source: LimitError },
    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
}

fn traced(choice: TraceChoice, index: u64, first_of_run: bool) -> bool {
    match choice {
        TraceChoice::All => true,
        TraceChoice::First => index == 0 && first_of_run,
        TraceChoice::None => false,
    }
}

/// Runs one replication of `spec`.
pub fn run_one(spec: &RunSpec, index: u64) -> Result<Replication, RunError> {
    let seed = replication_seed(spec.seed, index);
    let limit = |source| RunError::Limit { replication: index, source };
    match &spec.scenario {
        Scenario::Voice(scenario) => {
            let mut scenario = scenario.clone();
            scenario.seed = spec.seed;
            if traced(spec.trace, index, true) {
                let (metrics, recorder) =
                    voice::simulate_traced(&scenario, index, spec.options, LOAD_BINS).map_err(limit)?;
                Ok(Replication { index, seed, values: metrics.iter().map(|(_, v)| v).collect(), trace: Some(recorder) })
            } else {
                let metrics = voice::simulate(&scenario, index, spec.options).map_err(limit)?;
                Ok(Replication { index, seed, values: metrics.iter().map(|(_, v)| v).collect(), trace: None })
            }
        }
    }
}

/// The metric names of a scenario's kind, in column order.
pub fn metric_names(scenario: &Scenario) -> Vec<&'static str> {
    match scenario {
        Scenario::Voice(_) => Metric::ALL.iter().map(|m| m.name()).collect(),
    }
}

/// Runs every replication of `spec`, in parallel on `spec.threads` threads
/// (default: all cores), calling `progress` after each one.
pub fn run(spec: &RunSpec, progress: &(dyn Fn() + Sync)) -> Result<RunOutput, RunError> {
    let indices: Vec<u64> = (spec.first..spec.first + spec.count).collect();
    let work = || -> Result<Vec<Replication>, RunError> {
        indices
            .par_iter()
            .map(|&i| {
                let r = run_one(spec, i);
                progress();
                r
            })
            .collect()
    };
    let replications = match spec.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| RunError::Threads(n, e.to_string()))?
            .install(work)?,
        None => work()?,
    };
    Ok(RunOutput { metric_names: metric_names(&spec.scenario), replications })
}
