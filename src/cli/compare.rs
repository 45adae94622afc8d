//! `compare`: one scenario under several strategies, with common random numbers.

use super::ending::{self, Ending, Judged, stopped_words};
use super::{CompareArgs, Failure, setup};
use crate::experiment::compare::{self, Comparison};
use crate::experiment::work::check_work;
use crate::experiment::{self};
use crate::report::experiments as tables;
use crate::report::progress::Progress;
use crate::report::staging::Staging;
use crate::scenario;
use std::path::Path;

pub(super) fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let name = scenario.name().to_string();
    let strategies = setup::strategies_of(&args.scenario, &scenario, &args.set, args.integrations.as_deref())?;
    let known = experiment::metric_names(&scenario);
    let printed = setup::metrics_to_print(&args.metrics, &known)?;
    let template = setup::spec(scenario, &args.common)?;
    check_work(&template.scenario, template.most_replications(), strategies.len())?;
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(format!("{name}-compare")));
    let staging = Staging::new(&out)?;
    let progress = Progress::new(template.count * strategies.len() as u64, "replications", args.common.quiet);
    let comparison: Comparison = compare::run(&strategies, &template, &progress)?;
    progress.finish();
    tables::write_comparison_csv(&staging.path("comparison.csv"), &comparison)?;
    let runs: Vec<Judged> = strategies
        .iter()
        .zip(&comparison.outputs)
        .map(|(s, output)| Judged { values: vec![s.name.clone()], scenario: &s.scenario, output })
        .collect();
    let judgement = ending::judge(vec!["strategy".into()], &runs);
    let ending =
        Ending { judgement, no_charts: args.no_charts, quiet: args.common.quiet, strict: args.strict, shard: None };
    ending::finish(staging, ending, |written| {
        let first = &comparison.outputs[0];
        format!(
            "{name}: {} strategies × {} replication(s){}, seed {}, common random numbers; results in {written}\n{}",
            strategies.len(),
            first.replications.len(),
            stopped_words(first),
            template.seed,
            tables::comparison_table(&comparison, &printed)
        )
    })
}
