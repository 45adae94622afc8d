#!/usr/bin/env bash
# Rebuilds the example results, charts and reports under results/ from the bundled
# scenarios (every file here is deterministic: same code, same bytes).
#   results/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
sim=target/release/clustersim

out() { # out NAME COMMAND ARGS...: one results folder, replaced whole
    local name=$1
    shift
    "$sim" "$@" --out "results/$name" --quiet
    echo "results/$name"
}

# Automatic failover (seed 1): the key situations.
out publisher-crash run scenarios/publisher-crash.yaml
out subscriber-crash run scenarios/subscriber-crash.yaml
out isolated-primary run scenarios/isolated-primary.yaml
out wan-partition-long run scenarios/wan-partition-long.yaml
out flapping-link run scenarios/flapping-link.yaml
# A year of random failures; every replication traced for the time split by status.
out random-failures-year run scenarios/random-failures-year.yaml --replications 20 --trace all
# Strategies and parameters.
out publisher-outage-compare compare scenarios/publisher-outage.yaml
out publisher-outage-size size scenarios/publisher-outage-sizing.yaml --target "blocking_probability<=0.01"
out publisher-outage-sweep sweep scenarios/publisher-outage.yaml --replications 50 \
    --set phone_system.ports=8,12,16,24 --set phone_system.integration=sccp,sip_trunk
# Manual failover (seed 2).
out chat-datacenter-loss run scenarios/chat-datacenter-loss.yaml
out chat-datacenter-loss-compare compare scenarios/chat-datacenter-loss.yaml
out chat-log-shipping-sweep sweep scenarios/chat-log-shipping.yaml \
    --set log_shipping.backup_interval=5m,15m,30m --set runbook.decide=5m,15m,1h
du -sh results
