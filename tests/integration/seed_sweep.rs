//! A seed sweep (STYLE practice 10): hundreds of generated scenarios with
//! random failures on, each replication run with the invariant checker after
//! every event. A violation panics with the seed and replication to reproduce.

use crate::common::*;
use crate::generate;
use clustersim::model::metrics::Metric::*;
use clustersim::model::voice::allowed_transition;

#[test]
fn invariants_hold_over_hundreds_of_random_scenarios() {
    let mut changes = 0;
    let mut split_brains = 0.0;
    for case in 1000..1400 {
        let yaml = generate::scenario(case, 24);
        let s = voice(&yaml);
        let (m, r) = traced_with(&s, case % 3, checked());
        for row in &r.statuses {
            assert!(allowed_transition(voice_status(row.from), voice_status(row.to)), "case {case}: {row:?}");
        }
        assert_eq!(get(&m, CallsOffered), get(&m, CallsAnswered) + get(&m, CallsBlocked), "case {case}");
        assert_eq!(
            get(&m, CallsAnswered),
            get(&m, CallsCompleted) + get(&m, CallsDropped) + get(&m, CallsInProgressEnd),
            "case {case}"
        );
        for metric in [Availability, ServiceAvailability] {
            assert!((0.0..=1.0).contains(&get(&m, metric)), "case {case}");
        }
        assert!(get(&m, ServiceUnavailableS) >= get(&m, ClusterUnavailableS).max(get(&m, MailboxUnavailableS)));
        changes += r.statuses.len();
        split_brains += get(&m, SplitBrainEpisodes);
    }
    assert!(changes > 5000 && split_brains > 50.0, "sweep too tame: {changes} changes, {split_brains} split brains");
}
