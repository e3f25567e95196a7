#!/usr/bin/env bash
# DASGD with routed delivery on a ring against the Python DASGD peer (../shared/peers/dasgd_python),
# measured in the same script run: Exp(1) compute, constant hop latency 0.1, d = 32, n nodes, g
# gradients per node, every gradient delivered to every node (the peer runs until its queue is
# empty; dasgd-sim computes n·g gradients and drains). Per repetition, interleaved:
# the peer, dasgd-sim with record.deliveries=false (the peer computes S_t only: like with like),
# and dasgd-sim with the default record settings (per-delivery set figures on up to n = 2000).
# Rates are deliveries per second of wall time (the peer's events minus its n·g completions) and
# per second of CPU time (user + sys, steadier on a shared machine). Prints every repetition, then
# medians and the ratios of the medians.
# Usage: bash bench/dasgd_vs_peer.sh [path/to/dasgd] [repetitions=5] [n=1000] [g=20]
set -euo pipefail
dasgd=$(readlink -f "${1:-build/dasgd}")
reps=${2:-5}
n=${3:-1000}
per_node=${4:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
peer=${DASGD_PEER:-$root/../shared/peers/dasgd_python/sim.py}
[ -f "$peer" ] || peer=/work/shared/peers/dasgd_python/sim.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gradients=$((n * per_node))
[ "$per_node" -ge 2 ] || { echo "gradients per node: expected >= 2" >&2; exit 2; }
# Every node always has one computation running; stopping after n·(g−1) completions and letting the
# running ones finish (stop.drain) gives exactly n·g gradients, as the peer computes.
stop_after=$((n * (per_node - 1)))

run_dasgd() {  # $1 = record.deliveries value (true/false/auto), $2 = output folder
  local extra=()
  [ "$1" != auto ] && extra=(--set "record.deliveries=$1")
  (cd "$root" && /usr/bin/time -f "%U %S" -o "$2.time" "$dasgd" run configs/quickstart.json -q --out "$2" \
    "--set=graph={\"kind\":\"ring\",\"nodes\":$n}" --set algorithm.delivery=routed \
    --set objective.dimension=32 --set compute.time.law=exponential --set compute.time.mean=1 \
    '--set=link.latency={"law":"constant","value":0.1}' --set stop.gradients=$stop_after \
    --set stop.drain=true --set stop.time=1000000 --set record.interval=0 \
    --set record.every_gradients=$((gradients / 20 > 0 ? gradients / 20 : 1)) \
    --set record.per_gradient=false --set record.node_stats=false "${extra[@]}")
  /usr/bin/python3 - "$2" <<'PY'
import json, sys
out = sys.argv[1]
t = json.load(open(out + "/timing.json")); s = json.load(open(out + "/summary.json"))
user, sys_ = map(float, open(out + ".time").read().split()[-2:])
d = s["run"]["deliveries"]
print(d, d / t["wall_seconds"], d / (user + sys_))
PY
}

printf "%-4s %14s %14s %14s %14s %14s %14s\n" rep peer_wall peer_cpu off_wall off_cpu default_wall default_cpu
: > "$tmp/rows"
for rep in $(seq "$reps"); do
  /usr/bin/time -f "%U %S" -o "$tmp/peer.time" /usr/bin/python3 "$peer" --n "$n" --d 32 \
    --grads-per-node "$per_node" --topology ring > "$tmp/peer.json"
  peer_row=$(/usr/bin/python3 - "$tmp/peer.json" "$tmp/peer.time" "$gradients" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); user, sys_ = map(float, open(sys.argv[2]).read().split()[-2:])
d = p["events"] - int(sys.argv[3])  # deliveries: events minus completions
print(d, d / p["wall_seconds"], d / (user + sys_))
PY
)
  off_row=$(run_dasgd false "$tmp/off")
  default_row=$(run_dasgd auto "$tmp/default")
  read -r pd pw pc <<< "$peer_row"; read -r od ow oc <<< "$off_row"; read -r dd dw dc <<< "$default_row"
  [ "$pd" = "$od" ] && [ "$od" = "$dd" ] || { echo "deliveries differ: peer $pd, dasgd $od / $dd" >&2; exit 1; }
  printf "%-4s %14.4g %14.4g %14.4g %14.4g %14.4g %14.4g\n" "$rep" "$pw" "$pc" "$ow" "$oc" "$dw" "$dc"
  echo "$pw $pc $ow $oc $dw $dc" >> "$tmp/rows"
done
/usr/bin/python3 - "$tmp/rows" "$n" "$per_node" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
med = [statistics.median(c) for c in zip(*rows)]
print("ring n = %s, %s gradients per node, %d repetitions: medians (deliveries/s)" % (sys.argv[2], sys.argv[3], len(rows)))
print("  peer          wall %.4g   cpu %.4g" % (med[0], med[1]))
print("  deliveries off wall %.4g   cpu %.4g   ratio to peer: wall %.1fx  cpu %.1fx" % (med[2], med[3], med[2] / med[0], med[3] / med[1]))
print("  default        wall %.4g   cpu %.4g   ratio to peer: wall %.1fx  cpu %.1fx" % (med[4], med[5], med[4] / med[0], med[5] / med[1]))
PY
