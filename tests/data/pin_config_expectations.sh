#!/usr/bin/env bash
# Re-pins tests/data/config_expectations.json from fresh runs of every configs/*.json.
# Usage (from the repository root, after building): bash tests/data/pin_config_expectations.sh build/dasgd
set -euo pipefail
dasgd=${1:-build/dasgd}
tmp=$(mktemp -d)
for config in configs/*.json; do
  name=$(basename "$config" .json)
  "$dasgd" run "$config" -q --out "$tmp/$name"
done
/usr/bin/python3 - "$tmp" > tests/data/config_expectations.json <<'PY'
import json, os, sys
root = sys.argv[1]
out = {}
for name in sorted(os.listdir(root)):
    s = json.load(open(os.path.join(root, name, "summary.json")))
    out[name] = {"gradients": s["run"]["gradients"], "S_max": s["staleness"]["S_max"], "S_avg": s["staleness"]["S_avg"]}
print(json.dumps(out, indent=2))
PY
rm -rf "$tmp"
