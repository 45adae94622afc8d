//! How a command fails, and the exit status each failure gives.

use crate::engine::LimitError;
use crate::experiment::{self, work::TooMuchWork};
use crate::report::InputError;
use crate::scenario::ScenarioError;

/// How a command failed: bad input (exit 2) or anything else (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Invalid(String),
    #[error("{0:#}")]
    Other(anyhow::Error),
    /// The run completed and wrote its results, but an expectation failed.
    #[error("{0}")]
    Expectation(String),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<InputError>() {
            Ok(invalid) => Failure::Invalid(invalid.0),
            Err(e) => Failure::Other(e),
        }
    }
}

impl From<experiment::RunError> for Failure {
    fn from(e: experiment::RunError) -> Self {
        if e.is_interrupt() {
            return Failure::Other(anyhow::anyhow!(
                "interrupted; nothing was written and any earlier results are untouched"
            ));
        }
        if let experiment::RunError::Limit { bound: LimitError::Events { .. }, .. } = e {
            return Failure::Other(anyhow::anyhow!(
                "{e}; raise it with --max-events if the scenario really needs more"
            ));
        }
        Failure::Other(e.into())
    }
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Invalid(_) => 2,
            Failure::Other(_) => 1,
            Failure::Expectation(_) => 3,
        }
    }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Invalid(e.to_string())
    }
}

impl From<TooMuchWork> for Failure {
    fn from(e: TooMuchWork) -> Self {
        Failure::Invalid(format!(
            "{e}; use fewer replications (or a lower --max-replications) or split the run with --shard K/N"
        ))
    }
}
