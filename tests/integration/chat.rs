//! C1–C5: Persistent Chat with log shipping and a manual runbook. Expected
//! values are worked out by hand next to each test.

use crate::common::*;
use clustersim::experiment::{self, RunSpec, TraceChoice, compare, sweep};
use clustersim::model::RunOptions;
use clustersim::model::chat::{self, METRICS};
use clustersim::model::trace::{NoTrace, Recorder, Trace};
use clustersim::scenario::{ChatScenario, Scenario, parse_str};

fn chat_scenario(yaml: &str) -> ChatScenario {
    match parse_str("chat.yaml", "chat", yaml) {
        Ok(Scenario::Chat(c)) => c,
        other => panic!("not a chat scenario: {other:?}"),
    }
}

/// A chat scenario after the seed's example, with `extra` lines replacing or adding keys.
fn example(failure_at: &str, extra: &str) -> String {
    format!(
        "kind: persistent_chat\nduration: 6h\nseed: 3\nchat: {{posts_per_hour: 2000}}\n\
         compliance: {{adapter_interval: 5m}}\n{extra}\
         failures: [{{at: {failure_at}, datacenter_down: primary}}]\n"
    )
}

fn col(rows: &[Vec<f64>], name: &str) -> Vec<f64> {
    let i = METRICS.iter().position(|m| *m == name).unwrap();
    rows.iter().map(|r| r[i]).collect()
}

/// Replication 0's trace.
fn chat_trace(s: &ChatScenario) -> Trace {
    let recorder = Recorder::new(s.duration.as_us(), 0);
    chat::simulate(s, 0, RunOptions::default(), recorder).unwrap().tracer.finish()
}

fn runs(s: &ChatScenario, n: u64) -> Vec<Vec<f64>> {
    (0..n).map(|i| chat::simulate(s, i, RunOptions::default(), NoTrace).unwrap().metrics).collect()
}

/// Mean within four standard errors of `expected`.
fn near(values: &[f64], expected: f64, what: &str) {
    let (mean, se) = mean_se(values);
    assert!((mean - expected).abs() < 4.0 * se.max(1e-9), "{what}: {mean} ± {se}, expected {expected}");
}

#[test]
fn c1_posts_arrive_as_a_poisson_process_of_the_given_rate() {
    // No failure: 6 h × 2000/h = 12000 posts per replication (Poisson, sd 110).
    let s = chat_scenario("kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 2000}\n");
    let rows = runs(&s, 30);
    near(&col(&rows, "posts"), 12_000.0, "posts");
    let (_, se) = mean_se(&col(&rows, "posts"));
    // The spread is Poisson's: sd √12000 ≈ 110, so the standard error of 30 is ≈ 20.
    assert!((10.0..40.0).contains(&se), "se {se}");
    assert!(col(&rows, "availability").iter().all(|a| *a == 1.0));
}

#[test]
fn c2_log_jobs_run_at_multiples_of_their_intervals() {
    let s = chat_scenario(&example(
        "2h07m30s",
        "log_shipping: {backup_interval: 10m, copy_interval: 20m, restore_interval: 30m}\n",
    ));
    let trace = chat_trace(&s);
    let times = |event: &str| -> Vec<u64> {
        trace.events.iter().filter(|e| e.kind.as_str() == event).map(|e| e.at.as_us() / 1_000_000).collect()
    };
    // Backups on the primary until it fails at 7650 s: 600, 1200, ..., 7200.
    assert_eq!(times("log_backup"), (1..=12).map(|k| k * 600).collect::<Vec<_>>());
    // Copies and restores on the backup side continue until log shipping is
    // removed (decide 15 min + remove 2 min after the failure: 8670 s).
    assert_eq!(times("log_copy"), (1..=7).map(|k| k * 1200).collect::<Vec<_>>());
    assert_eq!(times("log_restore"), (1..=4).map(|k| k * 1800).collect::<Vec<_>>());
}

#[test]
fn c3_posts_since_the_last_log_backup_are_lost() {
    // Backups every 15 min; failure at 2h07m30s: the posts of the last 7.5 min
    // are lost, 2000/h × 7.5/60 h = 250 on average; the window is 450 s.
    let s = chat_scenario(&example("2h07m30s", ""));
    let rows = runs(&s, 40);
    near(&col(&rows, "posts_lost"), 250.0, "posts_lost");
    assert!(col(&rows, "rpo_s").iter().all(|r| *r == 450.0));
}

#[test]
fn c3_uncopied_backups_are_lost_with_the_share() {
    // Copies hourly, failure at 1h50m: the 01:15, 01:30 and 01:45 backups are
    // still on the share. If it survives only the last 5 min are lost (167
    // posts); if not, everything since the 01:00 copy: 50 min, 1667 posts.
    let yaml = |survives: bool| {
        example(
            "1h50m",
            &format!("log_shipping: {{copy_interval: 1h, restore_interval: 1h}}\nbackup_share_survives: {survives}\n"),
        )
    };
    let kept = runs(&chat_scenario(&yaml(true)), 40);
    near(&col(&kept, "posts_lost"), 2000.0 * 5.0 / 60.0, "share survives");
    let lost = runs(&chat_scenario(&yaml(false)), 40);
    near(&col(&lost, "posts_lost"), 2000.0 * 50.0 / 60.0, "share lost");
    assert!(col(&lost, "rpo_s").iter().all(|r| *r == 3000.0));
    // The same posts arrive in both (common random numbers): the difference
    // is exactly the posts of the three uncopied backups.
    for (k, l) in kept.iter().zip(&lost) {
        let i = |n: &str| METRICS.iter().position(|m| *m == n).unwrap();
        assert_eq!(l[i("posts_lost")] - k[i("posts_lost")], k[i("posts_in_uncopied_backups")]);
    }
}

#[test]
fn c4_the_outage_is_the_sum_of_the_runbook_steps_in_the_seeds_order() {
    // Failure at 1h50m, copies and restores hourly, decide 5 min: log shipping
    // is removed at 1h57m, before the 02:00 jobs, so the runbook copies the
    // three uncopied backups (5 min) and applies them (3 × 1 min). In the
    // seed's order the mirror (step 6, 20 min) comes before the active servers
    // (step 7), and the failover is complete only after step 7:
    // 5 + 2 + 5 + 3 + 2 + 1 + 20 + 2 = 40 min = 2400 s of outage. The backup
    // runs unmirrored from the end of step 5 (at +18 min) to the end of step 6
    // (+38 min): 1200 s.
    let s = chat_scenario(&example(
        "1h50m",
        "log_shipping: {copy_interval: 1h, restore_interval: 1h}\n\
         runbook: {decide: 5m, install_mirror: 20m}\n",
    ));
    let rows = runs(&s, 5);
    assert!(col(&rows, "outage_s").iter().all(|o| *o == 2400.0), "{:?}", col(&rows, "outage_s"));
    assert!(col(&rows, "backups_applied").iter().all(|b| *b == 3.0));
    assert!(col(&rows, "unmirrored_s").iter().all(|u| *u == 1200.0));
    // Availability is the outage's complement over the 6-hour run.
    assert!(col(&rows, "availability").iter().all(|a| (*a - (1.0 - 2400.0 / 21600.0)).abs() < 1e-12));
    // Posts during the outage are refused: 2000/h × 40 min ≈ 1333.
    near(&col(&runs(&s, 40), "posts_refused"), 2000.0 * 40.0 / 60.0, "posts_refused");
}

#[test]
fn c4_setting_the_active_servers_first_trades_a_shorter_outage_for_time_unmirrored() {
    // The same failover with `mirror: after_active_servers`: step 7 (2 min)
    // right after step 5, so the service is back after
    // 5 + 2 + 5 + 3 + 2 + 1 + 2 = 20 min = 1200 s; the mirror follows, 20 min
    // later: unmirrored from the end of step 5 (+18 min) to +40 min = 1320 s.
    let yaml = |mirror: &str| {
        example(
            "1h50m",
            &format!(
                "log_shipping: {{copy_interval: 1h, restore_interval: 1h}}\n\
                 runbook: {{decide: 5m, install_mirror: 20m, mirror: {mirror}}}\n"
            ),
        )
    };
    let after = runs(&chat_scenario(&yaml("after_active_servers")), 3);
    assert!(col(&after, "outage_s").iter().all(|o| *o == 1200.0), "{:?}", col(&after, "outage_s"));
    assert!(col(&after, "unmirrored_s").iter().all(|u| *u == 1320.0), "{:?}", col(&after, "unmirrored_s"));
    let before = runs(&chat_scenario(&yaml("before_active_servers")), 3);
    assert!(col(&before, "outage_s").iter().all(|o| *o == 2400.0));
    assert!(col(&before, "unmirrored_s").iter().all(|u| *u == 1200.0));
    // The trace runs step 7 before step 6.
    let trace = chat_trace(&chat_scenario(&yaml("after_active_servers")));
    let steps: Vec<&str> =
        trace.events.iter().map(|e| e.kind.as_str()).filter(|e| e.starts_with("runbook_")).collect::<Vec<_>>();
    assert_eq!(&steps[steps.len() - 2..], ["runbook_active_servers_set", "runbook_mirror_installed"]);
}

#[test]
fn c4_each_backup_applied_by_hand_draws_its_own_duration() {
    // Backups and copies every 5 min, restores never (24 h > the run): at the
    // failure at 5h all 60 backups (00:05 … 05:00) wait to be applied, each
    // taking U(60 s, 180 s): mean 120 s, sd 120/√12 = 34.64 s. Drawn per backup
    // the total has mean 7200 s and sd √60 × 34.64 = 268.3 s; drawn once and
    // multiplied it would have sd 60 × 34.64 = 2078 s.
    // Outage = decide 15 + remove 2 + copy 0 + apply + online 2 + pool 1 +
    // mirror 20 + active 2 min = 2520 s + apply: mean 9720 s.
    let s = chat_scenario(
        "kind: persistent_chat\nduration: 12h\nchat: {posts_per_hour: 60}\n\
         log_shipping: {backup_interval: 5m, copy_interval: 5m, restore_interval: 24h}\n\
         runbook: {apply_per_backup: {min: 1m, max: 3m}, install_mirror: 20m}\n\
         failures: [{at: 5h, datacenter_down: primary}]\n",
    );
    let rows = runs(&s, 200);
    assert!(col(&rows, "backups_applied").iter().all(|b| *b == 60.0));
    let outage = col(&rows, "outage_s");
    near(&outage, 9720.0, "outage");
    let (mean, se) = mean_se(&outage);
    let sd = se * (outage.len() as f64).sqrt();
    // The sample sd of 200 values has its own sd ≈ 268.3/√398 = 13.4 s.
    assert!((sd - 268.3).abs() < 5.0 * 13.4, "sd {sd} (mean {mean})");
}

#[test]
fn c4_warmup_measures_chat_after_it_as_for_voice() {
    // The warm-up applies to both kinds. The failure at 2h07m30s comes
    // before a 2h10m warm-up: the posts it loses arrived before the warm-up
    // (none counted), its rpo is not counted, and the outage (2h07m30s to
    // 2h49m30s: decide 15 + remove 2 + online 2 + pool 1 + mirror 20 +
    // active 2 min; nothing left to copy or apply) counts from 2h10m: 2370 s
    // of the 13800 s measured.
    let s = chat_scenario(&example("2h07m30s", "warmup: 2h10m\nrunbook: {install_mirror: 20m}\n"));
    let rows = runs(&s, 20);
    for name in ["posts_lost", "rpo_s", "compliance_records_lost", "posts_in_uncopied_backups"] {
        assert!(col(&rows, name).iter().all(|v| *v == 0.0), "{name}: {:?}", col(&rows, name));
    }
    assert!(col(&rows, "outage_s").iter().all(|o| *o == 2370.0), "{:?}", col(&rows, "outage_s"));
    assert!(col(&rows, "availability").iter().all(|a| (*a - (1.0 - 2370.0 / 13800.0)).abs() < 1e-12));
    // Posts count from the warm-up: 2000/h over the 13800 s measured, less the
    // 2370 s of outage when they are refused: 2000 × 11430 / 3600 ≈ 6350.
    near(&col(&rows, "posts"), 2000.0 * 11430.0 / 3600.0, "posts");
    // Without the warm-up the same failure loses about 250 posts (C3).
    let cold = runs(&chat_scenario(&example("2h07m30s", "runbook: {install_mirror: 20m}\n")), 20);
    near(&col(&cold, "posts_lost"), 250.0, "posts_lost without warm-up");
}

#[test]
fn c4_an_outage_still_going_at_the_end_is_clipped_to_the_run() {
    // Failure at 5h50m of a 6 h run; deciding alone takes 15 min, more than
    // the 10 min left: the outage is those 600 s, the service never comes
    // back, so nothing runs unmirrored.
    let s = chat_scenario(&example("5h50m", ""));
    let rows = runs(&s, 3);
    assert!(col(&rows, "outage_s").iter().all(|o| *o == 600.0), "{:?}", col(&rows, "outage_s"));
    assert!(col(&rows, "unmirrored_s").iter().all(|u| *u == 0.0));
    assert!(col(&rows, "availability").iter().all(|a| (*a - (1.0 - 600.0 / 21600.0)).abs() < 1e-12));
}

#[test]
fn c4_ranged_steps_vary_between_replications_within_their_range() {
    let s = chat_scenario(&example(
        "2h",
        "runbook: {decide: {min: 10m, max: 20m}, install_mirror: {min: 15m, max: 30m}}\n",
    ));
    let rows = runs(&s, 200);
    // Outage = decide + 2 + 0 + 0 + 2 + 1 + mirror + 2 min (the 02:00 jobs
    // ran): 10–20 + 7 + 15–30 = 32–57 min, mean 15 + 7 + 22.5 = 44.5 min.
    let outage = col(&rows, "outage_s");
    assert!(outage.iter().all(|o| (1920.0..=3420.0).contains(o)));
    near(&outage, 2670.0, "uniform decide and mirror");
    let unmirrored = col(&rows, "unmirrored_s");
    assert!(unmirrored.iter().all(|u| (900.0..=1800.0).contains(u)));
    near(&unmirrored, 1350.0, "uniform mirror has mean 22.5 min");
}

#[test]
fn c4_the_runbook_events_name_the_seeds_commands() {
    let s = chat_scenario(&example("2h07m30s", ""));
    let trace = chat_trace(&s);
    let details: Vec<String> = trace.events.iter().map(|e| e.detail.clone()).collect();
    for command in [
        "sp_delete_log_shipping_secondary_database",
        "restore database mgc with recovery",
        "Set-CsPersistentChatState",
        "-PoolState FailedOver",
        "Install-CsMirrorDatabase",
        "Set-CsPersistentChatActiveServer",
    ] {
        assert!(details.iter().any(|d| d.contains(command)), "{command}");
    }
}

#[test]
fn c5_compliance_records_not_yet_processed_are_lost() {
    // Adapter every 5 min; failure at 2h07m30s: records since 02:05 are lost,
    // 2000/h × 2.5/60 h ≈ 83.3 on average.
    let rows = runs(&chat_scenario(&example("2h07m30s", "")), 40);
    near(&col(&rows, "compliance_records_lost"), 2000.0 * 2.5 / 60.0, "compliance_records_lost");
}

#[test]
fn chat_compares_backup_intervals_on_the_same_posts_and_sweeps() {
    let base = Scenario::Chat(chat_scenario(&example("2h07m30s", "")));
    let text = example("2h07m30s", "");
    let axes = compare::default_chat_axes();
    let points = sweep::points("chat.yaml", "chat", &text, &axes).unwrap();
    let strategies = compare::from_points(&axes, points);
    let names: Vec<&str> = strategies.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["log_shipping.backup_interval=5m", "log_shipping.backup_interval=15m", "log_shipping.backup_interval=30m"]
    );
    let template = RunSpec {
        scenario: base,
        seed: 3,
        first: 0,
        count: 20,
        trace: TraceChoice::None,
        threads: None,
        options: checked(),
        precision: None,
    };
    let c = compare::run(&strategies, &template, &|| {}).unwrap();
    // Same posts under each strategy; losses grow with the interval: the last
    // backup before 2h07m30s is at 2h05 (5m), 2h00 (15m) or 2h00 (30m).
    let posts = |o: &experiment::RunOutput| o.column(0);
    assert_eq!(posts(&c.outputs[0]), posts(&c.outputs[2]));
    let lost = |o: &experiment::RunOutput| mean_se(&o.column(2)).0;
    near(&c.outputs[0].column(2), 2000.0 * 2.5 / 60.0, "5m");
    near(&c.outputs[1].column(2), 250.0, "15m");
    assert!(lost(&c.outputs[0]) < lost(&c.outputs[1]));
}

#[test]
fn chat_scenarios_get_the_same_bad_input_treatment() {
    for (text, key) in [
        ("kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 10}\nrunbok: {}\n", "runbok"),
        ("kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 10}\nrunbook: {decide: 15}\n", "runbook.decide"),
        (
            "kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 10}\nrunbook: {decide: {min: 20m, max: 10m}}\n",
            "runbook.decide",
        ),
        ("kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: -1}\n", "chat.posts_per_hour"),
        (
            "kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 1}\nfailures: [{at: 2h, datacenter_down: primary}]\n",
            "failures[0].at",
        ),
        (
            "kind: persistent_chat\nduration: 1h\nchat: {posts_per_hour: 1}\nfailures: [{at: 2m, datacenter_down: backup}]\n",
            "failures[0].datacenter_down",
        ),
        ("kind: persistent_chat\nduration: 1h\n", "chat"),
    ] {
        let e = parse_str("c.yaml", "c", text).unwrap_err();
        assert_eq!(e.key.as_deref(), Some(key), "{text}: {e}");
        assert!(e.line.is_some(), "{e}");
    }
}

#[test]
fn c1_c3_c5_every_post_before_the_failure_is_in_one_backup_or_lost() {
    // The run stops at 2h10m, 2.5 min after the failure, long before the
    // runbook (15 min to decide alone) brings the service back: every post
    // accepted came before the failure. Each is in exactly one log backup or
    // among the posts lost since the last one (the share survives, so a
    // backup is never lost), and in one compliance adapter run or among the
    // records lost.
    let s = chat_scenario(
        "kind: persistent_chat\nduration: 2h10m\nseed: 3\nchat: {posts_per_hour: 2000}\n\
         compliance: {adapter_interval: 5m}\nbackup_share_survives: true\n\
         failures: [{at: 2h07m30s, datacenter_down: primary}]\n",
    );
    let run = chat::simulate(&s, 0, RunOptions::default(), Recorder::new(s.duration.as_us(), 0)).unwrap();
    let metric = |name: &str| run.metrics[METRICS.iter().position(|m| *m == name).unwrap()];
    let trace = run.tracer.finish();
    let counted = |event: &str| -> f64 {
        trace.events.iter().filter(|e| e.kind.as_str() == event).map(|e| e.fields.count.unwrap() as f64).sum()
    };
    // 2000/h over 2h07m30s: about 4250 posts.
    assert!(metric("posts") > 4000.0, "{}", metric("posts"));
    assert_eq!(counted("log_backup") + counted("datacenter_down"), metric("posts"));
    assert_eq!(counted("datacenter_down"), metric("posts_lost"));
    assert_eq!(counted("compliance_adapter") + metric("compliance_records_lost"), metric("posts"));
}

#[test]
fn c3_c4_the_databases_statuses_follow_the_runbook() {
    // The runbook of c4_the_outage_is_the_sum_of_the_runbook_steps_in_the_seeds_order:
    // the primary is lost at 1h50m (6600 s); deciding takes 5 min (6900 s);
    // removing log shipping 2, copying 5, applying 3 × 1, bringing online 2
    // and setting the pool state 1 end step 5 at 7680 s; the mirror's 20 min
    // end at 8880 s.
    let s = chat_scenario(&example(
        "1h50m",
        "log_shipping: {copy_interval: 1h, restore_interval: 1h}\n\
         runbook: {decide: 5m, install_mirror: 20m}\n",
    ));
    let trace = chat_trace(&s);
    let changes: Vec<(f64, &str, &str, &str, &str)> = trace
        .statuses
        .iter()
        .map(|c| (c.at.secs(), c.actor.as_str(), c.from.as_str(), c.to.as_str(), c.cause))
        .collect();
    assert_eq!(
        changes,
        [
            (6600.0, "mgc_primary", "online_mirrored", "down", "datacenter_down"),
            (6900.0, "mgc_backup", "log_shipping", "failing_over", "runbook_decided"),
            (7680.0, "mgc_backup", "failing_over", "online_unmirrored", "runbook_pool_failed_over"),
            (8880.0, "mgc_backup", "online_unmirrored", "online_mirrored", "runbook_mirror_installed"),
        ]
    );
}

#[test]
fn c1_a_pool_without_posts_fails_over_and_loses_nothing() {
    // No posts at all (a rate of 0 is allowed): the runbook runs as ever,
    // with copying and applying (of empty backups) set to take no time:
    // 5 + 2 + 0 + 0 + 2 + 1 + 20 + 2 = 32 min = 1920 s of outage; nothing is
    // posted, refused or lost.
    let s = chat_scenario(
        "kind: persistent_chat\nduration: 2h\nseed: 3\nchat: {posts_per_hour: 0}\n\
         runbook: {decide: 5m, copy_backups: 0s, apply_per_backup: 0s, install_mirror: 20m}\n\
         failures: [{at: 1h, datacenter_down: primary}]\n",
    );
    let rows = runs(&s, 2);
    for metric in ["posts", "posts_refused", "posts_lost", "compliance_records_lost"] {
        assert_eq!(col(&rows, metric), [0.0, 0.0], "{metric}");
    }
    assert_eq!(col(&rows, "outage_s"), [1920.0, 1920.0]);
}

#[test]
fn c3_the_failure_event_says_what_was_lost_and_where() {
    // The scenario of c3_uncopied_backups_are_lost_with_the_share. The
    // failure's event counts every post lost; its text splits them into
    // posts since the last log backup and posts in backups that went with
    // the share, and names the share only when it held some.
    for survives in [true, false] {
        let s = chat_scenario(&example(
            "1h50m",
            &format!("log_shipping: {{copy_interval: 1h, restore_interval: 1h}}\nbackup_share_survives: {survives}\n"),
        ));
        let run = chat::simulate(&s, 0, RunOptions::default(), Recorder::new(s.duration.as_us(), 0)).unwrap();
        let metric = |name: &str| run.metrics[METRICS.iter().position(|m| *m == name).unwrap()] as u64;
        let trace = run.tracer.finish();
        let down = trace.events.iter().find(|e| e.kind.as_str() == "datacenter_down").unwrap();
        let (lost, on_share) = (metric("posts_lost"), if survives { 0 } else { metric("posts_in_uncopied_backups") });
        assert!(lost > 0 && (survives || on_share > 0), "lost {lost}, on the share {on_share}");
        assert_eq!(down.fields.count, Some(lost));
        let share = if survives { String::new() } else { format!(" and {on_share} in backups lost with the share") };
        let text = format!(
            "primary data centre lost: mgc, its mirror and the front ends; {} post(s) since the last log backup{share}",
            lost - on_share
        );
        assert_eq!(down.detail, text);
    }
}

#[test]
fn c3_c4_the_copy_step_counts_the_files_it_copies_only_when_the_share_survives() {
    // Copies hourly, failure at 1h50m: the 01:15, 01:30 and 01:45 backups are
    // still on the share. Deciding in 5 min removes log shipping at 1h57m,
    // before the 02:00 copy. If the share survives, step 2 copies those three
    // files; if not, they went with it and the step has nothing to count.
    for (survives, files) in [(true, Some(3)), (false, None)] {
        let s = chat_scenario(&example(
            "1h50m",
            &format!(
                "log_shipping: {{copy_interval: 1h, restore_interval: 1h}}\nrunbook: {{decide: 5m}}\n\
                 backup_share_survives: {survives}\n"
            ),
        ));
        let trace = chat_trace(&s);
        let copied: Vec<Option<u64>> = trace
            .events
            .iter()
            .filter(|e| e.kind.as_str() == "runbook_backups_copied")
            .map(|e| e.fields.count)
            .collect();
        assert_eq!(copied, [files], "share survives: {survives}");
    }
}
