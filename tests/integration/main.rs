//! clustersim's integration tests: one binary, a file per behaviour. Tests
//! name the rule they check (docs/model.md).
mod common;
mod generate;
mod svg;

mod availability;
mod bad_input;
mod chart_fonts;
mod charts;
mod chat;
mod cluster;
mod decisions;
mod determinism;
mod docs;
mod experiments;
mod fidelity;
mod hostile_input;
mod network;
mod oracle;
mod phone_system;
mod properties;
mod report;
mod robustness;
mod scenarios;
mod schema;
mod seed_sweep;
mod shard_integrity;
mod tooling;
mod voice_charts;
