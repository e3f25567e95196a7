#!/usr/bin/env bash
# Timed CLI runs of push-gossip SGD on a ring (the peers' "gossip-ring" scenario: d = 32, Exp(1)
# compute, constant latency 0.1; T = 100 for n = 100 and 1000, T = 20 for n = 10^4), with exact
# gradient-set staleness on (the product's default), per-delivery sets requested on and off.
# Prints per case the median events/s over the repetitions (timing.json) and the median peak RSS
# (/usr/bin/time -v). The untracked floor is measured in process by bench/gossip_tracking_bench
# (tracking = 0): the CLI always attaches the recorder.
# Usage: bash bench/gossip_tracking.sh [path/to/dasgd] [repetitions (default 5)]
set -euo pipefail
dasgd=${1:-build/dasgd}
reps=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
config="$here/configs/gossip_peer_1000.json"
[ -f "$config" ] || config=/work/baseline/configs/gossip_peer_1000.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%6s %5s %10s %12s %12s\n" n T deliveries events/s peakRSS_MB
for case in "100 100" "1000 100" "10000 20"; do
  read -r n T <<< "$case"
  for deliveries in false true; do
    : > "$tmp/lines"
    for rep in $(seq "$reps"); do
      /usr/bin/time -v -o "$tmp/time" "$dasgd" run "$config" -q --out "$tmp/run" \
        "--set=graph={\"kind\":\"ring\",\"nodes\":$n}" --set stop.time="$T" \
        --set record.deliveries=$deliveries --set record.per_gradient=false \
        --set record.node_stats=false > /dev/null
      kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
      eps=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events_per_second'])" "$tmp/run/timing.json")
      echo "$eps $kb" >> "$tmp/lines"
    done
    /usr/bin/python3 - "$n" "$T" "$deliveries" "$tmp/lines" <<'PY'
import statistics, sys
n, T, deliveries, path = sys.argv[1:]
rows = [tuple(map(float, line.split())) for line in open(path) if line.strip()]
eps = statistics.median(r[0] for r in rows)
rss = statistics.median(r[1] for r in rows) / 1024.0
print("%6s %5s %10s %12.3g %12.1f" % (n, T, deliveries, eps, rss))
PY
  done
done
