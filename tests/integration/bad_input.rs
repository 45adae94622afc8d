//! Bad input: exit status 2, one sentence on stderr naming the file, line,
//! column and key, no panic, nothing written.

use crate::common::*;

/// Runs `clustersim run` on `text` and checks the failure is clean; returns
/// the error line.
fn rejected(text: &[u8]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("bad.yaml"), text).unwrap();
    let o = run_cli(&["run", "bad.yaml", "--out", "out", "--quiet"], tmp.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.starts_with("error: bad.yaml"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!tmp.path().join("out").exists(), "output written for bad input");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "stray files: {leftovers:?}");
    err
}

/// Like `rejected`, and the message names `place` (file:line:col) and `key`.
fn rejected_at(text: &str, place: &str, key: &str) -> String {
    let err = rejected(text.as_bytes());
    assert!(err.contains(&format!("bad.yaml:{place}:")), "expected {place} in: {err}");
    assert!(err.contains(&format!("`{key}`")), "expected key `{key}` in: {err}");
    err
}

#[test]
fn yaml_syntax_errors_are_located() {
    let err = rejected(b"duration: 1h\ntraffic: {calls_per_hour: 3\n");
    assert!(err.contains("bad.yaml:"), "{err}");
    assert!(err.contains(":2:") || err.contains(":3:"), "{err}");
}

#[test]
fn duplicate_keys_point_at_the_second_one() {
    let err =
        rejected_at("duration: 1h\ntraffic: {calls_per_hour: 3}\ntraffic: {calls_per_hour: 4}\n", "3:1", "traffic");
    assert!(err.contains("twice"), "{err}");
    rejected_at("duration: 1h\ncluster:\n  takeover: 5s\n  takeover: 6s\n", "4:3", "cluster.takeover");
}

#[test]
fn wrong_types_name_the_key() {
    rejected_at("duration: 1h\ntraffic:\n  calls_per_hour: lots\n", "3:19", "traffic.calls_per_hour");
}

/// Like `rejected_at`, and the message says `words` and none of the Rust
/// type names serde speaks in.
fn rejected_in_words(text: &str, place: &str, key: &str, words: &str) {
    let err = rejected_at(text, place, key);
    assert!(err.contains(words), "expected {words:?} in: {err}");
    for parser_word in
        ["expected", "f64", "u32", "u64", "u128", "struct", "enum", "sequence", "YAML tag", "invalid type"]
    {
        assert!(!err.contains(parser_word), "{parser_word:?} in: {err}");
    }
}

#[test]
fn wrong_types_are_named_in_the_users_words() {
    let cases = [
        (
            "duration: 1h\ntraffic: {calls_per_hour: lots}\n",
            "2:27",
            "traffic.calls_per_hour",
            "must be a number, not the string `lots`",
        ),
        (
            "duration: 1h\nreplications: -1\n",
            "2:15",
            "replications",
            "must be a whole number from 0 to 4294967295, not the number -1",
        ),
        (
            "duration: 1h\nphone_system: {ports: 5000000000}\n",
            "2:23",
            "phone_system.ports",
            "a whole number from 0 to 4294967295",
        ),
        ("duration: 1h\nseed: 18446744073709551616\n", "2:7", "seed", "must be a seed from 0 to 2^64−1"),
        ("duration: 1h\nseed: -3\n", "2:7", "seed", "must be a seed from 0 to 2^64−1"),
        (
            "duration: 1h\nphone_system: {overflow: maybe}\n",
            "2:26",
            "phone_system.overflow",
            "must be true or false, not the string `maybe`",
        ),
        ("duration: 1h\nname: [a, b]\n", "2:7", "name", "must be text, not a list"),
        ("duration: 1h\nphone_system: 16\n", "2:15", "phone_system", "must be a mapping of phone system settings"),
        (
            "duration: 1h\ncluster: {initial: 3}\n",
            "2:20",
            "cluster.initial",
            "must be a mapping such as {publisher: primary",
        ),
        (
            "duration: 1h\nfailures: {at: 1h, crash: publisher}\n",
            "2:11",
            "failures",
            "must be a list of timeline entries, not a mapping",
        ),
        (
            "duration: 1h\nfailures: [5]\n",
            "2:12",
            "failures[0]",
            "must be a timeline entry such as {at: 1h, crash: publisher}",
        ),
        (
            "duration: 1h\nfailures: [{at: 1m, crash: [publisher]}]\n",
            "2:28",
            "failures[0].crash",
            "must be publisher or subscriber, not a list",
        ),
        (
            "duration: 1h\nphone_system: {integration: {sccp: 1}}\n",
            "2:29",
            "phone_system.integration",
            "must be one of sccp, sip_trunk, pimg_timg or sip_other, not a mapping",
        ),
        (
            "duration: 1h\ntraffic: {hourly_profile: 1.5}\n",
            "2:27",
            "traffic.hourly_profile",
            "must be a list of 24 multipliers",
        ),
        (
            "duration: 1h\nrandom_failures: {crash: {mtbf: 1h, mttr: 1m, servers: publisher}}\n",
            "2:56",
            "random_failures.crash.servers",
            "must be a list of servers",
        ),
        ("duration: 1h\ntraffic: {hold_time: ~}\n", "2:22", "traffic.hold_time", "not an empty value"),
        (
            "kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 5}\nrunbook: 15m\n",
            "4:10",
            "runbook",
            "must be a mapping of runbook steps",
        ),
        (
            "kind: persistent_chat\nduration: 1h\nchat: 2000\n",
            "3:7",
            "chat",
            "must be a mapping such as {posts_per_hour: 2000}",
        ),
        (
            "kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 5}\nbackup_share_survives: 1\n",
            "4:24",
            "backup_share_survives",
            "must be true or false, not the number 1",
        ),
        (
            "kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 5}\nfailures: [{at: 1m, datacenter_down: [primary]}]\n",
            "4:38",
            "failures[0].datacenter_down",
            "must be `primary`, not a list",
        ),
    ];
    for (text, place, key, words) in cases {
        rejected_in_words(text, place, key, words);
    }
}

#[test]
fn unknown_keys_suggest_the_nearest() {
    let err = rejected_at("duration: 1h\ntrafic: {calls_per_hour: 3}\n", "2:1", "trafic");
    assert!(err.contains("did you mean `traffic`"), "{err}");
    let err =
        rejected_at("duration: 1h\ncluster:\n  keepalive: {intervall: 10s}\n", "3:15", "cluster.keepalive.intervall");
    assert!(err.contains("did you mean `interval`"), "{err}");
}

#[test]
fn durations_need_units() {
    let err = rejected_at("duration: 3600\n", "1:11", "duration");
    assert!(err.contains("needs a unit"), "{err}");
    let err = rejected_at("duration: 1h\ncluster: {takeover: 5 seconds}\n", "2:21", "cluster.takeover");
    assert!(err.contains("unknown unit"), "{err}");
}

#[test]
fn out_of_range_numbers_are_rejected() {
    rejected_at("duration: 1h\nphone_system: {ports: 0}\n", "2:16", "phone_system.ports");
    rejected_at("duration: 1h\ntraffic: {leave_message: 1.5}\n", "2:11", "traffic.leave_message");
    rejected_at("duration: 1h\ntraffic: {calls_per_hour: -5}\n", "2:11", "traffic.calls_per_hour");
    rejected_at("duration: 1h\ntraffic: {calls_per_hour: .nan}\n", "2:11", "traffic.calls_per_hour");
    rejected_at("duration: 1h\ntraffic: {calls_per_hour: .inf}\n", "2:11", "traffic.calls_per_hour");
    rejected_at("duration: 0s\n", "1:1", "duration");
    rejected_at(
        "duration: 1h\ncluster: {keepalive: {interval: 15s, timeout: 10s}}\n",
        "2:38",
        "cluster.keepalive.timeout",
    );
    rejected_at("duration: 1h\ntraffic: {hourly_profile: [1, 2, 3]}\n", "2:11", "traffic.hourly_profile");
}

#[test]
fn runs_that_could_not_finish_are_refused_with_the_limit() {
    let err = rejected_at("duration: 100d\ntraffic: {calls_per_hour: 1000000}\n", "2:11", "traffic.calls_per_hour");
    assert!(err.contains("limit"), "{err}");
    let err = rejected_at("duration: 200000d\n", "1:1", "duration");
    assert!(err.contains("100 years"), "{err}");
}

#[test]
fn timeline_entries_must_be_inside_the_run_with_one_action() {
    rejected_at("duration: 1h\nfailures:\n  - {at: 2h, crash: publisher}\n", "3:6", "failures[0].at");
    let err = rejected_at(
        "duration: 1h\nfailures:\n  - {at: 1m, crash: publisher, isolate: subscriber}\n",
        "3:5",
        "failures[0]",
    );
    assert!(err.contains("2 actions"), "{err}");
    let err = rejected_at("duration: 1h\nfailures:\n  - {at: 1m}\n", "3:5", "failures[0]");
    assert!(err.contains("no action"), "{err}");
    rejected_at("duration: 1h\nfailures:\n  - {at: 1m, restart: publisher, for: 5m}\n", "3:34", "failures[0].for");
}

#[test]
fn unknown_servers_services_and_integrations_are_named() {
    let err = rejected_at("duration: 1h\nfailures:\n  - {at: 1m, crash: publsher}\n", "3:21", "failures[0].crash");
    assert!(err.contains("did you mean `publisher`"), "{err}");
    let err = rejected_at(
        "duration: 1h\nfailures:\n  - {at: 1m, stop_service: {server: publisher, service: dtabase}}\n",
        "3:57",
        "failures[0].stop_service.service",
    );
    assert!(err.contains("did you mean `database`"), "{err}");
    let err = rejected_at("duration: 1h\nphone_system: {integration: sip}\n", "2:29", "phone_system.integration");
    assert!(err.contains("did you mean `sip_trunk` or `sip_other`"), "{err}");
    rejected_at(
        "duration: 1h\nfailures:\n  - {at: 1m, partition: [phone_system, network]}\n",
        "3:14",
        "failures[0].partition",
    );
}

#[test]
fn empty_and_non_utf8_files_are_refused() {
    assert!(rejected(b"").contains("empty"));
    assert!(rejected(b"# only a comment\n").contains("empty"));
    let err = rejected(b"duration: 1h\nname: caf\xe9\n");
    assert!(err.contains("bad.yaml:2:10") && err.contains("UTF-8"), "{err}");
    assert!(rejected(b"- a\n- b\n").contains("mapping"));
}

#[test]
fn a_directory_or_missing_file_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("dir.yaml")).unwrap();
    for path in ["dir.yaml", "missing.yaml"] {
        let o = run_cli(&["run", path, "--quiet"], tmp.path());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).starts_with(&format!("error: {path}")), "{}", stderr(&o));
    }
}

#[test]
fn invalid_command_lines_get_clap_usage_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in
        [&["run"][..], &["run", "x.yaml", "--replications", "0"], &["frobnicate"], &["run", "x.yaml", "--bogus"]]
    {
        let o = run_cli(args, tmp.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("error:"), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn validate_reports_every_file_and_fails_if_any_is_bad() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "good.yaml", "duration: 1h\n");
    write(tmp.path(), "bad.yaml", "duration: 1\n");
    let o = run_cli(&["validate", "good.yaml", "bad.yaml"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok: good.yaml"));
    assert!(stderr(&o).contains("bad.yaml:1:11"), "{}", stderr(&o));
    let o = run_cli(&["validate", "good.yaml"], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    // A single bad file gets exactly its one line.
    let o = run_cli(&["validate", "bad.yaml"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error: bad.yaml:1:11: "), "{}", stderr(&o));
}
