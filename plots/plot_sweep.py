#!/usr/bin/python3
"""Turn a sweep's results.csv into figures (files stage: CSV -> pictures).

Usage:
  plots/plot_sweep.py RESULTS_CSV --x COLUMN [--y COLUMN ...] [--group COLUMN] [--logx] [--logy]
                      [--linear] [--out FILE] [--dpi N]
      any column of the table against any other: --y (repeatable, one panel each; default S_avg
      and S_max) against --x, one line per group (e.g. graph.kind); points with the same x and
      group (the seeds) are averaged, their min..max drawn as a band.
  plots/plot_sweep.py RESULTS_CSV --bounds [--group COLUMN] [--out FILE] [--dpi N]
      measured against bound on log-log axes, one panel per bound: gradients to epsilon against
      each bound's predicted iterations, and (exact-constant envelopes) the measured mean
      ||grad f||^2 against the envelope; y = x drawn, points under it are runs under the bound.
An axis whose values span two decades or more is logarithmic (--linear turns that off; --logx and
--logy force it). The format comes from --out's extension: .png, .pdf or .svg. Only rows with
status "completed" are drawn. Default --out: beside the CSV (<y>_vs_<x>.png or bounds.png).

From a notebook (no backend is chosen on import; each function returns the Figure):
  import sys; sys.path.insert(0, "plots"); import plot_sweep
  rows = plot_sweep.completed_rows("runs/sweeps/staleness_vs_nodes/results.csv")
  plot_sweep.columns_figure(rows, "graph.nodes", ["S_avg"], group_column="graph.kind")
Needs Debian's python3-matplotlib (/usr/bin/python3); see docs/SWEEPS.md.
"""
import argparse
import csv
import math
import os
import sys

import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figure_output  # noqa: E402


def read_rows(path):
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f)]


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def completed_rows(path):
    """The rows of results.csv whose run completed."""
    return [r for r in read_rows(path) if r.get("status") == "completed"]


def require(rows, columns):
    missing = [c for c in columns if rows and c not in rows[0]]
    if missing:
        raise KeyError("column(s) %s not in the CSV; columns are: %s" % (", ".join(missing), ", ".join(rows[0].keys())))


def columns_figure(rows, x_column, y_columns=("S_avg", "S_max"), group_column=None, log_x=None, log_y=None):
    """One panel per y column against x_column, a line per group, mean over seeds with a min..max
    band. log_x / log_y: True or False forces the scale, None chooses log when values span decades."""
    y_columns = list(y_columns)
    require(rows, [x_column] + y_columns + ([group_column] if group_column else []))
    groups = {}
    for r in rows:
        key = r[group_column] if group_column else "all"
        x = number(r[x_column])
        if math.isnan(x):
            continue
        groups.setdefault(key, {}).setdefault(x, []).append([number(r[y]) for y in y_columns])
    figure, axes = plt.subplots(1, len(y_columns), figsize=(5.5 * len(y_columns), 4.2), squeeze=False)
    axes = axes[0]
    for key in sorted(groups):
        xs = sorted(groups[key])
        for index, panel in enumerate(axes):
            values = [[v[index] for v in groups[key][x]] for x in xs]
            mean = [sum(v) / len(v) for v in values]
            line, = panel.plot(xs, mean, marker="o", label=key)
            if any(len(v) > 1 for v in values):
                panel.fill_between(xs, [min(v) for v in values], [max(v) for v in values],
                                   color=line.get_color(), alpha=0.2)
    all_x = [x for g in groups.values() for x in g]
    for index, (panel, name) in enumerate(zip(axes, y_columns)):
        all_y = [v[index] for g in groups.values() for vs in g.values() for v in vs]
        panel.set_xlabel(x_column)
        panel.set_ylabel(name)
        if log_x is None:
            figure_output.log_if_decades(panel, "x", all_x)
        elif log_x:
            panel.set_xscale("log")
        if log_y is None:
            figure_output.log_if_decades(panel, "y", all_y)
        elif log_y:
            panel.set_yscale("log")
        panel.grid(True, which="both", alpha=0.3)
    axes[0].legend(title=group_column or None, fontsize=8)
    figure.suptitle("%s against %s (mean over seeds, band: min..max)" % (", ".join(y_columns), x_column))
    return figure


def bound_keys(rows):
    keys = []
    for column in rows[0].keys():
        if column.endswith(".total"):
            keys.append(column[: -len(".total")])
    return keys


def bounds_figure(rows, group_column=None):
    """Measured against bound, log-log, one panel per bound (see the module's usage)."""
    keys = bound_keys(rows)
    if not keys:
        raise KeyError("no bound columns (<bound>.total) in the CSV")
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
    return figure


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="results.csv of a sweep")
    parser.add_argument("--x", help="column for the x axis (e.g. nodes, link.latency.mean)")
    parser.add_argument("--y", action="append", help="column for a panel's y axis (repeatable; default S_avg, S_max)")
    parser.add_argument("--group", help="one line per value of this column (e.g. graph.kind)")
    parser.add_argument("--logx", action="store_true", help="logarithmic x axis")
    parser.add_argument("--logy", action="store_true", help="logarithmic y axes")
    parser.add_argument("--linear", action="store_true", help="linear axes unless --logx/--logy (no automatic log)")
    parser.add_argument("--bounds", action="store_true", help="measured against bound, log-log")
    parser.add_argument("--out", help="figure to write, .png, .pdf or .svg (default: PNG beside the CSV)")
    figure_output.add_output_arguments(parser)
    args = parser.parse_args()
    if not args.bounds and not args.x:
        parser.error("give --x COLUMN (columns figure) or --bounds")
    if args.out:
        try:
            figure_output.output_format(args.out)
        except ValueError as error:
            parser.error(str(error))
    rows = completed_rows(args.results)
    if not rows:
        sys.exit("plot_sweep.py: no completed rows in %s" % args.results)
    directory = os.path.dirname(os.path.abspath(args.results))
    try:
        if args.bounds:
            figure = bounds_figure(rows, args.group)
            out = args.out or os.path.join(directory, "bounds.png")
        else:
            y_columns = args.y or ["S_avg", "S_max"]
            auto = None if not args.linear else False
            figure = columns_figure(rows, args.x, y_columns, args.group, True if args.logx else auto,
                                    True if args.logy else auto)
            default = "staleness_%s.png" % args.x if not args.y else "%s_vs_%s.png" % ("_".join(args.y), args.x)
            out = args.out or os.path.join(directory, default.replace("/", "_"))
    except KeyError as error:
        sys.exit("plot_sweep.py: %s" % error.args[0])
    figure_output.save(figure, out, dpi=args.dpi)
    plt.close(figure)
    print("wrote " + out)


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")  # files only; a notebook importing this module keeps its own backend
    main()
