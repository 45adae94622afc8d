//! A long seed sweep beyond CI's: generated scenarios FROM..TO of HOURS hours,
//! each run with the invariant checker and compared with the message-by-message
//! keepalive oracle. Prints each failing case (reproduce its YAML with the
//! `gen` example) and exits 1 if any failed.
//!
//! cargo run --release --example stress -- 0 10000 24

#[path = "../tests/integration/generate.rs"]
mod generate;

use clustersim::model::trace::{Recorder, Trace};
use clustersim::model::voice::simulate;
use clustersim::model::{KeepaliveMode, RunOptions};
use clustersim::scenario::{Scenario, parse_str};

fn arg(i: usize) -> u64 {
    std::env::args().nth(i).and_then(|a| a.parse().ok()).expect("usage: stress FROM TO HOURS")
}

fn main() {
    let (from, to, hours) = (arg(1), arg(2), arg(3));
    let mut failed = 0;
    for case in from..to {
        let yaml = generate::scenario(case, hours);
        let Ok(Scenario::Voice(s)) = parse_str("generated", "generated", &yaml) else {
            panic!("generated scenario {case} is invalid:\n{yaml}")
        };
        let options = RunOptions { check_invariants: true, ..RunOptions::default() };
        let traced = |options: RunOptions| -> (_, Trace) {
            let run = simulate(&s, case % 5, options, Recorder::new(s.duration.as_us(), 50)).expect("run");
            (run.metrics, run.tracer.finish())
        };
        let outcome = std::panic::catch_unwind(|| {
            let analytic = traced(options);
            let oracle = traced(RunOptions { keepalive: KeepaliveMode::Messages, ..options });
            analytic == oracle
        });
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                println!("case {case}: analytic keepalives differ from the oracle");
                failed += 1;
            }
            Err(_) => {
                println!("case {case}: panicked (see above)");
                failed += 1;
            }
        }
    }
    println!("{} cases, {failed} failed", to - from);
    std::process::exit((failed > 0) as i32);
}
