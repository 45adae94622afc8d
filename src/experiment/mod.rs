//! Experiments: replications of a scenario, their summaries and confidence
//! intervals, strategy comparisons, parameter sweeps and shards.
//!
//! ```text
//!   scenario ──▶ replication i (seed from (master, i)) ──▶ metrics row i ──▶ summary
//!                 (in parallel, collected in index order)
//! ```
//! Each replication is a pure function of (scenario, master seed, index), and
//! results are gathered in index order, so output never depends on the number
//! of threads. A run keeps one row of metrics per replication; a traced
//! replication tells a tracer from a [`TraceSink`] what happens as it happens,
//! so memory does not grow with the horizon.

pub mod compare;
pub mod expect;
pub mod precision;
pub mod shard;
pub mod size;
pub mod stats;
pub mod sweep;
pub mod work;

use crate::engine::rng::replication_seed;
use crate::engine::{LimitError, Time};
use crate::model::trace::{NoTrace, Tracer};
use crate::model::{self, Kind, RunOptions};
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

impl TraceChoice {
    /// The choice as `--trace` spells it (and `shard.json` records it).
    pub fn as_str(self) -> &'static str {
        match self {
            TraceChoice::First => "first",
            TraceChoice::All => "all",
            TraceChoice::None => "none",
        }
    }
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
    /// Replications added in batches until these targets hold (`--precision`);
    /// `first` and `count` then give the first batch.
    pub precision: Option<precision::Goal>,
}

/// One replication's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    pub index: u64,
    pub seed: u64,
    pub values: Vec<f64>,
}

/// A run's results, replications in index order.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub metric_names: Vec<&'static str>,
    pub replications: Vec<Replication>,
    /// Why a precise run stopped adding replications; `None` for a fixed count.
    pub stopped: Option<precision::Stopped>,
}

impl RunOutput {
    /// The values of metric `column` over the replications.
    pub fn column(&self, column: usize) -> Vec<f64> {
        self.replications.iter().map(|r| r.values[column]).collect()
    }

    /// The column of metric `name`.
    pub fn column_of(&self, name: &str) -> Option<usize> {
        self.metric_names.iter().position(|n| *n == name)
    }

    /// Mean, ci95, min and max of each metric, in column order.
    pub fn summary(&self) -> Vec<(&'static str, Stat)> {
        self.metric_names.iter().enumerate().map(|(i, name)| (*name, summarize(&self.column(i)))).collect()
    }
}

/// Why a run failed after its scenario was accepted.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    // `bound`, not `source`: the message already says it, and a source
    // would make error chains print it twice.
    #[error("replication {replication}: {bound}")]
    Limit { replication: u64, bound: LimitError },
    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
    #[error("replication {replication}: cannot write its trace: {message}")]
    Trace { replication: u64, message: String },
    #[error("interrupted")]
    Interrupted,
}

impl RunError {
    pub fn is_interrupt(&self) -> bool {
        matches!(self, RunError::Interrupted | RunError::Limit { bound: LimitError::Interrupted { .. }, .. })
    }
}

/// Where traced replications go, from any worker thread: a tracer for each
/// traced replication, handed back when the replication ends. The model only
/// calls the tracer; what it does with what it hears (keep it, write it) is
/// the sink's business.
pub trait TraceSink: Sync {
    type Tracer: Tracer;
    /// A tracer for replication `index` over `horizon`, with a load series of
    /// at most `bins` bins (0: the model has no calls).
    fn open(&self, index: u64, horizon: Time, bins: u64) -> Result<Self::Tracer, String>;
    /// Replication `index` ended; `tracer` has heard all of it.
    fn close(&self, index: u64, tracer: Self::Tracer) -> Result<(), String>;
}

/// The sink of runs that keep no trace: every replication runs untraced.
pub struct NoTraces;

impl TraceSink for NoTraces {
    type Tracer = NoTrace;
    fn open(&self, _: u64, _: Time, _: u64) -> Result<NoTrace, String> {
        Ok(NoTrace)
    }
    fn close(&self, _: u64, _: NoTrace) -> Result<(), String> {
        Ok(())
    }
}

/// Hears how a run advances (a progress bar).
pub trait Watch: Sync {
    /// One more replication is done.
    fn replication_done(&self);
    /// A precise run finished a batch; where it stands against its targets.
    fn batch_done(&self, _standing: &precision::Standing) {}
}

impl<F: Fn() + Sync> Watch for F {
    fn replication_done(&self) {
        self()
    }
}

/// Hears after each replication (a progress bar).
pub type Progress<'a> = &'a dyn Watch;

fn traced(choice: TraceChoice, index: u64) -> bool {
    match choice {
        TraceChoice::All => true,
        TraceChoice::First => index == 0,
        TraceChoice::None => false,
    }
}

/// Runs replication `index` of `spec`, traced by a tracer from `sink` if the
/// trace choice covers it.
pub fn run_one<S: TraceSink>(spec: &RunSpec, index: u64, sink: &S) -> Result<Replication, RunError> {
    if crate::engine::stop_requested() {
        return Err(RunError::Interrupted);
    }
    let seed = replication_seed(spec.seed, index);
    let limit = |bound| RunError::Limit { replication: index, bound };
    let trace_failed = |message| RunError::Trace { replication: index, message };
    let mut scenario = spec.scenario.clone();
    scenario.set_seed(spec.seed);
    let values = if traced(spec.trace, index) {
        // A model with calls keeps a load series; the chat model has none.
        let bins = if Kind::of(&scenario) == Kind::VoiceMessaging { LOAD_BINS } else { 0 };
        let horizon = scenario.duration_and_warmup().0.as_us();
        let tracer = sink.open(index, horizon, bins).map_err(trace_failed)?;
        let run = model::simulate(&scenario, index, spec.options, tracer).map_err(limit)?;
        sink.close(index, run.tracer).map_err(trace_failed)?;
        run.metrics
    } else {
        model::simulate(&scenario, index, spec.options, NoTrace).map_err(limit)?.metrics
    };
    Ok(Replication { index, seed, values })
}

/// The metric names of a scenario's kind, in column order.
pub fn metric_names(scenario: &Scenario) -> Vec<&'static str> {
    model::metric_names(Kind::of(scenario))
}

/// Runs `work` on `threads` threads (default: rayon's global pool, all cores).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> Result<T, RunError> + Send,
) -> Result<T, RunError> {
    match threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| RunError::Threads(n, e.to_string()))?
            .install(work),
        None => work(),
    }
}

/// Runs replications `indices` of each scenario (strategies or grid points
/// sharing `template`'s seed, options and trace choice) in one pool of work,
/// so every core stays busy across scenarios; per scenario, in index order.
pub fn run_indices<S: TraceSink>(
    scenarios: &[Scenario],
    template: &RunSpec,
    indices: std::ops::Range<u64>,
    progress: Progress,
    sink: &S,
) -> Result<Vec<Vec<Replication>>, RunError> {
    let specs: Vec<RunSpec> = scenarios.iter().map(|s| RunSpec { scenario: s.clone(), ..template.clone() }).collect();
    let jobs: Vec<(usize, u64)> = (0..specs.len()).flat_map(|s| indices.clone().map(move |i| (s, i))).collect();
    let results = with_threads(template.threads, || {
        jobs.par_iter()
            .map(|&(s, i)| {
                let r = run_one(&specs[s], i, sink);
                progress.replication_done();
                r
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let per = (indices.end - indices.start) as usize;
    if per == 0 {
        return Ok(vec![vec![]; specs.len()]);
    }
    Ok(results.chunks(per).map(<[Replication]>::to_vec).collect())
}

/// Runs every replication of `spec` in parallel, calling `progress` after
/// each one; traced replications are told to tracers from `sink`.
pub fn run<S: TraceSink>(spec: &RunSpec, progress: Progress, sink: &S) -> Result<RunOutput, RunError> {
    let outputs = run_traced(std::slice::from_ref(&spec.scenario), spec, progress, sink)?;
    Ok(outputs.into_iter().next().expect("one output per scenario"))
}

/// Runs each scenario over the template's replications — a fixed range, or
/// batches until its precision goal holds — with traces to `sink`.
fn run_traced<S: TraceSink>(
    scenarios: &[Scenario],
    template: &RunSpec,
    progress: Progress,
    sink: &S,
) -> Result<Vec<RunOutput>, RunError> {
    if let Some(goal) = &template.precision {
        return precision::run(scenarios, template, goal, progress, sink);
    }
    let range = template.first..template.first + template.count;
    let replications = run_indices(scenarios, template, range, progress, sink)?;
    Ok(scenarios
        .iter()
        .zip(replications)
        .map(|(s, replications)| RunOutput { metric_names: metric_names(s), replications, stopped: None })
        .collect())
}

/// Runs the template's replications of each scenario, all in one pool of
/// work so that every core stays busy across scenarios. Untraced.
pub fn run_all(scenarios: &[Scenario], template: &RunSpec, progress: Progress) -> Result<Vec<RunOutput>, RunError> {
    let untraced = RunSpec { trace: TraceChoice::None, ..template.clone() };
    run_traced(scenarios, &untraced, progress, &NoTraces)
}
