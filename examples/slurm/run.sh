#!/usr/bin/env bash
# Runs the README's Slurm example for real, small: REPLICATIONS (default 40)
# replications of scenarios/random-failures-year.yaml as a job array of SHARDS
# (default 4) tasks, then the merge as a job that depends on the array; then
# checks that the merged folder holds the same bytes as a single run.
#
#   examples/slurm/run.sh           # needs a working Slurm (sbatch, sinfo)
#   examples/slurm/run.sh --local   # the same tasks by a shell loop, no Slurm
#
# Not part of CI. examples/slurm/single-node.sh sets up a one-node Slurm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shards=${SHARDS:-4}
replications=${REPLICATIONS:-40}
local_only=false
[[ ${1:-} == --local ]] && local_only=true

cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin_dir="$repo/target/release"
work=$(mktemp -d "${TMPDIR:-/tmp}/clustersim-slurm.XXXXXX")
ln -s "$repo/scenarios" "$work/scenarios"
cd "$work"
export PATH="$bin_dir:$PATH" SHARDS="$shards" REPLICATIONS="$replications"

if $local_only; then
    for task in $(seq 0 $((shards - 1))); do
        SLURM_ARRAY_TASK_ID=$task bash "$here/shards.sbatch"
    done
    clustersim merge shards/s* --out results/year --quiet
else
    sinfo --version
    array=$(sbatch --parsable --array=0-$((shards - 1)) --cpus-per-task=1 --output=slurm-%A_%a.out \
        --export=ALL "$here/shards.sbatch")
    echo "array job $array: $shards tasks"
    # --wait: sbatch returns when the merge job ends, with its exit status.
    merge=$(sbatch --parsable --wait --dependency="afterok:$array" --output=slurm-merge.out --export=ALL \
        --wrap "clustersim merge shards/s* --out results/year --quiet")
    echo "merge job $merge, after the array: done"
fi

clustersim run scenarios/random-failures-year.yaml --replications "$replications" --out single --quiet
# Every file a single run writes (data and charts), byte for byte.
for file in single/*; do
    cmp "$file" "results/year/${file#single/}"
done
[[ $(ls single) == "$(ls results/year)" ]] || { echo "the merged folder has other files" >&2; exit 1; }
echo "merged = single run: $replications replications in $shards shards ($work)"
