//! The command line: clap definitions and the glue between the
//! scenario, experiment and report layers. No model logic lives here.

use crate::engine::{LimitError, Time};
use crate::experiment::compare::{self, Comparison, Strategy};
use crate::experiment::expect::{self, Verdict};
use crate::experiment::precision::{self, Goal, Precision};
use crate::experiment::shard::{SHARD_FORMAT, Shard, ShardInfo};
use crate::experiment::size::{self, SizeTarget, Sizing};
use crate::experiment::sweep::{self, Axis, GridError};
use crate::experiment::{self, RunOutput, RunSpec, TraceChoice};
use crate::model::{KeepaliveMode, Kind, RunOptions};
use crate::report::InputError;
use crate::report::charts::{self, ChartFormat};
use crate::report::decisions::{self, Judgement};
use crate::report::experiments::{self as tables, HEADLINE};
use crate::report::progress::Progress;
use crate::report::staging::Staging;
use crate::report::traces::Spool;
use crate::report::{self, RunInfo};
use crate::scenario::{self, MAX_REPLICATIONS, Scenario, ScenarioError};
use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};
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

/// Examples each subcommand's help ends with, on bundled scenarios (a test
/// parses every one, so they stay true).
pub fn examples(subcommand: &str) -> &'static [&'static str] {
    match subcommand {
        "run" => &[
            "clustersim run scenarios/publisher-crash.yaml --replications 50",
            "clustersim run scenarios/random-failures-year.yaml --replications 1000 --no-charts --out results/year",
            "clustersim run scenarios/random-failures-year.yaml --replications 10000 --shard 3/32 --out shards/s3 --quiet",
        ],
        "validate" => {
            &["clustersim validate scenarios/*.yaml", "clustersim validate scenarios/wan-partition-short.yaml"]
        }
        "compare" => &[
            "clustersim compare scenarios/publisher-outage.yaml",
            "clustersim compare scenarios/publisher-outage.yaml --integrations sccp,sip_trunk --replications 200",
            "clustersim compare scenarios/chat-datacenter-loss.yaml --set runbook.decide=5m,15m,1h",
        ],
        "sweep" => &[
            "clustersim sweep scenarios/publisher-outage.yaml --set phone_system.ports=8,12,16,24 \
             --set phone_system.integration=sccp,sip_trunk",
            "clustersim sweep scenarios/wan-partition-short.yaml --set cluster.keepalive.timeout=30s,45s,60s \
             --replications 200 --metrics split_brain_s,messages_failed",
        ],
        "size" => &[
            "clustersim size scenarios/publisher-outage.yaml --target blocking_probability<=0.01",
            "clustersim size scenarios/publisher-outage.yaml --target blocking_probability<=0.01 \
             --integrations sccp,sip_trunk --precision blocking_probability=0.002",
            "clustersim size scenarios/pimg-timg-busy-day.yaml --target calls_blocked<=5 --min 8 --max 64",
        ],
        "chart" => &["clustersim chart results/publisher-crash", "clustersim chart results/publisher-crash --svg"],
        "merge" => &[
            "clustersim merge shards/s0 shards/s1 shards/s2 shards/s3 --out results/year",
            "clustersim merge shards/s* --out results/year --no-charts",
        ],
        "schema" => &[
            "clustersim schema > schema/scenario.schema.json",
            "clustersim schema > scenario.schema.json && check-jsonschema --schemafile scenario.schema.json scenarios/*.yaml",
        ],
        "completions" => &[
            "clustersim completions bash > ~/.local/share/bash-completion/completions/clustersim",
            "clustersim completions zsh > ~/.zfunc/_clustersim",
            "clustersim completions fish > ~/.config/fish/completions/clustersim.fish",
        ],
        "man" => &["clustersim man ~/.local/share/man/man1", "clustersim man target/man"],
        _ => &[],
    }
}

fn examples_help(subcommand: &str) -> String {
    let lines: Vec<String> = examples(subcommand).iter().map(|e| format!("  {e}")).collect();
    format!("Examples:\n{}", lines.join("\n"))
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

fn trace_name(t: TraceChoice) -> &'static str {
    match t {
        TraceChoice::First => "first",
        TraceChoice::All => "all",
        TraceChoice::None => "none",
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
    #[arg(long, default_value_t = size::DEFAULT_MIN)]
    pub min: u64,
    /// The greatest value searched.
    #[arg(long, default_value_t = size::DEFAULT_MAX)]
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

/// How a command failed: bad input (exit 2) or anything else (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Invalid(String),
    #[error("{0:#}")]
    Other(anyhow::Error),
    /// The run completed and wrote its results, but an expectation failed.
    #[error("{0}")]
    Expectation(String),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<InputError>() {
            Ok(invalid) => Failure::Invalid(invalid.0),
            Err(e) => Failure::Other(e),
        }
    }
}

impl From<experiment::RunError> for Failure {
    fn from(e: experiment::RunError) -> Self {
        if e.is_interrupt() {
            return Failure::Other(anyhow::anyhow!(
                "interrupted; nothing was written and any earlier results are untouched"
            ));
        }
        if let experiment::RunError::Limit { bound: LimitError::Events { .. }, .. } = e {
            return Failure::Other(anyhow::anyhow!(
                "{e}; raise it with --max-events if the scenario really needs more"
            ));
        }
        Failure::Other(e.into())
    }
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Invalid(_) => 2,
            Failure::Other(_) => 1,
            Failure::Expectation(_) => 3,
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
        Command::Compare(args) => compare(&args),
        Command::Sweep(args) => sweep(&args),
        Command::Size(args) => size(&args),
        Command::Merge { dirs, out, no_charts, quiet, strict } => merge(&dirs, &out, no_charts, quiet, strict),
        Command::Chart { dir, svg, quiet } => chart(&dir, svg, quiet),
        Command::Schema => print_bytes(scenario::schema::schema_text().as_bytes()),
        Command::Completions { shell } => print_bytes(&completion_script(shell)),
        Command::Man { dir } => man(&dir),
    }
}

fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes).and_then(|()| stdout.flush()).context("cannot write to standard output")?;
    Ok(())
}

/// The completion script of `shell` for the whole command line.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = vec![];
    clap_complete::generate(shell, &mut Cli::command(), "clustersim", &mut script);
    script
}

/// The man pages, by file name: `clustersim.1`, then `clustersim-SUB.1` for
/// each subcommand, each ending with the subcommand's examples.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build(); // names the subcommands `clustersim-run` and so on
    let mut pages = vec![man_page(cli.clone(), &[])];
    pages.extend(cli.get_subcommands().map(|sub| man_page(sub.clone(), examples(sub.get_name()))));
    pages
}

/// One man page: clap_mangen's sections, with an EXAMPLES section (instead
/// of its EXTRA, which would repeat the help's examples) before VERSION.
fn man_page(command: clap::Command, examples: &[&str]) -> (String, Vec<u8>) {
    let has_options = command.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = command.has_subcommands();
    let source = format!("clustersim {}", env!("CARGO_PKG_VERSION"));
    let page = clap_mangen::Man::new(command.after_help(None::<&str>)).source(source);
    let render = |roff: &mut Vec<u8>| -> std::io::Result<()> {
        page.render_title(roff)?;
        page.render_name_section(roff)?;
        page.render_synopsis_section(roff)?;
        page.render_description_section(roff)?;
        if has_options {
            page.render_options_section(roff)?;
        }
        if has_subcommands {
            page.render_subcommands_section(roff)?;
        }
        roff.extend(examples_section(examples).into_bytes());
        page.render_version_section(roff)
    };
    let mut roff = vec![];
    render(&mut roff).expect("writing to memory cannot fail");
    (page.get_filename(), roff)
}

fn examples_section(examples: &[&str]) -> String {
    if examples.is_empty() {
        return String::new();
    }
    let mut section = roff::Roff::new();
    section.control("SH", ["EXAMPLES"]);
    for example in examples {
        section.control("PP", []).control("nf", []).text([roff::roman(*example)]).control("fi", []);
    }
    section.to_roff()
}

fn man(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, page) in man_pages() {
        let path = dir.join(&name);
        std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", display_path(&path));
    }
    Ok(())
}

/// The scenario's seed, replications, duration and warm-up.
fn basics(s: &Scenario) -> (u64, u64, Time, Time) {
    let (seed, replications) = s.seed_and_replications();
    let (duration, warmup) = s.duration_and_warmup();
    (seed, replications, duration.as_us(), warmup.as_us())
}

fn options(common: &Common) -> RunOptions {
    let mut options = RunOptions { check_invariants: common.check_invariants, ..RunOptions::default() };
    if let Some(max) = common.max_events {
        options.max_events = max;
    }
    if common.keepalive_messages {
        options.keepalive = KeepaliveMode::Messages;
    }
    options
}

/// Refuses a command whose replications (times `copies` strategies or grid
/// points) would expect more calls than one invocation can simulate in hours.
fn check_work(scenario: &Scenario, replications: u64, copies: usize) -> Result<(), Failure> {
    let calls = scenario.expected_work() * replications as f64 * copies as f64;
    if calls > scenario::MAX_CALLS_PER_RUN {
        return Err(Failure::Invalid(format!(
            "{}: {replications} replication(s){} expect about {calls:.2e} calls, above the limit of {:.0e} per \
             invocation; use fewer replications (or a lower --max-replications) or split the run with --shard K/N",
            scenario.name(),
            if copies > 1 { format!(" × {copies}") } else { String::new() },
            scenario::MAX_CALLS_PER_RUN
        )));
    }
    Ok(())
}

/// The most replications `spec` may run: its count, or with `--precision`
/// the last total of the batch sequence.
fn most_replications(spec: &RunSpec) -> u64 {
    match &spec.precision {
        Some(goal) => precision::totals(spec.count, goal.max).last().copied().unwrap_or(spec.count),
        None => spec.count,
    }
}

/// The `--precision` goal, its metrics checked against the scenario's kind.
fn precision_goal(common: &Common, kind: Kind) -> Result<Option<Goal>, Failure> {
    if common.precision.is_empty() {
        return Ok(None);
    }
    precision::check_metrics(&common.precision, kind).map_err(|e| Failure::Invalid(format!("--precision: {e}")))?;
    let max = common.max_replications.unwrap_or(precision::DEFAULT_MAX_REPLICATIONS);
    Ok(Some(Goal { targets: common.precision.clone(), max }))
}

/// The run spec of `scenario` under the common options, untraced, all replications.
fn spec(scenario: Scenario, common: &Common) -> Result<RunSpec, Failure> {
    let (seed, replications, ..) = basics(&scenario);
    let precision = precision_goal(common, Kind::of(&scenario))?;
    Ok(RunSpec {
        scenario,
        seed: common.seed.unwrap_or(seed),
        first: 0,
        count: common.replications.unwrap_or(replications),
        trace: TraceChoice::None,
        threads: common.threads.map(usize::from),
        options: options(common),
        precision,
    })
}

/// Each output's expectations judged (its scenario's `expect:`), with the
/// label columns that say which strategy or grid point it is.
fn judge(labels: Vec<String>, runs: &[(Vec<String>, &Scenario, &RunOutput)]) -> Judgement {
    let rows = runs
        .iter()
        .flat_map(|(values, scenario, output)| {
            let judged = expect::judge_all(scenario.expectations(), &output.summary());
            judged.into_iter().map(move |j| (values.clone(), j))
        })
        .collect();
    Judgement { labels, rows }
}

/// The end every results-writing command shares: `expectations.csv` (when
/// the scenario expects anything), the charts and the report, then the folder in place.
fn conclude(staging: Staging, judgement: &Judgement, no_charts: bool) -> Result<PathBuf, Failure> {
    write_judgement(&staging, judgement)?;
    if !no_charts {
        charts::draw_dir(staging.dir(), ChartFormat::Png)?;
        report::html::write(staging.dir())?;
    }
    Ok(staging.commit()?)
}

/// `expectations.csv`, when the scenario expects anything.
fn write_judgement(staging: &Staging, judgement: &Judgement) -> anyhow::Result<()> {
    if judgement.rows.is_empty() {
        return Ok(());
    }
    decisions::write_expectations_csv(&staging.path("expectations.csv"), judgement)
}

/// Prints the verdicts and turns them into the exit status: 3 when an
/// expectation fails, or is unsure under `--strict`.
fn verdicts(judgement: &Judgement, strict: bool, quiet: bool) -> Result<(), Failure> {
    if judgement.rows.is_empty() {
        return Ok(());
    }
    if !quiet {
        print!("{}", judgement.table());
    }
    for row in judgement.with(Verdict::Unsure) {
        eprintln!(
            "warning: expectation unsure, the 95% interval crosses the bound (more replications or --precision \
             may settle it): {}",
            judgement.describe(row)
        );
    }
    let failed: Vec<String> = judgement.with(Verdict::Fails).map(|r| judgement.describe(r)).collect();
    let unsure = judgement.with(Verdict::Unsure).count();
    if !failed.is_empty() {
        let more = if failed.len() > 1 { format!(" (and {} more)", failed.len() - 1) } else { String::new() };
        return Err(Failure::Expectation(format!(
            "{} expectation(s) fail: {}{more}; the results are written",
            failed.len(),
            failed[0]
        )));
    }
    if strict && unsure > 0 {
        return Err(Failure::Expectation(format!(
            "{unsure} expectation(s) unsure under --strict; the results are written"
        )));
    }
    Ok(())
}

/// ", stopped by precision after N" when `--precision` chose the count.
fn stopped_words(output: &RunOutput) -> String {
    match output.stopped {
        Some(precision::Stopped::Precision) => ", --precision met".into(),
        Some(precision::Stopped::MaxReplications) => ", --precision not met by --max-replications".into(),
        None => String::new(),
    }
}

fn run(args: &RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let name = scenario.name().to_string();
    let (_, _, duration, warmup) = basics(&scenario);
    let mut spec = spec(scenario, &args.common)?;
    spec.trace = args.trace.into();
    let total = spec.count;
    if let Some(shard) = args.shard {
        check_work(&spec.scenario, shard.range(total).1, 1)?;
        if shard.count > total {
            return Err(Failure::Invalid(format!(
                "--shard {}/{}: more shards than the {total} replications",
                shard.index, shard.count
            )));
        }
        (spec.first, spec.count) = shard.range(total);
    } else {
        check_work(&spec.scenario, most_replications(&spec), 1)?;
    }
    let default_out = match args.shard {
        Some(s) => format!("{name}.shard-{}-of-{}", s.index, s.count),
        None => name.clone(),
    };
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(default_out));
    // Stage first: a folder we must not replace is an error before any work.
    let staging = Staging::new(&out)?;
    let spool = Spool::new(staging.dir());
    let progress = Progress::new(spec.count, "replications", args.common.quiet);
    let output = experiment::run(&spec, &progress, &spool)?;
    progress.finish();
    let info = RunInfo {
        scenario: &name,
        kind: Kind::of(&spec.scenario),
        seed: spec.seed,
        duration,
        warmup,
        window: spec.scenario.window(),
    };
    write_run(&staging, &info, &output)?;
    if spec.trace != TraceChoice::None {
        spool.finish(matches!(spec.scenario, Scenario::Voice(_)))?;
    }
    // A shard's replications are a part: its merge judges the whole.
    let judgement = match args.shard {
        Some(_) => Judgement::default(),
        None => judge(vec![], &[(vec![], &spec.scenario, &output)]),
    };
    write_judgement(&staging, &judgement)?;
    if !args.no_charts {
        charts::draw_dir(staging.dir(), ChartFormat::Png)?;
        report::html::write(staging.dir())?;
    }
    if let Some(shard) = args.shard {
        // Last, so that it records every file the shard holds.
        let shard_info = ShardInfo {
            format: SHARD_FORMAT,
            scenario_name: name.clone(),
            seed: spec.seed,
            replications: total,
            shard,
            duration_us: duration.as_us(),
            warmup_us: warmup.as_us(),
            trace: trace_name(spec.trace).into(),
            scenario: spec.scenario.to_json(),
            files: report::merge::file_checks(staging.dir())?,
        };
        report::merge::write_shard_json(&staging.path(report::merge::SHARD_JSON), &shard_info)?;
    }
    let written = staging.commit()?;
    if !args.common.quiet {
        let what = match args.shard {
            Some(s) => {
                format!("shard {}/{} (replications {}..{})", s.index, s.count, spec.first, spec.first + spec.count)
            }
            None => format!("{} replication(s){}", output.replications.len(), stopped_words(&output)),
        };
        println!("{name}: {what}, seed {}, results in {}", spec.seed, display_path(&written));
        print!("{}", report::summary_table(&output));
    }
    verdicts(&judgement, args.strict, args.common.quiet)
}

/// The files of a run (or of a merge, which must write the same bytes).
fn write_run(staging: &Staging, info: &RunInfo, output: &RunOutput) -> anyhow::Result<()> {
    report::write_summary_json(&staging.path("summary.json"), info, output)?;
    report::write_replications_csv(&staging.path("replications.csv"), output)?;
    Ok(())
}

fn metrics_to_print(requested: &Option<Vec<String>>, known: &[&'static str]) -> Result<Vec<&'static str>, Failure> {
    let Some(names) = requested else {
        return Ok(HEADLINE.iter().filter_map(|h| known.iter().find(|k| *k == h).copied()).collect());
    };
    names
        .iter()
        .map(|n| {
            known.iter().find(|k| *k == n).copied().ok_or_else(|| {
                Failure::Invalid(format!("--metrics: unknown metric `{n}`; metrics are {}", known.join(", ")))
            })
        })
        .collect()
}

/// Every point of the grid of `axes` over the scenario file, validated.
fn grid_points(path: &Path, axes: &[Axis]) -> Result<Vec<sweep::Point>, Failure> {
    let file = path.display().to_string();
    let text = scenario::read_text(path)?;
    sweep::points(&file, &scenario::stem_of(path), &text, axes).map_err(|e| match e {
        GridError::Scenario(e) => Failure::Invalid(e.to_string()),
        GridError::Grid(message) => Failure::Invalid(format!("--set: {message}")),
    })
}

/// The strategies of `compare` and `size`: values of keys (`--set`, and by
/// default for persistent_chat scenarios), else integrations.
fn strategies_of(
    path: &Path,
    scenario: &Scenario,
    set: &[Axis],
    integrations: Option<&[String]>,
) -> Result<Vec<Strategy>, Failure> {
    let chat_default = compare::default_chat_axes();
    let axes = match (scenario, set.is_empty(), integrations) {
        (_, false, _) => Some(set),
        (Scenario::Chat(_), true, None) => Some(chat_default.as_slice()),
        _ => None,
    };
    match axes {
        Some(axes) => Ok(compare::from_points(axes, grid_points(path, axes)?)),
        None => {
            compare::strategies(scenario, integrations).map_err(|e| Failure::Invalid(format!("--integrations: {e}")))
        }
    }
}

fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let name = scenario.name().to_string();
    let strategies = strategies_of(&args.scenario, &scenario, &args.set, args.integrations.as_deref())?;
    let known = experiment::metric_names(&scenario);
    let printed = metrics_to_print(&args.metrics, &known)?;
    let template = spec(scenario, &args.common)?;
    check_work(&template.scenario, most_replications(&template), strategies.len())?;
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(format!("{name}-compare")));
    let staging = Staging::new(&out)?;
    let progress = Progress::new(template.count * strategies.len() as u64, "replications", args.common.quiet);
    let comparison: Comparison = compare::run(&strategies, &template, &progress)?;
    progress.finish();
    tables::write_comparison_csv(&staging.path("comparison.csv"), &comparison)?;
    let runs: Vec<_> =
        strategies.iter().zip(&comparison.outputs).map(|(s, o)| (vec![s.name.clone()], &s.scenario, o)).collect();
    let judgement = judge(vec!["strategy".into()], &runs);
    let written = conclude(staging, &judgement, args.no_charts)?;
    if !args.common.quiet {
        println!(
            "{name}: {} strategies × {} replication(s){}, seed {}, common random numbers; results in {}",
            strategies.len(),
            comparison.outputs[0].replications.len(),
            stopped_words(&comparison.outputs[0]),
            template.seed,
            display_path(&written)
        );
        print!("{}", tables::comparison_table(&comparison, &printed));
    }
    verdicts(&judgement, args.strict, args.common.quiet)
}

fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    // Load once for the file's own errors, its name and its defaults.
    let base = scenario::load(&args.scenario)?;
    let points = grid_points(&args.scenario, &args.set)?;
    let name = base.name().to_string();
    let known = experiment::metric_names(&base);
    let printed = metrics_to_print(&args.metrics, &known)?;
    let template = spec(base, &args.common)?;
    for point in &points {
        check_work(&point.scenario, most_replications(&template), points.len())?;
    }
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(format!("{name}-sweep")));
    let staging = Staging::new(&out)?;
    let progress = Progress::new(template.count * points.len() as u64, "replications", args.common.quiet);
    let outputs = sweep::run(&points, &template, &progress)?;
    progress.finish();
    tables::write_sweep_csv(&staging.path("sweep.csv"), &args.set, &points, &outputs)?;
    let runs: Vec<_> = points.iter().zip(&outputs).map(|(p, o)| (p.values.clone(), &p.scenario, o)).collect();
    let judgement = judge(args.set.iter().map(|a| a.key.clone()).collect(), &runs);
    let written = conclude(staging, &judgement, args.no_charts)?;
    if !args.common.quiet {
        println!(
            "{name}: {} grid point(s) × {} replication(s){}, seed {}; results in {}",
            points.len(),
            outputs[0].replications.len(),
            stopped_words(&outputs[0]),
            template.seed,
            display_path(&written)
        );
        print!("{}", tables::sweep_table(&args.set, &points, &outputs, &printed));
    }
    verdicts(&judgement, args.strict, args.common.quiet)
}

/// The scenario with the integer `key` at `value` (one candidate of `size`).
fn with_key(scenario: &Scenario, key: &str, value: u64) -> Result<Scenario, Failure> {
    Ok(scenario.with_value(&format!("--key {key}={value}"), key, serde_yaml::Value::Number(value.into()))?)
}

fn size(args: &SizeArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let name = scenario.name().to_string();
    size::check_targets(&args.targets, Kind::of(&scenario)).map_err(|e| Failure::Invalid(format!("--target: {e}")))?;
    sweep::check_parameter(&args.key).map_err(|e| Failure::Invalid(format!("--key: {e}")))?;
    if args.min > args.max {
        return Err(Failure::Invalid(format!("--min {} is above --max {}", args.min, args.max)));
    }
    let strategies = strategies_of(&args.scenario, &scenario, &args.set, args.integrations.as_deref())?;
    // Both ends of the range must be valid for every strategy: a key that is
    // not an integer, or a range the scenario refuses, fails here, before any work.
    for strategy in &strategies {
        for value in [args.min, args.max] {
            with_key(&strategy.scenario, &args.key, value)?;
        }
    }
    let textbook = size::textbook_ports(&scenario, &args.targets).filter(|_| args.key == "phone_system.ports");
    let template = spec(scenario, &args.common)?;
    check_work(&template.scenario, most_replications(&template), strategies.len())?;
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(format!("{name}-size")));
    let staging = Staging::new(&out)?;
    let progress = Progress::new(0, "replications", args.common.quiet);
    let range = (args.min, args.max);
    let sizings = strategies
        .iter()
        .map(|strategy| {
            size::search(&strategy.name, &args.key, range, &args.targets, |value| {
                let candidate = with_key(&strategy.scenario, &args.key, value)?;
                progress.grow(template.count);
                let mut outputs = experiment::run_all(&[candidate], &template, &progress)?;
                Ok::<_, Failure>(outputs.remove(0))
            })
        })
        .collect::<Result<Vec<Sizing>, Failure>>()?;
    progress.finish();
    decisions::write_sizing_csv(&staging.path("sizing.csv"), &args.key, &args.targets, &sizings)?;
    decisions::write_sizing_json(&staging.path("sizing.json"), &args.key, &args.targets, &sizings, textbook)?;
    let written = conclude(staging, &Judgement::default(), args.no_charts)?;
    if !args.common.quiet {
        let evaluated: usize = sizings.iter().map(|s| s.candidates.len()).sum();
        println!(
            "{name}: {} strategies, {evaluated} values of {} evaluated{}, seed {}, common random numbers; results in {}",
            strategies.len(),
            args.key,
            match &template.precision {
                Some(_) => " (replications by --precision)".to_string(),
                None => format!(" × {} replication(s)", template.count),
            },
            template.seed,
            display_path(&written)
        );
        print!("{}", decisions::sizing_table(&args.key, &args.targets, &sizings, textbook));
    }
    for warning in sizings.iter().flat_map(|s| s.warnings.iter().map(move |w| (&s.strategy, w))) {
        eprintln!("warning: {}: {}", warning.0, warning.1);
    }
    Ok(())
}

/// Refuses an `--out` that is one of the shards or holds one: the merge
/// would replace it.
fn check_merge_out(dirs: &[PathBuf], out: &Path) -> Result<(), Failure> {
    let Ok(out_real) = std::fs::canonicalize(out) else { return Ok(()) };
    for dir in dirs {
        if let Ok(dir_real) = std::fs::canonicalize(dir)
            && dir_real.starts_with(&out_real)
        {
            let what = if dir_real == out_real { "is" } else { "holds" };
            return Err(Failure::Invalid(format!(
                "--out {} {what} the shard {}, which the merge would replace; choose another folder",
                out.display(),
                dir.display()
            )));
        }
    }
    Ok(())
}

fn merge(dirs: &[PathBuf], out: &Path, no_charts: bool, quiet: bool, strict: bool) -> Result<(), Failure> {
    check_merge_out(dirs, out)?;
    let staging = Staging::new(out)?;
    let merged = report::merge::merge(dirs, staging.dir())?;
    let scenario = merged.info.scenario().map_err(|e| {
        Failure::Invalid(format!("{}: the scenario it records is not valid: {e}", dirs[0].join("shard.json").display()))
    })?;
    let known: Vec<&'static str> =
        crate::model::metrics::Metric::ALL.iter().map(|m| m.name()).chain(crate::model::chat::METRICS).collect();
    let output = merged.output(&known)?;
    let info = RunInfo {
        scenario: &merged.info.scenario_name,
        kind: merged.info.kind(),
        seed: merged.info.seed,
        duration: Time::from_us(merged.info.duration_us),
        warmup: Time::from_us(merged.info.warmup_us),
        window: scenario.window(),
    };
    write_run(&staging, &info, &output)?;
    let judgement = judge(vec![], &[(vec![], &scenario, &output)]);
    let written = conclude(staging, &judgement, no_charts)?;
    if !quiet {
        println!(
            "{}: {} shard(s) merged, {} replication(s), seed {}, results in {}",
            info.scenario,
            dirs.len(),
            output.replications.len(),
            info.seed,
            display_path(&written)
        );
        print!("{}", report::summary_table(&output));
    }
    verdicts(&judgement, strict, quiet)
}

/// Redraws a results folder's charts from its data files alone.
fn chart(dir: &Path, svg: bool, quiet: bool) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(Failure::Invalid(format!("{} is not a results folder", dir.display())));
    }
    let format = if svg { ChartFormat::Svg } else { ChartFormat::Png };
    let mut drawn = charts::draw_dir(dir, format)?;
    if drawn.is_empty() {
        return Err(Failure::Invalid(format!("{} has no data files to draw charts from", dir.display())));
    }
    drawn.push(report::html::write(dir)?);
    for path in drawn.iter().filter(|_| !quiet) {
        println!("{}", display_path(path));
    }
    Ok(())
}

fn plural_warnings(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    }
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
        match scenario::load_with_warnings(path) {
            Ok((s, warnings)) => {
                println!("ok: {} ({}){}", path.display(), s.name(), plural_warnings(warnings.len()));
                for w in warnings {
                    eprintln!("warning: {w}");
                }
            }
            // One file: its error is the one line (main prints it).
            Err(e) if paths.len() == 1 => return Err(Failure::Invalid(e.to_string())),
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
