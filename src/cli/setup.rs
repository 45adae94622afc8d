//! What the simulating commands share before they run: the run spec from
//! the scenario and the common options, the metrics a table prints, the
//! grid of `--set` and the strategies of `compare` and `size`.

use super::{Common, Failure};
use crate::experiment::compare::{self, Strategy};
use crate::experiment::precision::{self, Goal};
use crate::experiment::sweep::{self, Axis, GridError};
use crate::experiment::{RunSpec, TraceChoice};
use crate::metrics;
use crate::model::{KeepaliveMode, Kind, RunOptions};
use crate::scenario::{self, Scenario};
use std::path::Path;

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
pub(super) fn spec(scenario: Scenario, common: &Common) -> Result<RunSpec, Failure> {
    let precision = precision_goal(common, Kind::of(&scenario))?;
    Ok(RunSpec {
        seed: common.seed.unwrap_or(scenario.seed()),
        first: 0,
        count: common.replications.unwrap_or(scenario.replications()),
        scenario,
        trace: TraceChoice::None,
        threads: common.threads.map(usize::from),
        options: options(common),
        precision,
    })
}

/// The metrics a table prints: those of `--metrics`, each one of `known`,
/// else the headline metrics among `known`.
pub(super) fn metrics_to_print(
    requested: &Option<Vec<String>>,
    known: &[&'static str],
) -> Result<Vec<&'static str>, Failure> {
    let Some(names) = requested else {
        return Ok(metrics::headline(known));
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
pub(super) fn grid_points(path: &Path, axes: &[Axis]) -> Result<Vec<sweep::Point>, Failure> {
    let file = path.display().to_string();
    let text = scenario::read_text(path)?;
    sweep::points(&file, &scenario::stem_of(path), &text, axes).map_err(|e| match e {
        GridError::Scenario(e) => Failure::Invalid(e.to_string()),
        GridError::Grid(message) => Failure::Invalid(format!("--set: {message}")),
    })
}

/// The strategies of `compare` and `size`: values of keys (`--set`, and by
/// default for persistent_chat scenarios), else integrations.
pub(super) fn strategies_of(
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
