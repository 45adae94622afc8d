//! The bundled scenarios: each one validates, runs with the invariant checker,
//! and shows what its comment says it shows.

use crate::common::*;
use clustersim::model::metrics::Metric::{self, *};
use clustersim::scenario::{Scenario, load};
use std::path::Path;

fn bundled(name: &str) -> clustersim::scenario::VoiceScenario {
    match load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)) {
        Ok(Scenario::Voice(v)) => v,
        Ok(other) => panic!("{name} is not a voice scenario: {other:?}"),
        Err(e) => panic!("{e}"),
    }
}

/// Mean of `m` over the first `n` replications of a bundled scenario.
fn mean(name: &str, n: u64, m: Metric) -> f64 {
    let rows = run(&bundled(name), n);
    column(&rows, m).iter().sum::<f64>() / n as f64
}

#[test]
fn every_bundled_scenario_is_valid_and_runs_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with('#'), "{} needs a comment saying what it shows", path.display());
            match load(&path) {
                Ok(Scenario::Voice(s)) => {
                    let mut short = s.clone();
                    short.duration = short.duration.min(clustersim::scenario::Duration::from_secs(48 * 3600));
                    run(&short, 1);
                }
                Ok(Scenario::Chat(c)) => {
                    let recorder = clustersim::model::trace::Recorder::new(c.duration.as_us(), 0);
                    clustersim::model::chat::simulate(&c, 0, clustersim::model::RunOptions::default(), recorder)
                        .unwrap();
                }
                Err(e) => panic!("{e}"),
            }
            count += 1;
        }
    }
    assert!(count >= 16, "{count} scenarios");
}

#[test]
fn r10_draining_first_is_what_saves_the_calls() {
    assert!(mean("deactivate-without-draining.yaml", 10, CallsDropped) > 5.0);
    assert_eq!(mean("deactivate-after-draining.yaml", 10, CallsDropped), 0.0);
}

#[test]
fn r8_the_manual_change_scenario_costs_nothing() {
    for m in [CallsDropped, MailboxUnavailableCalls, Failovers, MailboxUnavailableS] {
        assert_eq!(mean("manual-change.yaml", 10, m), 0.0, "{}", m.name());
    }
}

#[test]
fn r7_the_service_stop_scenarios_match_table_3_4() {
    // Subscriber primary, database down 30 min: no mailbox anywhere for 1800 s.
    assert_eq!(mean("service-stop-subscriber-primary.yaml", 5, MailboxUnavailableS), 1800.0);
    assert_eq!(mean("service-stop-subscriber-primary.yaml", 5, Failovers), 0.0);
    // Publisher alone, mailbox sync down 30 min: it stays primary, sync is down 1800 s.
    assert_eq!(mean("service-stop-publisher-alone.yaml", 5, MailboxSyncDownS), 1800.0);
    assert_eq!(mean("service-stop-publisher-alone.yaml", 5, Failovers), 0.0);
    // Publisher primary: one automatic change; publisher secondary: none.
    assert_eq!(mean("service-stop-publisher-primary.yaml", 5, Failovers), 1.0);
    assert_eq!(mean("service-stop-publisher-secondary.yaml", 5, Failovers), 0.0);
    // Subscriber secondary, replication down an hour: MWIs wait up to the hour.
    let mwi = mean("service-stop-subscriber-secondary.yaml", 5, MwiDelayMaxS);
    assert!(mwi > 3000.0 && mwi <= 3600.0, "{mwi}");
}

#[test]
fn r13_r14_the_network_scenarios_split_as_their_comments_say() {
    let episodes = |name: &str| column(&run(&bundled(name), 20), SplitBrainEpisodes);
    // A 2-hour cut always splits, once; an isolated primary too.
    assert!(episodes("wan-partition-long.yaml").iter().all(|e| *e == 1.0));
    assert!(episodes("isolated-primary.yaml").iter().all(|e| *e == 1.0));
    // Twelve 90 s cuts, each longer than the 60 s worst-case detection.
    assert!(episodes("flapping-link.yaml").iter().all(|e| *e == 12.0));
    // A 40 s cut splits only when detection (30-60 s) beats the heal.
    let short = episodes("wan-partition-short.yaml");
    assert!(short.contains(&0.0) && short.contains(&1.0), "{short:?}");
    // An isolated secondary splits only in the race at the heal, if ever.
    assert!(episodes("isolated-secondary.yaml").iter().sum::<f64>() < 10.0);
}

#[test]
fn the_committed_example_results_are_what_the_code_writes_now() {
    // results/ is the README's gallery: if the model changes, these files must
    // be regenerated (results/regenerate.sh) or the README shows stale numbers.
    // Runs exactly the regenerate.sh line for publisher-crash, into a temp folder.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("publisher-crash");
    let scenario = root.join("scenarios/publisher-crash.yaml");
    let o = run_cli(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for file in
        ["summary.json", "replications.csv", "status.csv", "events.csv", "load.csv", "availability.png", "report.html"]
    {
        let committed = std::fs::read(root.join("results/publisher-crash").join(file)).unwrap();
        let now = std::fs::read(out.join(file)).unwrap();
        assert!(committed == now, "results/publisher-crash/{file} is stale: run results/regenerate.sh");
    }
}
