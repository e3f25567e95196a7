#!/usr/bin/python3
"""Plots bench/data/gossip_ns_per_event.csv (written by bench/gossip_bench.py --cases scaling) to
docs/images/ns_per_event.png: CPU nanoseconds per event of gossip SGD on a ring against n.
Usage: /usr/bin/python3 bench/plot_ns_per_event.py [csv] [png]"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "bench", "data", "gossip_ns_per_event.csv")
dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "docs", "images", "ns_per_event.png")
rows = list(csv.DictReader(open(src)))
n = [int(r["n"]) for r in rows]
ns = [float(r["ns_per_event"]) for r in rows]
whole = [float(r["ns_per_event_whole_run"]) for r in rows]
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(n, ns, "o-", label="marginal (cpu(3T) - cpu(T)) / extra events")
ax.plot(n, whole, "s--", label="whole run at 3T (about 3e6 events)")
ax.set_title("gossip SGD on a ring, d = 8, staleness off", fontsize=9)
ax.set_xscale("log")
ax.set_ylim(0, max(ns + whole) * 1.3)
ax.set_xlabel("nodes n")
ax.set_ylabel("CPU ns per event")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8, loc="upper left")
fig.tight_layout()
os.makedirs(os.path.dirname(dst), exist_ok=True)
fig.savefig(dst, dpi=120)
print(dst)
