#!/usr/bin/env bash
# The fault study of issue 9 (docs/FAULT_STUDY.md): DASGD, AD-PSGD, gossip SGD and the parameter
# server, each from its base config configs/study/<algorithm>.json (16 workers, Exp(1)
# compute, latency 0.05 + Exp(0.05), separable cosine d = 32 with noise sigma2 = 0.1, eta = 0.01,
# 200 simulated seconds), under every scenario below, for seeds 1..S. A scenario is a set of
# `--set` overrides on the base config; a config the readers refuse is recorded as "refused" with
# its one-line reason (exit 2), not as a failure.
#   baseline        no fault process, static ring (the parameter server: its star)
#   crash10         10 % of the nodes alternate Exp(mean 20) up and Exp(mean 5) down times
#                   (messages to a down node dropped, model kept; AD-PSGD: partner timeout 0.5 s)
#   loss1/5/20      Bernoulli loss p = 0.01 / 0.05 / 0.2 on every link, no retransmission
#                   (reply_timeout 0.5 s: only the parameter server's workers wait for a reply)
#   loss1/5/20_rt   the same with the reliable transport (timeout 0.5 s, at most 5 retries)
#   one_peer        graph.dynamic one_peer_exponential, period 1 s (the parameter server has no graph)
# Writes OUT/runs.csv (one row per run) and OUT/table.csv (mean and sd over seeds per cell), from
# each run's summary.json (bench/fault_study_table.py), and prints the table.
# Usage: bash bench/fault_study.sh [path/to/dasgd] [OUT=runs/fault_study] [seeds=5] [jobs=2]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dasgd=$(readlink -f "${1:-$here/build/dasgd}")
out=${2:-$here/runs/fault_study}
seeds=${3:-5}
jobs=${4:-2}
mkdir -p "$out"
out=$(readlink -f "$out")

nodes='{"renewal": {"up": {"law": "exponential", "mean": 20.0}, "down": {"law": "exponential", "mean": 5.0}, "fraction": 0.1}, "messages": "drop", "recovery": "keep"}'
transport='{"reliable": true, "timeout": 0.5, "max_retries": 5}'
loss() { echo "{\"loss\": {\"model\": \"bernoulli\", \"p\": $1}, \"reply_timeout\": 0.5}"; }

# One line per (algorithm, scenario): name, then the --set assignments (tab-separated).
cells() {
  for a in dasgd adpsgd gossip_sgd parameter_server; do
    printf '%s\tbaseline\n' "$a"
    if [ "$a" = adpsgd ]; then
      printf '%s\tcrash10\tfaults.nodes=%s\n' "$a" "${nodes%\}}, \"timeout\": 0.5}"
    else
      printf '%s\tcrash10\tfaults.nodes=%s\n' "$a" "$nodes"
    fi
    for p in 1 5 20; do
      pp=$(awk "BEGIN{print $p/100}")
      printf '%s\tloss%s\tfaults.links=%s\n' "$a" "$p" "$(loss "$pp")"
      printf '%s\tloss%s_rt\tfaults.links=%s\tfaults.transport=%s\n' "$a" "$p" "$(loss "$pp")" "$transport"
    done
    printf '%s\tone_peer\tgraph.dynamic={"kind": "one_peer_exponential", "period": 1}\n' "$a"
  done
}

run_one() {  # $1 = algorithm, $2 = scenario, $3 = seed, then the assignments
  local a=$1 s=$2 seed=$3
  shift 3
  local dir="$out/runs/$a/$s/seed$seed"
  local args=()
  for assignment in "$@"; do args+=(--set "$assignment"); done
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  local rc=0
  "$dasgd" run "$here/configs/study/$a.json" -q --out "$dir" --set "seed=$seed" "${args[@]}" \
    2> "$dir.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    mkdir -p "$dir"
    { echo "$rc"; head -1 "$dir.err"; } > "$dir/refused.txt"
  fi
  rm -f "$dir.err"
}
export -f run_one
export dasgd out here

list="$out/cells.tsv"
: > "$list"
while IFS= read -r line; do
  for seed in $(seq 1 "$seeds"); do
    a=$(cut -f1 <<< "$line"); s=$(cut -f2 <<< "$line"); rest=$(cut -f3- -s <<< "$line")
    printf '%s\t%s\t%s\t%s\n' "$a" "$s" "$seed" "$rest" >> "$list"
  done
done < <(cells)

start=$(date +%s)
# Each line: algorithm, scenario, seed, assignments (tab-separated) -> run_one's arguments.
tr '\n' '\0' < "$list" | xargs -0 -P "$jobs" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r -a f <<< "$1"; run_one "${f[@]}"' _ {}
echo "fault study: $(wc -l < "$list") runs in $(( $(date +%s) - start )) s (wall, $jobs jobs)" >&2
/usr/bin/python3 "$here/bench/fault_study_table.py" "$out"
