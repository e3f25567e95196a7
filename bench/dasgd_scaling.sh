#!/usr/bin/env bash
# Timed CLI runs of DASGD (issue 3's grid): ring and torus with flooding, complete graph with
# routed (= direct) delivery; exponential compute (mean 1), latency 0.1; (n, d, gradients per node)
# = (100, 1000, 100), (1000, 32, 20), (10^4, 8, 1). Prints deliveries/s, gradients/s, peak RSS and
# bytes of peak RSS per node, one line per case. Staleness tracking is on (the product's cost).
# Each run stops computing after n x (gradients per node) gradients and drains the network, so
# every gradient reaches every node: about n deliveries per gradient.
# Usage: bash bench/dasgd_scaling.sh [path/to/dasgd] [repetitions]
set -euo pipefail
dasgd=${1:-build/dasgd}
reps=${2:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%-9s %6s %5s %5s %12s %12s %12s %10s %12s\n" topology n d g/node deliveries deliv/s grad/s peakRSS_MB bytes/node
for topology in ring torus complete; do
  for case in "100 1000 100" "1000 32 20" "10000 8 1"; do
    read -r n d per_node <<< "$case"
    case $topology in
      ring) graph="{\"kind\":\"ring\",\"nodes\":$n}"; delivery=flooding ;;
      torus)
        rows=$(/usr/bin/python3 -c "import math; n=$n; r=int(math.isqrt(n)); print(next(x for x in range(r, 0, -1) if n % x == 0))")
        graph="{\"kind\":\"torus\",\"rows\":$rows,\"cols\":$((n / rows))}"; delivery=flooding ;;
      complete) graph="{\"kind\":\"complete\",\"nodes\":$n}"; delivery=routed ;;
    esac
    for rep in $(seq "$reps"); do
      /usr/bin/time -f "%M" -o "$tmp/rss" "$dasgd" run configs/quickstart.json -q --out "$tmp/run" \
        "--set=graph=$graph" --set algorithm.delivery=$delivery --set objective.dimension="$d" \
        --set compute.time.law=exponential --set compute.time.mean=1 \
        '--set=link.latency={"law":"constant","value":0.1}' --set stop.gradients=$((n * per_node)) \
        --set stop.drain=true --set stop.time=1000000 --set record.interval=0 --set record.every_gradients=$((n * per_node / 20 > 0 ? n * per_node / 20 : 1)) \
        --set record.per_gradient=false --set record.node_stats=false
      /usr/bin/python3 - "$topology" "$n" "$d" "$per_node" "$tmp/run/timing.json" "$tmp/run/summary.json" "$tmp/rss" <<'PY'
import json, sys
topology, n, d, per_node, timing, summary, rss = sys.argv[1:]
t = json.load(open(timing)); s = json.load(open(summary)); kb = int(open(rss).read().split()[-1])
print("%-9s %6s %5s %5s %12d %12.3g %12.3g %10.1f %12.0f" % (topology, n, d, per_node, s["run"]["deliveries"],
      t["deliveries_per_second"], t["gradients_per_second"], kb / 1024.0, kb * 1024.0 / int(n)))
PY
    done
  done
done
