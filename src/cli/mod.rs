//! The command line: clap definitions and the glue between the
//! scenario, experiment and report layers. No model logic lives here.
//!
//! One file per command family. The commands that write a results folder
//! (run, compare, sweep, size, merge) build their run from the same
//! `setup` and end the same way, in `ending`: stage, run, write the data
//! files, then the charts, the folder in place and the tables printed.

mod chart;
mod compare;
mod ending;
mod failure;
mod help;
mod merge;
mod run;
mod setup;
mod size;
mod sweep;
mod validate;

use crate::experiment::TraceChoice;
use crate::experiment::precision::Precision;
use crate::experiment::shard::Shard;
use crate::experiment::size::{self as sizing, SizeTarget};
use crate::experiment::sweep::Axis;
use crate::scenario::{self, MAX_REPLICATIONS};
use clap::{Parser, Subcommand, ValueEnum, ValueHint};
use help::examples_help;
use std::path::{Path, PathBuf};

pub use failure::Failure;
pub use help::{completion_script, examples, man_pages};

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
    #[command(after_help = examples_help("run"))]
    Run(RunArgs),
    /// Check scenarios without running them.
    #[command(after_help = examples_help("validate"))]
    Validate {
        /// Scenario files.
        #[arg(required = true, value_hint = ValueHint::FilePath)]
        scenarios: Vec<PathBuf>,
    },
    /// Run a scenario under several port-allocation strategies with common random numbers.
    #[command(after_help = examples_help("compare"))]
    Compare(CompareArgs),
    /// Run a scenario over a grid of values of its keys.
    #[command(after_help = examples_help("sweep"))]
    Sweep(SweepArgs),
    /// Find, per strategy, the least ports (or value of another integer key) that meet targets.
    #[command(after_help = examples_help("size"))]
    Size(SizeArgs),
    /// Redraw the charts and the report of a results folder from its data files.
    #[command(after_help = examples_help("chart"))]
    Chart {
        /// A results folder written by run, compare, sweep or merge.
        #[arg(value_hint = ValueHint::DirPath)]
        dir: PathBuf,
        /// Draw SVG instead of PNG.
        #[arg(long)]
        svg: bool,
        /// Do not list the charts drawn.
        #[arg(long)]
        quiet: bool,
    },
    /// Merge the folders of a sharded run into the files of a single run.
    #[command(after_help = examples_help("merge"))]
    Merge {
        /// The shard folders (written with `run --shard K/N`).
        #[arg(required = true, value_hint = ValueHint::DirPath)]
        dirs: Vec<PathBuf>,
        /// The merged results folder.
        #[arg(long, value_hint = ValueHint::DirPath)]
        out: PathBuf,
        /// Do not draw charts.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Exit with status 3 when an expectation is unsure, not only when one fails.
        #[arg(long)]
        strict: bool,
    },
    /// Print the JSON Schema of the scenario format, for editors and validators.
    #[command(after_help = examples_help("schema"))]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = examples_help("completions"))]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages: clustersim.1 and one per subcommand.
    #[command(after_help = examples_help("man"))]
    Man {
        /// The folder to write them into (created if missing).
        #[arg(value_hint = ValueHint::DirPath)]
        dir: PathBuf,
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

/// Options every simulating command shares.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of replications (default: the scenario's `replications`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS as u64))]
    pub replications: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output folder.
    #[arg(long, value_hint = ValueHint::DirPath)]
    pub out: Option<PathBuf>,
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
    /// Add replications in batches (10, 20, 40, …) until METRIC's 95% half-width is at most
    /// V, or V% of its mean (repeatable: every one must hold).
    #[arg(long, value_name = "METRIC=V|V%")]
    pub precision: Vec<Precision>,
    /// The most replications --precision may run [default: 10000].
    #[arg(long, requires = "precision", value_parser = clap::value_parser!(u64).range(1..=MAX_REPLICATIONS as u64))]
    pub max_replications: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (YAML).
    #[arg(value_hint = ValueHint::FilePath)]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub common: Common,
    /// Which replications write status.csv, events.csv and load.csv.
    #[arg(long, value_enum, default_value_t = TraceArg::First)]
    pub trace: TraceArg,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Run only shard K of N (K from 0) of the replications; join shards with `merge`.
    #[arg(long, value_name = "K/N", conflicts_with = "precision")]
    pub shard: Option<Shard>,
    /// Exit with status 3 when an expectation is unsure, not only when one fails.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The scenario file (YAML).
    #[arg(value_hint = ValueHint::FilePath)]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub common: Common,
    /// Strategies, comma-separated: sccp, sip_trunk, pimg_timg, sip_other, custom
    /// (default: the four presets, and `custom` if the scenario has its own allocation or routing).
    #[arg(long, value_delimiter = ',', conflicts_with = "set")]
    pub integrations: Option<Vec<String>>,
    /// Strategies as values of a key instead, e.g. log_shipping.backup_interval=5m,15m,30m
    /// (repeatable: every combination is a strategy; the default for persistent_chat scenarios).
    #[arg(long = "set", value_name = "KEY=V1,V2,...")]
    pub set: Vec<Axis>,
    /// Metrics the table prints, comma-separated (comparison.csv has all).
    #[arg(long, value_delimiter = ',')]
    pub metrics: Option<Vec<String>>,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Exit with status 3 when an expectation is unsure, not only when one fails.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (YAML).
    #[arg(value_hint = ValueHint::FilePath)]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub common: Common,
    /// A dotted key and its values, e.g. cluster.keepalive.timeout=30s,45s,60s (repeatable: a full grid).
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    pub set: Vec<Axis>,
    /// Metrics the table prints, comma-separated (sweep.csv has all).
    #[arg(long, value_delimiter = ',')]
    pub metrics: Option<Vec<String>>,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Exit with status 3 when an expectation is unsure, not only when one fails.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, clap::Args)]
pub struct SizeArgs {
    /// The scenario file (YAML).
    #[arg(value_hint = ValueHint::FilePath)]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub common: Common,
    /// A target the answer must meet with 95% confidence, METRIC<=V or METRIC>=V (repeatable).
    #[arg(long = "target", value_name = "METRIC<=V", required = true)]
    pub targets: Vec<SizeTarget>,
    /// The integer key searched.
    #[arg(long, default_value = "phone_system.ports")]
    pub key: String,
    /// The least value searched.
    #[arg(long, default_value_t = sizing::DEFAULT_MIN)]
    pub min: u64,
    /// The greatest value searched.
    #[arg(long, default_value_t = sizing::DEFAULT_MAX)]
    pub max: u64,
    /// Strategies, comma-separated: sccp, sip_trunk, pimg_timg, sip_other, custom (default: the four presets).
    #[arg(long, value_delimiter = ',', conflicts_with = "set")]
    pub integrations: Option<Vec<String>>,
    /// Strategies as values of a key instead, e.g. phone_system.overflow=true,false (repeatable).
    #[arg(long = "set", value_name = "KEY=V1,V2,...")]
    pub set: Vec<Axis>,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
}

pub fn main_with(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate { scenarios } => validate::validate(&scenarios),
        Command::Compare(args) => compare::compare(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Size(args) => size::size(&args),
        Command::Merge { dirs, out, no_charts, quiet, strict } => {
            merge::merge(merge::MergeArgs { dirs: &dirs, out: &out, no_charts, quiet, strict })
        }
        Command::Chart { dir, svg, quiet } => chart::chart(&dir, svg, quiet),
        Command::Schema => help::print_bytes(scenario::schema::schema_text().as_bytes()),
        Command::Completions { shell } => help::print_bytes(&completion_script(shell)),
        Command::Man { dir } => help::man(&dir),
    }
}

/// A path relative to the current folder when it is inside it.
fn display_path(p: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.display().to_string()))
        .unwrap_or_else(|| p.display().to_string())
}
