//! `size`: per strategy, the least value of an integer key (ports by
//! default) that meets the targets.

use super::ending::{self, Ending};
use super::{Failure, SizeArgs, setup};
use crate::experiment::compare::Strategy;
use crate::experiment::size::{self, Sizing};
use crate::experiment::sweep;
use crate::experiment::work::check_work;
use crate::experiment::{self, RunSpec};
use crate::model::Kind;
use crate::report::decisions::{self, Judgement};
use crate::report::progress::Progress;
use crate::report::staging::Staging;
use crate::scenario::{self, Scenario};
use std::path::Path;

/// The scenario with the integer `key` at `value` (one candidate of `size`).
fn with_key(scenario: &Scenario, key: &str, value: u64) -> Result<Scenario, Failure> {
    Ok(scenario.with_value(&format!("--key {key}={value}"), key, serde_yaml::Value::Number(value.into()))?)
}

/// Refuses targets, key or range that cannot be searched.
fn check_search(args: &SizeArgs, kind: Kind) -> Result<(), Failure> {
    size::check_targets(&args.targets, kind).map_err(|e| Failure::Invalid(format!("--target: {e}")))?;
    sweep::check_parameter(&args.key).map_err(|e| Failure::Invalid(format!("--key: {e}")))?;
    if args.min > args.max {
        return Err(Failure::Invalid(format!("--min {} is above --max {}", args.min, args.max)));
    }
    Ok(())
}

/// Both ends of the range must be valid for every strategy: a key that is
/// not an integer, or a range the scenario refuses, fails here, before any work.
fn check_range(args: &SizeArgs, strategies: &[Strategy]) -> Result<(), Failure> {
    for strategy in strategies {
        for value in [args.min, args.max] {
            with_key(&strategy.scenario, &args.key, value)?;
        }
    }
    Ok(())
}

pub(super) fn size(args: &SizeArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let name = scenario.name().to_string();
    check_search(args, Kind::of(&scenario))?;
    let strategies = setup::strategies_of(&args.scenario, &scenario, &args.set, args.integrations.as_deref())?;
    check_range(args, &strategies)?;
    let textbook = size::textbook_ports(&scenario, &args.targets).filter(|_| args.key == "phone_system.ports");
    let template = setup::spec(scenario, &args.common)?;
    check_work(&template.scenario, template.most_replications(), strategies.len())?;
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(format!("{name}-size")));
    let staging = Staging::new(&out)?;
    let sizings = search(args, &strategies, &template)?;
    decisions::write_sizing_csv(&staging.path("sizing.csv"), &args.key, &args.targets, &sizings)?;
    decisions::write_sizing_json(&staging.path("sizing.json"), &args.key, &args.targets, &sizings, textbook)?;
    let ending = Ending {
        judgement: Judgement::default(),
        no_charts: args.no_charts,
        quiet: args.common.quiet,
        strict: false,
        shard: None,
    };
    ending::finish(staging, ending, |written| {
        let evaluated: usize = sizings.iter().map(|s| s.candidates.len()).sum();
        let replications = match &template.precision {
            Some(_) => " (replications by --precision)".to_string(),
            None => format!(" × {} replication(s)", template.count),
        };
        format!(
            "{name}: {} strategies, {evaluated} values of {} evaluated{replications}, seed {}, common random numbers; \
             results in {written}\n{}",
            strategies.len(),
            args.key,
            template.seed,
            decisions::sizing_table(&args.key, &args.targets, &sizings, textbook)
        )
    })?;
    for warning in sizings.iter().flat_map(|s| s.warnings.iter().map(move |w| (&s.strategy, w))) {
        eprintln!("warning: {}: {}", warning.0, warning.1);
    }
    Ok(())
}

/// Each strategy's search over the key's range, its candidates run with the
/// template's replications.
fn search(args: &SizeArgs, strategies: &[Strategy], template: &RunSpec) -> Result<Vec<Sizing>, Failure> {
    let progress = Progress::new(0, "replications", args.common.quiet);
    let range = (args.min, args.max);
    let sizings = strategies
        .iter()
        .map(|strategy| {
            size::search(&strategy.name, &args.key, range, &args.targets, |value| {
                let candidate = with_key(&strategy.scenario, &args.key, value)?;
                progress.grow(template.count);
                let mut outputs = experiment::run_all(&[candidate], template, &progress)?;
                Ok::<_, Failure>(outputs.remove(0))
            })
        })
        .collect::<Result<Vec<Sizing>, Failure>>()?;
    progress.finish();
    Ok(sizings)
}
