#!/usr/bin/python3
"""Turn a sweep's results.csv into PNG figures (files stage: CSV -> pictures).

Usage:
  plots/plot_sweep.py RESULTS_CSV --x COLUMN [--group COLUMN] [--logx] [--out PNG]
      S_avg and S_max against the swept column, one line per group (e.g. graph.kind); points with
      the same x and group (the seeds) are averaged, their min..max drawn as a band.
  plots/plot_sweep.py RESULTS_CSV --bounds [--group COLUMN] [--out PNG]
      measured against bound on log-log axes, one panel per bound: gradients to epsilon against
      each bound's predicted iterations, and (exact-constant envelopes) the measured mean
      ||grad f||^2 against the envelope; y = x drawn, points under it are runs under the bound.
Only rows with status "completed" are drawn. Default --out: beside the CSV (staleness_<x>.png or
bounds.png). Needs Debian's python3-matplotlib (/usr/bin/python3); see docs/SWEEPS.md.
"""
import argparse
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_rows(path):
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f)]


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def save(figure, path):
    """Write the PNG atomically: readers see the old picture or the new one, never half of one."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = os.path.join(directory, ".%s.tmp.%d.png" % (os.path.basename(path), os.getpid()))
    try:
        figure.savefig(temporary, dpi=120, bbox_inches="tight")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    plt.close(figure)


def require(rows, columns):
    missing = [c for c in columns if rows and c not in rows[0]]
    if missing:
        sys.exit("plot_sweep.py: column(s) %s not in the CSV; columns are: %s"
                 % (", ".join(missing), ", ".join(rows[0].keys())))


def staleness_figure(rows, x_column, group_column, log_x, out):
    require(rows, [x_column, "S_avg", "S_max"] + ([group_column] if group_column else []))
    groups = {}
    for r in rows:
        key = r[group_column] if group_column else "all"
        x = number(r[x_column])
        if math.isnan(x):
            continue
        groups.setdefault(key, {}).setdefault(x, []).append((number(r["S_avg"]), number(r["S_max"])))
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for key in sorted(groups):
        xs = sorted(groups[key])
        for panel, (index, name) in zip(axes, [(0, "S_avg"), (1, "S_max")]):
            values = [[v[index] for v in groups[key][x]] for x in xs]
            mean = [sum(v) / len(v) for v in values]
            line, = panel.plot(xs, mean, marker="o", label=key)
            if any(len(v) > 1 for v in values):
                panel.fill_between(xs, [min(v) for v in values], [max(v) for v in values],
                                   color=line.get_color(), alpha=0.2)
    for panel, name in zip(axes, ["S_avg (mean staleness)", "S_max (max staleness)"]):
        panel.set_xlabel(x_column)
        panel.set_ylabel(name)
        if log_x:
            panel.set_xscale("log")
        panel.grid(True, alpha=0.3)
    axes[0].legend(title=group_column or None, fontsize=8)
    figure.suptitle("staleness against %s (mean over seeds, band: min..max)" % x_column)
    save(figure, out)


def bound_keys(rows):
    keys = []
    for column in rows[0].keys():
        if column.endswith(".total"):
            keys.append(column[: -len(".total")])
    return keys


def bounds_figure(rows, group_column, out):
    keys = bound_keys(rows)
    if not keys:
        sys.exit("plot_sweep.py: no bound columns (<bound>.total) in the CSV")
    if group_column:
        require(rows, [group_column])
    figure, axes = plt.subplots(1, len(keys), figsize=(4.6 * len(keys), 4.4), squeeze=False)
    for panel, key in zip(axes[0], keys):
        # Exact-constant envelopes bound the mean ||grad f||^2; the others predict gradients to eps.
        envelope = any(r.get(key + ".verdict") in ("under", "over") for r in rows)
        if envelope:
            x_name, y_name = key + ".total", "mean_grad_sq_virtual"
            x_label, y_label = "bound on mean ||grad f||^2", "measured mean ||grad f||^2"
        else:
            x_name, y_name = key + ".predicted_iterations", "gradients_to_epsilon_virtual"
            x_label, y_label = "predicted gradients to eps (order only)", "measured gradients to eps"
        series = {}
        for r in rows:
            x, y = number(r.get(x_name)), number(r.get(y_name))
            if x > 0 and y > 0:
                series.setdefault(r[group_column] if group_column else "runs", []).append((x, y))
        everything = [p for points in series.values() for p in points]
        for name in sorted(series):
            panel.scatter([p[0] for p in series[name]], [p[1] for p in series[name]], s=14, label=name)
        if everything:
            low = min(min(p) for p in everything) / 2
            high = max(max(p) for p in everything) * 2
            panel.plot([low, high], [low, high], color="black", linewidth=0.8, label="measured = bound")
            if envelope:
                under = sum(1 for p in everything if p[1] <= p[0])
                panel.set_title("%s\n%d of %d runs under the envelope" % (key, under, len(everything)),
                                fontsize=9)
            else:  # order only: how tight, never pass/fail
                ratios = sorted(p[1] / p[0] for p in everything)
                panel.set_title("%s\nmeasured/predicted: median %.3g (order only)"
                                % (key, ratios[len(ratios) // 2]), fontsize=9)
        else:
            panel.set_title("%s\n(nothing comparable)" % key, fontsize=9)
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.set_xlabel(x_label)
        panel.set_ylabel(y_label)
        panel.grid(True, which="both", alpha=0.3)
        panel.legend(fontsize=7)
    figure.tight_layout()
    save(figure, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="results.csv of a sweep")
    parser.add_argument("--x", help="swept column for the x axis (e.g. nodes, link.latency.mean)")
    parser.add_argument("--group", help="one line per value of this column (e.g. graph.kind)")
    parser.add_argument("--logx", action="store_true", help="logarithmic x axis")
    parser.add_argument("--bounds", action="store_true", help="measured against bound, log-log")
    parser.add_argument("--out", help="PNG to write (default: beside the CSV)")
    args = parser.parse_args()
    if not args.bounds and not args.x:
        parser.error("give --x COLUMN (staleness figure) or --bounds")
    rows = [r for r in read_rows(args.results) if r.get("status") == "completed"]
    if not rows:
        sys.exit("plot_sweep.py: no completed rows in %s" % args.results)
    directory = os.path.dirname(os.path.abspath(args.results))
    if args.bounds:
        bounds_figure(rows, args.group, args.out or os.path.join(directory, "bounds.png"))
    else:
        out = args.out or os.path.join(directory, "staleness_%s.png" % args.x.replace("/", "_"))
        staleness_figure(rows, args.x, args.group, args.logx, out)


if __name__ == "__main__":
    main()
