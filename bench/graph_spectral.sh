#!/usr/bin/env bash
# `dasgd graph` end to end on slowly mixing graphs (issue 10 target: a 10^4-node ring in under 2 s,
# lambda_2 to 1e-9 relative): median wall seconds of REPS runs (default 5) per graph, and the
# printed lambda_2 of the uniform rule against the closed form. Usage:
#   bench/graph_spectral.sh [DASGD_BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dasgd="${1:-$here/build/dasgd}"
reps="${REPS:-5}"
[[ -x "$dasgd" ]] || { echo "graph_spectral.sh: no dasgd binary at $dasgd (pass its path)" >&2; exit 2; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf '%-34s %10s %14s %14s\n' graph median_s lambda_2 closed_form
# name | arguments | closed-form lambda_2 of the uniform rule (bc -l)
while IFS='|' read -r name args closed; do
  times=()
  for r in $(seq "$reps"); do
    start=$(date +%s.%N)
    text=$("$dasgd" graph $args)
    times+=("$(echo "$(date +%s.%N) - $start" | bc -l)")
  done
  lambda=$(echo "$text" | sed -n 's/^spectral gap, uniform W: .*lambda_2 = \([^,]*\),.*/\1/p')
  printf '%-34s %10.3f %14s %14.8f\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" "$lambda" "$(echo "$closed" | bc -l)"
done <<'GRAPHS'
ring n=5000|--kind ring --nodes 5000|(1 + 2 * c(2 * 4 * a(1) / 5000)) / 3
ring n=10000|--kind ring --nodes 10000|(1 + 2 * c(2 * 4 * a(1) / 10000)) / 3
torus 100x100|--kind torus --rows 100 --cols 100|(3 + 2 * c(2 * 4 * a(1) / 100)) / 5
hypercube d=13|--kind hypercube --dimension 13|12 / 14
GRAPHS
echo "(dasgd graph prints 6 significant digits; topology_bench --benchmark_filter=SpectralGap checks 1e-9)"
