"""README's staleness histogram (docs/images/quickstart/staleness_hist.png), from Python in a few
lines: the quickstart run in memory, its staleness_hist table as numpy arrays, no files.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/staleness_histogram.py [out.png]
"""
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

import dasgd

here = os.path.dirname(os.path.abspath(__file__))
r = dasgd.run(os.path.join(here, "..", "..", "configs", "quickstart.json"))
h, st = r.histogram, r.summary["staleness"]

fig, ax = plt.subplots(figsize=(7, 4))
for quantity, color in (("S", "C0"), ("S_hat", "C1")):
    rows = h["quantity"] == quantity
    ax.bar(h["value"][rows], h["count"][rows], width=1.0, alpha=0.55, color=color, label=quantity + "_t")
ax.axvline(st["S_avg"], color="C0", linestyle="--", label="S_avg = %.3g" % st["S_avg"])
ax.axvline(st["S_max"], color="C0", linestyle=":", label="S_max = %d" % st["S_max"])
ax.axvline(st["S_hat_avg"], color="C1", linestyle="--", label="S_hat_avg = %.3g" % st["S_hat_avg"])
ax.set_xlabel("gradients missing from the model a gradient was computed on")
ax.set_ylabel("gradients")
ax.set_title("%s (%s, n=%d, seed %d)" % (r.summary["name"], r.summary["algorithm"], r.summary["run"]["nodes"],
                                         r.summary["seed"]))
ax.legend()
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else "staleness_hist.png"
fig.savefig(out, dpi=110)
print(f"{out}: S_avg = {st['S_avg']:.4g}, S_max = {st['S_max']} over {r.summary['run']['gradients']} gradients")
