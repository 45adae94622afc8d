//! clustersim: a deterministic discrete-event simulator of a two-server
//! voice-messaging cluster and of a manually failed-over chat database.
pub mod engine;
pub mod scenario;
pub mod model;
pub mod experiment;
pub mod report;
pub mod cli;
pub mod theory;
