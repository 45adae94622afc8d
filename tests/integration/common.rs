//! Helpers shared by the integration tests.
#![allow(dead_code)]

use clustersim::experiment::{self, RunSpec, TraceChoice};
use clustersim::model::metrics::Metric;
use clustersim::model::{KeepaliveMode, RunOptions};
use clustersim::scenario::{Scenario, VoiceScenario, parse_str};
use std::path::PathBuf;
use std::process::{Command, Output};

/// Parses a voice scenario from YAML (panics on an invalid one: a test bug).
pub fn voice(yaml: &str) -> VoiceScenario {
    match parse_str("test.yaml", "test", yaml) {
        Ok(Scenario::Voice(v)) => v,
        Ok(other) => panic!("not a voice scenario: {other:?}"),
        Err(e) => panic!("test scenario is invalid: {e}"),
    }
}

/// Options with the invariant checker on.
pub fn checked() -> RunOptions {
    RunOptions { check_invariants: true, keepalive: KeepaliveMode::Analytic, ..RunOptions::default() }
}

/// Runs `replications` replications and returns each one's values by metric.
pub fn run(scenario: &VoiceScenario, replications: u64) -> Vec<Vec<f64>> {
    run_with(scenario, replications, checked())
}

pub fn run_with(scenario: &VoiceScenario, replications: u64, options: RunOptions) -> Vec<Vec<f64>> {
    let spec = RunSpec {
        scenario: Scenario::Voice(scenario.clone()),
        seed: scenario.seed,
        first: 0,
        count: replications,
        trace: TraceChoice::None,
        threads: None,
        options,
        precision: None,
    };
    let out = experiment::run(&spec, &|| {}, &experiment::NoTraces).expect("run");
    out.replications.into_iter().map(|r| r.values).collect()
}

pub fn column(rows: &[Vec<f64>], m: Metric) -> Vec<f64> {
    rows.iter().map(|r| r[m as usize]).collect()
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that the replications' mean of `m` is within four standard errors
/// of `expected` (a false alarm about once in 16000), and that the test has
/// the power to tell: the standard error is under a tenth of the value.
pub fn assert_near_theory(rows: &[Vec<f64>], m: Metric, expected: f64, what: &str) {
    let (mean, se) = mean_se(&column(rows, m));
    assert!(se < 0.1 * expected, "{what}: standard error {se} too large to test {expected}");
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "{what}: {} = {mean:.5} ± {se:.5} (se), theory says {expected:.5}",
        m.name()
    );
}

/// The clustersim binary.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_clustersim"))
}

pub fn run_cli(args: &[&str], dir: &std::path::Path) -> Output {
    bin().args(args).current_dir(dir).output().expect("run clustersim")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file of a folder, by name, with its bytes (to compare folders).
pub fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

pub fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

use clustersim::engine::Time;
use clustersim::model::metrics::Metrics;
use clustersim::model::trace::{Event, LoadBin, Recorder, State, StatusChange, Trace};
use clustersim::model::voice::simulate;
use clustersim::scenario::Status;

/// A traced replication, as the tests read it.
pub struct Traced {
    pub statuses: Vec<StatusChange>,
    pub events: Vec<Event>,
    pub load: Vec<LoadBin>,
    width: Time,
}

impl Traced {
    pub fn of(trace: Trace) -> Traced {
        let load = trace.load.expect("a voice trace has a load series");
        Traced { statuses: trace.statuses, events: trace.events, load: load.bins, width: load.bin_width }
    }

    pub fn bin_width(&self) -> Time {
        self.width
    }
}

/// Runs replication 0 of `yaml` with tracing and the invariant checker.
pub fn traced(yaml: &str) -> (Metrics, Traced) {
    traced_with(&voice(yaml), 0, checked())
}

pub fn traced_with(s: &VoiceScenario, replication: u64, options: RunOptions) -> (Metrics, Traced) {
    let recorder = Recorder::new(s.duration.as_us(), 100);
    let run = simulate(s, replication, options, recorder).expect("run");
    (run.metrics, Traced::of(run.tracer.finish()))
}

/// A time in microseconds.
pub fn us(us: u64) -> Time {
    Time::from_us(us)
}

/// A voice status.
pub fn voice_status(state: State) -> Status {
    match state {
        State::Server(s) => s,
        State::Db(d) => panic!("not a voice status: {d}"),
    }
}

/// Status changes as (seconds, server, from, to).
pub fn statuses(r: &Traced) -> Vec<(f64, &'static str, Status, Status)> {
    r.statuses
        .iter()
        .map(|row| (row.at.secs(), row.actor.as_str(), voice_status(row.from), voice_status(row.to)))
        .collect()
}

/// Times (s) and servers of the events named `name`.
pub fn events(r: &Traced, name: &str) -> Vec<(f64, &'static str)> {
    r.events.iter().filter(|e| e.kind.as_str() == name).map(|e| (e.at.secs(), e.actor.as_str())).collect()
}

/// The event names of one server, in order, after its `initial_status`.
pub fn event_names(r: &Traced, server: &str) -> Vec<&'static str> {
    r.events
        .iter()
        .filter(|e| e.actor.as_str() == server && e.kind.as_str() != "initial_status")
        .map(|e| e.kind.as_str())
        .collect()
}

pub fn get(m: &Metrics, metric: Metric) -> f64 {
    m.get(metric)
}
