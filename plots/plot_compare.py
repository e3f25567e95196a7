#!/usr/bin/python3
"""Turn a `dasgd compare` directory into one comparison figure (CSV -> picture).

Usage: plots/plot_compare.py COMPARE_DIR [--out FILE] [--dpi N]

Writes COMPARE_DIR/comparison.png (or FILE, whose extension picks .png, .pdf or .svg): f(x_avg)
and ||grad f(x_avg)||^2 against simulated time and against gradients, the staleness distributions
side by side, and bytes sent, one colour per algorithm.

From a notebook (no backend is chosen on import):
  import sys; sys.path.insert(0, "plots"); import plot_compare
  plot_compare.comparison_figure("runs/compare-family_ring")   # the matplotlib Figure
Needs Debian's python3-matplotlib (/usr/bin/python3).
"""
import csv
import math
import os
import sys
from collections import OrderedDict, defaultdict

import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figure_output  # noqa: E402


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def comparison_figure(compare_dir):
    """The comparison Figure of a `dasgd compare` directory (OSError when a file is missing)."""
    rows = read_csv(os.path.join(compare_dir, "comparison.csv"))
    summary = read_csv(os.path.join(compare_dir, "comparison_summary.csv"))
    staleness = read_csv(os.path.join(compare_dir, "comparison_staleness.csv"))
    series = OrderedDict()
    for r in rows:
        series.setdefault(r["algorithm"], []).append(r)
    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))
    for label, rs in series.items():
        t = [num(r["time"]) for r in rs]
        g = [num(r["gradients"]) for r in rs]
        f = [num(r["f_average_model"]) for r in rs]
        gsq = [num(r["grad_sq_average_model"]) for r in rs]
        gsq = [v if v > 0 else math.nan for v in gsq]
        axes[0][0].semilogy(t, gsq, label=label)
        axes[0][1].semilogy(g, gsq, label=label)
        axes[1][0].plot(t, f, label=label)
        axes[1][1].plot(g, f, label=label)
    axes[0][0].set_xlabel("simulated time (s)")
    axes[0][1].set_xlabel("gradients computed")
    axes[1][0].set_xlabel("simulated time (s)")
    axes[1][1].set_xlabel("gradients computed")
    for ax in (axes[0][0], axes[0][1]):
        ax.set_ylabel("||grad f(x_avg)||^2")
    for ax in (axes[1][0], axes[1][1]):
        ax.set_ylabel("f(x_avg)")
        ax.set_yscale("symlog", linthresh=1e-3)
    axes[0][0].legend(fontsize=7)
    # Staleness S_t distributions side by side (box-like: p50 bar with p10..p90 whiskers and max).
    hist = defaultdict(list)
    for r in staleness:
        if r["quantity"] == "S":
            hist[r["algorithm"]].append((int(r["value"]), int(r["count"])))
    labels = [l for l in series if l in hist]
    ax = axes[0][2]
    for i, label in enumerate(labels):
        bins = sorted(hist[label])
        total = sum(c for _, c in bins)

        def quantile(p):
            need, acc = max(1, math.ceil(p * total)), 0
            for v, c in bins:
                acc += c
                if acc >= need:
                    return v
            return bins[-1][0]

        ax.plot([i, i], [quantile(0.1), quantile(0.9)], color="C%d" % (i % 10), linewidth=6, alpha=0.5)
        ax.plot([i], [quantile(0.5)], "o", color="C%d" % (i % 10))
        ax.plot([i], [bins[-1][0]], "_", color="C%d" % (i % 10), markersize=14)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=40, ha="right", fontsize=7)
    ax.set_ylabel("S_t: p10..p90 bar, median dot, max tick")
    ax.set_title("gradient-set staleness (spec definition)", fontsize=9)
    ax = axes[1][2]
    done = [s for s in summary if s["status"] != "failed"]
    ax.bar(range(len(done)), [num(s["bytes"]) for s in done], color=["C%d" % (i % 10) for i in range(len(done))])
    ax.set_xticks(range(len(done)))
    ax.set_xticklabels([s["algorithm"] for s in done], rotation=40, ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("bytes sent")
    failed = [s["algorithm"] for s in summary if s["status"] == "failed"]
    title = "dasgd compare: %s" % os.path.basename(os.path.normpath(compare_dir))
    if failed:
        title += "   (failed: %s)" % ", ".join(failed)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def main(argv):
    return figure_output.single_figure_main(argv, __doc__, "compare_dir", "comparison.png", comparison_figure, "plot_compare.py", "not a dasgd compare directory")


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")  # files only; a notebook importing this module keeps its own backend
    sys.exit(main(sys.argv[1:]))
