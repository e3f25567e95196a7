#!/usr/bin/python3
"""The fault study's figure (CSV -> picture): bench/fault_study.sh's table.csv, per algorithm and
scenario the mean over seeds with one standard deviation as an error bar, in three panels:
gradients to epsilon at the node average, S_avg (with S_lost, hatched, where links lose), and the
final f(x_avg). One bar group per scenario, one colour per algorithm; refused cells are left empty
and marked "refused" (docs/FAULT_STUDY.md).

Usage: plots/plot_fault_study.py STUDY_DIR [--out FILE] [--dpi N]
  STUDY_DIR holds table.csv (bench/fault_study.sh OUT); default FILE: STUDY_DIR/fault_study.png.

From a notebook (no backend is chosen on import):
  import sys; sys.path.insert(0, "plots"); import plot_fault_study
  plot_fault_study.study_figure("runs/fault_study")   # the matplotlib Figure
Needs Debian's python3-matplotlib (/usr/bin/python3).
"""
import csv
import math
import os
import sys

import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figure_output  # noqa: E402

ALGORITHMS = ["dasgd", "adpsgd", "gossip_sgd", "parameter_server"]
COLOURS = {"dasgd": "tab:blue", "adpsgd": "tab:orange", "gossip_sgd": "tab:green", "parameter_server": "tab:red"}
SCENARIOS = ["baseline", "crash10", "loss1", "loss1_rt", "loss5", "loss5_rt", "loss20", "loss20_rt", "one_peer"]
LABELS = {"baseline": "no faults", "crash10": "10 % crash", "loss1": "1 % loss", "loss1_rt": "1 % + retx",
          "loss5": "5 % loss", "loss5_rt": "5 % + retx", "loss20": "20 % loss", "loss20_rt": "20 % + retx",
          "one_peer": "one-peer exp."}


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def read_table(study_dir):
    """{(algorithm, scenario): row} from STUDY_DIR/table.csv (OSError when it is missing)."""
    with open(os.path.join(study_dir, "table.csv"), newline="") as f:
        return {(r["algorithm"], r["scenario"]): r for r in csv.DictReader(f)}


def _bars(ax, table, column, title, log=False, lost_column=None):
    scenarios = [s for s in SCENARIOS if any((a, s) in table for a in ALGORITHMS)]
    width = 0.8 / len(ALGORITHMS)
    for k, algorithm in enumerate(ALGORITHMS):
        xs, means, sds, lost = [], [], [], []
        for i, scenario in enumerate(scenarios):
            row = table.get((algorithm, scenario))
            x = i + (k - (len(ALGORITHMS) - 1) / 2) * width
            if row is None:
                continue
            if not row["status"].startswith("completed"):
                ax.text(x, 0.02, "refused", rotation=90, fontsize=6, color=COLOURS[algorithm],
                        transform=ax.get_xaxis_transform(), ha="center", va="bottom")
                continue
            mean = num(row.get(column + "_mean"))
            if math.isnan(mean):
                continue
            xs.append(x)
            means.append(mean)
            sds.append(num(row.get(column + "_sd")))
            lost.append(num(row.get(lost_column + "_mean")) if lost_column else math.nan)
        ax.bar(xs, means, width, yerr=sds, color=COLOURS[algorithm], label=algorithm, capsize=2,
               error_kw={"lw": 0.8})
        if lost_column:
            pairs = [(x, v) for x, v in zip(xs, lost) if not math.isnan(v) and v > 0]
            if pairs:
                ax.bar([p[0] for p in pairs], [p[1] for p in pairs], width, fill=False, hatch="////",
                       edgecolor="black", lw=0)
    ax.set_xticks(range(len(scenarios)))
    ax.set_xticklabels([LABELS.get(s, s) for s in scenarios], rotation=35, ha="right", fontsize=8)
    ax.set_title(title, fontsize=10)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)


def study_figure(study_dir):
    """The fault study Figure of a bench/fault_study.sh output directory."""
    table = read_table(study_dir)
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    _bars(axes[0], table, "gradients_to_eps", "gradients until ||grad f(x_avg)||^2 <= eps (mean ± sd over seeds)")
    _bars(axes[1], table, "S_avg", "S_avg (hatched: S_lost part)", log=True, lost_column="S_lost_avg")
    _bars(axes[2], table, "final_f", "f(x_avg) at the end", log=True)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def main(argv):
    return figure_output.single_figure_main(argv, __doc__, "study_dir", "fault_study.png", study_figure, "plot_fault_study.py", "not a bench/fault_study.sh directory")


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")  # files only; a notebook importing this module keeps its own backend
    sys.exit(main(sys.argv[1:]))
