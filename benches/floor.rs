//! The floor: a bare binary-heap M/M/c/c loop simulating the loss system
//! (16 ports, 400 calls/hour, exponential 90 s holds) with nothing else, in
//! calls per second. clustersim's full run (`loss_system`) should reach at
//! least half this rate.
//!
//! ```sh
//! cargo bench --bench floor
//! ```

mod common;

use common::{CALLS_PER_HOUR, HOLD_MEAN_S, PORTS, assert_erlang_b, floor};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const HOUR_US: u64 = 3_600_000_000;

fn bench_floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("floor");
    group.sample_size(20);
    for hours in [250u64, 2_500] {
        let horizon_us = hours * HOUR_US;
        let counts = floor(PORTS, CALLS_PER_HOUR, HOLD_MEAN_S, horizon_us, 1);
        assert_erlang_b("floor", counts.blocked, counts.offered);
        group.throughput(Throughput::Elements(counts.offered));
        group.bench_with_input(BenchmarkId::new("mmcc_calls", hours * 400), &horizon_us, |b, &horizon_us| {
            b.iter(|| floor(PORTS, CALLS_PER_HOUR, HOLD_MEAN_S, black_box(horizon_us), 1))
        });
    }
    group.finish();
}

// No plots: criterion's plotters backend panics where no font is installed,
// and the figures are the numbers it prints.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_floor
}
criterion_main!(benches);
