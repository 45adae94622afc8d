//! `merge`: the folders of a sharded run into the files of a single run.

use super::Failure;
use super::ending::{self, Ending, Judged, write_run};
use crate::engine::Time;
use crate::metrics;
use crate::report::staging::Staging;
use crate::report::{self, RunInfo};
use std::path::{Path, PathBuf};

/// The flags of `merge`.
pub(super) struct MergeArgs<'a> {
    pub dirs: &'a [PathBuf],
    pub out: &'a Path,
    pub no_charts: bool,
    pub quiet: bool,
    pub strict: bool,
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

pub(super) fn merge(args: MergeArgs) -> Result<(), Failure> {
    let MergeArgs { dirs, out, .. } = args;
    check_merge_out(dirs, out)?;
    let staging = Staging::new(out)?;
    let merged = report::merge::merge(dirs, staging.dir())?;
    let scenario = merged.info.scenario().map_err(|e| {
        Failure::Invalid(format!("{}: the scenario it records is not valid: {e}", dirs[0].join("shard.json").display()))
    })?;
    let output = merged.output(&metrics::every_name())?;
    let info = RunInfo {
        scenario: &merged.info.scenario_name,
        kind: merged.info.kind(),
        seed: merged.info.seed,
        duration: Time::from_us(merged.info.duration_us),
        warmup: Time::from_us(merged.info.warmup_us),
        window: scenario.window(),
    };
    write_run(&staging, &info, &output)?;
    let judgement = ending::judge(vec![], &[Judged { values: vec![], scenario: &scenario, output: &output }]);
    let ending = Ending { judgement, no_charts: args.no_charts, quiet: args.quiet, strict: args.strict, shard: None };
    ending::finish(staging, ending, |written| {
        format!(
            "{}: {} shard(s) merged, {} replication(s), seed {}, results in {written}\n{}",
            info.scenario,
            dirs.len(),
            output.replications.len(),
            info.seed,
            report::summary_table(&output)
        )
    })
}
