//! R17, R19: with no failures the phone system is a loss system whose blocking
//! is known in closed form for each preset's capacity.
//!
//! Each test offers a load that blocks a few percent, runs 10 replications of
//! 200 hours after a 2-hour warm-up (about 100 000 calls each), and checks the
//! mean blocking against theory within four standard errors of the mean.

use crate::common::*;
use clustersim::model::metrics::Metric;
use clustersim::theory::{erlang_b, gi_m_c_c_blocking};

const HOLD_S: f64 = 90.0;

/// A no-failure scenario offering `erlangs` with 90 s mean holds.
fn loss_system(phone: &str, erlangs: f64, hold: &str) -> String {
    let calls_per_hour = erlangs * 3600.0 / HOLD_S;
    format!(
        "duration: 202h\nwarmup: 2h\nseed: 7\nphone_system: {phone}\n\
         traffic: {{calls_per_hour: {calls_per_hour}, hold_time: {hold}}}\n"
    )
}

#[test]
fn r17_sccp_blocks_as_erlang_b_of_both_servers_ports() {
    // sccp: 16 ports on each server, overflow: full availability of 32 ports.
    let s = voice(&loss_system("{integration: sccp, ports: 16}", 28.0, "{mean: 90s}"));
    assert_near_theory(&run(&s, 10), Metric::BlockingProbability, erlang_b(32, 28.0), "sccp");
}

#[test]
fn r17_sip_trunk_with_overflow_is_full_availability_of_both_halves() {
    let s = voice(&loss_system("{integration: sip_trunk, ports: 16}", 12.0, "{mean: 90s}"));
    assert_near_theory(&run(&s, 10), Metric::BlockingProbability, erlang_b(16, 12.0), "sip_trunk");
}

#[test]
fn r17_pimg_timg_is_bounded_by_its_shared_phone_side_ports() {
    // 16 ports per server but 16 shared gateway ports: capacity 16, not 32.
    let s = voice(&loss_system("{integration: pimg_timg, ports: 16}", 12.0, "{mean: 90s}"));
    assert_near_theory(&run(&s, 10), Metric::BlockingProbability, erlang_b(16, 12.0), "pimg_timg");
}

#[test]
fn r17_sip_other_with_overflow_is_full_availability() {
    let s = voice(&loss_system("{integration: sip_other, ports: 16}", 12.0, "{mean: 90s}"));
    assert_near_theory(&run(&s, 10), Metric::BlockingProbability, erlang_b(16, 12.0), "sip_other");
}

#[test]
fn r17_sip_other_without_overflow_is_two_independent_halves_at_half_the_load() {
    // Random routing splits the Poisson stream into two Poisson streams of half
    // the rate, each on 8 ports: B(8, A/2).
    let s = voice(&loss_system(
        "{integration: sip_other, ports: 16, overflow: false, routing: random}",
        12.0,
        "{mean: 90s}",
    ));
    assert_near_theory(&run(&s, 10), Metric::BlockingProbability, erlang_b(8, 6.0), "sip_other random");
}

#[test]
fn r17_round_robin_without_overflow_gives_each_half_erlang_2_arrivals() {
    // Round robin hands each server every other call: Erlang-2 inter-arrivals
    // of rate λ (LST (λ/(λ+s))²), so each half is GI/M/8/8 (Takács), which
    // blocks less than Poisson halves would.
    let s = voice(&loss_system("{integration: sip_other, ports: 16, overflow: false}", 12.0, "{mean: 90s}"));
    let lambda = 12.0 / HOLD_S;
    let expected = gi_m_c_c_blocking(8, 1.0 / HOLD_S, |x| (lambda / (lambda + x)).powi(2));
    assert!(expected < erlang_b(8, 6.0));
    assert_near_theory(&run(&s, 10), Metric::BlockingProbability, expected, "sip_other round robin");
}

#[test]
fn r19_blocking_is_insensitive_to_the_hold_time_distribution() {
    // Erlang B holds for any hold-time distribution with the same mean.
    for hold in ["{distribution: lognormal, mean: 90s, sd: 120s}", "{distribution: fixed, mean: 90s}"] {
        let s = voice(&loss_system("{integration: sip_trunk, ports: 16}", 12.0, hold));
        assert_near_theory(&run(&s, 10), Metric::BlockingProbability, erlang_b(16, 12.0), hold);
    }
}

#[test]
fn r19_the_leave_message_fraction_of_completed_calls_leave_messages() {
    // Light load, no blocking: every completed call with a mailbox is a message
    // with probability 0.3; over ~24000 calls the fraction's sd is 0.003.
    let s = voice("duration: 100h\nseed: 3\ntraffic: {calls_per_hour: 240, leave_message: 0.3}\n");
    let rows = run(&s, 1);
    let left = rows[0][Metric::MessagesLeft as usize];
    let completed = rows[0][Metric::CallsCompleted as usize];
    assert!(completed > 20_000.0);
    assert!((left / completed - 0.3).abs() < 0.012, "{left} / {completed}");
}

#[test]
fn r17_conservation_of_calls_holds_in_every_replication() {
    let s = voice(&loss_system("{integration: sip_trunk, ports: 4}", 6.0, "{mean: 90s}"));
    for row in run(&s, 3) {
        let m = |x: Metric| row[x as usize];
        assert_eq!(m(Metric::CallsOffered), m(Metric::CallsAnswered) + m(Metric::CallsBlocked));
        assert_eq!(
            m(Metric::CallsAnswered),
            m(Metric::CallsCompleted) + m(Metric::CallsDropped) + m(Metric::CallsInProgressEnd)
        );
        assert!(m(Metric::CallsBlocked) > 0.0);
    }
}
