//! Expectations: a scenario's `expect:` entries judged against a
//! run's summary, so that a scenario can be a check a team runs in its CI.
//!
//! ```text
//!   max: V      mean + ci95 ≤ V          → holds   (the whole 95% interval is below V)
//!               mean > V                 → fails   (the mean is on the wrong side)
//!               otherwise                → unsure  (the interval straddles V)
//!   min: V      mirror image
//! ```

use super::Stat;
use crate::scenario::measure::{Bound, Expectation};

/// What the replications say about an expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Holds,
    Unsure,
    Fails,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Unsure => "unsure",
            Verdict::Fails => "fails",
        }
    }
}

/// Judges `bound` against a metric's summary.
pub fn judge(bound: Bound, value: f64, stat: &Stat) -> Verdict {
    let (wrong_side, whole_interval_right) = match bound {
        Bound::Max => (stat.mean > value, stat.mean + stat.ci95 <= value),
        Bound::Min => (stat.mean < value, stat.mean - stat.ci95 >= value),
    };
    if wrong_side {
        Verdict::Fails
    } else if whole_interval_right {
        Verdict::Holds
    } else {
        Verdict::Unsure
    }
}

/// One judged expectation (a row of `expectations.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub metric: String,
    pub bound: Bound,
    pub value: f64,
    pub stat: Stat,
    pub verdict: Verdict,
}

/// Judges every expectation against a run's summary (metric name → stat).
pub fn judge_all(expect: &[Expectation], summary: &[(&'static str, Stat)]) -> Vec<Judged> {
    expect
        .iter()
        .map(|e| {
            let (bound, value) = e.bound();
            let stat = summary.iter().find(|(n, _)| *n == e.metric).map(|(_, s)| *s).expect("validated metric");
            Judged { metric: e.metric.clone(), bound, value, stat, verdict: judge(bound, value, &stat) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mean: f64, ci95: f64) -> Stat {
        Stat { mean, ci95, min: mean - 2.0 * ci95, max: mean + 2.0 * ci95 }
    }

    #[test]
    fn verdicts_follow_the_interval_by_hand() {
        // max 0.01: mean 0.005 ± 0.002 → [0.003, 0.007] below: holds;
        // 0.009 ± 0.002 → [0.007, 0.011] straddles: unsure; 0.012 ± 0.001: fails.
        assert_eq!(judge(Bound::Max, 0.01, &stat(0.005, 0.002)), Verdict::Holds);
        assert_eq!(judge(Bound::Max, 0.01, &stat(0.009, 0.002)), Verdict::Unsure);
        assert_eq!(judge(Bound::Max, 0.01, &stat(0.012, 0.001)), Verdict::Fails);
        // A mean past the bound fails even with a wide interval.
        assert_eq!(judge(Bound::Max, 0.01, &stat(0.0101, 0.5)), Verdict::Fails);
        // min 0.9999: 0.99995 ± 0.00001 holds; 0.99991 ± 0.00002 unsure; 0.9998 fails.
        assert_eq!(judge(Bound::Min, 0.9999, &stat(0.99995, 0.00001)), Verdict::Holds);
        assert_eq!(judge(Bound::Min, 0.9999, &stat(0.99991, 0.00002)), Verdict::Unsure);
        assert_eq!(judge(Bound::Min, 0.9999, &stat(0.9998, 0.00001)), Verdict::Fails);
        // Exactly on the bound with no spread: the interval touches it, holds.
        assert_eq!(judge(Bound::Max, 1.0, &stat(1.0, 0.0)), Verdict::Holds);
    }
}
