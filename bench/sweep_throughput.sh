#!/usr/bin/env bash
# Sweep throughput (the run stage, many runs): times `dasgd sweep` with -j 1 and -j 2 on the same
# sweep, reports points per second and the parallel efficiency (speed-up / jobs), and checks that
# both give byte-identical results.csv. Usage:
#   bench/sweep_throughput.sh [DASGD_BINARY] [SWEEP_FILE] [JOBS...]
# Defaults: build/dasgd, configs/sweeps/staleness_vs_latency.json, jobs 1 2.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dasgd="${1:-$here/build/dasgd}"
sweep="${2:-$here/configs/sweeps/staleness_vs_latency.json}"
if [[ $# -ge 2 ]]; then shift 2; else shift $#; fi
jobs=("$@")
[[ ${#jobs[@]} -eq 0 ]] && jobs=(1 2)
[[ -x "$dasgd" ]] || { echo "sweep_throughput.sh: no dasgd binary at $dasgd (pass its path)" >&2; exit 2; }
scratch="$(mktemp -d "${TMPDIR:-/tmp}/dasgd_sweep_bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

points="$("$dasgd" sweep "$sweep" --list | wc -l)"
echo "sweep: $sweep ($points points), $(nproc) cores"
printf '%6s %10s %10s %10s\n' jobs seconds points/s efficiency
base=""
for j in "${jobs[@]}"; do
  start=$(date +%s.%N)
  "$dasgd" sweep "$sweep" -j "$j" --quiet --out "$scratch/j$j"
  end=$(date +%s.%N)
  seconds=$(echo "$end - $start" | bc -l)
  [[ -z "$base" ]] && base=$seconds && base_jobs=$j
  rate=$(echo "$points / $seconds" | bc -l)
  efficiency=$(echo "($base * $base_jobs) / ($seconds * $j)" | bc -l)
  printf '%6s %10.2f %10.1f %10.2f\n' "$j" "$seconds" "$rate" "$efficiency"
  if ! cmp -s "$scratch/j${jobs[0]}/results.csv" "$scratch/j$j/results.csv"; then
    echo "sweep_throughput.sh: results.csv differs between -j ${jobs[0]} and -j $j" >&2
    exit 1
  fi
done
echo "results.csv byte-identical across jobs"
