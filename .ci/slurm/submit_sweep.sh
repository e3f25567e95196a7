#!/bin/bash
# Submits a dasgd sweep to Slurm: validates it and counts its points, submits job arrays of
# POINTS_PER_TASK points per task (several arrays, each with its own --offset, when the task count
# exceeds MaxArraySize), then a merge job that runs after all of them and writes results.csv, or
# prints the --array= list of the tasks to resubmit. Run from the repository root on a shared file
# system. Usage:
#   .ci/slurm/submit_sweep.sh SWEEP [--points-per-task P] [--partition NAME] [--account NAME]
#       [--out DIR] [--dasgd BINARY] [--max-array-size M] [--concurrent C] [--time T] [--mem M]
#       [--dry-run]
# Defaults: P so that there are at most 100 tasks; MaxArraySize from `scontrol show config`
# (1001 when unknown); no concurrency limit; --time and --mem from sweep_array.sbatch.
# --dry-run prints the sbatch commands instead of running them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SWEEP="${1:?usage: submit_sweep.sh SWEEP [--points-per-task P] [--partition NAME] [--account NAME] [--out DIR] ...}"
shift
P="" PARTITION="" ACCOUNT="" OUT="" DASGD="build/dasgd" MAX_ARRAY="" CONCURRENT="" TIME="" MEM="" DRY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --points-per-task) P="$2"; shift 2 ;;
    --partition) PARTITION="$2"; shift 2 ;;
    --account) ACCOUNT="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --dasgd) DASGD="$2"; shift 2 ;;
    --max-array-size) MAX_ARRAY="$2"; shift 2 ;;
    --concurrent) CONCURRENT="$2"; shift 2 ;;
    --time) TIME="$2"; shift 2 ;;
    --mem) MEM="$2"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    *) echo "submit_sweep.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
N=$("$DASGD" sweep "$SWEEP" --count ${OUT:+--out "$OUT"})  # exit 2 with the error for a bad sweep
[[ -z "$P" ]] && P=$(( (N + 99) / 100 ))
[[ "$P" =~ ^[1-9][0-9]*$ ]] || { echo "submit_sweep.sh: --points-per-task: expected an integer >= 1, got $P" >&2; exit 2; }
if [[ -z "$MAX_ARRAY" ]]; then
  MAX_ARRAY=$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" {print $3}')
  MAX_ARRAY=${MAX_ARRAY:-1001}
fi
TASKS=$(( (N + P - 1) / P ))
common=()
[[ -n "$PARTITION" ]] && common+=(--partition "$PARTITION")
[[ -n "$ACCOUNT" ]] && common+=(--account "$ACCOUNT")
[[ -n "$TIME" ]] && common+=(--time "$TIME")
[[ -n "$MEM" ]] && common+=(--mem "$MEM")
run() { if [[ -n "$DRY" ]]; then echo "$*" >&2; echo "DRY$RANDOM"; else "$@"; fi; }
echo "submit_sweep.sh: $N points, $P per task, $TASKS tasks (MaxArraySize $MAX_ARRAY)" >&2
jobs=()
per_array=$(( MAX_ARRAY - 1 ))  # array indices run 0..MaxArraySize-1
for (( first_task = 0; first_task < TASKS; first_task += per_array )); do
  count=$(( TASKS - first_task < per_array ? TASKS - first_task : per_array ))
  offset=$(( first_task * P ))
  array="0-$(( count - 1 ))${CONCURRENT:+%$CONCURRENT}"
  job=$(run sbatch --parsable --array="$array" "${common[@]}" "$here/sweep_array.sbatch" "$SWEEP" \
        --points-per-task "$P" --offset "$offset" --dasgd "$DASGD" ${OUT:+--out "$OUT"})
  echo "submit_sweep.sh: job $job: --array=$array --offset $offset" >&2
  jobs+=("${job%%;*}")
done
dependency="afterany$(printf ':%s' "${jobs[@]}")"
merge="$DASGD sweep $SWEEP --merge --points-per-task $P ${OUT:+--out $OUT}"
job=$(run sbatch --parsable --dependency="$dependency" "${common[@]}" --job-name=dasgd-sweep-merge \
      --output=slurm-merge-%j.out --wrap "$merge")
echo "submit_sweep.sh: merge job $job after $dependency: $merge" >&2
echo "${jobs[*]} $job"
