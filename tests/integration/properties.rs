//! Property tests and fuzzing (proptest): nothing a user can type panics or
//! hangs the parser, the validator or the model, and generated valid
//! scenarios keep the model's laws.
//!
//! CI runs a modest number of cases; run longer with, e.g.,
//! `PROPTEST_CASES=100000 cargo test --release --test integration properties`.

use crate::common::*;
use crate::generate;
use clustersim::model::metrics::Metric::*;
use clustersim::model::trace::{Recorder, StatusRow};
use clustersim::model::voice::{allowed_transition, simulate};
use clustersim::scenario::{Scenario, Status, parse_str};
use proptest::prelude::*;

/// `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

/// Pieces of scenario text, valid and not, for token soups and mutations.
const TOKENS: &[&str] = &[
    "duration",
    "warmup",
    "seed",
    "replications",
    "cluster",
    "keepalive",
    "interval",
    "timeout",
    "takeover",
    "phone_system",
    "integration",
    "ports",
    "allocation",
    "routing",
    "overflow",
    "traffic",
    "calls_per_hour",
    "hourly_profile",
    "hold_time",
    "distribution",
    "mean",
    "sd",
    "leave_message",
    "failures",
    "at",
    "for",
    "every",
    "until",
    "crash",
    "restart",
    "partition",
    "isolate",
    "heal",
    "stop_service",
    "start_service",
    "admin",
    "replicate",
    "random_failures",
    "mtbf",
    "mttr",
    "service",
    "server",
    "action",
    "publisher",
    "subscriber",
    "network",
    "phone_system",
    "all",
    "sccp",
    "pimg_timg",
    "lognormal",
    "fixed",
    "deactivate",
    "make_primary",
    ":",
    ": ",
    "-",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\n",
    "  ",
    "#",
    "&a",
    "*a",
    "<<",
    "!!str",
    "'",
    "\"",
    "1h",
    "0s",
    "90s",
    "1ms",
    "36525d",
    "99999999999999999999d",
    "1.5",
    "-1",
    "0",
    ".nan",
    ".inf",
    "-.inf",
    "1e308",
    "18446744073709551616",
    "~",
    "null",
    "true",
    "yes",
    "|",
    ">",
    "---",
    "...",
    "\t",
    "é",
    "\u{0}",
    "kind: persistent_chat\n",
    "chat",
    "posts_per_hour",
    "log_shipping",
    "backup_interval",
    "runbook",
    "decide",
    "min",
    "max",
    "datacenter_down",
    "backup_share_survives",
    "compliance",
    "adapter_interval",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|t| t.concat())
}

/// A generated valid scenario with a few random edits.
fn mutated() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec((0.0..1.0f64, 0..3u8, prop::sample::select(TOKENS)), 1..6);
    (0..5000u64, edits).prop_map(|(case, edits)| {
        let mut text = generate::scenario(case, 6);
        for (at, op, token) in edits {
            let mut i = (at * text.len() as f64) as usize;
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match op {
                0 => text.insert_str(i, token),
                1 => {
                    let mut end = (i + token.len()).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, "");
                }
                _ => {
                    let mut end = (i + token.len()).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, token);
                }
            }
        }
        text
    })
}

/// Runs an accepted scenario if it is small enough for a test, with the
/// invariant checker on; a limit error is fine, a panic is not.
fn run_if_small(scenario: Scenario) {
    if scenario.expected_work() > 2e5 || scenario.duration_and_warmup().0.as_us() > 1000 * 3_600_000_000 {
        return;
    }
    let mut s = match scenario {
        Scenario::Voice(s) if s.failures.len() <= 50 => s,
        Scenario::Chat(c) => {
            let _ = clustersim::model::chat::simulate(&c, 0, true, 2_000_000);
            return;
        }
        Scenario::Voice(_) => return,
    };
    s.replications = 1;
    let options = clustersim::model::voice::RunOptions { max_events: 2_000_000, ..checked() };
    let _ = simulate(&s, 0, options);
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn arbitrary_text_never_panics_the_parser(text in any::<String>()) {
        let _ = parse_str("fuzz.yaml", "fuzz", &text);
    }

    #[test]
    fn token_soups_never_panic_the_parser(text in soup()) {
        if let Ok(s) = parse_str("fuzz.yaml", "fuzz", &text) {
            run_if_small(s);
        }
    }
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn mutated_scenarios_are_rejected_cleanly_or_run_cleanly(text in mutated()) {
        match parse_str("fuzz.yaml", "fuzz", &text) {
            Ok(s) => run_if_small(s),
            Err(e) => {
                let line = e.to_string();
                prop_assert!(line.starts_with("fuzz.yaml"), "{line}");
                prop_assert!(!line.contains('\n'), "one line: {line}");
            }
        }
    }
}

/// The event a status change must come with (R4, R7–R12, R15), on the same
/// server at the same instant.
fn explaining_event(row: &StatusRow) -> &'static str {
    use Status::*;
    match (row.from, row.to) {
        (_, NotFunctioning) => "crash",
        (NotFunctioning, Starting) => "restart",
        (Deactivated, Starting) => "admin_activate",
        (Starting, Deactivated) => "startup_completed",
        (_, Deactivated) => "admin_deactivate",
        (_, ReplicatingData) => "admin_replicate",
        (ReplicatingData, _) => "replication_completed",
        (_, SplitBrainRecovery) => "split_brain_detected",
        (SplitBrainRecovery, _) => "mta_notifier_started",
        (Starting, _) => "startup_completed",
        _ => "status_set",
    }
}

fn check_laws(case: u64, r: &Recorder) -> Result<(), TestCaseError> {
    for row in &r.statuses {
        prop_assert!(allowed_transition(row.from, row.to), "case {case}: {row:?} is not an edge of SPEC §1");
        let wanted = explaining_event(row);
        let found = r.events.iter().any(|e| e.at == row.at && e.server == Some(row.server) && e.event == wanted);
        prop_assert!(found, "case {case}: {row:?} has no `{wanted}` event");
        // A cause named after an event comes with that event, on that
        // server, no later than the change.
        if matches!(row.cause, "keepalive_lost" | "primary_not_heard") {
            let said = r.events.iter().any(|e| e.at <= row.at && e.server == Some(row.server) && e.event == row.cause);
            prop_assert!(said, "case {case}: {row:?} names a cause no event of its server shows");
        }
    }
    // Every completed status change was started, on the same server.
    for (i, e) in r.events.iter().enumerate().filter(|(_, e)| e.event == "status_change_completed") {
        let started = r.events[..i].iter().rev().any(|b| b.server == e.server && b.event == "status_change_started");
        prop_assert!(started, "case {case}: {e:?} completes a change that never started");
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(150))]

    #[test]
    fn generated_scenarios_keep_the_models_laws(case in any::<u64>(), hours in 1..24u64, replication in 0..4u64) {
        let s = voice(&generate::scenario(case, hours));
        // The invariant checker runs after every event (two primaries only
        // while the servers cannot hear each other, conservation, ...).
        let (m, r) = traced_with(&s, replication, checked());
        check_laws(case, &r)?;
        prop_assert_eq!(get(&m, CallsOffered), get(&m, CallsAnswered) + get(&m, CallsBlocked));
        prop_assert_eq!(
            get(&m, CallsAnswered),
            get(&m, CallsCompleted) + get(&m, CallsDropped) + get(&m, CallsInProgressEnd)
        );
        // Determinism: the same scenario, seed and replication again.
        let (m2, r2) = traced_with(&s, replication, checked());
        prop_assert_eq!(m, m2);
        prop_assert_eq!(&r.statuses, &r2.statuses);
        prop_assert_eq!(&r.events, &r2.events);
    }
}
