//! Fixed workloads to count instructions on, which unlike wall time do not
//! depend on what else the machine is doing:
//!
//! - `clustersim HOURS`: the loss system of the performance targets (pimg_timg,
//!   16 ports, 400 calls/hour, exponential 90 s holds), one whole untraced
//!   replication;
//! - `floor HOURS`: the same system in the floor, the bare binary-heap
//!   M/M/c/c loop of `benches/floor.rs`;
//! - `hold PENDING EVENTS`: the engine alone, the hold model of
//!   `benches/engine.rs`;
//! - `faults DAYS`: crashes, cuts and service stops every few hours, no calls;
//!   `faults-calls DAYS` the same with the loss system's traffic on 16 ports
//!   (`benches/failures.rs`);
//! - `handful RUNS`: a decade with five timeline faults and no calls (31
//!   events, `benches/failures.rs`'s horizon bench), replication 0 RUNS times.
//!
//! Each prints what it counted (calls offered or events).
//!
//! ```sh
//! cargo build --release --example workload
//! valgrind --tool=callgrind target/release/examples/workload clustersim 2000
//! valgrind --tool=callgrind target/release/examples/workload floor 2000
//! ```
//! Instructions per call (or event): the difference between two sizes (say
//! 2,000 h and 4,000 h) over the difference in what was counted, so that
//! start-up cancels out.

#[path = "../benches/common/mod.rs"]
mod common;

use clustersim::engine::{Limits, Model, Scheduler, Time, run};
use clustersim::model::metrics::Metric;
use common::{CALLS_PER_HOUR, HOLD_MEAN_S, PORTS, floor, loss_yaml, options, run_once, voice};

const HOUR_US: u64 = 3_600_000_000;

const RANDOM_FAILURES: &str = "random_failures:
  crash: {mtbf: 6h, mttr: 20m}
  partition: {mtbf: 4h, mttr: 2m}
  service: {mtbf: 8h, mttr: 15m}
";

/// A crash, a cut, a service stop, an isolation and a deactivation in the
/// first year; nothing afterwards.
const HANDFUL: &str = "failures:
  - {at: 30d, crash: publisher, for: 4h}
  - {at: 100d, partition: [publisher, subscriber], for: 10m}
  - {at: 200d, stop_service: {server: subscriber, service: conversation_manager}, for: 30m}
  - {at: 300d, isolate: publisher, for: 30m}
  - {at: 350d, admin: {server: subscriber, action: deactivate}, for: 1h}
";

const TRAFFIC: &str = "phone_system: {integration: sccp, ports: 16}
traffic: {calls_per_hour: 400, hold_time: {mean: 90s}}
";

/// The hold model: handling an event schedules its successor a
/// pseudo-random delay (xorshift, about a second) later.
struct Hold {
    remaining: u64,
    state: u64,
}

impl Model for Hold {
    type Event = u64;
    fn handle(&mut self, event: u64, sched: &mut Scheduler<u64>) {
        if self.remaining > 0 {
            self.remaining -= 1;
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            sched.schedule_in(Time::from_us((self.state >> 44) | 1), event + 1);
        }
    }
}

fn hold(pending: u64, successors: u64) -> u64 {
    let mut model = Hold { remaining: successors, state: 0x9E37_79B9_7F4A_7C15 };
    let mut sched = Scheduler::with_capacity(pending as usize);
    for id in 0..pending {
        sched.schedule_at(Time::from_us(id * 61 % 1_000_003), id << 32);
    }
    let limits = Limits { horizon: Time::MAX, max_events: u64::MAX };
    run(&mut model, &mut sched, limits).expect("no limit").events
}

fn main() {
    let usage =
        "usage: workload clustersim|floor HOURS | hold PENDING EVENTS | faults|faults-calls DAYS | handful RUNS";
    let arg = |i: usize| -> u64 { std::env::args().nth(i).and_then(|a| a.parse().ok()).expect(usage) };
    let which = std::env::args().nth(1).expect(usage);
    let (count, what) = match which.as_str() {
        "clustersim" => {
            let metrics = run_once(&voice(&loss_yaml(arg(2))), options()).0;
            (metrics.get(Metric::CallsOffered) as u64, "calls offered")
        }
        "floor" => (floor(PORTS, CALLS_PER_HOUR, HOLD_MEAN_S, arg(2) * HOUR_US, 1).offered, "calls offered"),
        "hold" => (hold(arg(2), arg(3)), "events"),
        "faults" => (run_once(&voice(&format!("duration: {}d\n{RANDOM_FAILURES}", arg(2))), options()).1, "events"),
        "faults-calls" => {
            let yaml = format!("duration: {}d\n{TRAFFIC}{RANDOM_FAILURES}", arg(2));
            (run_once(&voice(&yaml), options()).1, "events")
        }
        "handful" => {
            let scenario = voice(&format!("duration: 3650d\n{HANDFUL}"));
            ((0..arg(2)).map(|_| run_once(&scenario, options()).1).sum(), "events")
        }
        _ => panic!("{usage}"),
    };
    println!("{which}: {count} {what}");
}
