//! clustersim: a deterministic discrete-event simulator of a two-server
//! voice-messaging cluster and of a manually failed-over chat database.
pub mod cli;
pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;
pub mod theory;
