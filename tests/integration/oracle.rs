//! R3: the analytic keepalive model (only the ticks that matter are events)
//! gives exactly the results of the message-by-message model, which sends and
//! checks every keepalive. Compared on generated scenarios with every kind of
//! fault: metrics, every status change and every event.

use crate::common::*;
use crate::generate;
use clustersim::model::KeepaliveMode;

#[test]
fn r3_analytic_keepalives_match_the_message_by_message_oracle() {
    let mut compared_changes = 0;
    for case in 0..150 {
        let yaml = generate::scenario(case, 8);
        let s = voice(&yaml);
        let analytic = traced_with(&s, 0, checked());
        let messages =
            traced_with(&s, 0, clustersim::model::RunOptions { keepalive: KeepaliveMode::Messages, ..checked() });
        let context = || format!("case {case}:\n{yaml}");
        assert_eq!(analytic.1.statuses, messages.1.statuses, "statuses differ in {}", context());
        assert_eq!(analytic.1.events, messages.1.events, "events differ in {}", context());
        assert_eq!(analytic.0, messages.0, "metrics differ in {}", context());
        compared_changes += analytic.1.statuses.len();
    }
    // The comparison means something only if the cases changed statuses a lot.
    assert!(compared_changes > 1000, "{compared_changes}");
}
