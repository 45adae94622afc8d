//! A full clustersim run of the no-failure loss system (pimg_timg, 16 shared
//! ports, 400 calls/hour, exponential 90 s holds), in calls per second, next
//! to the floor (`benches/floor.rs`) on the same system in the same process.
//! The target: clustersim at no less than the floor's rate.
//!
//! ```sh
//! cargo bench --bench loss_system
//! ```

mod common;

use clustersim::model::metrics::Metric;
use clustersim::model::trace::NoTrace;
use clustersim::model::voice::simulate;
use common::{CALLS_PER_HOUR, HOLD_MEAN_S, PORTS, assert_erlang_b, floor, loss_yaml, options, run_once, voice};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const HOUR_US: u64 = 3_600_000_000;

fn bench_loss_system(c: &mut Criterion) {
    let mut group = c.benchmark_group("loss_system");
    group.sample_size(20);
    for hours in [250u64, 2_500] {
        let scenario = voice(&loss_yaml(hours));
        let (metrics, _) = run_once(&scenario, options());
        let offered = metrics.get(Metric::CallsOffered) as u64;
        assert_erlang_b("clustersim", metrics.get(Metric::CallsBlocked) as u64, offered);
        group.throughput(Throughput::Elements(offered));
        // The whole replication: building the model, the run, the metrics.
        group.bench_with_input(BenchmarkId::new("clustersim", hours * 400), &scenario, |b, scenario| {
            b.iter(|| simulate(black_box(scenario), 0, options(), NoTrace).expect("no limit"))
        });
        let horizon_us = hours * HOUR_US;
        group.throughput(Throughput::Elements(floor(PORTS, CALLS_PER_HOUR, HOLD_MEAN_S, horizon_us, 1).offered));
        group.bench_with_input(BenchmarkId::new("floor", hours * 400), &horizon_us, |b, &horizon_us| {
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
    targets = bench_loss_system
}
criterion_main!(benches);
