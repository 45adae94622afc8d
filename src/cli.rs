//! The command line (SPEC §4): clap definitions and the glue between the
//! scenario, experiment and report layers. No model logic lives here.

use crate::experiment::{self, RunSpec, TraceChoice};
use crate::model::voice::{KeepaliveMode, RunOptions};
use crate::report::{self, RunInfo, staging::Staging};
use crate::scenario::{self, MAX_REPLICATIONS, Scenario, ScenarioError};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// Simulate a two-server voice-messaging cluster under failures.
#[derive(Debug, Parser)]
#[command(name = "clustersim", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write its results.
    Run(RunArgs),
    /// Check scenarios without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceArg {
    /// Trace replication 0.
    First,
    /// Trace every replication.
    All,
    /// Trace none.
    None,
}

impl From<TraceArg> for TraceChoice {
    fn from(t: TraceArg) -> Self {
        match t {
            TraceArg::First => TraceChoice::First,
            TraceArg::All => TraceChoice::All,
            TraceArg::None => TraceChoice::None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of replications (default: the scenario's `replications`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS as u64))]
    pub replications: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output folder (default: results/<scenario name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Which replications write status.csv, events.csv and load.csv.
    #[arg(long, value_enum, default_value_t = TraceArg::First)]
    pub trace: TraceArg,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Most events one replication may process before it is stopped as runaway.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_events: Option<u64>,
    /// Simulate every keepalive message instead of jumping to the ticks that
    /// matter (slower; identical results; for checking).
    #[arg(long, hide = true)]
    pub keepalive_messages: bool,
    /// Check the model's invariants after every event (slower; for debugging).
    #[arg(long, hide = true)]
    pub check_invariants: bool,
}

/// How a command failed: bad input (exit 2) or anything else (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Invalid(String),
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Invalid(_) => 2,
            Failure::Other(_) => 1,
        }
    }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Invalid(e.to_string())
    }
}

pub fn main_with(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate { scenarios } => validate(&scenarios),
    }
}

fn scenario_name(s: &Scenario) -> String {
    s.name().to_string()
}

fn run(args: &RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let (seed, replications, duration, warmup) = match &scenario {
        Scenario::Voice(v) => (v.seed, v.replications as u64, v.duration.as_us(), v.warmup.as_us()),
    };
    let seed = args.seed.unwrap_or(seed);
    let count = args.replications.unwrap_or(replications);
    let mut options = RunOptions { check_invariants: false, ..RunOptions::default() };
    if let Some(max) = args.max_events {
        options.max_events = max;
    }
    if args.keepalive_messages {
        options.keepalive = KeepaliveMode::Messages;
    }
    let name = scenario_name(&scenario);
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&name));
    // Stage first: a folder we must not replace is an error before any work.
    let staging = Staging::new(&out)?;
    let spec = RunSpec {
        scenario,
        seed,
        first: 0,
        count,
        trace: args.trace.into(),
        threads: args.threads.map(usize::from),
        options,
    };
    let output = experiment::run(&spec, &|| {}).map_err(|e| Failure::Other(e.into()))?;
    let info = RunInfo { scenario: &name, seed, duration, warmup };
    report::write_summary_json(&staging.path("summary.json"), &info, &output)?;
    report::write_replications_csv(&staging.path("replications.csv"), &output)?;
    if spec.trace != TraceChoice::None {
        report::write_traces(staging.dir(), &output)?;
    }
    let written = staging.commit()?;
    if !args.quiet {
        println!("{name}: {count} replication(s), seed {seed}, results in {}", display_path(&written));
        print!("{}", report::summary_table(&output));
    }
    Ok(())
}

/// A path relative to the current folder when it is inside it.
fn display_path(p: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.display().to_string()))
        .unwrap_or_else(|| p.display().to_string())
}

fn validate(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut invalid = 0;
    for path in paths {
        match scenario::load(path) {
            Ok(s) => println!("ok: {} ({})", path.display(), s.name()),
            Err(e) => {
                eprintln!("error: {e}");
                invalid += 1;
            }
        }
    }
    if invalid > 0 {
        return Err(Failure::Invalid(format!("{invalid} of {} scenario(s) are invalid", paths.len())));
    }
    Ok(())
}
