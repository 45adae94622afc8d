//! Warnings for scenarios that are legal but probably not what the user meant
//! (`clustersim validate` prints them; exit status stays 0).

use super::voice::{Action, AdminAction, VoiceScenario};
use super::{Duration, Invalid};
use crate::engine::{HOUR, SECOND, Time};
use crate::theory::{erlang_b, ports_needed};

/// The seed's documented detection time: 30–60 s.
const DOCUMENTED_DETECTION_S: (u64, u64) = (30, 60);

pub fn lints(s: &VoiceScenario) -> Vec<Invalid> {
    let mut out = vec![];
    keepalive(s, &mut out);
    deactivations(s, &mut out);
    ports(s, &mut out);
    out
}

/// R3: detection lands in (timeout − interval, timeout + interval].
fn keepalive(s: &VoiceScenario, out: &mut Vec<Invalid>) {
    let k = s.cluster.keepalive;
    let (lo, hi) = (k.timeout.as_us() - k.interval.as_us(), k.timeout.as_us() + k.interval.as_us());
    let (doc_lo, doc_hi) = DOCUMENTED_DETECTION_S;
    if lo < SECOND * doc_lo || hi > SECOND * doc_hi {
        out.push(Invalid::new(
            "cluster.keepalive.timeout",
            format!(
                "detects a silent peer after {} to {} (interval {}, timeout {}); the seed documents 30 to 60 seconds",
                Duration::from_time(lo),
                Duration::from_time(hi),
                k.interval,
                k.timeout,
            ),
        ));
    }
}

/// Table 3-3: deactivating a secondary drops its calls unless it was told to
/// stop taking calls long enough before.
fn deactivations(s: &VoiceScenario, out: &mut Vec<Invalid>) {
    let mean_hold = s.traffic.hold_time.mean.as_us();
    let admin = |i: usize| match s.failures[i].action() {
        Action::Admin(a) => Some((s.failures[i].at.as_us(), a.server, a.action)),
        _ => None,
    };
    for i in 0..s.failures.len() {
        let Some((at, server, AdminAction::Deactivate)) = admin(i) else { continue };
        // The latest stop/resume of the same server before the deactivation.
        let last = (0..s.failures.len())
            .filter_map(admin)
            .filter(|(t, srv, a)| {
                *srv == server && *t < at && matches!(a, AdminAction::StopTakingCalls | AdminAction::ResumeTakingCalls)
            })
            .max_by_key(|(t, ..)| *t);
        let key = format!("failures[{i}].admin");
        match last {
            Some((t, _, AdminAction::StopTakingCalls)) => {
                let drained: Time = at - t;
                if drained < mean_hold * 5 {
                    out.push(Invalid::new(
                        key,
                        format!(
                            "deactivates {} only {} after it stopped taking calls; calls longer than that \
                             (mean hold {}) are dropped",
                            server.as_str(),
                            Duration::from_time(drained),
                            s.traffic.hold_time.mean
                        ),
                    ));
                }
            }
            _ if s.traffic.calls_per_hour > 0.0 => out.push(Invalid::new(
                key,
                format!(
                    "deactivates {} without first stopping it taking calls: its calls in progress are \
                     dropped (Table 3-3; add admin stop_taking_calls a few minutes before)",
                    server.as_str()
                ),
            )),
            _ => {}
        }
    }
}

/// R17: `phone_system.ports` is the ports the traffic needs; compare with
/// Erlang B at 1% blocking for the peak hour's load.
fn ports(s: &VoiceScenario, out: &mut Vec<Invalid>) {
    let t = &s.traffic;
    let peak = t.hourly_profile.as_ref().map_or(1.0, |p| p.iter().cloned().fold(0.0, f64::max));
    let erlangs = t.calls_per_hour * peak * t.hold_time.mean.micros() as f64 / HOUR.as_us() as f64;
    if erlangs <= 0.0 {
        return;
    }
    let needed = ports_needed(erlangs, 0.01);
    let ports = s.phone_system.ports;
    if ports < needed {
        out.push(Invalid::new(
            "phone_system.ports",
            format!(
                "{ports} ports are fewer than the {needed} that Erlang B needs for 1% blocking at the peak load \
                 of {erlangs:.1} erlangs ({ports} ports block {:.1}%)",
                100.0 * erlang_b(ports, erlangs)
            ),
        ));
    }
}
