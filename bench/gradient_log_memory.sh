#!/usr/bin/env bash
# Memory of the per-gradient log (issue 11, "bounded memory"): peak RSS of the quickstart run with
# record.per_gradient on and off at two run lengths, and the extra bytes of peak RSS per gradient
# the log costs. gradients.csv is streamed to disk during the run, so the extra should stay near 0
# and must not grow with the run (a log kept in memory costs about 130 bytes a gradient).
# Delivery-set tracking is off so that only the log differs between the two runs.
# Usage: bash bench/gradient_log_memory.sh [path/to/dasgd] [stop.time of the short run (default 5000)]
set -euo pipefail
dasgd=${1:-build/dasgd}
short=${2:-5000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%10s %10s %14s %14s %16s %14s\n" stop.time gradients RSS_log_KB RSS_nolog_KB log_bytes/grad csv_MB
for time in "$short" $((short * 4)); do
  for log in true false; do
    rm -rf "$tmp/run"
    /usr/bin/time -f "%M" -o "$tmp/rss_$log" "$dasgd" run configs/quickstart.json -q --out "$tmp/run" \
      --set stop.time="$time" --set record.per_gradient=$log --set record.deliveries=false
    if [ "$log" = true ]; then
      csv=$(stat -c %s "$tmp/run/gradients.csv")
      gradients=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/run/summary.json'))['run']['gradients'])")
    fi
  done
  with=$(cat "$tmp/rss_true"); without=$(cat "$tmp/rss_false")
  printf "%10s %10s %14s %14s %16.1f %14.1f\n" "$time" "$gradients" "$with" "$without" \
    "$(/usr/bin/python3 -c "print(($with - $without) * 1024 / $gradients)")" "$(/usr/bin/python3 -c "print($csv / 1e6)")"
done
