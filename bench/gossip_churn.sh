#!/usr/bin/env bash
# Push-gossip SGD under node churn vs the same run without (issue 9's speed target: >= 0.8x the
# events/s). Ring of n nodes, Exp(1) compute, latency 0.1, d = 8, quadratic objective, every
# staleness figure off (as bench/gossip_bench.py's memory case), T simulated seconds. Churn: every
# node alternates Exp(mean 99) up-times and Exp(mean 1) down-times, so 1 % of the nodes crash per unit
# time (and about 1 % are down at any instant); messages to down nodes dropped, recovery keep.
# events/s = timing.json events / wall_seconds (the whole run, world building included); the churn
# run's events include its transitions (about 0.02 n T). Also prints CPU seconds (user + sys), the
# steadier figure on a shared machine. Medians over the repetitions, interleaved.
# Usage: bash bench/gossip_churn.sh [path/to/dasgd] [repetitions=3] [n=1000000] [T=2]
set -euo pipefail
dasgd=$(readlink -f "${1:-build/dasgd}")
reps=${2:-3}
n=${3:-1000000}
T=${4:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
config() {  # $1 = churn (0/1)
  /usr/bin/python3 - "$n" "$T" "$1" <<'PY'
import json, sys
n, T, churn = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
c = {"name": "gossip_churn", "seed": 1, "graph": {"kind": "ring", "nodes": n},
     "compute": {"time": {"law": "exponential", "mean": 1.0}}, "link": {"latency": 0.1},
     "objective": {"kind": "quadratic", "dimension": 8, "min_eigenvalue": 1.0, "max_eigenvalue": 1.0,
                   "reflections": 0, "noise": {"kind": "gaussian", "sigma2": 0.08}},
     "algorithm": {"name": "gossip_sgd", "eta": 0.05}, "stop": {"time": T},
     "record": {"deliveries": False, "staleness": False, "node_stats": False, "per_gradient": False}}
if churn:
    c["faults"] = {"nodes": {"renewal": {"up": {"law": "exponential", "mean": 99.0},
                                         "down": {"law": "exponential", "mean": 1.0}}}}
print(json.dumps(c))
PY
}
config 0 > "$tmp/plain.json"
config 1 > "$tmp/churn.json"
run() {  # $1 = name
  # --max-memory: the cost estimate counts the tracker's in-flight records even with record.staleness
  # false (about 1 TB for this ring), which would refuse the run; the run itself needs about 0.5 GB.
  /usr/bin/time -f "%U %S" -o "$tmp/$1.time" "$dasgd" run "$tmp/$1.json" -q --out "$tmp/out-$1" --force \
    --max-memory 4T 2>/dev/null
  /usr/bin/python3 - "$tmp/out-$1" "$tmp/$1.time" <<'PY'
import json, sys
t = json.load(open(sys.argv[1] + "/timing.json"))
user, sys_ = map(float, open(sys.argv[2]).read().split()[-2:])
print(t["events"], t["events"] / t["wall_seconds"], t["events"] / (user + sys_), user + sys_)
PY
}
printf "%-4s %10s %14s %14s %10s %10s %14s %14s %10s\n" rep ev_plain evps_plain evcpu_plain cpu_s ev_churn evps_churn evcpu_churn cpu_s
: > "$tmp/rows"
for rep in $(seq "$reps"); do
  a=$(run plain); b=$(run churn)
  echo "$a $b" >> "$tmp/rows"
  printf "%-4s %10s %14.0f %14.0f %10.2f %10s %14.0f %14.0f %10.2f\n" "$rep" $a $b
done
/usr/bin/python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
med = [statistics.median(r[k] for r in rows) for k in range(8)]
print("median events/s: plain %.0f, churn %.0f, ratio %.3f" % (med[1], med[5], med[5] / med[1]))
print("median events per CPU second: plain %.0f, churn %.0f, ratio %.3f" % (med[2], med[6], med[6] / med[2]))
PY
