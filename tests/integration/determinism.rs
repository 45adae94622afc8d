//! R21: a run is a pure function of scenario, seed and replication index.

use crate::common::*;

const SCENARIO: &str = "\
name: det
duration: 6h
replications: 3
traffic: {calls_per_hour: 600, hold_time: {distribution: lognormal, mean: 80s, sd: 60s}}
phone_system: {integration: sip_trunk, ports: 8}
failures:
  - {at: 1h, crash: publisher, for: 10m}
random_failures:
  crash: {mtbf: 20h, mttr: 30m}
";

#[test]
fn r21_same_scenario_and_seed_give_byte_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "det.yaml", SCENARIO);
    for out in ["a", "b"] {
        let o = run_cli(&["run", "det.yaml", "--out", out, "--quiet", "--no-charts"], tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let a = files(&tmp.path().join("a"));
    assert!(a.iter().any(|(n, _)| n == "summary.json"));
    assert!(a.iter().any(|(n, _)| n == "events.csv"));
    assert_eq!(a, files(&tmp.path().join("b")));
}

#[test]
fn r21_another_seed_gives_different_results() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "det.yaml", SCENARIO);
    for (out, seed) in [("a", "1"), ("b", "2")] {
        let o = run_cli(&["run", "det.yaml", "--out", out, "--seed", seed, "--quiet", "--no-charts"], tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let read = |d: &str| std::fs::read(tmp.path().join(d).join("replications.csv")).unwrap();
    assert_ne!(read("a"), read("b"));
}
