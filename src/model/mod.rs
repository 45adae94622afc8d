//! The models: the voice-messaging cluster and its parts. No I/O, no clocks.
pub mod chat;
pub mod keepalive;
pub mod metrics;
pub mod phone;
pub mod trace;
pub mod traffic;
pub mod voice;
