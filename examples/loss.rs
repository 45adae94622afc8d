//! The loss system of the performance targets (pimg_timg, 16 ports, 400
//! calls/hour, exponential 90 s holds) over HOURS hours, run once either by
//! clustersim (one whole replication, untraced) or by the floor (the bare
//! binary-heap M/M/c/c loop of `benches/floor.rs`), printing the calls
//! offered. A fixed workload to count instructions on, which unlike wall
//! time does not depend on what else the machine is doing:
//!
//! ```sh
//! cargo build --release --example loss
//! valgrind --tool=callgrind target/release/examples/loss clustersim 2000
//! valgrind --tool=callgrind target/release/examples/loss floor 2000
//! ```
//! Instructions per call: the difference between two horizons (say 2,000 h
//! and 4,000 h) over the difference in calls offered, so start-up cancels out.

#[path = "../benches/common/mod.rs"]
mod common;

use clustersim::model::metrics::Metric;
use common::{CALLS_PER_HOUR, HOLD_MEAN_S, PORTS, floor, loss_yaml, options, run_once, voice};

const HOUR_US: u64 = 3_600_000_000;

fn main() {
    let usage = "usage: loss clustersim|floor HOURS";
    let which = std::env::args().nth(1).expect(usage);
    let hours: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).expect(usage);
    let offered = match which.as_str() {
        "clustersim" => run_once(&voice(&loss_yaml(hours)), options()).0.get(Metric::CallsOffered) as u64,
        "floor" => floor(PORTS, CALLS_PER_HOUR, HOLD_MEAN_S, hours * HOUR_US, 1).offered,
        _ => panic!("{usage}"),
    };
    println!("{which} {hours} h: {offered} calls offered");
}
