//! Experiments: threads, shards and merge, compare, sweep, and
//! confidence intervals.

use crate::common::*;
use clustersim::experiment::compare;
use clustersim::experiment::sweep::{self, Axis};
use clustersim::experiment::{self, RunSpec, TraceChoice};
use clustersim::model::metrics::Metric::{self, *};
use clustersim::scenario::{Scenario, load};
use clustersim::theory::erlang_b;
use std::path::Path;

const BUSY: &str = "\
name: busy
duration: 12h
replications: 12
seed: 4
phone_system: {integration: sip_trunk, ports: 12}
traffic: {calls_per_hour: 500, hold_time: {distribution: lognormal, mean: 80s, sd: 50s}}
failures:
  - {at: 2h, crash: publisher, for: 30m}
  - {at: 6h, partition: [publisher, subscriber], for: 20m}
random_failures:
  crash: {mtbf: 10h, mttr: 20m}
  service: {mtbf: 8h, mttr: 10m, service: database}
";

fn cli_ok(args: &[&str], dir: &Path) {
    let o = run_cli(args, dir);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

#[test]
fn r21_merged_shards_equal_a_single_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "busy.yaml", BUSY);
    cli_ok(&["run", "busy.yaml", "--out", "single", "--trace", "all", "--quiet", "--no-charts"], d);
    for k in 0..5 {
        let shard = format!("{k}/5");
        cli_ok(
            &[
                "run",
                "busy.yaml",
                "--out",
                &format!("s{k}"),
                "--shard",
                &shard,
                "--trace",
                "all",
                "--quiet",
                "--no-charts",
            ],
            d,
        );
    }
    // Any order on the command line; merge prints what run prints.
    let o = run_cli(&["merge", "s3", "s1", "s0", "s4", "s2", "--out", "merged", "--no-charts"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(printed.contains("5 shard(s) merged") && printed.contains("calls_offered"), "{printed}");
    let single = files(&d.join("single"));
    assert!(single.iter().any(|(n, b)| n == "events.csv" && b.len() > 1000));
    assert_eq!(single, files(&d.join("merged")));
    // --quiet: nothing on stdout, the same files.
    let o = run_cli(&["merge", "s0", "s1", "s2", "s3", "s4", "--out", "quiet", "--no-charts", "--quiet"], d);
    assert!(o.status.success() && o.stdout.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(single, files(&d.join("quiet")));
}

#[test]
fn merge_refuses_incomplete_or_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "busy.yaml", BUSY);
    for k in 0..2 {
        cli_ok(
            &["run", "busy.yaml", "--out", &format!("s{k}"), "--shard", &format!("{k}/2"), "--quiet", "--no-charts"],
            d,
        );
    }
    cli_ok(&["run", "busy.yaml", "--out", "other", "--shard", "1/2", "--seed", "9", "--quiet", "--no-charts"], d);
    for dirs in [&["s0"][..], &["s0", "s0"], &["s0", "other"], &["s0", "nowhere"]] {
        let mut args = vec!["merge"];
        args.extend(dirs);
        args.extend(["--out", "merged"]);
        let o = run_cli(&args, d);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        assert!(!d.join("merged").exists());
    }
}

#[test]
fn r21_the_thread_count_does_not_change_a_single_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "busy.yaml", BUSY);
    for threads in ["1", "4"] {
        cli_ok(
            &["run", "busy.yaml", "--out", threads, "--threads", threads, "--trace", "all", "--quiet", "--no-charts"],
            d,
        );
    }
    assert_eq!(files(&d.join("1")), files(&d.join("4")));
    // The same holds for compare and sweep.
    for threads in ["1", "3"] {
        cli_ok(
            &["compare", "busy.yaml", "--out", &format!("c{threads}"), "--threads", threads, "--quiet", "--no-charts"],
            d,
        );
        cli_ok(
            &[
                "sweep",
                "busy.yaml",
                "--set",
                "phone_system.ports=8,16",
                "--out",
                &format!("w{threads}"),
                "--threads",
                threads,
                "--quiet",
                "--no-charts",
            ],
            d,
        );
    }
    assert_eq!(files(&d.join("c1")), files(&d.join("c3")));
    assert_eq!(files(&d.join("w1")), files(&d.join("w3")));
}

fn template(s: &Scenario, count: u64) -> RunSpec {
    RunSpec {
        scenario: s.clone(),
        seed: 4,
        first: 0,
        count,
        trace: TraceChoice::None,
        threads: None,
        options: checked(),
        precision: None,
    }
}

#[test]
fn r21_compare_gives_every_strategy_the_same_calls_and_faults() {
    let s = Scenario::Voice(voice(BUSY));
    let strategies = compare::strategies(&s, None).unwrap();
    assert_eq!(
        strategies.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["sccp", "sip_trunk", "pimg_timg", "sip_other"]
    );
    let c = compare::run(&strategies, &template(&s, 12), &|| {}).unwrap();
    let col = |o: &experiment::RunOutput, m: Metric| o.column(m as usize);
    for output in &c.outputs[1..] {
        // The same calls arrive...
        assert_eq!(col(output, CallsOffered), col(&c.outputs[0], CallsOffered));
        // ...and the same faults are detected at the same moments.
        assert_eq!(col(output, DetectionDelayMaxS), col(&c.outputs[0], DetectionDelayMaxS));
    }
    // Differences are paired: calls_offered differs by exactly 0 ± 0.
    let row = c.rows().into_iter().find(|r| r.strategy == "pimg_timg" && r.metric == "calls_offered").unwrap();
    assert_eq!((row.diff.mean, row.diff.ci95), (0.0, 0.0));
}

#[test]
fn compare_includes_a_custom_allocation_named_in_the_scenario() {
    let s = Scenario::Voice(voice(&BUSY.replace(
        "phone_system: {integration: sip_trunk, ports: 12}",
        "phone_system: {integration: sip_trunk, ports: 12, allocation: {publisher: 4, subscriber: 12}, routing: least_busy}",
    )));
    let names: Vec<String> = compare::strategies(&s, None).unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names.last().map(String::as_str), Some("custom"));
    assert!(
        compare::strategies(&s, Some(&["sccp".into(), "sip".into()])).unwrap_err().contains("unknown strategy `sip`")
    );
}

#[test]
fn sweep_over_ports_follows_erlang_b_as_ports_grow() {
    // pimg_timg without failures: capacity = ports, so blocking is Erlang B
    // of the swept port count at 8 erlangs (400 calls/hour × 72 s).
    let text = "duration: 102h\nwarmup: 2h\nreplications: 8\nseed: 6\nphone_system: {integration: pimg_timg}\n\
                traffic: {calls_per_hour: 400, hold_time: {mean: 72s}}\n";
    let axes: Vec<Axis> = vec!["phone_system.ports=4,8,12".parse().unwrap()];
    let points = sweep::points("s.yaml", "s", text, &axes).unwrap();
    let base = Scenario::Voice(voice(text));
    let outputs = sweep::run(&points, &template(&base, 8), &|| {}).unwrap();
    let mut last = 1.0;
    for (point, output) in points.iter().zip(&outputs) {
        let ports: u32 = point.values[0].parse().unwrap();
        let rows: Vec<Vec<f64>> = output.replications.iter().map(|r| r.values.clone()).collect();
        assert_near_theory(&rows, BlockingProbability, erlang_b(ports, 8.0), &format!("{ports} ports"));
        let (mean, _) = mean_se(&column(&rows, BlockingProbability));
        assert!(mean < last, "blocking must fall as ports grow");
        last = mean;
    }
}

#[test]
fn sweep_values_are_validated_like_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "busy.yaml", BUSY);
    for (set, expected) in [
        ("cluster.keepalive.timeout=30s,10s", "must be longer than the keepalive interval"),
        ("phone_system.ports=8,lots", "phone_system.ports"),
        ("trafic.calls_per_hour=5", "did you mean `traffic`"),
        ("duration=1h", "failures[0].at"),
        ("nokey", "expected KEY=V1,V2"),
    ] {
        let o = run_cli(&["sweep", "busy.yaml", "--set", set, "--out", "w", "--quiet"], d);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{set}: {}", stderr(&o));
        assert!(!d.join("w").exists());
    }
}

#[test]
fn set_refuses_keys_that_are_not_model_parameters_and_repeated_values() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "busy.yaml", BUSY);
    write(d, "chat.yaml", "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 100}\n");
    for (command, file, set, expected) in [
        ("sweep", "busy.yaml", "seed=1,2", "`seed` is not a model parameter; give the master seed with --seed N"),
        ("compare", "busy.yaml", "seed=1,2", "--seed N"),
        ("sweep", "busy.yaml", "replications=5,10", "give the number of replications with --replications N"),
        ("sweep", "busy.yaml", "kind=persistent_chat", "`kind` is not a model parameter"),
        ("compare", "chat.yaml", "kind=foo,bar", "`kind` is not a model parameter"),
        ("sweep", "busy.yaml", "name=a,b", "`name` is not a model parameter"),
        ("sweep", "busy.yaml", "description=a,b", "`description` is not a model parameter"),
        ("compare", "chat.yaml", "log_shipping.backup_interval=5m,5m", "gives the value `5m` twice"),
        ("sweep", "busy.yaml", "phone_system.ports=8,16,8", "phone_system.ports gives the value `8` twice"),
        ("sweep", "busy.yaml", "cluster.takeover=5m,300s", "are the same scenario"),
    ] {
        let o = run_cli(&[command, file, "--set", set, "--out", "w", "--quiet"], d);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command} --set {set}: {err}");
        assert_eq!(err.lines().count(), 1, "{command} --set {set}: {err}");
        assert!(err.starts_with("error: --set: ") && err.contains(expected), "{command} --set {set}: {err}");
        assert!(!d.join("w").exists());
    }
    // As a repeated strategy is refused.
    let o = run_cli(&["compare", "busy.yaml", "--integrations", "sccp,sccp", "--out", "w", "--quiet"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("named twice"), "{}", stderr(&o));
}

#[test]
fn confidence_half_widths_shrink_as_one_over_root_n() {
    // Half-width = t(n−1) · s / √n: from 10 to 160 replications it shrinks by
    // 4 · t(9)/t(159) = 4 · 2.262/1.975 ≈ 4.6, up to the noise in s.
    let s = voice(
        "duration: 24h\nseed: 3\ntraffic: {calls_per_hour: 600}\nphone_system: {integration: sip_trunk, ports: 10}\n",
    );
    let ci = |n: u64| {
        let rows = run(&s, n);
        let stat = experiment::summarize(&column(&rows, BlockingProbability));
        stat.ci95
    };
    let ratio = ci(10) / ci(160);
    assert!((3.0..6.5).contains(&ratio), "ratio {ratio}");
}

#[test]
fn compare_reproduces_the_seeds_trade_off_during_a_publisher_outage() {
    // Table 3-2: SCCP and PIMG/TIMG leave all 16 ports on the surviving
    // server, the SIP integrations only 8. Four hours at up to 10 erlangs on
    // 8 ports block a third of the busy hour; on 16 ports about 2%.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/publisher-outage.yaml");
    let s = load(&path).unwrap();
    let strategies = compare::strategies(&s, None).unwrap();
    let c = compare::run(&strategies, &template(&s, 20), &|| {}).unwrap();
    let blocking = |name: &str| {
        let i = c.strategies.iter().position(|s| s == name).unwrap();
        let (mean, _) = mean_se(&c.outputs[i].column(BlockingProbability as usize));
        mean
    };
    for sip in ["sip_trunk", "sip_other"] {
        for full in ["sccp", "pimg_timg"] {
            assert!(blocking(sip) > 5.0 * blocking(full), "{sip} {} vs {full} {}", blocking(sip), blocking(full));
        }
    }
}

#[test]
fn r21_chat_shards_merge_into_a_single_run_too() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "chat.yaml",
        "kind: persistent_chat\nduration: 6h\nreplications: 6\nchat: {posts_per_hour: 500}\n\
         failures: [{at: 2h10m, datacenter_down: primary}]\n",
    );
    cli_ok(&["run", "chat.yaml", "--out", "single", "--trace", "all", "--quiet"], d);
    for k in 0..3 {
        cli_ok(
            &["run", "chat.yaml", "--out", &format!("s{k}"), "--shard", &format!("{k}/3"), "--trace", "all", "--quiet"],
            d,
        );
    }
    cli_ok(&["merge", "s0", "s1", "s2", "--out", "merged"], d);
    let single = files(&d.join("single"));
    assert!(!single.iter().any(|(n, _)| n == "load.csv"), "a chat run has no call load");
    assert!(single.iter().any(|(n, _)| n == "availability.png"));
    assert_eq!(single, files(&d.join("merged")));
}
