//! clustersim's integration tests: one binary, a file per behaviour. Tests
//! name the SPEC rule they check.
mod common;

mod bad_input;
mod determinism;
mod phone_system;
