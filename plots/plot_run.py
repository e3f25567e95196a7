#!/usr/bin/python3
"""Turn a dasgd run directory into figures (files stage: CSV -> pictures).

Usage: plots/plot_run.py RUN_DIR [--out DIR] [--format png|pdf|svg] [--dpi N]

Writes into RUN_DIR (or --out), each as .png (default), .pdf or .svg:
  convergence_time       f(x_avg) and ||grad f(x_avg)||^2 against simulated time, epsilon marked
  convergence_gradients  the same against gradients computed
  staleness_hist         histogram of S_t (and S_hat_t) with S_avg and S_max marked
  staleness_over_time    windowed mean/max of S_t over simulated time
  bounds                 measured gradients to epsilon beside each bound's prediction
An axis whose values span two decades or more is logarithmic.
With a faults.csv (a run with fault processes), the time plots shade the spans during which some node
(or link) was down.

From a notebook, each figure is a function returning a matplotlib Figure (no backend is chosen on
import):
  import sys; sys.path.insert(0, "plots"); import plot_run
  run = plot_run.load_run("runs/quickstart")
  plot_run.convergence_figure(run, "time")     # or plot_run.run_figures(run) for all of them
Needs Debian's python3-matplotlib and python3-numpy (/usr/bin/python3).
"""
import argparse
import csv
import json
import math
import os
import sys

import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figure_output  # noqa: E402


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def column(rows, name):
    out = []
    for r in rows:
        v = r[name]
        out.append(float(v) if v not in ("", None) else math.nan)
    return out


def positive(values):
    return [v if v > 0 else math.nan for v in values]


DOWN_UP = {"node_down": "node_up", "server_down": "server_up", "link_down": "link_up"}


def read_outages(run_dir, end_time):
    """Spans (start, end) during which at least one node or link was down, from faults.csv."""
    path = os.path.join(run_dir, "faults.csv")
    if not os.path.exists(path):
        return []
    down_since = {}
    spans = []
    for r in read_csv(path):
        kind, key = r["kind"], (r["node"], r["edge"])
        t = float(r["time"])
        if kind in DOWN_UP:
            down_since[(DOWN_UP[kind], key)] = t
        elif (kind, key) in down_since:
            spans.append((down_since.pop((kind, key)), t))
    spans += [(t, end_time) for t in down_since.values()]
    spans.sort()
    merged = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def shade(ax, outages):
    for k, (a, b) in enumerate(outages):
        ax.axvspan(a, b, color="red", alpha=0.12, linewidth=0, label="outage" if k == 0 else None)


def load_run(run_dir):
    """The files of a run directory: summary (dict), metrics, hist and windows (lists of rows)."""
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    return {
        "dir": run_dir,
        "summary": summary,
        "metrics": read_csv(os.path.join(run_dir, "metrics.csv")),
        "hist": read_csv(os.path.join(run_dir, "staleness_hist.csv")),
        "windows": read_csv(os.path.join(run_dir, "staleness_windows.csv")),
        "outages": read_outages(run_dir, float(summary["run"]["end_time"])),
        "title": "%s (%s, n=%d, seed %d)" % (summary["name"], summary["algorithm"], summary["run"]["nodes"],
                                             summary["seed"]),
    }


def as_run(run):
    return load_run(run) if isinstance(run, str) else run


def convergence_figure(run, x_name="time"):
    """f(x_avg) (with the node min..max band) and ||grad f(x_avg)||^2 with the epsilon line, against
    simulated time (x_name "time") or gradients (x_name "gradients")."""
    run = as_run(run)
    metrics = run["metrics"]
    x_label = "simulated time (s)" if x_name == "time" else "gradients computed"
    x = column(metrics, x_name)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    if x_name == "time":
        for ax in axes:
            shade(ax, run.get("outages", ()))
    f = column(metrics, "f_average_model")
    axes[0].plot(x, f, label="f(x_avg)")
    band = not all(math.isnan(v) for v in column(metrics, "f_node_mean"))
    if band:
        axes[0].fill_between(x, column(metrics, "f_node_min"), column(metrics, "f_node_max"),
                             alpha=0.25, label="node min..max")
    figure_output.log_if_decades(axes[0], "y", f + (column(metrics, "f_node_min") if band else []))
    axes[0].set_xlabel(x_label)
    axes[0].set_ylabel("f")
    axes[0].legend()
    axes[1].semilogy(x, positive(column(metrics, "grad_sq_average_model")), label="||grad f(x_avg)||^2")
    axes[1].semilogy(x, positive(column(metrics, "consensus_distance")), label="consensus distance",
                     alpha=0.7)
    epsilon = run["summary"].get("convergence", {}).get("epsilon")
    if epsilon is not None and epsilon > 0:
        axes[1].axhline(epsilon, color="C3", linestyle="--", linewidth=1, label="epsilon = %g" % epsilon)
    axes[1].set_xlabel(x_label)
    axes[1].legend()
    fig.suptitle(run["title"])
    fig.tight_layout()
    return fig


def histogram_figure(run):
    """Histogram of S_t and S_hat_t with S_avg, S_max and S_hat_avg marked (log counts when they
    span decades)."""
    run = as_run(run)
    hist_rows, summary, title = run["hist"], run["summary"], run["title"]
    fig, ax = plt.subplots(figsize=(7, 4))
    all_counts = []
    for quantity, color in (("S", "C0"), ("S_hat", "C1")):
        rows = [r for r in hist_rows if r["quantity"] == quantity]
        if rows:
            counts = [int(r["count"]) for r in rows]
            ax.bar([int(r["value"]) for r in rows], counts, width=1.0, alpha=0.55, color=color,
                   label=quantity + "_t")
            all_counts.extend(counts)
    st = summary["staleness"]
    ax.axvline(st["S_avg"], color="C0", linestyle="--", label="S_avg = %.3g" % st["S_avg"])
    ax.axvline(st["S_max"], color="C0", linestyle=":", label="S_max = %d" % st["S_max"])
    ax.axvline(st["S_hat_avg"], color="C1", linestyle="--", label="S_hat_avg = %.3g" % st["S_hat_avg"])
    ax.set_xlabel("gradients missing from the model a gradient was computed on")
    ax.set_ylabel("gradients")
    figure_output.log_if_decades(ax, "y", all_counts, decades=3)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def windows_figure(run):
    """Windowed mean and max of S_t (and mean S_hat_t) over simulated time; None without windows."""
    run = as_run(run)
    window_rows, title = run["windows"], run["title"]
    rows = [r for r in window_rows if r["kind"] == "gradients"]
    if not rows:
        return None
    x = [float(r["window_start"]) + float(r["window_width"]) / 2 for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    shade(ax, run.get("outages", ()))
    ax.plot(x, [float(r["mean"]) for r in rows], label="mean S_t")
    ax.plot(x, [float(r["max"]) for r in rows], label="max S_t", alpha=0.7)
    ax.plot(x, [float(r["mean_hat_or_delay"]) for r in rows], label="mean S_hat_t", alpha=0.7)
    ax.set_xlabel("simulated time (s), by gradient completion")
    ax.set_ylabel("staleness")
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def short_name(name):
    return name.replace(" (Tosi & Theobald, arXiv 2309.03754, abstract)", "").replace(" (virtual sequence)", "")


def bounds_figure(run):
    """Left: gradients to eps, measured vs each bound's prediction. Right: the measured average
    ||grad f(x_t)||^2 on the virtual sequence against the exact-constant envelopes. None when the
    run evaluated no bound."""
    run = as_run(run)
    summary, title = run["summary"], run["title"]
    if not summary["bounds"]:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    names, predicted, colors = [], [], []
    for b in summary["bounds"]:
        p = b.get("predicted_iterations")
        if p is None or not (p > 0):
            continue
        names.append("%s\n[%s]" % (short_name(b["name"]), b["label"]))
        predicted.append(p)
        colors.append("C2" if b["label"] == "exact constants" else "C7")
    measured = summary["convergence"]["gradients_to_epsilon"]["virtual_sequence"]
    y = list(range(len(names)))
    left.barh(y, predicted, color=colors)
    left.set_yticks(y)
    left.set_yticklabels(names, fontsize=7)
    if measured is not None:
        left.axvline(measured, color="C3", linewidth=2, label="measured: %d gradients" % measured)
    else:
        left.plot([], [], color="C3", label="eps not reached (T = %d)" % summary["run"]["gradients"])
    left.set_xscale("log")
    left.set_xlabel("gradients until ||grad f||^2 <= eps = %g" % summary["convergence"]["epsilon"])
    left.legend(loc="lower right", fontsize=8)
    left.set_title("iterations to eps: bound vs measured", fontsize=9)
    names, totals = [], []
    for b in summary["bounds"]:
        if b["quantity"] != "average squared gradient" or b["total"] is None:
            continue
        names.append("%s\n[%s, %s]" % (short_name(b["name"]), b["label"], b["applicability"]))
        totals.append(b["total"])
    avg = summary["convergence"]["mean_grad_sq_virtual"]
    y = list(range(len(names)))
    right.barh(y, totals, color="C2")
    right.set_yticks(y)
    right.set_yticklabels(names, fontsize=7)
    if avg is not None:
        right.axvline(avg, color="C3", linewidth=2, label="measured mean ||grad f(x_t)||^2 = %.3g" % avg)
    right.set_xscale("log")
    right.set_xlabel("(1/T) sum_t ||grad f(x_t)||^2 over the run's T = %d gradients" % summary["run"]["gradients"])
    right.legend(loc="lower right", fontsize=8)
    right.set_title("descent envelope (exact constants): bound vs measured", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def run_figures(run):
    """Every figure of a run, by file name (without extension); figures a run cannot have (no
    windows, no bounds) are left out."""
    run = as_run(run)
    figures = {
        "convergence_time": convergence_figure(run, "time"),
        "convergence_gradients": convergence_figure(run, "gradients"),
        "staleness_hist": histogram_figure(run),
        "staleness_over_time": windows_figure(run),
        "bounds": bounds_figure(run),
    }
    return {name: fig for name, fig in figures.items() if fig is not None}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir")
    parser.add_argument("--out", default=None, help="directory for the figures (default: RUN_DIR)")
    figure_output.add_output_arguments(parser, single_file=False)
    args = parser.parse_args(argv)
    out = args.out or args.run_dir
    os.makedirs(out, exist_ok=True)
    try:
        run = load_run(args.run_dir)
    except (OSError, ValueError, KeyError) as error:
        print("plot_run.py: %s: not a complete dasgd run directory: %s" % (args.run_dir, error), file=sys.stderr)
        return 2
    written = []
    for name, fig in run_figures(run).items():
        path = os.path.join(out, "%s.%s" % (name, args.format))
        figure_output.save(fig, path, dpi=args.dpi)
        plt.close(fig)
        written.append(path)
    print("wrote " + ", ".join(written))
    return 0


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")  # files only; a notebook importing this module keeps its own backend
    sys.exit(main(sys.argv[1:]))
