//! R20 against Markov availability: two independent servers, each up for
//! Exp(MTBF) and down for Exp(MTTR). With no starting, takeover or detection
//! delay, no server answers exactly when both are down, so the long-run
//! unavailability is (MTTR / (MTBF + MTTR))².

use crate::common::*;
use clustersim::model::metrics::Metric::*;
use clustersim::theory::unavailability;

#[test]
fn r20_long_random_crash_run_matches_two_independent_servers() {
    // MTBF 100 h, MTTR 10 h: (10/110)² = 0.008264. Each replication of
    // 800 000 h sees about 7300 crashes per server and ~1300 double outages.
    let s = voice(
        "duration: 800000h\nseed: 21\n\
         cluster: {starting: 0s, takeover: 0s, keepalive: {interval: 1ms, timeout: 2ms}}\n\
         phone_system: {dead_server_detect: 0s}\n\
         random_failures: {crash: {mtbf: 100h, mttr: 10h}}\n",
    );
    let rows = run(&s, 10);
    let expected = unavailability(100.0, 10.0).powi(2);
    let unavailable: Vec<Vec<f64>> = rows.iter().map(|r| vec![1.0 - r[Availability as usize]]).collect();
    let (mean, se) = mean_se(&unavailable.iter().map(|r| r[0]).collect::<Vec<_>>());
    assert!(se < 0.05 * expected, "se {se}");
    assert!((mean - expected).abs() < 4.0 * se, "unavailability {mean} ± {se}, theory {expected}");
    // Mailboxes are lost only in the microsecond-scale detection windows.
    for r in &rows {
        assert!(r[ServiceAvailability as usize] <= r[Availability as usize]);
        assert!(r[Availability as usize] - r[ServiceAvailability as usize] < 1e-6);
    }
}

#[test]
fn r20_one_failing_server_leaves_the_cluster_available() {
    let s = voice(
        "duration: 100000h\nseed: 22\ncluster: {starting: 0s, takeover: 0s}\n\
         random_failures: {crash: {mtbf: 100h, mttr: 10h, servers: [publisher]}}\n",
    );
    for r in run(&s, 2) {
        assert_eq!(r[Availability as usize], 1.0);
    }
}
