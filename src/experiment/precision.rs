//! `--precision METRIC=V|V%`: replications are added in a fixed
//! sequence of batches until every named metric's 95% half-width is at most
//! its target, or `--max-replications` is reached.
//!
//! ```text
//!   totals: n₀ = max(requested, 10), then 2n₀, 4n₀, … capped at the maximum
//!   after each batch: every metric of every output within its target? → stop
//! ```
//! The sequence depends only on the request, never on `--threads`, and
//! replication i is the same whatever batch it runs in, so a precise run is
//! byte-identical to a plain run of the replications it stopped at.

use super::{Replication, RunError, RunOutput, RunSpec, Stat, run_indices, summarize};
use crate::scenario::{Kind, Scenario};

/// The smallest first batch: fewer replications give intervals too wide to judge.
pub const MIN_FIRST_BATCH: u64 = 10;

/// The default `--max-replications`.
pub const DEFAULT_MAX_REPLICATIONS: u64 = 10_000;

/// A precision target's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The half-width at most this value, in the metric's unit.
    Absolute(f64),
    /// The half-width at most this fraction of the mean's magnitude (`5%` is 0.05).
    Relative(f64),
}

/// One `--precision METRIC=V|V%`.
#[derive(Debug, Clone, PartialEq)]
pub struct Precision {
    pub metric: String,
    pub target: Target,
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(arg: &str) -> Result<Precision, String> {
        let (metric, value) =
            arg.split_once('=').ok_or("expected METRIC=V or METRIC=V%, e.g. blocking_probability=0.001")?;
        let metric = metric.trim();
        if metric.is_empty() {
            return Err("the metric before `=` is empty".into());
        }
        let value = value.trim();
        let (number, relative) = match value.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (value, false),
        };
        let v: f64 = number.parse().map_err(|_| format!("`{value}` is not a number or a percentage"))?;
        if !v.is_finite() || v <= 0.0 {
            return Err(format!("`{value}`: a precision target must be above 0"));
        }
        let target = if relative { Target::Relative(v / 100.0) } else { Target::Absolute(v) };
        Ok(Precision { metric: metric.to_string(), target })
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.target {
            Target::Absolute(v) => write!(f, "{}={v}", self.metric),
            Target::Relative(v) => write!(f, "{}={}%", self.metric, v * 100.0),
        }
    }
}

impl Precision {
    /// The half-width this target allows for a metric with this summary.
    pub fn goal(&self, stat: &Stat) -> f64 {
        match self.target {
            Target::Absolute(v) => v,
            Target::Relative(fraction) => fraction * stat.mean.abs(),
        }
    }

    pub fn met(&self, stat: &Stat) -> bool {
        stat.ci95 <= self.goal(stat)
    }
}

/// What a precise run aims at: every target, within at most `max` replications.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub targets: Vec<Precision>,
    pub max: u64,
}

/// Checks that every target names a metric of `kind`.
pub fn check_metrics(precisions: &[Precision], kind: Kind) -> Result<(), String> {
    let names = kind.metric_names();
    for p in precisions {
        if !names.contains(&p.metric.as_str()) {
            return Err(format!(
                "`{}` is not a metric of a {} run; metrics are {}",
                p.metric,
                kind.as_str(),
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// Why a precise run stopped (`summary.json`'s `"stopped"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    Precision,
    MaxReplications,
}

impl Stopped {
    pub fn as_str(self) -> &'static str {
        match self {
            Stopped::Precision => "precision",
            Stopped::MaxReplications => "max_replications",
        }
    }
}

/// The replication totals of the batch sequence.
pub fn totals(requested: u64, max: u64) -> Vec<u64> {
    let max = max.max(1);
    let mut total = requested.max(MIN_FIRST_BATCH).min(max);
    let mut out = vec![total];
    while total < max {
        total = total.saturating_mul(2).min(max);
        out.push(total);
    }
    out
}

/// Where a precise run stands after a batch: for each target, the widest
/// half-width over the outputs and the goal it is held to there.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// Replications run so far, per scenario.
    pub replications: u64,
    /// The total after the next batch, if there is one and it is needed.
    pub next: Option<u64>,
    /// The scenarios run side by side (strategies or grid points).
    pub scenarios: usize,
    /// Per target: the metric, its widest half-width and the goal there.
    pub worst: Vec<(String, f64, f64)>,
}

/// The worst (half-width, goal) of each target over `outputs`, and whether all are met.
fn standing(precisions: &[Precision], outputs: &[RunOutput]) -> (Vec<(String, f64, f64)>, bool) {
    let mut all_met = true;
    let worst = precisions
        .iter()
        .map(|p| {
            let mut worst: Option<(f64, f64)> = None;
            for output in outputs {
                let Some(column) = output.column_of(&p.metric) else { continue };
                let stat = summarize(&output.column(column));
                all_met &= p.met(&stat);
                let gap = (stat.ci95, p.goal(&stat));
                if worst.is_none_or(|(w, g)| gap.0 - gap.1 > w - g) {
                    worst = Some(gap);
                }
            }
            let (ci, goal) = worst.unwrap_or((0.0, 0.0));
            (p.metric.clone(), ci, goal)
        })
        .collect();
    (worst, all_met)
}

/// Runs `scenarios` (strategies or grid points sharing the template's seed and
/// options) in the fixed batch sequence, from `template.first`, until every
/// target holds for every scenario or the maximum is reached; the watcher
/// hears where the run stands after each batch.
pub fn run<S: super::TraceSink>(
    scenarios: &[Scenario],
    template: &RunSpec,
    goal: &Goal,
    progress: super::Progress,
    sink: &S,
) -> Result<Vec<RunOutput>, RunError> {
    let mut outputs: Vec<RunOutput> = scenarios
        .iter()
        .map(|s| RunOutput { metric_names: super::metric_names(s), replications: vec![], stopped: None })
        .collect();
    let totals = totals(template.count, goal.max);
    let mut done = 0;
    let mut stopped = Stopped::MaxReplications;
    for (i, &total) in totals.iter().enumerate() {
        let first = template.first;
        let batch: Vec<Vec<Replication>> =
            run_indices(scenarios, template, first + done..first + total, progress, sink)?;
        for (output, replications) in outputs.iter_mut().zip(batch) {
            output.replications.extend(replications);
        }
        done = total;
        let (worst, met) = standing(&goal.targets, &outputs);
        let next = if met { None } else { totals.get(i + 1).copied() };
        progress.batch_done(&Standing { replications: done, next, scenarios: scenarios.len(), worst });
        if met {
            stopped = Stopped::Precision;
            break;
        }
    }
    for output in &mut outputs {
        output.stopped = Some(stopped);
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_absolute_and_relative() {
        let p: Precision = "blocking_probability=0.001".parse().unwrap();
        assert_eq!(p.target, Target::Absolute(0.001));
        let p: Precision = "outage_s = 5%".parse().unwrap();
        assert_eq!((p.metric.as_str(), p.target), ("outage_s", Target::Relative(0.05)));
        for bad in ["blocking_probability", "=0.1", "x=0", "x=-1", "x=abc", "x=%", "x=inf", "x=NaN%"] {
            assert!(bad.parse::<Precision>().is_err(), "{bad}");
        }
        // A relative target is a share of the mean's magnitude.
        let s = Stat { mean: -200.0, ci95: 9.0, min: -210.0, max: -190.0 };
        assert_eq!(p.goal(&s), 10.0);
        assert!(p.met(&s));
    }

    #[test]
    fn the_batch_sequence_doubles_from_ten_to_the_maximum() {
        assert_eq!(totals(1, 100), [10, 20, 40, 80, 100]);
        assert_eq!(totals(50, 10_000), [50, 100, 200, 400, 800, 1600, 3200, 6400, 10_000]);
        assert_eq!(totals(20, 20), [20]);
        assert_eq!(totals(500, 100), [100]);
    }
}
