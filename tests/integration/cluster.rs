//! R1–R12, R18, R20: the two servers, their role managers, critical services,
//! admin actions and faults. Expected values come from the rules and the
//! seed's event lists; numbers are worked out by hand next to each test.

use crate::common::*;
use clustersim::model::KeepaliveMode;
use clustersim::model::metrics::Metric::*;
use clustersim::model::trace::{NoTrace, State};
use clustersim::scenario::Status::*;
use clustersim::theory::erlang_b;

/// A quiet cluster (no calls) for tests of the role managers alone.
fn quiet(extra: &str) -> String {
    format!("duration: 4h\nseed: 11\n{extra}")
}

/// A loaded cluster: 1200 calls/hour of fixed 90 s holds on sip_trunk.
fn loaded(extra: &str) -> String {
    format!(
        "duration: 4h\nseed: 5\nphone_system: {{integration: sip_trunk, ports: 16}}\n\
         traffic: {{calls_per_hour: 1200, hold_time: {{distribution: fixed, mean: 90s}}}}\n{extra}"
    )
}

#[test]
fn r1_the_publisher_starts_primary_and_the_subscriber_secondary() {
    // Nothing happens: no status changes, both servers answer (round robin
    // gives each about half of the calls).
    let (m, r) = traced(&loaded(""));
    assert!(statuses(&r).is_empty());
    let peaks: Vec<u32> = (0..2).map(|s| r.load.iter().map(|b| b.peak[s]).max().unwrap()).collect();
    assert!(peaks[0] > 0 && peaks[1] > 0, "{peaks:?}");
    assert_eq!(get(&m, Failovers), 0.0);
    // The subscriber's crash changes nothing: the publisher was primary.
    let (_, r) = traced(&quiet("failures: [{at: 1h, crash: subscriber}]\n"));
    assert_eq!(statuses(&r), vec![(3600.0, "subscriber", Secondary, NotFunctioning)]);
}

#[test]
fn r1_a_scenario_may_set_other_initial_statuses() {
    let (_, r) = traced(&quiet(
        "cluster: {initial: {publisher: secondary, subscriber: primary}}\nfailures: [{at: 1h, crash: subscriber}]\n",
    ));
    let changes = statuses(&r);
    assert_eq!(changes[0], (3600.0, "subscriber", Primary, NotFunctioning));
    assert_eq!((changes[1].1, changes[1].2, changes[1].3), ("publisher", Secondary, Primary));
}

#[test]
fn r2_a_deactivated_server_answers_no_calls() {
    // sip_trunk, 16 ports: with the subscriber deactivated from the start the
    // publisher's 8 ports carry everything: Erlang B(8, A) with A = 5 erlangs.
    let s = voice(
        "duration: 202h\nwarmup: 2h\nseed: 2\ncluster: {initial: {subscriber: deactivated}}\n\
         phone_system: {integration: sip_trunk, ports: 16}\ntraffic: {calls_per_hour: 200, hold_time: {mean: 90s}}\n",
    );
    assert_near_theory(&run(&s, 10), BlockingProbability, erlang_b(8, 5.0), "one server left");
}

#[test]
fn r2_a_secondary_reaches_mailboxes_only_through_the_primarys_database() {
    // The subscriber is primary (no R7 change for a subscriber) and its
    // database stops for 1 h: every call answered in that hour, on either
    // server, has no mailbox, and the clock counts exactly one hour.
    let (m, r) = traced(&loaded(
        "cluster: {initial: {publisher: secondary, subscriber: primary}}\n\
         failures: [{at: 1h, stop_service: {server: subscriber, service: database}, for: 1h}]\n",
    ));
    assert!(statuses(&r).is_empty());
    assert_eq!(get(&m, MailboxUnavailableS), 3600.0);
    let marked: u32 = r.load.iter().map(|b| b.mailbox_unavailable).sum();
    // 30 erlangs on 16 ports keep every port busy: the hour's answered calls
    // are bounded by 16 ports × 3600 / 90 s = 640, and a few ports free up late.
    assert!((560..=640).contains(&marked), "{marked}");
    assert_eq!(get(&m, MailboxUnavailableCalls), marked as f64);
}

#[test]
fn r3_detection_takes_30_to_60_s_over_many_seeds() {
    // Default interval 15 s, timeout 45 s: the delay lies in (30, 60] and the
    // seeded tick phases spread it over the whole window.
    let s = voice(&quiet("failures: [{at: 1h, crash: publisher}]\n"));
    let delays: Vec<f64> = (0..300)
        .map(|i| clustersim::model::voice::simulate(&s, i, checked(), NoTrace).unwrap().metrics.get(DetectionDelayMaxS))
        .collect();
    for d in &delays {
        assert!(*d > 30.0 && *d <= 60.0, "delay {d}");
    }
    let (lo, hi) = delays.iter().fold((f64::MAX, 0f64), |(a, b), d| (a.min(*d), b.max(*d)));
    assert!(lo < 33.0 && hi > 57.0, "delays span only {lo}..{hi}");
}

#[test]
fn r3_detection_follows_the_configured_interval_and_timeout() {
    // interval 10 s, timeout 20 s: delay in (10, 30].
    let s = voice(&quiet(
        "cluster: {keepalive: {interval: 10s, timeout: 20s}}\nfailures: [{at: 1h, partition: [publisher, subscriber]}]\n",
    ));
    for i in 0..100 {
        let d = clustersim::model::voice::simulate(&s, i, checked(), NoTrace).unwrap().metrics.get(DetectionDelayMaxS);
        assert!(d > 10.0 && d <= 30.0, "delay {d}");
    }
}

#[test]
fn r3_r4_a_silence_of_exactly_the_timeout_is_not_yet_a_loss() {
    // R3 and R4 say "not heard for more than the timeout". The role managers
    // tick at random phases, so the test first reads the subscriber's phase:
    // its keepalive_lost in a run where the publisher crashes is one of its
    // ticks (the phases depend on the seed and the interval only).
    let probe = traced(&quiet("failures: [{at: 1h, crash: publisher}]\n")).1;
    let tick = probe.events.iter().find(|e| e.kind.as_str() == "keepalive_lost").unwrap();
    assert_eq!(tick.actor.as_str(), "subscriber");
    // A subscriber tick T an hour later, and L = T − 45 s. At L the
    // administrator makes the subscriber primary (the two role managers talk:
    // each hears the other at L) and the publisher then crashes at once: the
    // switchover is dropped and the subscriber last heard its peer, and a
    // primary, exactly at L. At T the silence is exactly the timeout: not yet
    // a loss (the dropped switchover says so at L + 5 s; nothing else happens
    // before T). Its next tick, T + 15 s, concludes keepalive_lost (R3), which
    // comes before any "no primary" (R4), and the subscriber promotes itself.
    let t = tick.at.as_us() + 3_600_000_000;
    let l = t - 45_000_000;
    let yaml = quiet(&format!(
        "failures:\n  - {{at: {l}ms, admin: {{server: subscriber, action: make_primary}}}}\n  \
         - {{at: {l}ms, crash: publisher}}\n",
        l = format_args!("{}.{:03}", l / 1000, l % 1000)
    ));
    for keepalive in [KeepaliveMode::Analytic, KeepaliveMode::Messages] {
        let (_, r) = traced_with(&voice(&yaml), 0, clustersim::model::RunOptions { keepalive, ..checked() });
        let subscriber: Vec<_> = r
            .events
            .iter()
            .filter(|e| e.actor.as_str() == "subscriber" && e.at.as_us() >= t)
            .map(|e| (e.at.as_us(), e.kind.as_str()))
            .take(2)
            .collect();
        assert_eq!(
            subscriber,
            [(t + 15_000_000, "keepalive_lost"), (t + 15_000_000, "ping_check_passed")],
            "{keepalive:?}"
        );
    }
}

#[test]
fn r4_a_secondary_that_loses_its_primary_promotes_itself_in_the_seeds_steps() {
    let (m, r) = traced(&quiet("failures: [{at: 1h, crash: publisher}]\n"));
    let lost = events(&r, "keepalive_lost");
    assert_eq!(lost.len(), 1);
    let (detected, who) = lost[0];
    assert_eq!(who, "subscriber");
    // Promotion `takeover` (5 s) after detection.
    let changes = statuses(&r);
    assert_eq!(changes.last().unwrap().1, "subscriber");
    assert!((changes.last().unwrap().0 - (detected + 5.0)).abs() < 1e-9);
    assert_eq!((changes[1].2, changes[1].3), (Secondary, Primary));
    // Seed, "automatic change on the secondary server": steps 1–8.
    assert_eq!(
        event_names(&r, "subscriber"),
        [
            "keepalive_lost",
            "ping_check_passed",
            "status_change_started",
            "status_set",
            "critical_services_started",
            "data_connector_switched",
            "status_change_completed"
        ]
    );
    assert_eq!(get(&m, Failovers), 1.0);
}

#[test]
fn r4_a_secondary_that_cannot_ping_the_network_does_not_promote() {
    // The subscriber is cut from the network before the publisher dies: it
    // raises ping_check_failed and stays secondary; when the network comes
    // back at 1h30m it promotes at its next tick (within one 15 s interval).
    let (_, r) = traced(&quiet(
        "failures:\n  - {at: 50m, partition: [subscriber, network], for: 40m}\n  - {at: 1h, crash: publisher}\n",
    ));
    let failed = events(&r, "ping_check_failed");
    assert_eq!(failed.len(), 1, "raised once, retried silently");
    assert!(failed[0].0 > 3630.0 && failed[0].0 <= 3660.0);
    let promoted = statuses(&r).into_iter().find(|c| c.1 == "subscriber").unwrap();
    assert_eq!((promoted.2, promoted.3), (Secondary, Primary));
    assert!(promoted.0 >= 5400.0 + 5.0 && promoted.0 <= 5400.0 + 15.0 + 5.0, "{}", promoted.0);
}

#[test]
fn r4_a_secondary_that_cannot_ping_says_so_again_after_hearing_a_peer_with_no_primary_role() {
    // The subscriber is cut from the network from 50m. The publisher crashes
    // at 1h: the subscriber loses it within 30–60 s and its ping check fails
    // (logged once). The publisher restarts at 1h10m and is `starting` for
    // 3 min: its keepalives reach the subscriber again (keepalive_restored at
    // its first tick, within 15 s), but it holds no primary role, so the
    // subscriber still has no primary and its next tick (within a further
    // 15 s) runs the ping check again and says it failed. At 1h13m the
    // publisher becomes primary (no primary reachable) and the subscriber
    // hears a primary: no third failure.
    let yaml = quiet(
        "failures:\n  - {at: 50m, partition: [subscriber, network]}\n  \
         - {at: 1h, crash: publisher, for: 10m}\n",
    );
    let (_, r) = traced(&yaml);
    let failed = events(&r, "ping_check_failed");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed[0].0 > 3630.0 && failed[0].0 <= 3660.0, "{failed:?}");
    let restored: Vec<_> = events(&r, "keepalive_restored").into_iter().filter(|e| e.1 == "subscriber").collect();
    assert_eq!(restored.len(), 1);
    assert!(restored[0].0 >= 4200.0 && restored[0].0 <= 4215.0, "{restored:?}");
    assert!(failed[1].0 > restored[0].0 && failed[1].0 <= restored[0].0 + 15.0, "{failed:?}");
    // The message-by-message model runs every tick: the same events.
    let messages = traced_with(
        &voice(&yaml),
        0,
        clustersim::model::RunOptions { keepalive: KeepaliveMode::Messages, ..checked() },
    );
    assert_eq!(r.events, messages.1.events);
}

#[test]
fn r4_a_takeover_is_abandoned_when_the_primary_is_heard_before_it_completes() {
    // A 70 s cut of the server link with a 5 min takeover: the subscriber
    // detects the silence 30–60 s after the cut (at most 1h01m) and starts
    // the change; the link heals at 1h01m10s and the publisher's next
    // keepalive (within one 15 s interval) arrives long before the change
    // would complete (detection + 300 s >= 1h05m30s). So: no second primary.
    let (m, r) =
        traced(&quiet("cluster: {takeover: 5m}\nfailures: [{at: 1h, partition: [publisher, subscriber], for: 70s}]\n"));
    let started = events(&r, "status_change_started");
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].1, "subscriber");
    let aborted = events(&r, "status_change_aborted");
    assert_eq!(aborted, vec![(started[0].0 + 300.0, "subscriber")]);
    assert!(statuses(&r).is_empty(), "{:?}", statuses(&r));
    assert_eq!(get(&m, SplitBrainEpisodes), 0.0);
    assert_eq!(get(&m, Failovers), 0.0);
}

#[test]
fn r4_r7_a_takeover_begun_during_a_switchover_gives_way_to_it() {
    // Found by the long fuzz run. The publisher's database stops at 1h: R7
    // hands primary to the subscriber after `takeover` (8 s), at 3608 s. At
    // 3601 s the publisher is isolated; with keepalives every 1 s and a 2 s
    // timeout the subscriber notices within 3603–3604 s, passes its ping
    // check and begins its own takeover (due at 3611–3612 s). The switchover
    // completes first; the subscriber's own takeover is dropped, and the
    // checker (on in `traced`) finds no secondary promoting itself while
    // primary.
    let (_, r) = traced(&quiet(
        "cluster: {keepalive: {interval: 1s, timeout: 2s}, takeover: 8s}\nfailures:\n  \
         - {at: 1h, stop_service: {server: publisher, service: database}}\n  \
         - {at: 1h0m1s, isolate: publisher}\n",
    ));
    let started: Vec<_> = events(&r, "status_change_started").into_iter().filter(|e| e.1 == "subscriber").collect();
    assert_eq!(started.len(), 2, "the switchover's and its own: {started:?}");
    assert!(started[1].0 > 3602.0 && started[1].0 < 3605.0, "{started:?}");
    let subscriber: Vec<_> = statuses(&r).into_iter().filter(|c| c.1 == "subscriber").collect();
    assert_eq!(subscriber, vec![(3608.0, "subscriber", Secondary, Primary)]);
    assert_eq!(events(&r, "status_change_aborted"), vec![(3608.0, "subscriber")]);
}

#[test]
fn r5_a_primary_that_loses_its_secondary_keeps_its_status() {
    let (m, r) = traced(&quiet("failures: [{at: 1h, crash: subscriber}]\n"));
    assert_eq!(statuses(&r).len(), 1, "only the crash itself");
    assert_eq!(event_names(&r, "publisher"), ["keepalive_lost", "replication_suspended"]);
    assert_eq!(get(&m, Failovers), 0.0);
}

#[test]
fn r5_a_primary_that_lost_its_secondary_keeps_no_grudge_after_a_manual_change() {
    // The subscriber crashes at 1h and is back (restart, 3 min `starting`) as
    // secondary at 1h13m. R5: the publisher only suspended replication; it
    // never concluded it had no primary (that is a secondary's conclusion,
    // R4). So when the administrator makes the subscriber primary at 2h, the
    // publisher turns secondary under it exactly as in a plain manual change
    // (R8), in every replication: no ping check, no takeover of its own.
    let s = voice(&quiet(
        "failures:\n  - {at: 1h, crash: subscriber, for: 10m}\n  \
         - {at: 2h, admin: {server: subscriber, action: make_primary}}\n",
    ));
    for replication in 0..8 {
        let (m, r) = traced_with(&s, replication, checked());
        let publisher: Vec<_> =
            event_names(&r, "publisher").into_iter().skip_while(|e| *e != "status_change_started").collect();
        assert_eq!(publisher, ["status_change_started", "status_set"], "replication {replication}");
        assert_eq!(statuses(&r).last().unwrap(), &(7205.0, "subscriber", Secondary, Primary));
        assert_eq!(get(&m, SplitBrainEpisodes), 0.0);
    }
}

#[test]
fn r6_users_on_the_secondary_lose_mailboxes_until_it_is_primary() {
    // Every caller leaves a message: each call the subscriber answers between
    // the crash and its promotion has no mailbox and its message fails.
    let (m, r) = traced(
        "duration: 4h\nseed: 5\nphone_system: {integration: sip_trunk, ports: 16}\n\
         traffic: {calls_per_hour: 1200, leave_message: 1, hold_time: {distribution: fixed, mean: 90s}}\n\
         failures: [{at: 1h, crash: publisher}]\n",
    );
    let promoted = statuses(&r).into_iter().find(|c| c.1 == "subscriber").unwrap().0;
    // The window is exactly crash → promotion: detection (30–60 s) + 5 s.
    assert!((get(&m, MailboxUnavailableS) - (promoted - 3600.0)).abs() < 1e-6);
    assert!(promoted - 3600.0 > 35.0 && promoted - 3600.0 <= 65.0);
    assert!(get(&m, MailboxUnavailableCalls) > 0.0);
    assert_eq!(get(&m, MessagesFailed), get(&m, MailboxUnavailableCalls));
}

#[test]
fn r7_a_critical_service_stop_on_the_primary_publisher_hands_primary_over() {
    let (m, r) = traced(&loaded(
        "failures: [{at: 1h, stop_service: {server: publisher, service: conversation_manager}, for: 30m}]\n",
    ));
    // After `takeover` (5 s) both statuses change together.
    assert_eq!(
        statuses(&r),
        vec![(3605.0, "publisher", Primary, Secondary), (3605.0, "subscriber", Secondary, Primary)]
    );
    // Seed, "automatic change on the primary server": steps 1–3 on the
    // publisher, 3 and 5–9 on the subscriber.
    assert_eq!(
        event_names(&r, "publisher"),
        [
            "service_stopped",
            "calls_dropped",
            "critical_service_failure_detected",
            "status_change_notified",
            "status_change_started",
            "status_set",
            "service_started"
        ]
    );
    assert_eq!(
        event_names(&r, "subscriber"),
        [
            "status_change_started",
            "status_set",
            "critical_services_started",
            "data_connector_switched",
            "replication_continued",
            "status_change_completed"
        ]
    );
    // conversation_manager stopped: the publisher's calls in progress drop.
    assert!(get(&m, CallsDropped) > 0.0);
    assert_eq!(get(&m, Failovers), 1.0);
}

#[test]
fn r7_the_publisher_stays_primary_when_the_subscriber_cannot_take_over() {
    for subscriber in ["initial: {subscriber: deactivated}", "initial: {subscriber: not_functioning}"] {
        let (_, r) = traced(&quiet(&format!(
            "cluster: {{{subscriber}}}\nfailures: [{{at: 1h, stop_service: {{server: publisher, service: database}}}}]\n"
        )));
        assert!(statuses(&r).is_empty(), "{subscriber}: {:?}", statuses(&r));
    }
}

#[test]
fn r7_a_stop_on_a_subscriber_or_a_secondary_publisher_changes_no_status() {
    for (initial, server) in [
        ("{}", "subscriber"),
        ("{publisher: secondary, subscriber: primary}", "subscriber"),
        ("{publisher: secondary, subscriber: primary}", "publisher"),
    ] {
        let (_, r) = traced(&quiet(&format!(
            "cluster: {{initial: {initial}}}\n\
             failures: [{{at: 1h, stop_service: {{server: {server}, service: conversation_manager}}}}]\n"
        )));
        assert!(statuses(&r).is_empty(), "{initial} {server}");
    }
}

#[test]
fn r7_stopped_replication_holds_back_mwi_until_it_runs_again() {
    // sccp: the subscriber answers most calls. Its replication stops for 10 min:
    // its messages reach the primary's Notifier only when it restarts, so the
    // longest MWI delay is just under 10 min (the first message of the window).
    let (m, r) = traced(
        "duration: 2h\nseed: 4\nphone_system: {integration: sccp, ports: 16}\n\
         traffic: {calls_per_hour: 600, leave_message: 1, hold_time: {distribution: fixed, mean: 60s}}\n\
         failures: [{at: 30m, stop_service: {server: subscriber, service: replication}, for: 10m}]\n",
    );
    assert!(statuses(&r).is_empty());
    let max = get(&m, MwiDelayMaxS);
    assert!(max > 540.0 && max < 600.0, "{max}");
    assert_eq!(events(&r, "mwi_backlog_released"), vec![(2400.0, "publisher")]);
}

#[test]
fn r7_mailbox_sync_down_counts_while_the_primary_does_not_sync() {
    // On the primary subscriber: exactly the 10 minutes of the stop.
    let (m, _) = traced(&quiet(
        "cluster: {initial: {publisher: secondary, subscriber: primary}}\n\
         failures: [{at: 1h, stop_service: {server: subscriber, service: mailbox_sync}, for: 10m}]\n",
    ));
    assert_eq!(get(&m, MailboxSyncDownS), 600.0);
    // On the secondary: nothing.
    let (m, _) =
        traced(&quiet("failures: [{at: 1h, stop_service: {server: subscriber, service: mailbox_sync}, for: 10m}]\n"));
    assert_eq!(get(&m, MailboxSyncDownS), 0.0);
}

#[test]
fn r8_a_manual_change_swaps_roles_and_leaves_calls_alone() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, admin: {server: subscriber, action: make_primary}}]\n"));
    assert_eq!(
        statuses(&r),
        vec![(3605.0, "publisher", Primary, Secondary), (3605.0, "subscriber", Secondary, Primary)]
    );
    assert_eq!(get(&m, CallsDropped), 0.0);
    assert_eq!(get(&m, Failovers), 0.0, "a manual change is not a failover");
    // Seed, "manual change": steps 1–3 on the subscriber, 3 on the publisher, 6–9.
    assert_eq!(
        event_names(&r, "subscriber"),
        [
            "admin_make_primary",
            "status_change_notified",
            "status_change_started",
            "status_set",
            "critical_services_started",
            "data_connector_switched",
            "replication_continued",
            "status_change_completed"
        ]
    );
    assert_eq!(event_names(&r, "publisher"), ["status_change_started", "status_set"]);
}

#[test]
fn r8_a_manual_change_is_refused_while_the_unreachable_primary_is_not_yet_lost() {
    // The server link is cut at 1h; 5 s later, before the subscriber's role
    // manager notices the silence (30–60 s), the administrator asks it to
    // become primary. The publisher cannot hand over and is not yet lost:
    // refused. The subscriber then takes over on its own when the timeout
    // fires (ping check passes), as R4 says.
    let (_, r) = traced(&quiet(
        "failures:\n  - {at: 1h, partition: [publisher, subscriber], for: 10m}\n  \
         - {at: 1h0m5s, admin: {server: subscriber, action: make_primary}}\n",
    ));
    assert_eq!(events(&r, "admin_refused"), vec![(3605.0, "subscriber")]);
    assert!(events(&r, "admin_make_primary").is_empty());
    let changes = statuses(&r);
    assert_eq!((changes[0].1, changes[0].2, changes[0].3), ("subscriber", Secondary, Primary));
    let lost = events(&r, "keepalive_lost").into_iter().find(|e| e.1 == "subscriber").unwrap();
    assert!((changes[0].0 - (lost.0 + 5.0)).abs() < 1e-9, "promoted `takeover` after its own detection");
}

#[test]
fn r8_a_manual_change_on_an_isolated_secondary_makes_split_brain() {
    // The subscriber is isolated at 1h for 10 min: it detects the silence
    // within 60 s, fails its ping check and stays secondary (R4, R14). At
    // 1h05m the administrator forces it primary: no primary to hand over
    // with, so it promotes itself after `takeover` (5 s), at 3905 s, making
    // two primaries that cannot hear each other until the first keepalive
    // after the heal at 4200 s (within one 15 s interval) starts recovery.
    let (m, r) = traced(&quiet(
        "failures:\n  - {at: 1h, isolate: subscriber, for: 10m}\n  \
         - {at: 1h5m, admin: {server: subscriber, action: make_primary}}\n",
    ));
    assert_eq!(events(&r, "ping_check_failed").len(), 1);
    assert!(events(&r, "admin_refused").is_empty());
    let changes = statuses(&r);
    assert_eq!(changes[0], (3905.0, "subscriber", Secondary, Primary));
    assert_eq!(get(&m, SplitBrainEpisodes), 1.0);
    let split = get(&m, SplitBrainS);
    assert!(split > 4200.0 - 3905.0 && split <= 4215.0 - 3905.0, "{split}");
    assert_eq!(get(&m, Failovers), 0.0, "a manual change is not a failover");
}

#[test]
fn r8_make_primary_on_a_primary_is_refused() {
    let (_, r) = traced(&quiet("failures: [{at: 1h, admin: {server: publisher, action: make_primary}}]\n"));
    assert!(statuses(&r).is_empty());
    assert_eq!(events(&r, "admin_refused"), vec![(3600.0, "publisher")]);
}

#[test]
fn r9_deactivate_drops_calls_in_progress() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, admin: {server: subscriber, action: deactivate}}]\n"));
    assert_eq!(statuses(&r), vec![(3600.0, "subscriber", Secondary, Deactivated)]);
    // 1200 calls/h × 90 s = 30 erlangs on 16 ports: the subscriber's 8 are busy.
    assert!(get(&m, CallsDropped) >= 6.0, "{}", get(&m, CallsDropped));
}

#[test]
fn r9_only_a_secondary_can_be_deactivated_and_activation_passes_through_starting() {
    let (_, r) = traced(&quiet(
        "failures:\n  - {at: 1h, admin: {server: publisher, action: deactivate}}\n  \
         - {at: 2h, admin: {server: subscriber, action: deactivate}, for: 30m}\n",
    ));
    assert_eq!(events(&r, "admin_refused"), vec![(3600.0, "publisher")]);
    assert_eq!(
        statuses(&r),
        vec![
            (7200.0, "subscriber", Secondary, Deactivated),
            (9000.0, "subscriber", Deactivated, Starting),
            (9180.0, "subscriber", Starting, Secondary),
        ]
    );
}

#[test]
fn r10_draining_before_deactivation_drops_nothing() {
    // Holds are exactly 90 s; 5 minutes after stop_taking_calls the subscriber
    // is idle, so deactivating it drops no call.
    let (m, r) = traced(&loaded(
        "failures:\n  - {at: 1h, admin: {server: subscriber, action: stop_taking_calls}}\n  \
         - {at: 1h05m, admin: {server: subscriber, action: deactivate}}\n",
    ));
    assert_eq!(get(&m, CallsDropped), 0.0);
    assert_eq!(statuses(&r).len(), 1);
    // The subscriber's load falls to zero within 90 s of the stop.
    let width = r.bin_width().secs();
    for b in r.load.iter().filter(|b| b.start.secs() >= 3600.0 + 90.0 + width) {
        assert_eq!(b.peak[1], 0, "subscriber still busy at {}", b.start);
    }
}

#[test]
fn r10_resume_taking_calls_brings_the_server_back() {
    let (_, r) =
        traced(&loaded("failures: [{at: 1h, admin: {server: subscriber, action: stop_taking_calls}, for: 1h}]\n"));
    let late = r.load.iter().filter(|b| b.start.secs() > 7300.0).map(|b| b.peak[1]).max().unwrap();
    assert!(late > 0);
    assert_eq!(events(&r, "taking_calls_resumed"), vec![(7200.0, "subscriber")]);
}

#[test]
fn r11_a_crash_drops_calls_and_the_restart_goes_through_starting_then_reclaims() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, crash: publisher, for: 20m}]\n"));
    let changes = statuses(&r);
    assert_eq!(changes[0], (3600.0, "publisher", Primary, NotFunctioning));
    assert_eq!((changes[1].1, changes[1].3), ("subscriber", Primary));
    assert_eq!(
        &changes[2..4],
        &[(4800.0, "publisher", NotFunctioning, Starting), (4980.0, "publisher", Starting, Secondary)]
    );
    // Reclaim with the manual sequence: `takeover` later, no calls affected.
    assert_eq!(&changes[4..], &[(4985.0, "subscriber", Primary, Secondary), (4985.0, "publisher", Secondary, Primary)]);
    // The publisher's 8 ports were busy at the crash (30 erlangs offered).
    assert!(get(&m, CallsDropped) >= 6.0);
}

#[test]
fn r11_without_reclaim_the_publisher_stays_secondary() {
    let (_, r) = traced(&quiet(
        "cluster: {publisher_reclaims_primary: false}\nfailures: [{at: 1h, crash: publisher, for: 20m}]\n",
    ));
    assert_eq!(statuses(&r).last().unwrap(), &(4980.0, "publisher", Starting, Secondary));
}

#[test]
fn r11_a_server_that_starts_with_no_primary_becomes_primary() {
    let (m, r) = traced(&quiet(
        "failures:\n  - {at: 1h, crash: publisher}\n  - {at: 1h, crash: subscriber}\n  - {at: 2h, restart: subscriber}\n",
    ));
    assert_eq!(statuses(&r).last().unwrap(), &(7380.0, "subscriber", Starting, Primary));
    // No server answers from the double crash at 1 h until the subscriber is
    // primary at 2 h + `starting`: 3600 + 180 s.
    assert_eq!(get(&m, ClusterUnavailableS), 3780.0);
    // An automatic status change that made a new primary: one failover (the
    // double crash itself made none).
    assert_eq!(get(&m, Failovers), 1.0);
}

#[test]
fn r12_replicating_data_stops_new_calls_but_keeps_calls_in_progress() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, replicate: subscriber}]\n"));
    assert_eq!(
        statuses(&r),
        vec![(3600.0, "subscriber", Secondary, ReplicatingData), (3720.0, "subscriber", ReplicatingData, Secondary)]
    );
    assert_eq!(get(&m, CallsDropped), 0.0);
    // During the 2 minutes the subscriber takes no new call: its load only falls.
    let width = r.bin_width();
    let during: Vec<u32> = r
        .load
        .iter()
        .filter(|b| b.start >= us(3_600_000_000) + width && b.start + width <= us(3_720_000_000))
        .map(|b| b.peak[1])
        .collect();
    assert!(during.windows(2).all(|w| w[1] <= w[0]), "{during:?}");
}

#[test]
fn r18_the_phone_system_keeps_offering_a_dead_server_calls_for_a_while() {
    // Round robin: half the calls in the 10 s after the crash go to the dead
    // publisher and are blocked. 3600 calls/hour = 1/s: about 5 in 10 s
    // (Poisson, sd 2.2 per replication, 0.35 for the mean of 40). The load
    // (5 erlangs on 16 + 16 ports) never fills the subscriber.
    let yaml = |detect: &str| {
        format!(
            "duration: 2h\nseed: 8\nphone_system: {{integration: sip_trunk, ports: 32, dead_server_detect: {detect}}}\n\
             traffic: {{calls_per_hour: 3600, hold_time: {{mean: 5s}}}}\nfailures: [{{at: 1h, crash: publisher}}]\n"
        )
    };
    let stale: Vec<f64> =
        (0..40).map(|i| traced_with(&voice(&yaml("10s")), i, checked()).0.get(CallsBlockedStale)).collect();
    let mean = stale.iter().sum::<f64>() / stale.len() as f64;
    assert!((mean - 5.0).abs() < 1.5, "mean stale-blocked {mean}");
    assert_eq!(traced(&yaml("0s")).0.get(CallsBlockedStale), 0.0);
}

#[test]
fn r18_a_graceful_stop_is_known_to_the_phone_system_at_once() {
    let (m, _) = traced(&loaded("failures: [{at: 1h, admin: {server: subscriber, action: deactivate}}]\n"));
    assert_eq!(get(&m, CallsBlockedStale), 0.0);
}

#[test]
fn r20_random_crashes_follow_their_mtbf_and_mttr() {
    // One server, MTBF 100 h, MTTR 1 h, 10 000 h: about 99 crashes (sd ~10 per
    // replication); over 10 replications the down fraction is 1/101.
    let s = voice(
        "duration: 10000h\nseed: 9\ncluster: {starting: 0s, takeover: 0s}\n\
         random_failures: {crash: {mtbf: 100h, mttr: 1h, servers: [subscriber]}}\n",
    );
    let rows = run(&s, 10);
    let mut crashes = 0.0;
    for i in 0..10 {
        let (_, r) = traced_with(&s, i, checked());
        crashes += events(&r, "crash").len() as f64;
    }
    assert!((crashes / 10.0 - 99.0).abs() < 10.0, "{crashes}");
    // A crashed secondary leaves the cluster answering; nothing is unavailable.
    assert!(column(&rows, ClusterUnavailableS).iter().all(|v| *v == 0.0));
}

#[test]
fn r11_a_crash_while_down_is_traced_with_the_crashes_the_restart_waits_for() {
    // Crashes at 1 h and 1 h 10 m, each for 30 min: the second finds the
    // publisher down, so its event counts two crashes to heal; the publisher
    // starts when the last heals, at 1 h 40 m (6000 s), not at 1 h 30 m.
    let (_, r) = traced(&quiet(
        "failures:\n  - {at: 1h, crash: publisher, for: 30m}\n  - {at: 70m, crash: publisher, for: 30m}\n",
    ));
    let crashes: Vec<(f64, Option<u64>)> =
        r.events.iter().filter(|e| e.kind.as_str() == "crash").map(|e| (e.at.secs(), e.fields.count)).collect();
    assert_eq!(crashes, [(3600.0, None), (4200.0, Some(2))]);
    let publisher: Vec<_> = statuses(&r).into_iter().filter(|c| c.1 == "publisher").collect();
    assert_eq!(
        publisher[..2],
        [(3600.0, "publisher", Primary, NotFunctioning), (6000.0, "publisher", NotFunctioning, Starting)]
    );
}

#[test]
fn r7_overlapping_stops_start_a_service_once_when_the_last_ends() {
    // mailbox_sync on the subscriber is stopped for 1 h–1 h 30 m and for
    // 1 h 10 m–1 h 40 m: one stop at 3600 s, one start at 6000 s, none at
    // 5400 s when one of the two stops is still on. An explicit start of
    // conversation_manager, which never stopped, at 2 h says nothing.
    let (_, r) = traced(&quiet(
        "failures:\n  - {at: 1h, stop_service: {server: subscriber, service: mailbox_sync}, for: 30m}\n  \
         - {at: 70m, stop_service: {server: subscriber, service: mailbox_sync}, for: 30m}\n  \
         - {at: 2h, start_service: {server: subscriber, service: conversation_manager}}\n",
    ));
    assert_eq!(events(&r, "service_stopped"), [(3600.0, "subscriber")]);
    assert_eq!(events(&r, "service_started"), [(6000.0, "subscriber")]);
}

#[test]
fn r8_make_primary_on_the_primary_is_refused_naming_its_status() {
    // The publisher is primary from the start: asking it to become primary
    // is refused, the event says why (the action) and what it was (primary),
    // and no status changes.
    let (_, r) = traced(&quiet("failures: [{at: 1h, admin: {server: publisher, action: make_primary}}]\n"));
    let refused: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.kind.as_str() == "admin_refused")
        .map(|e| (e.at.secs(), e.actor.as_str(), e.fields.cause, e.fields.status))
        .collect();
    assert_eq!(refused, [(3600.0, "publisher", Some("make_primary"), Some(State::Server(Primary)))]);
    assert!(statuses(&r).is_empty(), "{:?}", statuses(&r));
}

#[test]
fn r8_a_second_manual_change_during_the_hand_over_is_refused() {
    // The first make_primary at 1 h hands primary over in `takeover` (5 s);
    // the second, at 1 h + 2 s, finds the hand-over under way (the subscriber
    // is still secondary) and is refused: the roles swap once, at 3605 s.
    let (_, r) = traced(&quiet(
        "failures:\n  - {at: 1h, admin: {server: subscriber, action: make_primary}}\n  \
         - {at: 3602s, admin: {server: subscriber, action: make_primary}}\n",
    ));
    assert_eq!(events(&r, "admin_refused"), [(3602.0, "subscriber")]);
    assert_eq!(statuses(&r), [(3605.0, "publisher", Primary, Secondary), (3605.0, "subscriber", Secondary, Primary)]);
}
