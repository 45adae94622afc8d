//! What the benches share: the scenarios they run and the floor, a bare
//! M/M/c/c loop that clustersim's full run is measured against.
//!
//! Not a bench target itself: Cargo only discovers `benches/*.rs` and
//! `benches/*/main.rs`, so this folder is a module each bench includes.

// Each bench uses a different part of this module.
#![allow(dead_code)]

use clustersim::engine::rng::stream;
use clustersim::model::metrics::{Metric, Metrics};
use clustersim::model::trace::NoTrace;
use clustersim::model::voice::simulate;
use clustersim::model::{KeepaliveMode, RunOptions};
use clustersim::scenario::{Scenario, VoiceScenario, parse_str};
use rand::RngExt;
use rand_distr::Exp1;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The loss system of the performance targets: one shared pool of 16 ports
/// (pimg_timg), 400 calls/hour, exponential 90 s holds, no failures.
pub const PORTS: u32 = 16;
pub const CALLS_PER_HOUR: f64 = 400.0;
pub const HOLD_MEAN_S: f64 = 90.0;

/// The loss system's scenario over `hours` hours (400 calls per hour).
pub fn loss_yaml(hours: u64) -> String {
    format!(
        "duration: {hours}h\nphone_system: {{integration: pimg_timg, ports: {PORTS}}}\n\
         traffic: {{calls_per_hour: {CALLS_PER_HOUR}, hold_time: {{mean: {HOLD_MEAN_S}s}}}}\n"
    )
}

/// Parses (and validates) a voice scenario, panicking on a bad one: the
/// benches' YAML is fixed, so an error is a bug in the bench.
pub fn voice(yaml: &str) -> VoiceScenario {
    match parse_str("bench.yaml", "bench", yaml) {
        Ok(Scenario::Voice(v)) => v,
        // Other kinds of scenario (the chat database) are not benched here.
        #[allow(unreachable_patterns)]
        Ok(_) => panic!("bench scenario is not a voice-messaging one:\n{yaml}"),
        Err(e) => panic!("bench scenario does not parse: {e}\n{yaml}"),
    }
}

/// Release-build options: the analytic keepalives, no invariant checker.
pub fn options() -> RunOptions {
    RunOptions { keepalive: KeepaliveMode::Analytic, check_invariants: false, ..RunOptions::default() }
}

/// Runs replication 0 once, returning its metrics and event count.
pub fn run_once(scenario: &VoiceScenario, options: RunOptions) -> (Metrics, u64) {
    let run = simulate(scenario, 0, options, NoTrace).expect("bench scenario hits no limit");
    (run.metrics, run.events)
}

/// Calls offered by replication 0 (the warm-up is 0, so every call counts).
pub fn calls_offered(scenario: &VoiceScenario) -> u64 {
    run_once(scenario, options()).0.get(Metric::CallsOffered) as u64
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum FloorEvent {
    Arrival,
    Departure,
}

/// What one run of the floor counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FloorCounts {
    pub offered: u64,
    pub blocked: u64,
}

/// The floor: M/M/c/c with `ports` servers, arrivals at `calls_per_hour`, mean
/// hold `hold_mean_s`, over `[0, horizon_us)`, and nothing else — a std
/// `BinaryHeap` of (time in µs, event), two ChaCha8 streams (clustersim's
/// generator) sampled with `Exp1` as clustersim samples them, and two counters.
/// Time is integer microseconds as in clustersim, rounded the same way.
pub fn floor(ports: u32, calls_per_hour: f64, hold_mean_s: f64, horizon_us: u64, seed: u64) -> FloorCounts {
    let mut arrival_rng = stream(seed, 0);
    let mut hold_rng = stream(seed, 1);
    let mean_gap_us = 3_600e6 / calls_per_hour;
    let mean_hold_us = hold_mean_s * 1e6;
    let draw_us = |rng: &mut clustersim::engine::rng::StreamRng, mean_us: f64| -> u64 {
        let e: f64 = rng.sample(Exp1);
        ((e * mean_us).round() as u64).max(1)
    };
    let mut heap: BinaryHeap<Reverse<(u64, FloorEvent)>> = BinaryHeap::with_capacity(ports as usize + 2);
    heap.push(Reverse((draw_us(&mut arrival_rng, mean_gap_us), FloorEvent::Arrival)));
    let mut busy = 0u32;
    let mut counts = FloorCounts::default();
    while let Some(Reverse((now, event))) = heap.pop() {
        if now >= horizon_us {
            break;
        }
        match event {
            FloorEvent::Arrival => {
                counts.offered += 1;
                heap.push(Reverse((now + draw_us(&mut arrival_rng, mean_gap_us), FloorEvent::Arrival)));
                if busy < ports {
                    busy += 1;
                    heap.push(Reverse((now + draw_us(&mut hold_rng, mean_hold_us), FloorEvent::Departure)));
                } else {
                    counts.blocked += 1;
                }
            }
            FloorEvent::Departure => busy -= 1,
        }
    }
    counts
}

/// Asserts that a blocking probability over `offered` calls is Erlang B's for
/// the loss system, within 10 % (a wrong model is off by far more).
pub fn assert_erlang_b(what: &str, blocked: u64, offered: u64) {
    let erlangs = CALLS_PER_HOUR * HOLD_MEAN_S / 3600.0;
    let expected = clustersim::theory::erlang_b(PORTS, erlangs);
    let got = blocked as f64 / offered as f64;
    assert!((got / expected - 1.0).abs() < 0.1, "{what}: blocking {got} over {offered} calls, Erlang B {expected}");
}
