#!/usr/bin/env bash
# Run a corridor sweep as a Slurm job array: one shard per array task, then merge.
#
#   sbatch --array=0-15 examples/sweep_slurm.sh scenarios/sweeps/rd-x-talent-housing.toml
#   # when every task is done (or: sbatch --dependency=afterok:<jobid> --wrap "...merge..."):
#   corridor merge output/sweep-rd-x-talent-housing-shard-*-of-16 --out output/sweep-rd-x-talent-housing
#
# Each task runs the run ids with run_id % N == I (N = array size, I = SLURM_ARRAY_TASK_ID) into
# its own folder. A requeued or preempted task continues where it stopped (--resume reruns only
# the runs without a complete row). Results are the same as one machine's, byte for byte.
# Kubernetes Indexed Jobs: use JOB_COMPLETION_INDEX and the job's completions instead.
#SBATCH --job-name=corridor-sweep
#SBATCH --cpus-per-task=8
#SBATCH --time=04:00:00
#SBATCH --requeue
set -euo pipefail

SWEEP="${1:?usage: sbatch --array=0-N examples/sweep_slurm.sh SWEEP.toml [OUT_PREFIX]}"
NAME="$(basename "$SWEEP" .toml)"
PREFIX="${2:-output/sweep-$NAME}"
INDEX="${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:-0}}"
COUNT="${SLURM_ARRAY_TASK_COUNT:-${SHARDS:-1}}"
CORRIDOR="${CORRIDOR:-corridor}"

"$CORRIDOR" sweep "$SWEEP" \
    --shard "$INDEX/$COUNT" \
    --threads "${SLURM_CPUS_PER_TASK:-0}" \
    --out "$PREFIX-shard-$INDEX-of-$COUNT" \
    --resume

# The last task to finish merges (each task checks; merge fails harmlessly while shards are missing).
DIRS=()
for ((i = 0; i < COUNT; i++)); do DIRS+=("$PREFIX-shard-$i-of-$COUNT"); done
if "$CORRIDOR" merge "${DIRS[@]}" --out "$PREFIX" --quiet 2>/dev/null; then
    echo "merged $COUNT shards into $PREFIX"
else
    echo "shard $INDEX/$COUNT done; merge when all shards are finished"
fi
