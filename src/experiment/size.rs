//! `size`: the least value of an integer key (by default
//! `phone_system.ports`) at which every target holds with 95% confidence,
//! per strategy.
//!
//! ```text
//!   value:   min  min+1  min+2  min+4  min+8 …        (gallop until one meets)
//!            ───✗─────✗─────✗──────✗──────✓
//!                               └─ bisect ─┘          (least that meets)
//!   meets:   `<=`: mean + ci95 ≤ V      `>=`: mean − ci95 ≥ V     (every target)
//! ```
//! Every candidate runs the same replications (common random numbers), so
//! neighbouring values differ by what the key changes, not by luck. The search
//! assumes the metric is monotone in the key; a neighbour that contradicts
//! it is reported, not hidden.

use super::{RunOutput, Stat, summarize};
use crate::scenario::{Kind, Scenario};
use std::collections::BTreeMap;

/// The default range of the key searched.
pub const DEFAULT_MIN: u64 = 1;
pub const DEFAULT_MAX: u64 = 1024;

/// A target's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    AtMost,
    AtLeast,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::AtMost => "<=",
            Op::AtLeast => ">=",
        }
    }
}

/// One `--target METRIC<=V` or `METRIC>=V`.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeTarget {
    pub metric: String,
    pub op: Op,
    pub value: f64,
}

impl std::str::FromStr for SizeTarget {
    type Err = String;
    fn from_str(arg: &str) -> Result<SizeTarget, String> {
        let (metric, op, value) = if let Some((m, v)) = arg.split_once("<=") {
            (m, Op::AtMost, v)
        } else if let Some((m, v)) = arg.split_once(">=") {
            (m, Op::AtLeast, v)
        } else {
            return Err(format!(
                "`{arg}` has no `<=` or `>=`; write e.g. blocking_probability<=0.01 or service_availability>=0.9999"
            ));
        };
        let metric = metric.trim();
        if metric.is_empty() {
            return Err(format!("`{arg}` names no metric before `{}`", op.as_str()));
        }
        let value = value.trim();
        let number: f64 = value.parse().map_err(|_| format!("`{value}` is not a number"))?;
        if !number.is_finite() {
            return Err(format!("`{value}` is not a finite number"));
        }
        Ok(SizeTarget { metric: metric.to_string(), op, value: number })
    }
}

impl std::fmt::Display for SizeTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.metric, self.op.as_str(), self.value)
    }
}

impl SizeTarget {
    /// Whether the whole 95% interval is on the target's side.
    pub fn met(&self, stat: &Stat) -> bool {
        match self.op {
            Op::AtMost => stat.mean + stat.ci95 <= self.value,
            Op::AtLeast => stat.mean - stat.ci95 >= self.value,
        }
    }
}

/// Checks that every target names a metric of `kind`.
pub fn check_targets(targets: &[SizeTarget], kind: Kind) -> Result<(), String> {
    let names = kind.metric_names();
    match targets.iter().find(|t| !names.contains(&t.metric.as_str())) {
        Some(t) => {
            Err(format!("`{}` is not a metric of a {} run; metrics are {}", t.metric, kind.as_str(), names.join(", ")))
        }
        None => Ok(()),
    }
}

/// One evaluated value of the key: each target's summary and whether it was met.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub value: u64,
    pub stats: Vec<Stat>,
    pub meets: Vec<bool>,
    pub replications: u64,
}

impl Candidate {
    pub fn meets_all(&self) -> bool {
        self.meets.iter().all(|m| *m)
    }
}

/// One strategy's search: every candidate evaluated, in key order, the
/// answer (none when no value in range meets the targets) and what
/// contradicted monotonicity.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizing {
    pub strategy: String,
    pub candidates: Vec<Candidate>,
    pub answer: Option<u64>,
    pub warnings: Vec<String>,
}

/// Searches `[min, max]` for the least value at which every target holds;
/// `evaluate(value)` runs the strategy with the key at that value.
pub fn search<E>(
    strategy: &str,
    key: &str,
    (min, max): (u64, u64),
    targets: &[SizeTarget],
    mut evaluate: impl FnMut(u64) -> Result<RunOutput, E>,
) -> Result<Sizing, E> {
    let mut seen: BTreeMap<u64, Candidate> = BTreeMap::new();
    let mut meets = |value: u64, seen: &mut BTreeMap<u64, Candidate>| -> Result<bool, E> {
        if let Some(c) = seen.get(&value) {
            return Ok(c.meets_all());
        }
        let candidate = judge(value, &evaluate(value)?, targets);
        let met = candidate.meets_all();
        seen.insert(value, candidate);
        Ok(met)
    };
    let answer = if meets(min, &mut seen)? {
        Some(min)
    } else {
        // Gallop: min+1, min+2, min+4, … until a value meets or the range ends.
        let (mut failing, mut step, mut found) = (min, 1u64, None);
        loop {
            let next = failing.saturating_add(step).min(max);
            if meets(next, &mut seen)? {
                found = Some(next);
                break;
            }
            if next == max {
                break;
            }
            failing = next;
            step = step.saturating_mul(2);
        }
        // Bisect between the last value that failed and the first that met.
        if let Some(mut meeting) = found {
            while meeting - failing > 1 {
                let mid = failing + (meeting - failing) / 2;
                if meets(mid, &mut seen)? {
                    meeting = mid;
                } else {
                    failing = mid;
                }
            }
            found = Some(meeting);
        }
        found
    };
    // The neighbour above the answer should meet too.
    if let Some(a) = answer
        && a < max
    {
        meets(a + 1, &mut seen)?;
    }
    let candidates: Vec<Candidate> = seen.into_values().collect();
    let warnings = contradictions(key, &candidates);
    Ok(Sizing { strategy: strategy.to_string(), candidates, answer, warnings })
}

fn judge(value: u64, output: &RunOutput, targets: &[SizeTarget]) -> Candidate {
    let stats: Vec<Stat> = targets
        .iter()
        .map(|t| output.column_of(&t.metric).map(|c| summarize(&output.column(c))).expect("a checked target metric"))
        .collect();
    let meets = targets.iter().zip(&stats).map(|(t, s)| t.met(s)).collect();
    Candidate { value, stats, meets, replications: output.replications.len() as u64 }
}

/// Pairs of evaluated values where a larger one fails the targets a smaller
/// one meets: the search assumed the opposite.
fn contradictions(key: &str, candidates: &[Candidate]) -> Vec<String> {
    let mut out = vec![];
    for (i, low) in candidates.iter().enumerate() {
        if let Some(high) = candidates[i + 1..].iter().find(|high| low.meets_all() && !high.meets_all()) {
            out.push(format!(
                "{key}={} meets the targets but {key}={} does not: the metric is not monotone in {key} here \
                 (more replications, or a narrower search, may settle it)",
                low.value, high.value
            ));
        }
    }
    out
}

/// The textbook answer for a `blocking_probability <= V` target: the least
/// ports for which Erlang B at the scenario's peak-hour load meets it (one
/// pool, no failure). `None` for other targets or kinds.
pub fn textbook_ports(scenario: &Scenario, targets: &[SizeTarget]) -> Option<u32> {
    let Scenario::Voice(voice) = scenario else { return None };
    let target = targets.iter().find(|t| t.metric == "blocking_probability" && t.op == Op::AtMost)?;
    let t = &voice.traffic;
    let peak = t.hourly_profile.as_ref().map_or(1.0, |p| p.iter().cloned().fold(0.0, f64::max));
    let erlangs = t.calls_per_hour * peak * t.hold_time.mean.as_secs_f64() / 3600.0;
    Some(crate::theory::ports_needed(erlangs, target.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Replication;

    #[test]
    fn targets_parse_their_operator_and_value() {
        let t: SizeTarget = "blocking_probability<=0.01".parse().unwrap();
        assert_eq!((t.metric.as_str(), t.op, t.value), ("blocking_probability", Op::AtMost, 0.01));
        let t: SizeTarget = " service_availability >= 0.9999 ".parse().unwrap();
        assert_eq!((t.metric.as_str(), t.op), ("service_availability", Op::AtLeast));
        for bad in ["blocking_probability<0.01", "blocking_probability=0.01", "<=0.1", "x<=abc", "x>=inf", "x<=1e400"] {
            assert!(bad.parse::<SizeTarget>().is_err(), "{bad}");
        }
    }

    /// An output whose one metric has replication values `values`.
    fn output(values: &[f64]) -> RunOutput {
        RunOutput {
            metric_names: vec!["blocking_probability"],
            replications: values
                .iter()
                .enumerate()
                .map(|(i, v)| Replication { index: i as u64, seed: 0, values: vec![*v] })
                .collect(),
            stopped: None,
        }
    }

    #[test]
    fn the_search_finds_the_least_value_that_meets_with_few_evaluations() {
        // A monotone metric: 1/value, constant over replications (ci95 0);
        // target ≤ 0.01 → the answer is 100. Galloping from 1 visits 1, 2, 3,
        // 5, 9, 17, 33, 65, 129; bisection between 65 and 129 takes 6 more;
        // and the neighbour 101 is checked.
        let targets = ["blocking_probability<=0.01".parse().unwrap()];
        let mut calls = 0;
        let sizing = search("x", "ports", (1, 1024), &targets, |v| {
            calls += 1;
            Ok::<_, ()>(output(&[1.0 / v as f64; 4]))
        })
        .unwrap();
        assert_eq!(sizing.answer, Some(100));
        assert_eq!(calls, sizing.candidates.len());
        assert!(calls <= 17, "{calls} evaluations");
        assert!(sizing.warnings.is_empty());
        assert!(sizing.candidates.windows(2).all(|w| w[0].value < w[1].value), "in key order");
    }

    #[test]
    fn a_strategy_that_cannot_meet_the_target_in_range_has_no_answer() {
        let targets = ["blocking_probability<=0.001".parse().unwrap()];
        let sizing = search("x", "ports", (1, 64), &targets, |v| Ok::<_, ()>(output(&[1.0 / v as f64; 4]))).unwrap();
        assert_eq!(sizing.answer, None);
        assert_eq!(sizing.candidates.last().unwrap().value, 64);
    }

    #[test]
    fn a_neighbour_that_contradicts_monotonicity_is_reported() {
        // Fails at 1, meets at 2, fails again at 3 (the neighbour checked
        // above the answer): the answer assumes monotone, and says so.
        let targets = ["blocking_probability<=0.5".parse().unwrap()];
        let noisy = search("x", "ports", (1, 16), &targets, |v| {
            Ok::<_, ()>(output(
                &[if v == 3 {
                    0.9
                } else if v >= 2 {
                    0.1
                } else {
                    1.0
                }; 4],
            ))
        })
        .unwrap();
        assert_eq!(noisy.answer, Some(2));
        assert_eq!(noisy.warnings.len(), 1, "{:?}", noisy.warnings);
        assert!(noisy.warnings[0].contains("ports=2 meets the targets but ports=3 does not"));
    }

    #[test]
    fn targets_are_met_only_by_the_whole_interval() {
        let at_most: SizeTarget = "m<=0.01".parse().unwrap();
        let s = |mean, ci95| Stat { mean, ci95, min: 0.0, max: 1.0 };
        assert!(at_most.met(&s(0.008, 0.002)));
        assert!(!at_most.met(&s(0.008, 0.0021)));
        let at_least: SizeTarget = "m>=0.9999".parse().unwrap();
        assert!(at_least.met(&s(0.99995, 0.00005)));
        assert!(!at_least.met(&s(0.99995, 0.00006)));
    }
}
