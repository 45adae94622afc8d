//! `run`: one scenario's replications, or one shard of them.

use super::ending::{self, Ending, Judged, stopped_words, write_run};
use super::{Failure, RunArgs, setup};
use crate::experiment::shard::{Shard, ShardInfo};
use crate::experiment::work::check_work;
use crate::experiment::{self, RunOutput, RunSpec, TraceChoice};
use crate::model::Kind;
use crate::report::decisions::Judgement;
use crate::report::progress::Progress;
use crate::report::staging::Staging;
use crate::report::traces::Spool;
use crate::report::{self, RunInfo};
use crate::scenario::{self, Scenario};
use std::path::{Path, PathBuf};

pub(super) fn run(args: &RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let name = scenario.name().to_string();
    let (duration, warmup) = scenario.duration_and_warmup();
    let mut spec = setup::spec(scenario, &args.common)?;
    spec.trace = args.trace.into();
    let total = spec.count;
    narrow_to(&mut spec, args.shard)?;
    let out = args.common.out.clone().unwrap_or_else(|| default_out(&name, args.shard));
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
        duration: duration.as_us(),
        warmup: warmup.as_us(),
        window: spec.scenario.window(),
    };
    write_run(&staging, &info, &output)?;
    if spec.trace != TraceChoice::None {
        spool.finish(matches!(spec.scenario, Scenario::Voice(_)))?;
    }
    // A shard's replications are a part: its merge judges the whole.
    let judgement = match args.shard {
        Some(_) => Judgement::default(),
        None => ending::judge(vec![], &[Judged { values: vec![], scenario: &spec.scenario, output: &output }]),
    };
    let shard = args.shard.map(|shard| ShardInfo::of(&spec, total, shard));
    let ending = Ending { judgement, no_charts: args.no_charts, quiet: args.common.quiet, strict: args.strict, shard };
    ending::finish(staging, ending, |written| {
        let what = replications_words(&spec, args.shard, &output);
        format!("{name}: {what}, seed {}, results in {written}\n{}", spec.seed, report::summary_table(&output))
    })
}

/// Where a run writes without `--out`: `results/NAME`, or for a shard
/// `results/NAME.shard-K-of-N`.
fn default_out(name: &str, shard: Option<Shard>) -> PathBuf {
    let folder = match shard {
        Some(s) => format!("{name}.shard-{}-of-{}", s.index, s.count),
        None => name.to_string(),
    };
    Path::new("results").join(folder)
}

/// Which replications ran, for the headline.
fn replications_words(spec: &RunSpec, shard: Option<Shard>, output: &RunOutput) -> String {
    match shard {
        Some(s) => format!("shard {}/{} (replications {}..{})", s.index, s.count, spec.first, spec.first + spec.count),
        None => format!("{} replication(s){}", output.replications.len(), stopped_words(output)),
    }
}

/// Narrows `spec` to the replications of `shard` (all of them for none),
/// once they are within the work limit.
fn narrow_to(spec: &mut RunSpec, shard: Option<Shard>) -> Result<(), Failure> {
    let Some(shard) = shard else {
        return Ok(check_work(&spec.scenario, spec.most_replications(), 1)?);
    };
    let total = spec.count;
    check_work(&spec.scenario, shard.range(total).1, 1)?;
    if shard.count > total {
        return Err(Failure::Invalid(format!(
            "--shard {}/{}: more shards than the {total} replications",
            shard.index, shard.count
        )));
    }
    (spec.first, spec.count) = shard.range(total);
    Ok(())
}
