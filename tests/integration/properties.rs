//! Property tests and fuzzing (proptest): nothing a user can type panics or
//! hangs the parser, the validator or the model, and generated valid
//! scenarios keep the model's laws.
//!
//! CI runs a modest number of cases; run longer with, e.g.,
//! `PROPTEST_CASES=100000 cargo test --release --test integration properties`.

use crate::common::*;
use crate::generate;
use clustersim::model::metrics::Metric::*;
use clustersim::model::trace::{NoTrace, StatusChange};
use clustersim::model::voice::allowed_transition;
use clustersim::model::{self, Kind, metric_names};
use clustersim::scenario::{Scenario, Status, parse_str};
use proptest::prelude::*;

/// `PROPTEST_CASES` if set, else `default`.
pub fn cases(default: u32) -> ProptestConfig {
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
pub fn mutated() -> impl Strategy<Value = String> {
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

/// What the parser must do with any text: accept a valid scenario, or refuse
/// it in one line that names the file.
fn parsed_cleanly(text: &str) -> Result<Option<Scenario>, TestCaseError> {
    match parse_str("fuzz.yaml", "fuzz", text) {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            let line = e.to_string();
            prop_assert!(line.starts_with("fuzz.yaml"), "{line}");
            prop_assert!(!line.contains('\n'), "one line: {line}");
            Ok(None)
        }
    }
}

/// Runs an accepted scenario if it is small enough for a test, with the
/// invariant checker on, and checks the laws every run keeps (docs/metrics.md): a
/// limit error is fine, a panic or a broken law is not.
fn run_if_small(scenario: Scenario) -> Result<(), TestCaseError> {
    let too_long = scenario.duration_and_warmup().0.as_us() > us(1000 * 3_600_000_000);
    let too_many = matches!(&scenario, Scenario::Voice(s) if s.failures.len() > 50);
    if scenario.expected_work() > 2e5 || too_long || too_many {
        return Ok(());
    }
    let options = clustersim::model::RunOptions { max_events: 2_000_000, ..checked() };
    let Ok(run) = model::simulate(&scenario, 0, options, NoTrace) else { return Ok(()) };
    let kind = Kind::of(&scenario);
    let names = metric_names(kind);
    let value = |name: &str| run.metrics[names.iter().position(|n| *n == name).expect("a metric")];
    prop_assert!(run.metrics.iter().all(|v| v.is_finite()), "{:?}", run.metrics);
    prop_assert!((0.0..=1.0).contains(&value("availability")));
    match kind {
        Kind::VoiceMessaging => {
            prop_assert_eq!(value("calls_offered"), value("calls_answered") + value("calls_blocked"));
            prop_assert_eq!(
                value("calls_answered"),
                value("calls_completed") + value("calls_dropped") + value("calls_in_progress_end")
            );
            prop_assert!(value("messages_failed") <= value("mailbox_unavailable_calls"));
            prop_assert!(value("split_brain_s") == 0.0 || value("split_brain_episodes") > 0.0);
        }
        Kind::PersistentChat => {
            let horizon = scenario.duration_and_warmup().0.as_us().secs();
            prop_assert!(value("outage_s") <= horizon && value("unmirrored_s") <= horizon);
            prop_assert!(value("posts_lost") <= value("posts"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn arbitrary_text_is_accepted_or_refused_in_one_line(text in any::<String>()) {
        parsed_cleanly(&text)?;
    }

    #[test]
    fn token_soups_are_refused_in_one_line_or_run_within_the_laws(text in soup()) {
        if let Some(s) = parsed_cleanly(&text)? {
            run_if_small(s)?;
        }
    }
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn mutated_scenarios_are_rejected_cleanly_or_run_cleanly(text in mutated()) {
        if let Some(s) = parsed_cleanly(&text)? {
            run_if_small(s)?;
        }
    }
}

/// The event a status change must come with (R4, R7–R12, R15), on the same
/// server at the same instant.
fn explaining_event(row: &StatusChange) -> &'static str {
    use Status::*;
    match (voice_status(row.from), voice_status(row.to)) {
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

fn check_laws(case: u64, r: &Traced) -> Result<(), TestCaseError> {
    for row in &r.statuses {
        let (from, to) = (voice_status(row.from), voice_status(row.to));
        prop_assert!(allowed_transition(from, to), "case {case}: {row:?} is not an edge of the state diagram");
        let wanted = explaining_event(row);
        let found = r.events.iter().any(|e| e.at == row.at && e.actor == row.actor && e.kind.as_str() == wanted);
        prop_assert!(found, "case {case}: {row:?} has no `{wanted}` event");
        // A cause named after an event comes with that event, on that
        // server, no later than the change.
        if matches!(row.cause, "keepalive_lost" | "primary_not_heard") {
            let said = r.events.iter().any(|e| e.at <= row.at && e.actor == row.actor && e.kind.as_str() == row.cause);
            prop_assert!(said, "case {case}: {row:?} names a cause no event of its server shows");
        }
    }
    // Every completed status change was started, on the same server.
    for (i, e) in r.events.iter().enumerate().filter(|(_, e)| e.kind.as_str() == "status_change_completed") {
        let started =
            r.events[..i].iter().rev().any(|b| b.actor == e.actor && b.kind.as_str() == "status_change_started");
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
