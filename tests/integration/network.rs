//! R13–R16: partitions, isolation, split brain and its recovery, MWI.

use crate::common::*;
use clustersim::model::metrics::Metric::*;
use clustersim::scenario::Status::*;

/// A loaded sip_trunk cluster (calls on both servers), `extra` appended.
fn loaded(extra: &str) -> String {
    loaded_leaving(0.6, extra)
}

/// The same, with a fraction `leave` of callers leaving a message.
fn loaded_leaving(leave: f64, extra: &str) -> String {
    format!(
        "duration: 4h\nseed: 5\nphone_system: {{integration: sip_trunk, ports: 32}}\n\
         traffic: {{calls_per_hour: 600, leave_message: {leave}, hold_time: {{distribution: fixed, mean: 60s}}}}\n{extra}"
    )
}

/// Times (s) of `server`'s changes to `to`.
fn changes_to(r: &Traced, server: &str, to: clustersim::scenario::Status) -> Vec<f64> {
    statuses(r).into_iter().filter(|c| c.1 == server && c.3 == to).map(|c| c.0).collect()
}

/// Peak calls in progress on `server` (0 publisher, 1 subscriber) over bins
/// lying wholly inside (from, to) seconds.
fn peaks_within(r: &Traced, server: usize, from: f64, to: f64) -> Vec<u32> {
    let w = r.bin_width().secs();
    r.load.iter().filter(|b| b.start.secs() >= from && b.start.secs() + w <= to).map(|b| b.peak[server]).collect()
}

#[test]
fn r13_a_cut_between_the_servers_makes_two_primaries_that_both_answer() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, partition: [publisher, subscriber], for: 30m}]\n"));
    let promoted = changes_to(&r, "subscriber", Primary);
    assert_eq!(promoted.len(), 1);
    let recovery = changes_to(&r, "publisher", SplitBrainRecovery);
    assert_eq!(recovery.len(), 1);
    // Recovery starts at the first keepalive after the heal: within one interval.
    assert!(recovery[0] > 5400.0 && recovery[0] <= 5415.0, "{recovery:?}");
    // Two primaries from the promotion until recovery, exactly.
    assert!((get(&m, SplitBrainS) - (recovery[0] - promoted[0])).abs() < 1e-6);
    assert_eq!(get(&m, SplitBrainEpisodes), 1.0);
    // Both answer calls while split: the subscriber's own calls keep arriving.
    assert!(peaks_within(&r, 0, promoted[0] + 60.0, 5400.0).iter().all(|p| *p > 0));
    assert!(peaks_within(&r, 1, promoted[0] + 60.0, 5400.0).iter().all(|p| *p > 0));
    // Messages are taken on both sides and counted as split-brain messages.
    assert!(get(&m, SplitBrainMessages) > 50.0);
    // R14: cutting only the server link drops no call.
    assert_eq!(get(&m, CallsDropped), 0.0);
}

#[test]
fn r14_an_isolated_secondary_never_promotes() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, isolate: subscriber, for: 10m}]\n"));
    // No status change while isolated (after the heal, the subscriber's next
    // tick may still come before the publisher's keepalive: see the scenario).
    assert!(statuses(&r).iter().all(|c| c.0 > 4200.0), "{:?}", statuses(&r));
    let failed = events(&r, "ping_check_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].1, "subscriber");
    assert_eq!(events(&r, "keepalive_lost").iter().filter(|e| e.1 == "publisher").count(), 1);
    assert_eq!(get(&m, SplitBrainEpisodes), 0.0);
    // Cut from the phone system: its calls drop and it answers none while cut.
    assert!(get(&m, CallsDropped) > 0.0);
    assert!(peaks_within(&r, 1, 3600.0, 4200.0).iter().all(|p| *p == 0));
}

#[test]
fn r14_an_isolated_primary_causes_split_brain_then_recovery() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, isolate: publisher, for: 10m}]\n"));
    let changes = statuses(&r);
    assert_eq!((changes[0].1, changes[0].2, changes[0].3), ("subscriber", Secondary, Primary));
    assert_eq!(get(&m, SplitBrainEpisodes), 1.0);
    // The isolated publisher stays primary but answers nothing: only the
    // subscriber takes the split-brain messages.
    assert!(peaks_within(&r, 0, 3600.0, 4200.0).iter().all(|p| *p == 0));
    assert!(get(&m, SplitBrainMessages) > 0.0);
    // After recovery: publisher primary, subscriber secondary (R15).
    let last: Vec<_> = changes.iter().rev().take(2).map(|c| (c.1, c.3)).collect();
    assert!(last.contains(&("publisher", Primary)) && last.contains(&("subscriber", Secondary)), "{last:?}");
    assert!(get(&m, CallsDropped) > 0.0, "the publisher's calls drop when it is cut from the phone system");
}

#[test]
fn r14_a_cut_from_the_phone_system_drops_calls_without_changing_status() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, partition: [publisher, phone_system], for: 10m}]\n"));
    assert!(statuses(&r).is_empty());
    assert!(get(&m, CallsDropped) > 0.0);
    assert!(peaks_within(&r, 0, 3600.0, 4200.0).iter().all(|p| *p == 0));
}

#[test]
fn r15_a_one_way_cut_keeps_the_split_brain_until_it_heals() {
    // Keepalives from the publisher are lost for 30 min; the subscriber's
    // still arrive. The subscriber detects a silent primary and promotes
    // (R4); the publisher hears it as primary, but recovery needs keepalives
    // both ways (R15), so the split brain lasts until the cut heals at 5400 s:
    // one promotion, one recovery, starting within one keepalive interval
    // (15 s) of the heal — not a cycle of promotion and recovery.
    let (m, r) = traced(&loaded("failures: [{at: 1h, partition: {from: publisher, to: subscriber}, for: 30m}]\n"));
    let lost = events(&r, "keepalive_lost");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].1, "subscriber");
    let promoted = changes_to(&r, "subscriber", Primary);
    assert_eq!(promoted.len(), 1, "{:?}", statuses(&r));
    let recovery = changes_to(&r, "publisher", SplitBrainRecovery);
    assert_eq!(recovery.len(), 1, "{:?}", statuses(&r));
    assert!((5400.0..=5415.0).contains(&recovery[0]), "recovery at {}", recovery[0]);
    assert_eq!(get(&m, SplitBrainEpisodes), 1.0);
    // Split from the promotion (30–60 s after 3600 s, plus the 5 s takeover) to the recovery.
    let split = get(&m, SplitBrainS);
    assert!((split - (recovery[0] - promoted[0])).abs() < 1e-6, "{split}");
}

#[test]
fn r15_recovery_lasts_its_base_plus_a_time_per_message_to_reconcile() {
    let (m, r) = traced(&loaded("failures: [{at: 1h, partition: [publisher, subscriber], for: 30m}]\n"));
    let start = changes_to(&r, "publisher", SplitBrainRecovery)[0];
    let end = changes_to(&r, "publisher", Primary)[0];
    // 3 min + 50 ms per split-brain message (one episode, no warm-up).
    let expected = 180.0 + 0.05 * get(&m, SplitBrainMessages);
    assert!((end - start - expected).abs() < 1e-6, "{} vs {expected}", end - start);
    assert_eq!(changes_to(&r, "subscriber", Secondary), vec![end]);
}

#[test]
fn r15_recovery_answers_no_new_calls_and_runs_the_seeds_sequence() {
    let (_, r) = traced(&loaded("failures: [{at: 1h, partition: [publisher, subscriber], for: 30m}]\n"));
    let start = changes_to(&r, "publisher", SplitBrainRecovery)[0];
    let end = changes_to(&r, "publisher", Primary)[0];
    for s in 0..2 {
        let during = peaks_within(&r, s, start, end);
        assert!(during.windows(2).all(|w| w[1] <= w[0]), "server {s} took calls in recovery: {during:?}");
    }
    // Seed order: MTA/Notifier stopped on both; store unmounted then mounted;
    // started on the publisher first, then the subscriber.
    let order: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.at.secs() >= start)
        .map(|e| (e.kind.as_str(), e.actor.as_str()))
        .filter(|(e, _)| e.starts_with("mta_") || e.starts_with("message_store"))
        .collect();
    assert_eq!(
        order,
        [
            ("mta_notifier_stopped", "publisher"),
            ("mta_notifier_stopped", "subscriber"),
            ("message_store_unmounted", "cluster"),
            ("message_store_mounted", "cluster"),
            ("mta_notifier_started", "publisher"),
            ("mta_notifier_started", "subscriber"),
        ]
    );
}

#[test]
fn r15_the_unmounted_store_takes_mailboxes_from_calls_in_progress() {
    // The same run with and without the unmount: common random numbers make
    // everything equal but the calls in progress at the start of recovery.
    let run_with = |unmount: &str| {
        traced(&loaded(&format!(
            "cluster: {{message_store_unmount: {unmount}}}\nfailures: [{{at: 1h, partition: [publisher, subscriber], for: 30m}}]\n"
        )))
    };
    let (with, r) = run_with("30s");
    let (without, _) = run_with("0s");
    let detail = &r.events.iter().find(|e| e.kind.as_str() == "message_store_unmounted").unwrap().detail;
    let in_progress: f64 = detail.split_whitespace().find_map(|w| w.parse().ok()).unwrap();
    assert!(in_progress > 0.0, "{detail}");
    assert_eq!(get(&with, MailboxUnavailableCalls) - get(&without, MailboxUnavailableCalls), in_progress);
    assert_eq!(get(&with, CallsAnswered), get(&without, CallsAnswered));
}

#[test]
fn r16_mwi_queued_during_recovery_drains_at_the_delivery_rate() {
    // No unmount, so calls in progress at recovery leave their messages during
    // it; they wait for the Notifier and drain at 1 per second from its end.
    // Rule: the last of n queued messages gets its MWI (n − 1) s after the
    // release, and no message waited longer than the recovery plus that.
    let (m, r) = traced(&loaded_leaving(
        1.0,
        "cluster: {message_store_unmount: 0s, delivery_per_second: 1}\n\
         failures: [{at: 1h, partition: [publisher, subscriber], for: 30m}]\n",
    ));
    let start = changes_to(&r, "publisher", SplitBrainRecovery)[0];
    let end = changes_to(&r, "publisher", Primary)[0];
    let released: f64 = r
        .events
        .iter()
        .filter(|e| e.kind.as_str() == "mwi_backlog_released" && (e.at.secs() - end).abs() < 1e-9)
        .map(|e| e.detail.split_whitespace().next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(released >= 5.0, "{released}");
    let max = get(&m, MwiDelayMaxS);
    assert!(max >= released - 1.0, "max {max} < {}", released - 1.0);
    assert!(max <= end - start + released - 1.0 + 1e-6, "max {max}");
}

#[test]
fn r16_split_brain_primaries_each_send_their_own_mwi() {
    // While split, each primary's Notifier sees its own messages: no MWI waits.
    let (m, _) = traced(&loaded_leaving(1.0, "failures: [{at: 1h, partition: [publisher, subscriber]}]\n"));
    assert!(get(&m, SplitBrainMessages) > 100.0);
    assert!(get(&m, MwiDelayMaxS) < 60.0, "only the detection window delays MWIs: {}", get(&m, MwiDelayMaxS));
}

#[test]
fn r15_a_call_loses_its_mailbox_to_the_unmounted_store_once() {
    // Calls arrive in the first hour only (hourly profile), every caller
    // leaves a message and every call holds 4 h, so none ends by itself. Two
    // split brains (cuts at 1h and 2h, 5 min each) each end in a recovery
    // that unmounts the store. At 1h02m, before the first recovery, the
    // subscriber's phone link is cut: its calls are dropped (R14) and are no
    // longer in progress. At the first unmount every call still in progress
    // (answered, less dropped) loses its mailbox and is counted; at the
    // second there is no call left to count: a call is counted once.
    let mut profile = vec!["0"; 24];
    profile[0] = "1";
    let (m, r) = traced(&format!(
        "duration: 4h\nseed: 5\nphone_system: {{integration: sip_trunk, ports: 400}}\n\
         traffic: {{calls_per_hour: 60, hourly_profile: [{}], leave_message: 1, hold_time: {{distribution: fixed, mean: 4h}}}}\n\
         failures:\n  - {{at: 1h, partition: [publisher, subscriber], for: 5m}}\n  \
         - {{at: 1h2m, partition: [subscriber, phone_system]}}\n  \
         - {{at: 2h, partition: [publisher, subscriber], for: 5m}}\n",
        profile.join(", ")
    ));
    let (answered, dropped) = (get(&m, CallsAnswered), get(&m, CallsDropped));
    assert!(answered > 30.0 && dropped > 5.0, "{answered} {dropped}");
    assert_eq!(get(&m, CallsCompleted), 0.0);
    let unmounted: Vec<Option<u64>> =
        r.events.iter().filter(|e| e.kind.as_str() == "message_store_unmounted").map(|e| e.fields.count).collect();
    assert_eq!(unmounted, [Some((answered - dropped) as u64), Some(0)]);
    assert_eq!(get(&m, MailboxUnavailableCalls), answered - dropped);
}

#[test]
fn r13_flapping_link_repeats_the_split_brain() {
    // Cut for 2 min every 10 min over an hour: six cuts, each long enough for
    // detection (≤ 60 s) and takeover (5 s), so six split-brain episodes.
    let (m, r) =
        traced(&loaded("failures: [{at: 1h, partition: [publisher, subscriber], for: 2m, every: 10m, until: 2h}]\n"));
    assert_eq!(events(&r, "partition").len(), 6);
    assert_eq!(get(&m, SplitBrainEpisodes), 6.0);
}

#[test]
fn r15_messages_recorded_after_the_store_remounts_wait_for_the_end_of_recovery() {
    // Calls in progress at the start of recovery lose their mailbox (all of
    // them count), but a recording finished after the 30 s unmount is saved
    // and queued: its MWI waits until recovery ends. With 2-minute holds the
    // first such message comes just after the remount, so the longest MWI
    // wait is about the recovery's length less the unmount.
    let (m, r) = traced(
        "duration: 4h\nseed: 5\nphone_system: {integration: sip_trunk, ports: 64}\n\
         traffic: {calls_per_hour: 1200, leave_message: 1, hold_time: {distribution: fixed, mean: 2m}}\n\
         failures: [{at: 1h, partition: [publisher, subscriber], for: 30m}]\n",
    );
    let start = changes_to(&r, "publisher", SplitBrainRecovery)[0];
    let end = changes_to(&r, "publisher", Primary)[0];
    let max = get(&m, MwiDelayMaxS);
    // Arrivals every 3 s on average: the first recording after the remount
    // ends within ~15 s of it (five mean gaps).
    assert!(max <= end - start - 30.0 + 1.0, "max {max}, recovery {}", end - start);
    assert!(max >= end - start - 30.0 - 15.0, "max {max}, recovery {}", end - start);
    assert!(events(&r, "mwi_backlog_released").iter().any(|e| (e.0 - end).abs() < 1e-9));
}

#[test]
fn r13_heal_all_restores_every_cut_link_at_once_and_names_them() {
    // Two cuts, publisher–subscriber at 10 min and publisher–network at
    // 15 min, both two-way: four directed links down. `heal: all` at 30 min
    // restores all four in one `heal` event, and ignores nothing.
    let (_, r) = traced(
        "duration: 2h\nseed: 1\nfailures:\n  - {at: 10m, partition: [publisher, subscriber]}\n  \
         - {at: 15m, partition: [publisher, network]}\n  - {at: 30m, heal: all}\n",
    );
    let heals: Vec<(f64, usize)> = r
        .events
        .iter()
        .filter(|e| e.kind.as_str() == "heal")
        .map(|e| (e.at.secs(), e.fields.links.pairs().count()))
        .collect();
    assert_eq!(heals, [(1800.0, 4)]);
    assert!(events(&r, "action_ignored").is_empty());
}

#[test]
fn r13_a_heal_of_links_that_are_up_is_ignored_and_names_them() {
    // Nothing is cut: `heal: [publisher, subscriber]` at 30 min restores
    // nothing, so no `heal`; the `action_ignored` event names the two
    // directed links it was asked to heal.
    let (_, r) = traced("duration: 2h\nseed: 1\nfailures:\n  - {at: 30m, heal: [publisher, subscriber]}\n");
    assert!(events(&r, "heal").is_empty());
    let ignored: Vec<(f64, usize)> = r
        .events
        .iter()
        .filter(|e| e.kind.as_str() == "action_ignored")
        .map(|e| (e.at.secs(), e.fields.links.pairs().count()))
        .collect();
    assert_eq!(ignored, [(1800.0, 2)]);
}
