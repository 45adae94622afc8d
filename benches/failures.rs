//! Failure-heavy runs and the cost's independence from the horizon and the
//! keepalive interval, in events per second (the events counted are those
//! `engine::run` processed).
//!
//! - `failure_heavy`: random crashes, link cuts and service stops every few
//!   hours on both servers, with and without call traffic.
//! - `horizon`: no traffic and a handful of timeline faults over 1, 10 and 100
//!   years; the event count is the same, so the time should be too.
//! - `keepalive_interval`: the same over one year with keepalives every 100 ms,
//!   1 s and 15 s; the time should not change.
//! - `keepalive_mode`: the analytic keepalives against the message-by-message
//!   oracle on the failure-heavy system with traffic (calls per second).
//!
//! ```sh
//! cargo bench --bench failures
//! ```

mod common;

use clustersim::model::metrics::Metric;
use clustersim::model::trace::NoTrace;
use clustersim::model::voice::simulate;
use clustersim::model::{KeepaliveMode, RunOptions};
use clustersim::scenario::VoiceScenario;
use common::{options, run_once, voice};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const RANDOM_FAILURES: &str = "random_failures:
  crash: {mtbf: 6h, mttr: 20m}
  partition: {mtbf: 4h, mttr: 2m}
  service: {mtbf: 8h, mttr: 15m}
";

const TRAFFIC: &str = "phone_system: {integration: sccp, ports: 16}
traffic: {calls_per_hour: 400, hold_time: {mean: 90s}}
";

/// A crash, a cut, a service stop, an isolation and a deactivation in the
/// first year; nothing afterwards however long the horizon.
const HANDFUL: &str = "failures:
  - {at: 30d, crash: publisher, for: 4h}
  - {at: 100d, partition: [publisher, subscriber], for: 10m}
  - {at: 200d, stop_service: {server: subscriber, service: conversation_manager}, for: 30m}
  - {at: 300d, isolate: publisher, for: 30m}
  - {at: 350d, admin: {server: subscriber, action: deactivate}, for: 1h}
";

/// Benches one replication of `scenario` with `options` as `name/param`,
/// counting elements as `per` says (events, or calls offered), and returns
/// the replication's event count.
fn bench_run(
    group: &mut BenchmarkGroup<'_, WallTime>,
    (name, param): (&str, &str),
    scenario: &VoiceScenario,
    options: RunOptions,
    per: Per,
) -> u64 {
    let (metrics, events) = run_once(scenario, options);
    let calls = metrics.get(Metric::CallsOffered) as u64;
    eprintln!("{name}/{param}: {events} events, {calls} calls per replication");
    let id = BenchmarkId::new(name, param);
    let elements = match per {
        Per::Event => events,
        Per::Call => calls,
    };
    group.throughput(Throughput::Elements(elements));
    group.bench_with_input(id, scenario, |b, scenario| b.iter(|| simulate(black_box(scenario), 0, options, NoTrace)));
    events
}

#[derive(Clone, Copy)]
enum Per {
    Event,
    Call,
}

fn bench_failure_heavy(c: &mut Criterion) {
    let mut group = c.benchmark_group("failure_heavy");
    group.sample_size(20);
    let faults_only = voice(&format!("duration: 3650d\n{RANDOM_FAILURES}"));
    bench_run(&mut group, ("faults_only_events", "10y"), &faults_only, options(), Per::Event);
    let with_traffic = voice(&format!("duration: 30d\n{TRAFFIC}{RANDOM_FAILURES}"));
    bench_run(&mut group, ("with_traffic_events", "30d"), &with_traffic, options(), Per::Event);
    group.finish();
}

fn bench_horizon(c: &mut Criterion) {
    let mut group = c.benchmark_group("horizon");
    let mut counts = vec![];
    for (label, days) in [("1y", 365), ("10y", 3_650), ("100y", 36_500)] {
        let scenario = voice(&format!("duration: {days}d\n{HANDFUL}"));
        let id = ("handful_of_faults_events", label);
        counts.push(bench_run(&mut group, id, &scenario, options(), Per::Event));
    }
    group.finish();
    // The target itself: after the last fault nothing happens, so nothing is simulated.
    assert!(counts.windows(2).all(|w| w[0] == w[1]), "event count grows with the horizon: {counts:?}");
}

fn bench_keepalive_interval(c: &mut Criterion) {
    let mut group = c.benchmark_group("keepalive_interval");
    for interval in ["100ms", "1s", "15s"] {
        let yaml = format!("duration: 365d\ncluster: {{keepalive: {{interval: {interval}, timeout: 45s}}}}\n{HANDFUL}");
        let scenario = voice(&yaml);
        bench_run(&mut group, ("handful_of_faults_events", interval), &scenario, options(), Per::Event);
    }
    group.finish();
}

fn bench_keepalive_mode(c: &mut Criterion) {
    let mut group = c.benchmark_group("keepalive_mode");
    group.sample_size(10);
    let scenario = voice(&format!("duration: 30d\n{TRAFFIC}{RANDOM_FAILURES}"));
    let messages = RunOptions { keepalive: KeepaliveMode::Messages, ..options() };
    assert_eq!(run_once(&scenario, options()).0, run_once(&scenario, messages).0, "analytic and oracle differ");
    bench_run(&mut group, ("calls", "analytic"), &scenario, options(), Per::Call);
    bench_run(&mut group, ("calls", "messages"), &scenario, messages, Per::Call);
    group.finish();
}

// No plots: criterion's plotters backend panics where no font is installed,
// and the figures are the numbers it prints.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_failure_heavy, bench_horizon, bench_keepalive_interval, bench_keepalive_mode
}
criterion_main!(benches);
