//! `compare`: one scenario under several port-allocation strategies, with
//! common random numbers (the same master seed, so replication i of every
//! strategy sees the same calls and the same faults) and paired differences
//! from the first strategy.

use super::{RunError, RunOutput, RunSpec, Stat, stats};
use crate::scenario::{Integration, PhoneSystem, Scenario};

/// The name of the scenario's own phone system as a strategy.
pub const CUSTOM: &str = "custom";

/// A named strategy: the scenario with its phone system replaced.
#[derive(Debug, Clone)]
pub struct Strategy {
    pub name: String,
    pub scenario: Scenario,
}

fn has_custom(p: &PhoneSystem) -> bool {
    p.allocation.is_some() || p.routing.is_some()
}

/// The strategies named in `names`; by default the four presets, then the
/// scenario's own custom allocation or routing, if it has one, as `custom`.
/// A preset keeps the scenario's `ports`, `overflow` and `dead_server_detect`.
pub fn strategies(base: &Scenario, names: Option<&[String]>) -> Result<Vec<Strategy>, String> {
    let Scenario::Voice(voice) = base else {
        return Err("integrations are strategies of voice_messaging scenarios; compare others with --set".into());
    };
    let phone = &voice.phone_system;
    let default: Vec<String> = Integration::ALL
        .iter()
        .map(|i| i.as_str().to_string())
        .chain(has_custom(phone).then(|| CUSTOM.to_string()))
        .collect();
    let names = names.map(|n| n.to_vec()).unwrap_or(default);
    let mut out: Vec<Strategy> = vec![];
    for name in names {
        if out.iter().any(|s| s.name == name) {
            return Err(format!("strategy `{name}` is named twice"));
        }
        let phone_system = if name == CUSTOM {
            if !has_custom(phone) {
                return Err(
                    "strategy `custom` needs an `allocation` or `routing` in the scenario's phone_system".into()
                );
            }
            phone.clone()
        } else {
            let integration = Integration::parse(&name).ok_or_else(|| {
                format!("unknown strategy `{name}`; strategies are sccp, sip_trunk, pimg_timg, sip_other and custom")
            })?;
            PhoneSystem { integration, allocation: None, routing: None, ..phone.clone() }
        };
        let mut scenario = voice.clone();
        scenario.phone_system = phone_system;
        out.push(Strategy { name, scenario: Scenario::Voice(scenario) });
    }
    if out.is_empty() {
        return Err("no strategy to compare".into());
    }
    Ok(out)
}

/// Strategies from grid points (`--set KEY=V1,V2,...`), each named by its
/// key=value pairs.
pub fn from_points(axes: &[super::sweep::Axis], points: Vec<super::sweep::Point>) -> Vec<Strategy> {
    points
        .into_iter()
        .map(|p| {
            let name = axes.iter().zip(&p.values).map(|(a, v)| format!("{}={v}", a.key)).collect::<Vec<_>>().join(",");
            Strategy { name, scenario: p.scenario }
        })
        .collect()
}

/// What a persistent_chat comparison compares by default: log backup intervals.
pub fn default_chat_axes() -> Vec<super::sweep::Axis> {
    vec![super::sweep::Axis {
        key: "log_shipping.backup_interval".into(),
        values: ["5m", "15m", "30m"].map(String::from).to_vec(),
    }]
}

/// The outputs of every strategy, over the same replications.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub strategies: Vec<String>,
    pub outputs: Vec<RunOutput>,
}

/// One row of `comparison.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub strategy: String,
    pub metric: &'static str,
    pub stat: Stat,
    /// The paired difference from the first strategy.
    pub diff: Stat,
}

impl Comparison {
    pub fn rows(&self) -> Vec<Row> {
        let first = &self.outputs[0];
        let mut rows = vec![];
        for (name, output) in self.strategies.iter().zip(&self.outputs) {
            for (column, metric) in output.metric_names.iter().enumerate() {
                let values = output.column(column);
                rows.push(Row {
                    strategy: name.clone(),
                    metric,
                    stat: stats::summarize(&values),
                    diff: stats::paired_difference(&first.column(column), &values),
                });
            }
        }
        rows
    }
}

/// Runs every strategy over replications `template.first ..`.
pub fn run(strategies: &[Strategy], template: &RunSpec, progress: super::Progress) -> Result<Comparison, RunError> {
    let scenarios: Vec<Scenario> = strategies.iter().map(|s| s.scenario.clone()).collect();
    let outputs = super::run_all(&scenarios, template, progress)?;
    Ok(Comparison { strategies: strategies.iter().map(|s| s.name.clone()).collect(), outputs })
}
