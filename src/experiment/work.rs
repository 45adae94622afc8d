//! The work limit: how many calls (or posts) one invocation may set out to
//! simulate. Above it a run would take hours on any machine, so it is
//! refused before it starts, with the numbers that led there.

use super::RunSpec;
use super::precision;
use crate::scenario::{self, Scenario};

/// A run refused for the work it expects: the scenario's expected calls per
/// replication × replications × copies (strategies or grid points) is above
/// [`scenario::MAX_CALLS_PER_RUN`].
#[derive(Debug, Clone, PartialEq)]
pub struct TooMuchWork {
    pub scenario: String,
    pub replications: u64,
    pub copies: usize,
    pub calls: f64,
}

impl std::fmt::Display for TooMuchWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let copies = if self.copies > 1 { format!(" × {}", self.copies) } else { String::new() };
        write!(
            f,
            "{}: {} replication(s){copies} expect about {:.2e} calls, above the limit of {:.0e} per invocation",
            self.scenario,
            self.replications,
            self.calls,
            scenario::MAX_CALLS_PER_RUN
        )
    }
}

impl std::error::Error for TooMuchWork {}

/// Refuses `replications` of `scenario` (times `copies` strategies or grid
/// points) when they would expect more calls than one invocation can
/// simulate in hours.
pub fn check_work(scenario: &Scenario, replications: u64, copies: usize) -> Result<(), TooMuchWork> {
    let calls = scenario.expected_work() * replications as f64 * copies as f64;
    if calls > scenario::MAX_CALLS_PER_RUN {
        return Err(TooMuchWork { scenario: scenario.name().to_string(), replications, copies, calls });
    }
    Ok(())
}

impl RunSpec {
    /// The most replications this spec may run: its count, or with a
    /// precision goal the last total of the batch sequence.
    pub fn most_replications(&self) -> u64 {
        match &self.precision {
            Some(goal) => precision::totals(self.count, goal.max).last().copied().unwrap_or(self.count),
            None => self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::TraceChoice;
    use crate::model::RunOptions;

    fn spec(count: u64, precision: Option<precision::Goal>) -> RunSpec {
        let scenario = crate::scenario::parse_str("s.yaml", "s", "duration: 1h\n").expect("a minimal scenario");
        RunSpec {
            scenario,
            seed: 1,
            first: 0,
            count,
            trace: TraceChoice::None,
            threads: None,
            options: RunOptions::default(),
            precision,
        }
    }

    #[test]
    fn a_fixed_count_is_its_own_most_and_a_precise_run_may_reach_its_maximum() {
        assert_eq!(spec(7, None).most_replications(), 7);
        // Batches 10, 20, 40, 80, 100: the last total is the maximum.
        let goal = precision::Goal { targets: vec![], max: 100 };
        assert_eq!(spec(10, Some(goal)).most_replications(), 100);
    }
}
