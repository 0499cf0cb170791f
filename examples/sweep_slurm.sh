#!/usr/bin/env bash
# Run a corridor sweep as a Slurm job array: one shard per array task; the last task to finish
# merges the shards into the folder one machine would have written, byte for byte.
#
#   sbatch --array=0-15 --cpus-per-task=4 examples/sweep_slurm.sh scenarios/sweeps/rd-x-talent-housing.toml
#
# What it needs:
# - The binary: `corridor` on the PATH of every node, or CORRIDOR=/path/to/corridor (exported to
#   the job, e.g. `sbatch --export=ALL,CORRIDOR=$PWD/target/release/corridor ...`). Build it with
#   `cargo build --release` (target/release/corridor) or `cargo install --path .` on a filesystem
#   the nodes share, or on each node with the same path.
# - A shared filesystem: every task writes its shard folder under OUT_PREFIX (default
#   output/sweep-<name>, relative to the submit directory) and the merging task reads all of them,
#   so OUT_PREFIX must be on storage every node sees (home, project or scratch, not /tmp).
# - Array indices from 0: task I runs the run ids with run_id % N == I, N = the array's size
#   (--array=0-15 is 16 shards). --array=1-16 would never run shard 0 and is refused.
# - CPUs: threads follow --cpus-per-task (SLURM_CPUS_PER_TASK); without it each task uses the CPUs
#   Slurm gives it. Any node size works; results do not depend on threads.
#
# Rerunning tasks: a requeued or preempted task continues where it stopped (#SBATCH --requeue
# and --resume rerun only runs without a complete row). To rerun chosen tasks of a finished or
# failed array, give the shard count, since the array is then smaller than the sweep:
#   sbatch --array=3,7 --export=ALL,SHARDS=16 examples/sweep_slurm.sh SWEEP.toml
# The merge can also be run by hand when every shard is done:
#   corridor merge output/sweep-NAME-shard-*-of-16 --out output/sweep-NAME
#
# Kubernetes: examples/sweep_k8s.yaml runs this script in an Indexed Job (JOB_COMPLETION_INDEX
# is the shard; SHARDS must equal the Job's completions).
#
# Timings on a 2-core machine: the tiny sweep (16 runs) in 4 shards takes a few seconds of work;
# see README "Running on a cluster".
#SBATCH --job-name=corridor-sweep
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --open-mode=append
set -euo pipefail

die() {
    echo "sweep_slurm.sh: $*" >&2
    exit 2
}

SWEEP="${1:?usage: sbatch --array=0-N examples/sweep_slurm.sh SWEEP.toml [OUT_PREFIX]}"
NAME="$(basename "$SWEEP" .toml)"
PREFIX="${2:-output/sweep-$NAME}"
CORRIDOR="${CORRIDOR:-corridor}"
command -v "$CORRIDOR" >/dev/null 2>&1 ||
    die "cannot find the corridor binary \`$CORRIDOR\`: put it on the PATH or set CORRIDOR=/path/to/corridor (see the top of this script)"

if [[ -n "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    INDEX="$SLURM_ARRAY_TASK_ID"
    if [[ -n "${SHARDS:-}" ]]; then
        COUNT="$SHARDS"
    else
        [[ "${SLURM_ARRAY_TASK_MIN:-0}" == 0 ]] ||
            die "the array starts at ${SLURM_ARRAY_TASK_MIN}: shards are numbered from 0, so --array=1-N would never run shard 0; submit --array=0-$((SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN)) (to rerun chosen tasks, set SHARDS to the number of shards)"
        COUNT="$SLURM_ARRAY_TASK_COUNT"
        ((SLURM_ARRAY_TASK_MAX < COUNT)) ||
            die "the array --array=${SLURM_ARRAY_TASK_MIN}-${SLURM_ARRAY_TASK_MAX} has gaps (${COUNT} tasks up to ${SLURM_ARRAY_TASK_MAX}); submit --array=0-$((COUNT - 1)), or set SHARDS to the number of shards"
    fi
elif [[ -n "${JOB_COMPLETION_INDEX:-}" ]]; then
    INDEX="$JOB_COMPLETION_INDEX"
    COUNT="${SHARDS:?a Kubernetes Indexed Job must set SHARDS to its completions (without it every pod would run the whole sweep)}"
else
    die "not in a Slurm array task or a Kubernetes Indexed Job (SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are unset); for one machine run: $CORRIDOR sweep $SWEEP"
fi
[[ "$COUNT" =~ ^[0-9]+$ && "$INDEX" =~ ^[0-9]+$ ]] && ((INDEX < COUNT)) ||
    die "task $INDEX is not a shard of $COUNT (shards are 0 to $((COUNT - 1)))"

THREADS=()
if [[ -n "${SLURM_CPUS_PER_TASK:-}" ]]; then
    THREADS=(--threads "$SLURM_CPUS_PER_TASK")
fi
echo "shard $INDEX/$COUNT of $SWEEP on $(hostname) with ${SLURM_CPUS_PER_TASK:-all given} CPUs -> $PREFIX-shard-$INDEX-of-$COUNT"
"$CORRIDOR" sweep "$SWEEP" \
    --shard "$INDEX/$COUNT" \
    "${THREADS[@]}" \
    --out "$PREFIX-shard-$INDEX-of-$COUNT" \
    --resume

# The last task to finish merges: a shard is finished when its sweep.json exists. A merge error
# (other than shards still running) fails this task with corridor's message.
DIRS=()
MISSING=0
for ((i = 0; i < COUNT; i++)); do
    DIRS+=("$PREFIX-shard-$i-of-$COUNT")
    [[ -f "$PREFIX-shard-$i-of-$COUNT/sweep.json" ]] || MISSING=$((MISSING + 1))
done
if ((MISSING > 0)); then
    echo "shard $INDEX/$COUNT done; $MISSING shards still to finish (the last one merges)"
    exit 0
fi
# Two tasks finishing at once would both merge: take turns on a lock beside the output.
mkdir -p "$(dirname "$PREFIX")"
exec 9>"$PREFIX.merge-lock"
flock 9
"$CORRIDOR" merge "${DIRS[@]}" --out "$PREFIX" --quiet
echo "merged $COUNT shards into $PREFIX"
