"""The loss system of clustersim's performance targets, in SimPy.

16 ports shared by all calls (pimg_timg), Poisson arrivals at 400 calls/hour,
exponential holds of mean 90 s, no failures: M/M/16/16. A call that finds
every port busy is blocked (counted and gone), never queued. Time is in
seconds.

The model is the one a SimPy user would write: an arrival process, a
``simpy.Resource`` for the ports, one process per answered call that holds a
port for its hold time. It runs in chunks of simulated time until at least
``--min-wall`` seconds of wall time have passed, and prints one JSON line:
calls offered, blocked, wall seconds, calls per second, and the blocking
probability next to Erlang B as a check that the model is the right one.
"""

import argparse
import json
import random
import time

import simpy

PORTS = 16
CALLS_PER_HOUR = 400.0
HOLD_MEAN_S = 90.0


def erlang_b(servers, erlangs):
    b = 1.0
    for k in range(1, servers + 1):
        b = erlangs * b / (k + erlangs * b)
    return b


class Counts:
    def __init__(self):
        self.offered = 0
        self.blocked = 0


def call(env, ports, hold_s):
    with ports.request() as port:
        yield port
        yield env.timeout(hold_s)


def arrivals(env, ports, rng, counts):
    rate_per_s = CALLS_PER_HOUR / 3600.0
    while True:
        yield env.timeout(rng.expovariate(rate_per_s))
        counts.offered += 1
        if ports.count < ports.capacity:
            env.process(call(env, ports, rng.expovariate(1.0 / HOLD_MEAN_S)))
        else:
            counts.blocked += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-wall", type=float, default=10.0, help="run at least this many wall seconds")
    parser.add_argument("--chunk-hours", type=float, default=100.0, help="simulated hours between clock checks")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    env = simpy.Environment()
    ports = simpy.Resource(env, capacity=PORTS)
    counts = Counts()
    env.process(arrivals(env, ports, random.Random(args.seed), counts))

    start = time.perf_counter()
    horizon_s = 0.0
    while True:
        horizon_s += args.chunk_hours * 3600.0
        env.run(until=horizon_s)
        wall_s = time.perf_counter() - start
        if wall_s >= args.min_wall:
            break

    erlangs = CALLS_PER_HOUR * HOLD_MEAN_S / 3600.0
    print(json.dumps({
        "simpy": simpy.__version__,
        "simulated_hours": horizon_s / 3600.0,
        "calls_offered": counts.offered,
        "calls_blocked": counts.blocked,
        "wall_s": wall_s,
        "calls_per_s": counts.offered / wall_s,
        "blocking_probability": counts.blocked / counts.offered,
        "erlang_b": erlang_b(PORTS, erlangs),
    }))


if __name__ == "__main__":
    main()
