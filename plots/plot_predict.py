#!/usr/bin/python3
"""Predicted against measured steady-state S_avg over a sweep (files stage: CSV -> picture + table).

Usage:
  plots/plot_predict.py RESULTS_CSV [--out PNG] [--markdown MD] [--tolerance 0.02]
      RESULTS_CSV is a simulated sweep's results.csv (columns S_avg_steady_state, S_avg_predicted,
      predicted_validity). Draws measured against predicted on log-log axes with the y = x line,
      one marker per validity label; prints (and with --markdown writes) the accuracy table: every
      point labelled "exact" or "exact in the mean" must be within the tolerance, and every
      "approximate" point is listed with its deviation. Exit 1 when an exact-in-the-mean point is
      outside the tolerance. Needs Debian's python3-matplotlib (/usr/bin/python3); docs/PREDICT.md.
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXACT = ("exact", "exact in the mean")
AXES = ("graph.kind", "compute.time", "compute.speeds", "link.latency", "algorithm.delivery")


def read_rows(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f)]
    out = []
    for r in rows:
        if r.get("status") != "completed" or not r.get("S_avg_steady_state") or not r.get("S_avg_predicted"):
            continue
        r["measured"] = float(r["S_avg_steady_state"])
        r["predicted"] = float(r["S_avg_predicted"])
        r["deviation"] = r["measured"] / r["predicted"] - 1
        out.append(r)
    return out


def describe(r):
    return ", ".join(f"{a}={r[a]}" for a in AXES if a in r and r[a])


def table(rows, tolerance):
    exact = [r for r in rows if r["predicted_validity"] in EXACT]
    approx = [r for r in rows if r["predicted_validity"] == "approximate"]
    worst = max((abs(r["deviation"]) for r in exact), default=0.0)
    bad = [r for r in exact if abs(r["deviation"]) > tolerance]
    lines = [
        f"points: {len(rows)}; labelled exact or exact in the mean: {len(exact)}, "
        f"largest |measured/predicted - 1| among them {100 * worst:.2f} % "
        f"({len(bad)} outside {100 * tolerance:.0f} %); approximate: {len(approx)}",
        "",
        "| point | configuration | predicted | measured | deviation |",
        "|---|---|---|---|---|",
    ]
    for r in sorted(approx, key=lambda r: -abs(r["deviation"])):
        lines.append(f"| {r['point']} | {describe(r)} | {r['predicted']:.3f} | {r['measured']:.3f} | "
                     f"{100 * r['deviation']:+.1f} % |")
    if bad:
        lines += ["", "exact-in-the-mean points outside the tolerance:"]
        lines += [f"- point {r['point']}: {describe(r)}: {100 * r['deviation']:+.2f} %" for r in bad]
    return "\n".join(lines), bad


def plot(rows, out):
    fig, ax = plt.subplots(figsize=(5.5, 5))
    styles = {"exact": ("o", "tab:green"), "exact in the mean": ("s", "tab:blue"), "approximate": ("^", "tab:orange")}
    for label, (marker, colour) in styles.items():
        pts = [r for r in rows if r["predicted_validity"] == label]
        if pts:
            ax.scatter([r["predicted"] for r in pts], [r["measured"] for r in pts], marker=marker, s=18,
                       color=colour, label=f"{label} ({len(pts)})", alpha=0.8)
    lo = min(min(r["predicted"] for r in rows), min(r["measured"] for r in rows)) * 0.8
    hi = max(max(r["predicted"] for r in rows), max(r["measured"] for r in rows)) * 1.25
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.8, label="y = x")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("predicted S_avg (closed form, before the run)")
    ax.set_ylabel("measured steady-state S_avg")
    ax.set_title("dasgd predict vs simulation")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results")
    parser.add_argument("--out")
    parser.add_argument("--markdown")
    parser.add_argument("--tolerance", type=float, default=0.02)
    args = parser.parse_args()
    rows = read_rows(args.results)
    if not rows:
        sys.exit(f"plot_predict.py: {args.results}: no completed row with measured and predicted S_avg")
    out = args.out or os.path.join(os.path.dirname(args.results), "predict_accuracy.png")
    plot(rows, out)
    text, bad = table(rows, args.tolerance)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    print(f"figure: {out}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
