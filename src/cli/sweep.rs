//! `sweep`: one scenario over a grid of values of its keys.

use super::ending::{self, Ending, Judged, stopped_words};
use super::{Failure, SweepArgs, setup};
use crate::experiment::work::check_work;
use crate::experiment::{self, sweep};
use crate::report::experiments as tables;
use crate::report::progress::Progress;
use crate::report::staging::Staging;
use crate::scenario;
use std::path::Path;

pub(super) fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    // Load once for the file's own errors, its name and its defaults.
    let base = scenario::load(&args.scenario)?;
    let points = setup::grid_points(&args.scenario, &args.set)?;
    let name = base.name().to_string();
    let known = experiment::metric_names(&base);
    let printed = setup::metrics_to_print(&args.metrics, &known)?;
    let template = setup::spec(base, &args.common)?;
    for point in &points {
        check_work(&point.scenario, template.most_replications(), points.len())?;
    }
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(format!("{name}-sweep")));
    let staging = Staging::new(&out)?;
    let progress = Progress::new(template.count * points.len() as u64, "replications", args.common.quiet);
    let outputs = sweep::run(&points, &template, &progress)?;
    progress.finish();
    tables::write_sweep_csv(&staging.path("sweep.csv"), &args.set, &points, &outputs)?;
    let runs: Vec<Judged> = points
        .iter()
        .zip(&outputs)
        .map(|(p, output)| Judged { values: p.values.clone(), scenario: &p.scenario, output })
        .collect();
    let judgement = ending::judge(args.set.iter().map(|a| a.key.clone()).collect(), &runs);
    let ending =
        Ending { judgement, no_charts: args.no_charts, quiet: args.common.quiet, strict: args.strict, shard: None };
    ending::finish(staging, ending, |written| {
        format!(
            "{name}: {} grid point(s) × {} replication(s){}, seed {}; results in {written}\n{}",
            points.len(),
            outputs[0].replications.len(),
            stopped_words(&outputs[0]),
            template.seed,
            tables::sweep_table(&args.set, &points, &outputs, &printed)
        )
    })
}
