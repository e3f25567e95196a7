#!/usr/bin/env bash
# Sweep throughput (the run stage, many runs): the same sweep of tiny points run
#   A. in one process, `dasgd sweep S --points 0:N -j 2` (a Slurm task running a whole range on two
#      threads; A1 the same on one thread),
#   B. `dasgd sweep S -j 2` (worker processes, each running a range of points),
#   C. one process per point, two at a time (`--point K` under xargs -P 2: the former scheme),
#   D. optionally a REFERENCE binary's `dasgd sweep S -j 2` (e.g. a build of the code before ranges),
# and reports wall seconds, CPU seconds and points per second (medians over REPS runs for A and B;
# C runs on the first C_POINTS points and once, D once), the ratios A/C and A/D in points per second
# measured in the same run, and checks that results.csv is byte-identical across A, B (and D).
# Usage:
#   bench/sweep_throughput.sh [DASGD] [SWEEP] [REFERENCE_DASGD]
# Defaults: build/dasgd, bench/sweeps/tiny_5000.json, no reference. Environment: REPS (3),
# C_POINTS (500). The machine's other load shows in wall times: compare the ratios, and CPU times.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dasgd="${1:-$here/build/dasgd}"
sweep="${2:-$here/bench/sweeps/tiny_5000.json}"
reference="${3:-}"
reps="${REPS:-3}"
c_points="${C_POINTS:-500}"
[[ -x "$dasgd" ]] || { echo "sweep_throughput.sh: no dasgd binary at $dasgd (pass its path)" >&2; exit 2; }
scratch="$(mktemp -d "${TMPDIR:-/tmp}/dasgd_sweep_bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

points="$("$dasgd" sweep "$sweep" --count)"
(( c_points > points )) && c_points=$points
echo "sweep: $sweep ($points points), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"

# timed OUT_FILE command...: appends "wall cpu" to OUT_FILE.
timed() {
  local out="$1"
  shift
  /usr/bin/time -f "%e %U %S" -o "$scratch/time.txt" "$@" > /dev/null
  awk '{printf "%s %.3f\n", $1, $2 + $3}' "$scratch/time.txt" >> "$out"
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
report() {  # label file points
  local wall cpu
  wall=$(cut -d' ' -f1 "$2" | median)
  cpu=$(cut -d' ' -f2 "$2" | median)
  printf '%-44s %8d %9.2f %9.2f %11.1f %11.1f\n' "$1" "$3" "$wall" "$cpu" "$(echo "$3 / $wall" | bc -l)" \
    "$(echo "$3 / $cpu" | bc -l)"
  echo "$3 / $wall" | bc -l > "$scratch/rate_$4"
}

# Every run writes into a fresh directory and nothing is deleted until the end: ext4 makes creating
# files slow for a while after thousands were deleted (its allocator skips recently freed inodes),
# which would charge one run for the clean-up of the one before.
for r in $(seq "$reps"); do
  timed "$scratch/a.txt" "$dasgd" sweep "$sweep" --points "0:$points" -j 2 -q --out "$scratch/a$r"
  timed "$scratch/a1.txt" "$dasgd" sweep "$sweep" --points "0:$points" -j 1 -q --out "$scratch/a1_$r"
done
mv "$scratch/a1_1" "$scratch/a"
"$dasgd" sweep "$sweep" --merge -q --out "$scratch/a"
for r in $(seq "$reps"); do
  timed "$scratch/b.txt" "$dasgd" sweep "$sweep" -j 2 -q --out "$scratch/b$r"
done
mv "$scratch/b1" "$scratch/b"
cmp -s "$scratch/a/results.csv" "$scratch/b/results.csv" || { echo "results.csv differs between A and B" >&2; exit 1; }
mkdir -p "$scratch/c"
timed "$scratch/c.txt" bash -c "seq 0 $((c_points - 1)) | xargs -P 2 -I{} '$dasgd' sweep '$sweep' --point {} -q --out '$scratch/c'"
if [[ -n "$reference" ]]; then
  timed "$scratch/d.txt" "$reference" sweep "$sweep" -j 2 -q --out "$scratch/d"
  cmp -s "$scratch/a/results.csv" "$scratch/d/results.csv" || { echo "results.csv differs between A and D" >&2; exit 1; }
fi

printf '%-44s %8s %9s %9s %11s %11s\n' path points wall_s cpu_s points/s "points/cpu_s"
report "A. one process, --points 0:N -j 2" "$scratch/a.txt" "$points" a
report "A1. one process, --points 0:N -j 1" "$scratch/a1.txt" "$points" a1
report "B. -j 2 (workers over ranges)" "$scratch/b.txt" "$points" b
report "C. one process per point, 2 at a time" "$scratch/c.txt" "$c_points" c
[[ -n "$reference" ]] && report "D. reference -j 2" "$scratch/d.txt" "$points" d
printf 'A / C (points per wall second): %.1fx\n' "$(echo "$(cat "$scratch/rate_a") / $(cat "$scratch/rate_c")" | bc -l)"
[[ -n "$reference" ]] && printf 'A / D (points per wall second): %.1fx\n' \
  "$(echo "$(cat "$scratch/rate_a") / $(cat "$scratch/rate_d")" | bc -l)"
echo "results.csv byte-identical across A, B${reference:+ and D}"
