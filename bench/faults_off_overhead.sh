#!/usr/bin/env bash
# Faults off costs nothing: the DASGD benchmark of bench/dasgd_vs_peer.sh (routed delivery on a ring
# of n nodes, Exp(1) compute, constant hop latency 0.1, d = 32, n·g gradients, record.deliveries
# false) run by two binaries, interleaved: a build from before node faults existed and the current
# one, both without a `faults` key. Prints deliveries per CPU second (user + sys, steadier on a shared
# machine) and per wall second, per repetition, then the medians and their ratio (new / old).
# Usage: bash bench/faults_off_overhead.sh OLD_DASGD NEW_DASGD [repetitions=7] [n=1000] [g=20]
set -euo pipefail
old=$(readlink -f "$1"); new=$(readlink -f "$2")
reps=${3:-7}; n=${4:-1000}; per_node=${5:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stop_after=$((n * (per_node - 1)))
# The quickstart config without its "$schema" line, which builds from before that key refuse.
/usr/bin/python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c.pop("$schema", None); json.dump(c, open(sys.argv[2], "w"))' \
  "$root/configs/quickstart.json" "$tmp/base.json"
run() {  # $1 = binary, $2 = output folder
  (cd "$root" && /usr/bin/time -f "%U %S" -o "$2.time" "$1" run "$tmp/base.json" -q --out "$2" --force \
    "--set=graph={\"kind\":\"ring\",\"nodes\":$n}" --set algorithm.delivery=routed \
    --set objective.dimension=32 --set compute.time.law=exponential --set compute.time.mean=1 \
    '--set=link.latency={"law":"constant","value":0.1}' --set stop.gradients=$stop_after \
    --set stop.drain=true --set stop.time=1000000 --set record.interval=0 \
    --set record.every_gradients=$((n * per_node / 20)) --set record.deliveries=false \
    --set record.per_gradient=false --set record.node_stats=false)
  /usr/bin/python3 - "$2" <<'PY'
import json, sys
out = sys.argv[1]
t = json.load(open(out + "/timing.json")); s = json.load(open(out + "/summary.json"))
user, sys_ = map(float, open(out + ".time").read().split()[-2:])
d = s["run"]["deliveries"]
print(d / (user + sys_), d / t["wall_seconds"])
PY
}
printf "%-4s %16s %16s %16s %16s\n" rep old_cpu new_cpu old_wall new_wall
: > "$tmp/rows"
for rep in $(seq "$reps"); do
  a=$(run "$old" "$tmp/old"); b=$(run "$new" "$tmp/new")
  read -r ac aw <<< "$a"; read -r bc bw <<< "$b"
  echo "$ac $bc $aw $bw" >> "$tmp/rows"
  printf "%-4s %16.0f %16.0f %16.0f %16.0f\n" "$rep" "$ac" "$bc" "$aw" "$bw"
done
/usr/bin/python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
m = [statistics.median(r[k] for r in rows) for k in range(4)]
print("median deliveries per CPU second: old %.0f, new %.0f, new/old %.4f" % (m[0], m[1], m[1] / m[0]))
print("median deliveries per wall second: old %.0f, new %.0f, new/old %.4f" % (m[2], m[3], m[3] / m[2]))
PY
