#!/usr/bin/env bash
# clustersim against SimPy on the same loss system, side by side on this
# machine: 16 shared ports (pimg_timg), 400 calls/hour, exponential 90 s
# holds, no failures (M/M/16/16). Prints both rates in calls per second and
# their ratio (the target is clustersim at 60x SimPy or more).
#
#   bash benches/peer/compare.sh          # from the repository root
#
# SimPy comes from PyPI into benches/peer/.venv (gitignored), pinned by
# requirements.txt. clustersim is the release binary running the whole CLI
# (parse, simulate, write summary.json) on about 5 million calls; its rate is
# calls_offered from summary.json over the wall time, best of RUNS runs.
# SimPy runs in one process for at least MIN_WALL seconds of wall time.
# Environment: HOURS (clustersim horizon, default 12500 h, about 5M calls),
# RUNS (default 3), MIN_WALL (default 10 s), PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
hours="${HOURS:-12500}"
runs="${RUNS:-3}"
min_wall="${MIN_WALL:-10}"
python="${PYTHON:-python3}"
venv="$here/.venv"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- SimPy in a virtual environment ------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

# ---- clustersim's release binary ---------------------------------------------
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
clustersim="$target_dir/release/clustersim"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/peer-loss.yaml" <<YAML
name: peer-loss
description: M/M/16/16, the system of benches/peer/mmcc_simpy.py.
duration: ${hours}h
replications: 1
phone_system: {integration: pimg_timg, ports: 16}
traffic: {calls_per_hour: 400, hold_time: {mean: 90s}}
YAML

best_ns=""
for run in $(seq 1 "$runs"); do
    start_ns="$(date +%s%N)"
    "$clustersim" run "$work/peer-loss.yaml" --replications 1 --trace none --no-charts --quiet --out "$work/out$run"
    elapsed_ns=$(( $(date +%s%N) - start_ns ))
    if [ -z "$best_ns" ] || [ "$elapsed_ns" -lt "$best_ns" ]; then
        best_ns="$elapsed_ns"
    fi
done

# ---- SimPy ---------------------------------------------------------------------
simpy_json="$("$venv/bin/python" "$here/mmcc_simpy.py" --min-wall "$min_wall")"

# ---- report --------------------------------------------------------------------
"$venv/bin/python" - "$work/out1/summary.json" "$best_ns" "$runs" "$simpy_json" <<'PY'
import json, sys

summary_path, best_ns, runs, simpy_json = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
metrics = json.load(open(summary_path))["metrics"]
offered = metrics["calls_offered"]["mean"]
blocking = metrics["blocking_probability"]["mean"]
cs_wall = best_ns / 1e9
cs_rate = offered / cs_wall
sp = json.loads(simpy_json)
print(f"clustersim: {offered:,.0f} calls in {cs_wall:.3f} s (best of {runs}): {cs_rate:,.0f} calls/s, blocking {blocking:.5f}")
print(f"SimPy {sp['simpy']}: {sp['calls_offered']:,} calls in {sp['wall_s']:.3f} s: {sp['calls_per_s']:,.0f} calls/s, "
      f"blocking {sp['blocking_probability']:.5f}")
print(f"Erlang B: {sp['erlang_b']:.5f}")
print(f"ratio clustersim / SimPy: {cs_rate / sp['calls_per_s']:.1f}x (target: 60x or more)")
PY
