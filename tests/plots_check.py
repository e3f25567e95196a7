#!/usr/bin/python3
"""Test helper for tests/plots_test.cpp: the plot scripts' notebook API and file output.

Usage: tests/plots_check.py SOURCE_DIR RUN_DIR OUT_DIR. Prints "ok" lines; exits 1 on the first
failed check, 77 when matplotlib is missing (the test then skips). Run with MPLBACKEND=svg: the
modules must leave the caller's backend alone.
"""
import csv
import os
import subprocess
import sys

try:
    import matplotlib
except ImportError:
    sys.exit(77)


def check(condition, what):
    if not condition:
        print("FAILED: " + what)
        sys.exit(1)
    print("ok: " + what)


def main(source, run_dir, out):
    sys.path.insert(0, os.path.join(source, "plots"))
    import plot_compare  # noqa: F401
    import plot_run
    import plot_sweep
    from matplotlib.figure import Figure

    check(matplotlib.get_backend().lower() == "svg", "importing the plot modules keeps the caller's backend")
    figures = plot_run.run_figures(run_dir)
    check(set(figures) >= {"convergence_time", "convergence_gradients", "staleness_hist", "bounds"},
          "run_figures gives every figure of a run")
    check(all(isinstance(f, Figure) for f in figures.values()), "each is a matplotlib Figure")
    axes = plot_run.convergence_figure(run_dir, "time").axes
    check(any(abs(line.get_ydata()[0] - 0.05) < 1e-12 for line in axes[1].lines if len(line.get_ydata()) == 2),
          "the gradient panel draws the epsilon line at epsilon = 0.05")
    check(axes[1].get_yscale() == "log", "||grad f||^2, spanning decades, is on a log axis")

    # A hand-written sweep table: nodes span two decades, S_avg does not.
    table = os.path.join(out, "results.csv")
    with open(table, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["status", "graph.nodes", "graph.kind", "S_avg", "S_max", "link.latency.mean"])
        for nodes, s in ((4, 1.0), (40, 2.0), (400, 3.0)):
            w.writerow(["completed", nodes, "ring", s, 2 * s, 0.01 * nodes])
        w.writerow(["failed", 8, "ring", "", "", ""])
    rows = plot_sweep.completed_rows(table)
    check(len(rows) == 3, "completed_rows drops the failed point")
    figure = plot_sweep.columns_figure(rows, "link.latency.mean", ["S_max"], group_column="graph.kind")
    check(figure.axes[0].get_xscale() == "log" and figure.axes[0].get_yscale() == "linear",
          "any column on either axis; log only where the values span decades")

    # The fault study: bench/fault_study_table.py over hand-made run directories (two seeds of one
    # cell with S_avg 10 and 14: mean 12, sample sd 2*sqrt(2); one refused cell), then its figure.
    import json
    study = os.path.join(out, "study")
    for seed, s_avg in ((1, 10.0), (2, 14.0)):
        d = os.path.join(study, "runs", "dasgd", "loss5", "seed%d" % seed)
        os.makedirs(d)
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump({"status": "completed", "run": {"gradients": 100, "messages": 50},
                       "convergence": {"final": {"f_average_model": 1e-3, "consensus_distance": 1e-4},
                                       "gradients_to_epsilon": {"node_average": 40 + seed}},
                       "staleness": {"S_avg": s_avg, "S_lost_avg": s_avg / 2}}, f)
    d = os.path.join(study, "runs", "parameter_server", "loss5", "seed1")
    os.makedirs(d)
    with open(os.path.join(d, "refused.txt"), "w") as f:
        f.write("2\ndasgd: /x/parameter_server.json: /faults/links: cannot honour\n")
    made = subprocess.run([sys.executable, os.path.join(source, "bench", "fault_study_table.py"), study],
                          capture_output=True, text=True)
    check(made.returncode == 0, "fault_study_table.py runs: " + made.stderr)
    with open(os.path.join(study, "table.csv"), newline="") as f:
        cells = {(r["algorithm"], r["scenario"]): r for r in csv.DictReader(f)}
    cell = cells[("dasgd", "loss5")]
    check(abs(float(cell["S_avg_mean"]) - 12) < 1e-12 and abs(float(cell["S_avg_sd"]) - 8 ** 0.5) < 1e-12,
          "the study table gives the mean and the sample sd over seeds")
    check(cells[("parameter_server", "loss5")]["status"] == "refused: /faults/links: cannot honour",
          "a refused cell keeps its located reason")
    import plot_fault_study
    study_figure = plot_fault_study.study_figure(study)
    check(isinstance(study_figure, Figure) and len(study_figure.axes) == 3, "study_figure is a Figure of three panels")

    import figure_output
    for fmt, magic in (("pdf", b"%PDF"), ("svg", b"<?xml"), ("png", b"\x89PNG")):
        path = os.path.join(out, "sweep." + fmt)
        figure_output.save(figure, path, dpi=60)
        with open(path, "rb") as f:
            check(f.read(5).startswith(magic), "a figure saved as sweep.%s is %s" % (fmt, fmt.upper()))
    bad = subprocess.run([sys.executable, os.path.join(source, "plots", "plot_sweep.py"), table, "--x", "graph.nodes",
                          "--out", os.path.join(out, "x.gif")], capture_output=True, text=True)
    check(bad.returncode == 2 and ".png, .pdf or .svg" in bad.stderr, "an unknown extension is refused by name")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
