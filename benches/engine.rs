//! The engine alone: the classic "hold" model. `pending` events wait in the
//! queue; handling one schedules a successor a pseudo-random delay later, so
//! the queue keeps its size. The model does nothing else (a xorshift makes
//! the delays, not ChaCha), so this is the cost of `engine::run` and the queue
//! per event, in events per second, for queues of a few to many events.
//!
//! ```sh
//! cargo bench --bench engine
//! ```

use clustersim::engine::{Limits, Model, Scheduler, Time, run};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// An event the size of clustersim's own (`Ev` is 8 bytes).
#[derive(Clone, Copy)]
struct Payload {
    id: u32,
    generation: u32,
}

struct Hold {
    /// Successors still to schedule; when it reaches 0 the queue drains.
    remaining: u64,
    state: u64,
    checksum: u64,
}

impl Hold {
    /// xorshift64: delays in [1, 2^20) µs, about a second.
    fn delay(&mut self) -> Time {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        Time::from_us((self.state >> 44) | 1)
    }
}

impl Model for Hold {
    type Event = Payload;
    fn handle(&mut self, event: Payload, sched: &mut Scheduler<Payload>) {
        self.checksum = self.checksum.wrapping_add(event.id as u64 ^ event.generation as u64);
        if self.remaining > 0 {
            self.remaining -= 1;
            let delay = self.delay();
            sched.schedule_in(delay, Payload { id: event.id, generation: event.generation + 1 });
        }
    }
}

/// Runs `pending + successors` events; returns the model's checksum.
fn hold(pending: u32, successors: u64) -> u64 {
    let mut model = Hold { remaining: successors, state: 0x9E37_79B9_7F4A_7C15, checksum: 0 };
    let mut sched = Scheduler::with_capacity(pending as usize);
    for id in 0..pending {
        let delay = model.delay();
        sched.schedule_at(delay, Payload { id, generation: 0 });
    }
    let limits = Limits { horizon: Time::MAX, max_events: u64::MAX };
    let stats = run(&mut model, &mut sched, limits).expect("no limit");
    debug_assert_eq!(stats.events, pending as u64 + successors);
    model.checksum
}

fn bench_engine(c: &mut Criterion) {
    const SUCCESSORS: u64 = 1_000_000;
    let mut group = c.benchmark_group("engine_hold");
    group.sample_size(20);
    for pending in [16u32, 1_024, 65_536] {
        group.throughput(Throughput::Elements(pending as u64 + SUCCESSORS));
        group.bench_with_input(BenchmarkId::new("events", pending), &pending, |b, &pending| {
            b.iter(|| hold(black_box(pending), SUCCESSORS))
        });
    }
    group.finish();
}

// No plots: criterion's plotters backend panics where no font is installed,
// and the figures are the numbers it prints.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_engine
}
criterion_main!(benches);
