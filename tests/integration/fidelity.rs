//! The model says what the seeds say and its outputs agree with each other:
//! R4's "no primary heard", R6's one rule for every message, R9's deactivation
//! as configuration, R12's replicating primary, R14's post-heal race, R15's
//! one-way cut and its end, episodes that overlap the warm-up, load bins
//! between events, and a trace in which each event is true when read alone.
//! Each expectation is worked out by hand next to its test.

use crate::common::*;
use clustersim::model::metrics::Metric::*;
use clustersim::scenario::Status::*;

/// Status changes of `server` to `to`, as times in seconds.
fn changes_to(r: &Traced, server: &str, to: clustersim::scenario::Status) -> Vec<f64> {
    statuses(r).into_iter().filter(|c| c.1 == server && c.3 == to).map(|c| c.0).collect()
}

/// The status-change causes of `server`.
fn causes(r: &Traced, server: usize) -> Vec<&'static str> {
    r.statuses.iter().filter(|s| s.actor.server_index() == Some(server)).map(|s| s.cause).collect()
}

#[test]
fn r4_a_secondary_beside_a_deactivated_peer_promotes_itself_after_the_timeout() {
    // {secondary, deactivated}: the deactivated subscriber is heard but holds
    // no primary role. The publisher's first tick after the 45 s timeout
    // (its phase is in [0, 15 s), so that tick is in (45, 60] s) concludes it
    // has no primary, the ping check passes and 5 s later it is primary.
    for seed in 1..=20 {
        let (m, r) = traced(&format!(
            "duration: 1h\nseed: {seed}\ncluster: {{initial: {{publisher: secondary, subscriber: deactivated}}}}\n"
        ));
        let promoted = changes_to(&r, "publisher", Primary);
        assert_eq!(promoted.len(), 1, "seed {seed}: {:?}", statuses(&r));
        assert!(promoted[0] > 50.0 && promoted[0] <= 65.0, "seed {seed}: promoted at {}", promoted[0]);
        assert_eq!(causes(&r, 0), ["primary_not_heard"]);
        let noticed = events(&r, "primary_not_heard");
        assert_eq!(noticed.len(), 1);
        assert!((noticed[0].0 + 5.0 - promoted[0]).abs() < 1e-6, "the takeover follows the tick");
        assert_eq!(get(&m, Failovers), 1.0, "an automatic change that made a new primary");
        assert!(events(&r, "keepalive_lost").is_empty(), "the subscriber was heard all along");
    }
}

#[test]
fn r4_a_scenario_cannot_start_without_a_server_able_to_hold_the_primary_role() {
    for initial in [
        "{publisher: secondary, subscriber: secondary}",
        "{publisher: deactivated, subscriber: not_functioning}",
        "{publisher: not_functioning, subscriber: not_functioning}",
    ] {
        let e =
            clustersim::scenario::parse_str("s.yaml", "s", &format!("duration: 1h\ncluster: {{initial: {initial}}}\n"))
                .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("cluster.initial"), "{initial}: {e}");
        assert_eq!(e.line, Some(2), "{e}");
    }
    // A lone secondary beside a crashed peer is fine: it promotes (R4).
    let (_, r) = traced("duration: 1h\ncluster: {initial: {publisher: not_functioning, subscriber: secondary}}\n");
    assert_eq!(changes_to(&r, "subscriber", Primary).len(), 1);
    assert_eq!(causes(&r, 1), ["primary_not_heard"], "nothing was heard, and the event says so");
}

#[test]
fn r6_a_recording_that_ends_after_the_mailbox_is_gone_is_lost() {
    // Calls arrive only in hour 0 (fixed 60 s holds, every caller leaves a
    // message). The subscriber is cut from the network, so when the publisher
    // crashes at 3600.001 s it cannot promote (R4, R14): from then on no
    // mailbox is reachable. The recordings still going on the subscriber end
    // in the next minute without a mailbox: each is lost and its call counts
    // in mailbox_unavailable_calls; the publisher's calls are dropped.
    // By hand, against the same run cut at 3600.001 s (same seed, so the same
    // calls): the messages saved are exactly those saved by then, and the
    // calls in progress then are exactly those dropped or failed now.
    let body = "seed: 3\nphone_system: {integration: sccp, ports: 16}\n\
                traffic: {calls_per_hour: 300, leave_message: 1, hold_time: {distribution: fixed, mean: 60s},\n  \
                hourly_profile: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n";
    let (crash, _) = traced(&format!(
        "duration: 2h\n{body}failures:\n  - {{at: 0s, partition: [subscriber, network]}}\n  \
         - {{at: 3600001ms, crash: publisher}}\n"
    ));
    let (cut, _) = traced(&format!("duration: 3600001ms\n{body}"));
    assert!(get(&cut, CallsInProgressEnd) > 0.0, "the test needs recordings going on at the crash");
    assert_eq!(get(&crash, MessagesLeft), get(&cut, MessagesLeft));
    assert_eq!(get(&crash, MessagesFailed) + get(&crash, CallsDropped), get(&cut, CallsInProgressEnd));
    assert!(get(&crash, MessagesFailed) > 0.0);
    assert_eq!(get(&crash, MailboxUnavailableCalls), get(&crash, MessagesFailed));
    // No saved message waits for an MWI that cannot come (it used to wait 605 s).
    assert!(get(&crash, MwiDelayMaxS) < 1.0, "{}", get(&crash, MwiDelayMaxS));
    assert_eq!(get(&crash, MessagesMwiPending), 0.0);
}

#[test]
fn r9_deactivation_survives_a_crash_and_a_restart() {
    // Deactivated at 1h, crashed at 2h and restarted 10 min later: `starting`
    // (3 min) ends deactivated at 2h13m, and the server answers nothing until
    // it is activated at 3h (then starting again, secondary at 3h03m).
    let (_, r) = traced(
        "duration: 4h\nseed: 2\nphone_system: {integration: sip_trunk, ports: 16}\n\
         traffic: {calls_per_hour: 600, hold_time: {distribution: fixed, mean: 60s}}\n\
         failures:\n  - {at: 1h, admin: {server: subscriber, action: deactivate}}\n  \
         - {at: 2h, crash: subscriber, for: 10m}\n  - {at: 3h, admin: {server: subscriber, action: activate}}\n",
    );
    assert_eq!(
        statuses(&r),
        vec![
            (3600.0, "subscriber", Secondary, Deactivated),
            (7200.0, "subscriber", Deactivated, NotFunctioning),
            (7800.0, "subscriber", NotFunctioning, Starting),
            (7980.0, "subscriber", Starting, Deactivated),
            (10800.0, "subscriber", Deactivated, Starting),
            (10980.0, "subscriber", Starting, Secondary),
        ]
    );
    let width = r.bin_width().secs();
    let busy_between = |from: f64, to: f64| {
        r.load.iter().filter(|b| b.start.secs() >= from && b.start.secs() + width <= to).any(|b| b.peak[1] > 0)
    };
    assert!(!busy_between(3600.0 + width, 10980.0), "a deactivated subscriber answered calls");
    assert!(busy_between(10980.0 + width, 14400.0), "the activated subscriber answers again");
}

#[test]
fn r12_a_replicating_primary_keeps_its_role_for_every_metric() {
    // The publisher (primary) replicates data for 10 minutes: it answers no
    // new calls, but keeps the active store, its Notifier and mailbox sync.
    // The subscriber answers everything with mailboxes, MWIs go out at once,
    // and no clock counts the 600 s as time without a primary.
    let (m, r) = traced(
        "duration: 2h\nseed: 6\ncluster: {replicating: 10m}\nphone_system: {integration: sccp, ports: 16}\n\
         traffic: {calls_per_hour: 600, leave_message: 1, hold_time: {distribution: fixed, mean: 60s}}\n\
         failures: [{at: 30m, replicate: publisher}]\n",
    );
    assert_eq!(
        statuses(&r),
        vec![(1800.0, "publisher", Primary, ReplicatingData), (2400.0, "publisher", ReplicatingData, Primary)]
    );
    assert_eq!(get(&m, MailboxSyncDownS), 0.0);
    assert_eq!(get(&m, MailboxUnavailableS), 0.0);
    assert_eq!(get(&m, MailboxUnavailableCalls), 0.0);
    assert_eq!(get(&m, ClusterUnavailableS), 0.0);
    // One Notifier sends one MWI per 50 ms: 600 calls/h of 60 s never queue more than a few.
    assert!(get(&m, MwiDelayMaxS) < 1.0, "{}", get(&m, MwiDelayMaxS));
    assert_eq!(get(&m, Failovers), 0.0);
    assert!(events(&r, "keepalive_lost").is_empty() && events(&r, "primary_not_heard").is_empty());
}

#[test]
fn r13_a_split_brain_that_overlaps_the_warm_up_is_one_episode() {
    // docs/metrics.md: a split brain from about 10m45s to about 20m (the cut from 10
    // to 20 min) with a 15 min warm-up has about 300 s of measured split and
    // counts as one episode, not zero.
    let (m, _) = traced(
        "duration: 1h\nseed: 8\nwarmup: 15m\nfailures: [{at: 10m, partition: [publisher, subscriber], for: 10m}]\n",
    );
    let split = get(&m, SplitBrainS);
    assert!((300.0..=315.0).contains(&split), "{split}");
    assert_eq!(get(&m, SplitBrainEpisodes), 1.0);
}

/// The fraction of `n` replications of an isolated secondary healed at 1h30m
/// in which it promotes itself after the heal (a split brain follows).
fn post_heal_promotions(takeover: &str, n: u64) -> f64 {
    let s = voice(&format!(
        "duration: 2h\nseed: 4\ncluster: {{takeover: {takeover}}}\nfailures: [{{at: 1h, isolate: subscriber, for: 30m}}]\n"
    ));
    let rows = run(&s, n);
    column(&rows, SplitBrainEpisodes).iter().filter(|e| **e > 0.0).count() as f64 / n as f64
}

#[test]
fn r14_after_an_isolation_the_secondary_races_its_primary_as_often_as_theory_says() {
    // After the heal at H, the secondary's next tick comes at tS and the
    // primary's next keepalive at tP. The secondary has lost its primary, so
    // if tS < tP its ping check passes and it starts a takeover, which
    // completes unless tP comes within `takeover` T. With interval I and the
    // phase difference D uniform on (0, I): P(tS < tP) = (I − D)/I and the
    // gap tP − tS = D, so P(promotion) = ∫_T^I (I − d)/I² dd = (I − T)²/(2I²).
    // I = 15 s: T = 5 s → 2/9 = 0.222; T = 10 s → 1/18 = 0.0556.
    let n = 3000;
    for (takeover, theory) in [("5s", 2.0 / 9.0), ("10s", 1.0 / 18.0)] {
        let p = post_heal_promotions(takeover, n);
        let se = (theory * (1.0 - theory) / n as f64).sqrt();
        assert!((p - theory).abs() < 4.0 * se, "takeover {takeover}: {p} vs theory {theory} (se {se})");
    }
}

#[test]
fn r15_recovery_ends_in_the_seeds_order() {
    // MTA and Notifier start on the publisher, then the subscriber; finally the
    // publisher becomes primary and the subscriber secondary, and mailbox sync
    // starts on the primary.
    let (_, r) = traced("duration: 2h\nseed: 3\nfailures: [{at: 30m, partition: [publisher, subscriber], for: 10m}]\n");
    let end = changes_to(&r, "publisher", Primary).last().copied().unwrap();
    let at_end: Vec<(&str, Option<usize>)> =
        r.events.iter().filter(|e| e.at.secs() == end).map(|e| (e.kind.as_str(), e.actor.server_index())).collect();
    assert_eq!(
        at_end,
        vec![
            ("mta_notifier_started", Some(0)),
            ("mta_notifier_started", Some(1)),
            ("mailbox_sync_started", Some(0)),
            ("split_brain_recovery_completed", None),
        ]
    );
    // The status changes come after both MTA/Notifier events: the events are
    // in time order and the statuses of that instant follow them in the seed.
    let changes: Vec<_> = statuses(&r).into_iter().filter(|c| c.0 == end).map(|c| (c.1, c.3)).collect();
    assert_eq!(changes, vec![("publisher", Primary), ("subscriber", Secondary)]);
}

#[test]
fn trace_load_bins_show_the_level_that_held_between_events() {
    // No calls in hour 0 (profile 0), fixed 30 s holds afterwards: every bin of
    // hour 0 shows no call in progress (they used to show the level after the
    // next event). A crash drops the publisher's calls: the bin holding the
    // crash shows the calls that were in progress up to it.
    let (m, r) = traced(
        "duration: 3h\nseed: 9\nphone_system: {integration: pimg_timg, ports: 16}\n\
         traffic: {calls_per_hour: 600, hold_time: {distribution: fixed, mean: 30s},\n  \
         hourly_profile: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n\
         failures: [{at: 5430500ms, crash: publisher}]\n",
    );
    let width = r.bin_width();
    for bin in r.load.iter().filter(|b| b.start + width <= us(3_600_000_000)) {
        assert_eq!(bin.peak, [0, 0], "bin at {} s", bin.start / 1_000_000);
    }
    let dropped = get(&m, CallsDropped) as u32;
    assert!(dropped > 0, "the test needs calls to drop");
    let crash = us(5_430_500_000);
    let crash_bin = r.load.iter().find(|b| b.start <= crash && crash < b.start + width).unwrap();
    assert!(crash_bin.peak[0] >= dropped, "bin peak {:?} below the {dropped} calls dropped", crash_bin.peak);
    assert_eq!(crash_bin.dropped, dropped);
}

#[test]
fn trace_events_are_true_when_read_alone() {
    // A server that becomes primary with a service stopped by a fault does
    // not claim its critical services started.
    let (_, r) = traced(
        "duration: 2h\nseed: 1\nfailures:\n  - {at: 10m, stop_service: {server: subscriber, service: conversation_manager}}\n  \
         - {at: 20m, crash: publisher}\n",
    );
    assert_eq!(changes_to(&r, "subscriber", Primary).len(), 1);
    assert!(events(&r, "critical_services_started").is_empty());
    assert_eq!(events(&r, "critical_services_degraded").len(), 1);
    // A heal of links that were up logs no `heal`; overlapping cuts of one
    // link heal once, when the last ends.
    let (_, r) = traced(
        "duration: 2h\nseed: 1\nfailures:\n  - {at: 5m, heal: all}\n  \
         - {at: 10m, partition: [publisher, subscriber], for: 20m}\n  \
         - {at: 20m, partition: [publisher, subscriber], for: 20m}\n",
    );
    assert_eq!(events(&r, "heal"), vec![(2400.0, "cluster")]);
    assert_eq!(events(&r, "action_ignored"), vec![(300.0, "cluster")]);
    // A server leaving `starting` as primary raises both alarms (R11).
    let (_, r) = traced(
        "duration: 2h\nseed: 1\ncluster: {initial: {subscriber: deactivated}}\n\
         failures: [{at: 10m, crash: publisher, for: 5m}]\n",
    );
    let done = events(&r, "status_change_completed");
    assert_eq!(done.len(), 1);
    assert!(events(&r, "status_change_started").iter().any(|s| s.0 == done[0].0 && s.1 == "publisher"));
    // The unmounted store counts every call in progress in the trace, even
    // calls that arrived in the warm-up (they are not measured).
    let (m, r) = traced(
        "duration: 2h\nseed: 5\nwarmup: 1h50m\nphone_system: {integration: sip_trunk, ports: 32}\n\
         traffic: {calls_per_hour: 600, hold_time: {distribution: fixed, mean: 600s}}\n\
         failures: [{at: 30m, partition: [publisher, subscriber], for: 10m}]\n",
    );
    let unmounted: u32 = r.load.iter().map(|b| b.mailbox_unavailable).sum();
    assert!(unmounted > 0, "calls in progress lost their mailbox during the unmount");
    assert_eq!(get(&m, MailboxUnavailableCalls), 0.0, "none of them is measured");
}
