//! The end every results-writing command shares (run, compare, sweep, size,
//! merge): once its data files are staged, `expectations.csv`, the charts
//! and the report, `shard.json` for a shard, the folder put in place, the
//! headline and table on the terminal, and the verdicts as the exit status.

use super::{Failure, display_path};
use crate::experiment::RunOutput;
use crate::experiment::expect::{self, Verdict};
use crate::experiment::precision;
use crate::experiment::shard::ShardInfo;
use crate::report::charts::{self, ChartFormat};
use crate::report::decisions::{self, Judgement};
use crate::report::staging::Staging;
use crate::report::{self, RunInfo};
use crate::scenario::Scenario;

/// One judged run: the label values that say which strategy or grid point
/// it is (none for a single run), its scenario and its output.
pub(super) struct Judged<'a> {
    pub values: Vec<String>,
    pub scenario: &'a Scenario,
    pub output: &'a RunOutput,
}

/// Each run's expectations judged (its scenario's `expect:`), under the
/// label columns `labels`.
pub(super) fn judge(labels: Vec<String>, runs: &[Judged]) -> Judgement {
    let rows = runs
        .iter()
        .flat_map(|run| {
            let judged = expect::judge_all(run.scenario.expectations(), &run.output.summary());
            judged.into_iter().map(|j| (run.values.clone(), j))
        })
        .collect();
    Judgement { labels, rows }
}

/// How a command ends, from its flags and its results.
pub(super) struct Ending {
    pub judgement: Judgement,
    pub no_charts: bool,
    pub quiet: bool,
    /// Exit with status 3 when an expectation is unsure, not only when one fails.
    pub strict: bool,
    /// A shard's `shard.json`, to be completed with the files of the folder.
    pub shard: Option<ShardInfo>,
}

/// Ends a command whose data files are in `staging`. `words` makes the
/// headline and table printed (unless quiet) from where the results are.
pub(super) fn finish(staging: Staging, ending: Ending, words: impl FnOnce(&str) -> String) -> Result<(), Failure> {
    write_judgement(&staging, &ending.judgement)?;
    if !ending.no_charts {
        charts::draw_dir(staging.dir(), ChartFormat::Png)?;
        report::html::write(staging.dir())?;
    }
    if let Some(shard) = ending.shard {
        // Last, so that it records every file the shard holds.
        report::merge::seal_shard(staging.dir(), shard)?;
    }
    let written = staging.commit()?;
    if !ending.quiet {
        print!("{}", words(&display_path(&written)));
    }
    verdicts(&ending.judgement, ending.strict, ending.quiet)
}

/// The files of a run (or of a merge, which must write the same bytes).
pub(super) fn write_run(staging: &Staging, info: &RunInfo, output: &RunOutput) -> anyhow::Result<()> {
    report::write_summary_json(&staging.path("summary.json"), info, output)?;
    report::write_replications_csv(&staging.path("replications.csv"), output)?;
    Ok(())
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

/// ", --precision met" (or not met) when `--precision` chose the count.
pub(super) fn stopped_words(output: &RunOutput) -> String {
    match output.stopped {
        Some(precision::Stopped::Precision) => ", --precision met".into(),
        Some(precision::Stopped::MaxReplications) => ", --precision not met by --max-replications".into(),
        None => String::new(),
    }
}
