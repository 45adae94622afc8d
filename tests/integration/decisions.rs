//! Decisions: the measured window, `size`, `--precision` and
//! `expect:`, through the real command line. Expected answers come from
//! Erlang B (`clustersim::theory`, itself checked against published tables)
//! or from the definitions of the verdicts.

use crate::common::*;
use clustersim::theory::{erlang_b, ports_needed};
use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

/// A loss system of 10 erlangs (400 calls/h × 90 s), no failure.
const TEN_ERLANGS: &str = "\
name: ten-erlangs
duration: 100h
replications: 20
seed: 3
phone_system: {integration: pimg_timg, ports: 16}
traffic: {calls_per_hour: 400, hold_time: {distribution: exponential, mean: 90s}}
";

#[test]
fn size_finds_erlang_bs_ports_for_a_loss_system_without_failures() {
    // Erlang B at 10 E: B(17) = 0.0129 > 1% ≥ B(18) = 0.0071, so 18 ports
    // (the textbook answer, which sizing.json also reports). With 2 M calls
    // per candidate the interval is ±0.0003, far narrower than the gap.
    assert_eq!(ports_needed(10.0, 0.01), 18);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.yaml", TEN_ERLANGS);
    let out = dir.path().join("out");
    let o = run_cli(
        &[
            "size",
            file.to_str().unwrap(),
            "--integrations",
            "pimg_timg",
            "--target",
            "blocking_probability<=0.01",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sizing = json(&out.join("sizing.json"));
    assert_eq!(sizing["key"], "phone_system.ports");
    assert_eq!(sizing["textbook"], 18);
    assert_eq!(sizing["targets"][0]["op"], "<=");
    let answer = sizing["answers"]["pimg_timg"].as_u64().unwrap();
    assert!((17..=19).contains(&answer), "answer {answer}, Erlang B says 18");
    // sizing.csv: `meets` is the definition (mean + ci95 ≤ 0.01) on every
    // row, and the answer meets while the value below it does not.
    let rows = csv_rows(&out.join("sizing.csv"));
    for row in &rows {
        let (mean, ci95): (f64, f64) = (row[3].parse().unwrap(), row[4].parse().unwrap());
        assert_eq!(row[5] == "true", mean + ci95 <= 0.01, "{row:?}");
        let ports: u32 = row[1].parse().unwrap();
        let theory = erlang_b(ports, 10.0);
        assert!((mean - theory).abs() <= 0.1 * theory + 0.002, "{ports} ports: {mean} against Erlang B {theory}");
    }
    let meets = |ports: u64| rows.iter().find(|r| r[1] == ports.to_string()).map(|r| r[5] == "true");
    assert_eq!(meets(answer), Some(true));
    assert_eq!(meets(answer - 1), Some(false));
}

/// The publisher down for the whole measured window, at 7.5 erlangs.
const PUBLISHER_DOWN: &str = "\
name: publisher-down
duration: 60h
replications: 10
seed: 5
window: {from: 10m, to: 60h}
phone_system: {integration: sccp, ports: 16}
traffic: {calls_per_hour: 300, hold_time: {distribution: exponential, mean: 90s}}
failures:
  - {at: 0s, crash: publisher, for: 60h}
";

#[test]
fn size_while_the_publisher_is_down_gives_sip_integrations_twice_the_ports() {
    // With the publisher down, the subscriber answers every call. Under SCCP
    // it has every port, so it needs Erlang B's answer at 7.5 E; under a SIP
    // trunk it has half of them, rounded up, so the cluster needs twice as
    // many less one (an odd count gives the subscriber the larger half).
    let one_server = ports_needed(7.5, 0.01) as u64;
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.yaml", PUBLISHER_DOWN);
    let out = dir.path().join("out");
    let args = [
        "size",
        file.to_str().unwrap(),
        "--integrations",
        "sccp,sip_trunk",
        "--target",
        "blocking_probability<=0.01",
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "--quiet",
    ];
    let o = run_cli(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let answers = &json(&out.join("sizing.json"))["answers"];
    let (sccp, sip) = (answers["sccp"].as_u64().unwrap(), answers["sip_trunk"].as_u64().unwrap());
    assert!(sccp.abs_diff(one_server) <= 1, "sccp {sccp}, Erlang B {one_server}");
    assert!((2 * one_server - 2..=2 * one_server + 1).contains(&sip), "sip_trunk {sip}, twice Erlang B {one_server}");
    let keys: Vec<&String> = answers.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["sccp", "sip_trunk"], "answers keep the strategies' order");
}

#[test]
fn a_strategy_that_cannot_meet_the_target_in_range_is_reported_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.yaml", TEN_ERLANGS);
    let out = dir.path().join("out");
    let o = run_cli(
        &[
            "size",
            file.to_str().unwrap(),
            "--integrations",
            "pimg_timg",
            "--target",
            "blocking_probability<=0.01",
            "--max",
            "12",
            "--replications",
            "2",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(json(&out.join("sizing.json"))["answers"]["pimg_timg"].is_null());
    assert!(String::from_utf8_lossy(&o.stdout).contains("not in range"));
}

#[test]
fn the_window_measures_blocking_during_the_outage_as_erlang_b_predicts() {
    // publisher-outage's traffic under a SIP trunk of 16 ports: while the
    // publisher is down (08:00–12:00) the subscriber has 8. Per hour h the
    // load is 350 × profile[h] × 90 s; blocking over the window is Erlang B
    // with 8 ports, weighted by each hour's arrivals. Over the whole day the
    // same blocking is diluted by the other twenty hours, which bring 66% of
    // the day's calls (3.5 of the profile's 10.27) to all 16 ports.
    let profile = [
        0.07, 0.05, 0.05, 0.05, 0.07, 0.14, 0.27, 0.55, 0.82, 1.0, 0.91, 0.77, 0.59, 0.77, 0.91, 0.86, 0.73, 0.55,
        0.36, 0.23, 0.18, 0.14, 0.11, 0.09,
    ];
    let hours = &profile[8..12];
    let weighted: f64 = hours.iter().map(|p| p * erlang_b(8, 350.0 * p * 90.0 / 3600.0)).sum();
    let expected = weighted / hours.iter().sum::<f64>();
    let scenario = |window: &str| {
        format!(
            "name: outage\nduration: 24h\nreplications: 40\nseed: 9\n{window}\
             phone_system: {{integration: sip_trunk, ports: 16}}\n\
             traffic:\n  calls_per_hour: 350\n  hourly_profile: [{}]\n  \
             hold_time: {{distribution: exponential, mean: 90s}}\n\
             failures:\n  - {{at: 8h, crash: publisher, for: 4h}}\n",
            profile.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let blocking = |name: &str, window: &str| {
        let file = write(dir.path(), &format!("{name}.yaml"), &scenario(window));
        let out = dir.path().join(name);
        let o = run_cli(
            &["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-charts", "--quiet"],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let summary = json(&out.join("summary.json"));
        let m = &summary["metrics"]["blocking_probability"];
        let (mean, ci95) = (m["mean"].as_f64().unwrap(), m["ci95"].as_f64().unwrap());
        (summary, mean, ci95)
    };
    let (summary, during, ci95) = blocking("window", "window: {from: 8h, to: 12h}\n");
    assert_eq!(summary["window"]["from_s"], 28800.0);
    assert_eq!(summary["window"]["to_s"], 43200.0);
    // The first ~45 s, until the phone system stops offering the dead
    // server's ports, add a little; 15% covers it and the interval.
    assert!((during - expected).abs() <= 0.15 * expected + ci95, "window: {during} ± {ci95}, Erlang B {expected}");
    let (_, whole, _) = blocking("whole", "");
    assert!(whole < 0.5 * during, "over the day the outage's blocking is diluted: {whole} against {during}");
}

fn precise_run(dir: &Path, threads: &str) -> std::path::PathBuf {
    let file = write(dir, "s.yaml", TEN_ERLANGS.replace("100h", "2h").replace("ports: 16", "ports: 14").as_str());
    let out = dir.join(format!("threads-{threads}"));
    let o = run_cli(
        &[
            "run",
            file.to_str().unwrap(),
            "--precision",
            "blocking_probability=0.004",
            "--replications",
            "5",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "--quiet",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn precision_adds_batches_until_the_interval_is_narrow_and_is_byte_identical_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (precise_run(dir.path(), "1"), precise_run(dir.path(), "2"));
    assert_eq!(files(&one), files(&two));
    let summary = json(&one.join("summary.json"));
    assert_eq!(summary["stopped"], "precision");
    // The batch totals are 10, 20, 40, … (the first batch is at least 10),
    // and the run stops at the first whose half-width meets the target.
    let n = summary["replications"].as_u64().unwrap();
    assert!((n / 10).is_power_of_two() && n.is_multiple_of(10), "{n}");
    assert!(summary["metrics"]["blocking_probability"]["ci95"].as_f64().unwrap() <= 0.004);
    // A plain run of the same replications writes the same summary: the
    // batches are replications 0..n, whatever batch each ran in.
    let file = dir.path().join("s.yaml");
    let plain = dir.path().join("plain");
    let o = run_cli(
        &[
            "run",
            file.to_str().unwrap(),
            "--replications",
            &n.to_string(),
            "--out",
            plain.to_str().unwrap(),
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(plain.join("replications.csv")).unwrap(),
        std::fs::read(one.join("replications.csv")).unwrap()
    );
}

#[test]
fn max_replications_stops_a_precision_that_cannot_be_met() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.yaml", &TEN_ERLANGS.replace("100h", "1h"));
    let out = dir.path().join("out");
    let o = run_cli(
        &[
            "run",
            file.to_str().unwrap(),
            "--precision",
            "blocking_probability=0.0000001",
            "--max-replications",
            "30",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["stopped"], "max_replications");
    assert_eq!(summary["replications"], 30, "batches of 20 then 30: capped at the maximum");
}

/// Runs `args` in `dir` and returns (exit status, stdout, stderr).
fn exit(args: &[&str], dir: &Path) -> (i32, String, String) {
    let o = run_cli(args, dir);
    (o.status.code().unwrap(), String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o))
}

#[test]
fn a_failing_expectation_exits_3_after_writing_the_results() {
    // 10 E on 16 ports: Erlang B says 2.2% blocking, far from 0.1%.
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("{}expect:\n  - {{metric: blocking_probability, max: 0.001}}\n", TEN_ERLANGS.replace("100h", "5h"));
    let file = write(dir.path(), "s.yaml", &text);
    let out = dir.path().join("out");
    let (code, stdout, err) =
        exit(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-charts"], dir.path());
    assert_eq!(code, 3, "{err}");
    assert!(stdout.contains("fails"), "{stdout}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("blocking_probability max 0.001"), "{err}");
    assert!(out.join("summary.json").is_file(), "the results are written before the verdict");
    let rows = csv_rows(&out.join("expectations.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0][0].as_str(), rows[0][1].as_str(), rows[0][5].as_str()),
        ("blocking_probability", "max", "fails")
    );
}

#[test]
fn an_unsure_expectation_warns_and_fails_only_under_strict() {
    // First the interval, then a bound inside it above the mean: by the
    // definition of the verdicts that is `unsure`.
    let dir = tempfile::tempdir().unwrap();
    let base = TEN_ERLANGS.replace("100h", "5h").replace("replications: 20", "replications: 8");
    let file = write(dir.path(), "s.yaml", &base);
    let first = dir.path().join("first");
    assert_eq!(
        exit(&["run", file.to_str().unwrap(), "--out", first.to_str().unwrap(), "--no-charts"], dir.path()).0,
        0
    );
    let m = &json(&first.join("summary.json"))["metrics"]["blocking_probability"];
    let (mean, ci95) = (m["mean"].as_f64().unwrap(), m["ci95"].as_f64().unwrap());
    assert!(ci95 > 0.0);
    let bound = mean + ci95 / 2.0;
    let file =
        write(dir.path(), "u.yaml", &format!("{base}expect:\n  - {{metric: blocking_probability, max: {bound}}}\n"));
    let (code, _, err) =
        exit(&["run", file.to_str().unwrap(), "--out", dir.path().join("a").to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: expectation unsure"), "{err}");
    let (code, _, err) =
        exit(&["run", file.to_str().unwrap(), "--strict", "--out", dir.path().join("b").to_str().unwrap()], dir.path());
    assert_eq!(code, 3, "{err}");
    assert_eq!(csv_rows(&dir.path().join("b/expectations.csv"))[0][5], "unsure");
}

#[test]
fn compare_and_sweep_judge_expectations_per_strategy_and_grid_point() {
    // The publisher down all along: under SCCP the subscriber has all 16
    // ports, and 10 E meet 5% blocking (Erlang B 2.2%); under a SIP trunk it
    // has 8, B(8, 10) = 33.8%: fails.
    let dir = tempfile::tempdir().unwrap();
    let down = "window: {from: 10m, to: 10h}\nfailures:\n  - {at: 0s, crash: publisher, for: 10h}\n";
    let text = format!(
        "{}{down}expect:\n  - {{metric: blocking_probability, max: 0.05}}\n",
        TEN_ERLANGS.replace("100h", "10h").replace("pimg_timg", "sccp")
    );
    let file = write(dir.path(), "s.yaml", &text);
    let out = dir.path().join("compare");
    let (code, _, err) = exit(
        &[
            "compare",
            file.to_str().unwrap(),
            "--integrations",
            "sccp,sip_trunk",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ],
        dir.path(),
    );
    assert_eq!(code, 3, "{err}");
    let rows = csv_rows(&out.join("expectations.csv"));
    let verdicts: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[6].as_str())).collect();
    assert_eq!(verdicts, [("sccp", "holds"), ("sip_trunk", "fails")]);
    let out = dir.path().join("sweep");
    let (code, _, err) = exit(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--set",
            "phone_system.ports=12,20",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ],
        dir.path(),
    );
    // SCCP with the subscriber alone: B(12, 10) = 12.0% fails; B(20, 10) = 0.19% holds.
    assert_eq!(code, 3, "{err}");
    let header = csv::Reader::from_path(out.join("expectations.csv")).unwrap().headers().unwrap().clone();
    assert_eq!(&header[0], "phone_system.ports");
    let rows = csv_rows(&out.join("expectations.csv"));
    let verdicts: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[6].as_str())).collect();
    assert_eq!(verdicts, [("12", "fails"), ("20", "holds")]);
}

#[test]
fn bad_decision_arguments_are_one_line_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "s.yaml", &TEN_ERLANGS.replace("100h", "1h"));
    let s = file.to_str().unwrap();
    let cases: [(&[&str], &str); 12] = [
        (&["run", s, "--precision", "nosuch=0.1"], "nosuch"),
        (&["run", s, "--precision", "blocking_probability=0"], "above 0"),
        (&["run", s, "--precision", "blocking_probability"], "METRIC=V"),
        (&["run", s, "--precision", "blocking_probability=0.1", "--shard", "0/2"], "--shard"),
        (&["run", s, "--max-replications", "50"], "--precision"),
        (&["size", s, "--target", "blocking_probability<0.01"], "<="),
        (&["size", s, "--target", "nosuch<=1"], "nosuch"),
        (&["size", s, "--target", "blocking_probability<=0.01", "--key", "seed"], "--seed"),
        (
            &["size", s, "--target", "blocking_probability<=0.01", "--key", "traffic.hold_time.mean"],
            "traffic.hold_time.mean",
        ),
        (&["size", s, "--target", "blocking_probability<=0.01", "--key", "phone_system.nosuch"], "nosuch"),
        (&["size", s, "--target", "blocking_probability<=0.01", "--min", "9", "--max", "3"], "--min 9"),
        (&["size", s], "--target"),
    ];
    for (args, named) in cases {
        let mut with_out = args.to_vec();
        let out = dir.path().join("out");
        with_out.extend(["--out", out.to_str().unwrap()]);
        let (code, _, err) = exit(&with_out, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote results");
    }
}

#[test]
fn bad_windows_and_expectations_are_invalid_scenarios_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("warmup: 1h\nwindow: {from: 2h, to: 3h}\n", "window"),
        ("window: {from: 2h, to: 30h}\n", "window"),
        ("window: {from: 3h, to: 2h}\n", "window"),
        ("expect:\n  - {metric: nosuch, max: 1}\n", "expect[0].metric"),
        ("expect:\n  - {metric: blocking_probability, min: 0.1, max: 0.2}\n", "expect[0]"),
        ("expect:\n  - {metric: blocking_probability}\n", "expect[0]"),
    ];
    for (extra, key) in cases {
        let file = write(dir.path(), "bad.yaml", &format!("duration: 24h\n{extra}"));
        let (code, _, err) = exit(&["validate", file.to_str().unwrap()], dir.path());
        assert_eq!(code, 2, "{extra}: {err}");
        assert_eq!(err.lines().count(), 1, "{extra}: {err}");
        assert!(err.contains(key) && err.contains("bad.yaml"), "{extra}: {err}");
    }
}
