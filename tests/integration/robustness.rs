//! Robustness: lints, bounds that say how to raise them, Ctrl-C, and results
//! folders that are replaced whole or not at all.

use crate::common::*;
use std::time::{Duration, Instant};

const CLEAN: &str = "duration: 4h\nphone_system: {ports: 24}\ntraffic: {calls_per_hour: 400}\n";

/// `validate` on `text`: (exit code, warning lines).
fn lint(text: &str) -> (Option<i32>, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", text);
    let o = run_cli(&["validate", "s.yaml"], tmp.path());
    (o.status.code(), stderr(&o).lines().map(str::to_string).collect())
}

#[test]
fn validate_accepts_a_clean_scenario_without_warnings() {
    assert_eq!(lint(CLEAN), (Some(0), vec![]));
}

#[test]
fn validate_warns_about_keepalives_outside_the_documented_detection() {
    // interval 5 s, timeout 10 s: detection in (5, 15] s, outside 30–60 s.
    let (code, warnings) = lint(&format!("{CLEAN}cluster: {{keepalive: {{interval: 5s, timeout: 10s}}}}\n"));
    assert_eq!(code, Some(0));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("warning: s.yaml:4:37: `cluster.keepalive.timeout`"), "{warnings:?}");
    assert!(warnings[0].contains("5s to 15s") && warnings[0].contains("30 to 60"), "{warnings:?}");
}

#[test]
fn validate_warns_about_deactivating_a_server_that_is_not_draining() {
    let undrained = format!("{CLEAN}failures: [{{at: 1h, admin: {{server: subscriber, action: deactivate}}}}]\n");
    let (code, warnings) = lint(&undrained);
    assert_eq!(code, Some(0));
    assert!(warnings.len() == 1 && warnings[0].contains("without first stopping it taking calls"), "{warnings:?}");
    // Stopped only 1 min before, with 90 s mean holds: too short a drain.
    let short = format!(
        "{CLEAN}failures:\n  - {{at: 59m, admin: {{server: subscriber, action: stop_taking_calls}}}}\n  \
         - {{at: 1h, admin: {{server: subscriber, action: deactivate}}}}\n"
    );
    let (_, warnings) = lint(&short);
    assert!(warnings.len() == 1 && warnings[0].contains("only 1m after"), "{warnings:?}");
    // Drained 15 min: no warning.
    let drained = short.replace("at: 59m", "at: 45m");
    assert_eq!(lint(&drained), (Some(0), vec![]));
}

#[test]
fn validate_warns_when_ports_fall_short_of_erlang_b_at_one_percent() {
    // 400 calls/hour × 90 s = 10 erlangs: Erlang B needs 18 ports for 1%.
    let (code, warnings) = lint("duration: 4h\nphone_system: {ports: 16}\ntraffic: {calls_per_hour: 400}\n");
    assert_eq!(code, Some(0));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("fewer than the 18"), "{warnings:?}");
}

#[test]
fn the_event_limit_stops_a_run_and_says_how_to_raise_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", CLEAN);
    let o = run_cli(&["run", "s.yaml", "--max-events", "1000", "--out", "out", "--quiet"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("event limit of 1000 events") && err.contains("--max-events"), "{err}");
    // One sentence, said once.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("event limit").count(), 1, "{err}");
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn a_run_too_large_for_one_invocation_is_refused_with_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", "duration: 3650d\ntraffic: {calls_per_hour: 10000}\n");
    let o = run_cli(&["run", "s.yaml", "--replications", "200", "--out", "out"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("above the limit of 1e11") && stderr(&o).contains("--shard"), "{}", stderr(&o));
}

#[test]
fn a_folder_clustersim_did_not_write_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", CLEAN);
    std::fs::create_dir(tmp.path().join("mine")).unwrap();
    write(&tmp.path().join("mine"), "thesis.tex", "precious");
    let o = run_cli(&["run", "s.yaml", "--out", "mine", "--quiet"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not written by clustersim"));
    assert_eq!(std::fs::read_to_string(tmp.path().join("mine/thesis.tex")).unwrap(), "precious");
}

#[test]
fn ctrl_c_leaves_the_previous_results_whole_and_no_partial_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "long.yaml",
        "duration: 3650d\nseed: 2\ntraffic: {calls_per_hour: 2000}\nrandom_failures: {crash: {mtbf: 100h, mttr: 1h}}\n",
    );
    write(d, "short.yaml", "name: long\nduration: 1h\ntraffic: {calls_per_hour: 2000}\n");
    // Earlier results in the folder the interrupted run would replace.
    let o = run_cli(&["run", "short.yaml", "--out", "res", "--quiet", "--no-charts"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = files(&d.join("res"));
    let child = bin()
        .args(["run", "long.yaml", "--out", "res", "--replications", "8", "--quiet", "--no-charts"])
        .current_dir(d)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?} to stop", started.elapsed());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted; nothing was written"));
    assert_eq!(files(&d.join("res")), before, "the earlier results must be untouched");
    let stray: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "left behind: {stray:?}");
}
