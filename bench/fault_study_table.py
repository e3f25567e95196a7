#!/usr/bin/python3
"""Tables of the fault study (bench/fault_study.sh): OUT/runs.csv, one row per run read from its
summary.json (or its refused.txt), and OUT/table.csv, per (algorithm, scenario) the mean and the
sample standard deviation over seeds of every figure; prints the table as Markdown
(docs/FAULT_STUDY.md). Standard library only.
Usage: fault_study_table.py OUT"""
import csv
import json
import math
import statistics
import sys
from pathlib import Path

ALGORITHMS = ["dasgd", "adpsgd", "gossip_sgd", "parameter_server"]
SCENARIOS = ["baseline", "crash10", "loss1", "loss1_rt", "loss5", "loss5_rt", "loss20", "loss20_rt", "one_peer"]
# (column, where in summary.json) for every figure of a run; absent: empty (not applicable).
FIGURES = [
    ("gradients", ("run", "gradients")),
    ("final_f", ("convergence", "final", "f_average_model")),
    ("consensus", ("convergence", "final", "consensus_distance")),
    ("gradients_to_eps", ("convergence", "gradients_to_epsilon", "node_average")),
    ("S_avg", ("staleness", "S_avg")),
    ("S_lost_avg", ("staleness", "S_lost_avg")),
    ("messages", ("run", "messages")),
    ("crashes", ("faults", "nodes", "crashes")),
    ("dropped_while_down", ("faults", "nodes", "dropped_while_down")),
    ("up_fraction", ("faults", "nodes", "up_fraction_mean")),
    ("losses", ("link_faults", "losses")),
    ("retransmissions", ("link_faults", "retransmissions")),
    ("give_ups", ("link_faults", "give_ups")),
    ("never_received_fraction", ("link_faults", "never_received_fraction_mean")),
    ("unreachable", ("algorithm_figures", "deliveries_unreachable", "value")),
    ("exchanges_abandoned", ("algorithm_figures", "exchanges_abandoned", "value")),
    ("models_lost", ("algorithm_figures", "models_lost", "value")),
    ("topology_changes", ("algorithm_figures", "topology_changes", "value")),
]


def lookup(summary, path):
    value = summary
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def read_runs(out):
    rows = []
    for algorithm in ALGORITHMS:
        for scenario in SCENARIOS:
            base = out / "runs" / algorithm / scenario
            if not base.is_dir():
                continue
            for seed_dir in sorted(base.iterdir(), key=lambda p: int(p.name[4:])):
                row = {"algorithm": algorithm, "scenario": scenario, "seed": int(seed_dir.name[4:])}
                refused = seed_dir / "refused.txt"
                if refused.exists():
                    code, _, reason = refused.read_text().partition("\n")
                    row["status"] = "refused" if code.strip() == "2" else "failed"
                    # "dasgd: CONFIG: /json/path: why": keep the located part.
                    reason = reason.strip()
                    row["reason"] = reason.split(".json: ", 1)[-1]
                else:
                    summary = json.loads((seed_dir / "summary.json").read_text())
                    row["status"] = summary["status"]
                    row["reason"] = ""
                    for column, path in FIGURES:
                        row[column] = lookup(summary, path)
                rows.append(row)
    return rows


def cell_stats(runs):
    """Per figure: (mean, sd, count) over the runs that have it (gradients_to_eps: those that reached it)."""
    stats = {}
    for column, _ in FIGURES:
        values = [r[column] for r in runs if r.get(column) is not None]
        if not values:
            continue
        mean = statistics.fmean(values)
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        stats[column] = (mean, sd, len(values))
    return stats


def fmt(mean, sd, digits=3):
    if abs(mean) >= 1000 or (mean != 0 and abs(mean) < 0.01):
        return f"{mean:.{digits - 1}e} ± {sd:.1e}"
    return f"{mean:.{digits}g} ± {sd:.2g}"


def main():
    out = Path(sys.argv[1])
    rows = read_runs(out)
    columns = ["algorithm", "scenario", "seed", "status", "reason"] + [c for c, _ in FIGURES]
    with open(out / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        for r in rows:
            writer.writerow({c: ("" if r.get(c) is None else r[c]) for c in columns})
    table_columns = ["algorithm", "scenario", "seeds", "status"]
    for c, _ in FIGURES:
        table_columns += [c + "_mean", c + "_sd", c + "_n"]
    cells = []
    with open(out / "table.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, table_columns)
        writer.writeheader()
        for algorithm in ALGORITHMS:
            for scenario in SCENARIOS:
                runs = [r for r in rows if r["algorithm"] == algorithm and r["scenario"] == scenario]
                if not runs:
                    continue
                done = [r for r in runs if r["status"] == "completed"]
                status = "completed" if len(done) == len(runs) else (
                    "refused: " + runs[0]["reason"] if runs[0]["status"] == "refused" else
                    f"{len(done)} of {len(runs)} completed")
                row = {"algorithm": algorithm, "scenario": scenario, "seeds": len(runs), "status": status}
                stats = cell_stats(done)
                for c, (mean, sd, n) in stats.items():
                    row[c + "_mean"], row[c + "_sd"], row[c + "_n"] = mean, sd, n
                writer.writerow(row)
                cells.append((algorithm, scenario, len(runs), status, stats))
    print("| algorithm | scenario | final f(x̄) | consensus distance | gradients to ε (reached) | S_avg | S_lost avg | "
          "messages | faults (crashes / losses / retransmissions / give-ups / unreachable) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for algorithm, scenario, seeds, status, stats in cells:
        if not status.startswith("completed"):
            print(f"| {algorithm} | {scenario} | {status} | | | | | | |")
            continue

        def g(c, digits=3):
            return fmt(stats[c][0], stats[c][1], digits) if c in stats else "–"

        eps = (f"{stats['gradients_to_eps'][0]:.0f} ± {stats['gradients_to_eps'][1]:.0f} "
               f"({stats['gradients_to_eps'][2]}/{seeds})") if "gradients_to_eps" in stats else f"– (0/{seeds})"
        faults = " / ".join(f"{stats[c][0]:.0f}" if c in stats else "–"
                            for c in ("crashes", "losses", "retransmissions", "give_ups", "unreachable"))
        print(f"| {algorithm} | {scenario} | {g('final_f')} | {g('consensus')} | {eps} | {g('S_avg')} | {g('S_lost_avg')} | "
              f"{g('messages')} | {faults} |")


if __name__ == "__main__":
    main()
