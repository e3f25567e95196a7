#!/usr/bin/python3
"""Issue 10's gossip targets, each measured against the Python heapq peer in the same run.

Scenario "gossip-ring" (../shared/peers/README.md): push-gossip SGD on a ring, Exp(1) compute,
latency 0.1, one random neighbour, averaging merge, f = 1/2 |x - 1|^2 + sigma N(0, I) noise. The
dasgd-sim side runs /work/baseline/configs/gossip_peer_1000.json's scenario (written out below) with
every staleness figure off (record.staleness false, record.deliveries false); noise sigma2 = 0.01 d
(the peer's sigma = 0.1 per coordinate). dasgd's quadratic draws its minimiser x* instead of the
peer's x* = 1, so the losses differ; the event counts (2 n T on average) and the work per event match.

Cases (--cases, comma separated; default all):
  speed      n = 1000, d = 32, T = 100: events/s of dasgd vs the peer (target >= 30x), whole process and
             loop vs loop (both sides: process CPU minus that of a run of almost no events)
  bandwidth  n = 1000, d = 1000, T = 20: dasgd events/s vs the memory-bandwidth limit
             = STREAM copy bytes/s (bench/gossip_stream_bench, same run) / (24 d bytes per event:
             each event reads two model vectors and writes one; target >= 40 %), peer alongside
  memory     n = 10^6, d = 8, T = 1 (about 1.9e6 events): peak RSS vs the models' n d 8 bytes plus the
             ring's own bytes (Topology::memory_bytes; target <= 2x)
  tracking   n = 100 (T = 1000), 1000 (T = 100), 10^4 (T = 20), d = 32: CPU events/s with exact gradient-set
             staleness on (record.staleness true, per_gradient false) vs off (target: on within 2x)
  callgrind  the tracking case's runs once each under valgrind --tool=callgrind (off and on, and --baseline's):
             instruction counts, and the vector-clock merge's share (not in the default set: minutes)
  scaling    CPU ns/event for n = 10^2 ... 10^6 at d = 8: marginal cost between T and 3T, T = 1e6 / (2n)
             (about 1e6 and 3e6 events), and the whole run at 3T; writes
             bench/data/gossip_ns_per_event.csv (plot: bench/plot_ns_per_event.py)
dasgd's events/s is timing.json's events / wall_seconds, i.e. the whole run including building the
world and writing nothing else (the peer's figure covers its event loop only, so the ratio is
conservative). On a shared machine the CPU-time figures are the steadier ones: dasgd's is events per
CPU second of the whole process (user + sys, start-up and output included), the peer's is events per
CPU second of its event loop (process CPU time minus that of a run of almost no events). Medians over --reps repetitions (default 5), seeds 1..reps for both.

Usage: /usr/bin/python3 bench/gossip_bench.py [--dasgd build/dasgd]
           [--stream build/gossip_stream_bench] [--peer /work/shared/peers/python_heapq/sim.py]
           [--reps 5] [--cases speed,bandwidth,memory,scaling] [--baseline OLD_DASGD]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def scenario(n, d, T, seed):
    return {
        "name": "gossip_bench", "seed": seed,
        "graph": {"kind": "ring", "nodes": n},
        "compute": {"time": {"law": "exponential", "mean": 1.0}},
        "link": {"latency": 0.1},
        "objective": {"kind": "quadratic", "dimension": d, "min_eigenvalue": 1.0, "max_eigenvalue": 1.0,
                      "reflections": 0, "noise": {"kind": "gaussian", "sigma2": 0.01 * d}},
        "algorithm": {"name": "gossip_sgd", "eta": 0.05},
        "stop": {"time": T},
        "record": {"deliveries": False, "staleness": False},
        "epsilon": 0.05,
    }


def run_dasgd(args, n, d, T, seed, tmp, staleness=False, binary=None):
    path = os.path.join(tmp, "config.json")
    config = scenario(n, d, T, seed)
    if staleness:  # exact gradient sets on (the default observer), no per-gradient log
        config["record"] = {"deliveries": False, "staleness": True, "per_gradient": False}
    with open(path, "w") as f:
        json.dump(config, f)
    out = os.path.join(tmp, "run")
    _, cpu, rss_bytes = run_measured([binary or args.dasgd, "run", path, "-q", "--out", out])
    timing = json.load(open(os.path.join(out, "timing.json")))
    summary = json.load(open(os.path.join(out, "summary.json")))
    return {"events": timing["events"], "wall": timing["wall_seconds"], "cpu": cpu,
            "eps": timing["events"] / timing["wall_seconds"], "rss_bytes": rss_bytes,
            "cpu_eps": timing["events"] / max(cpu, 1e-3),
            "final_f": float(summary["convergence"]["final"]["f_average_model"]),
            "consensus": float(summary["convergence"]["final"]["consensus_distance"])}


def run_measured(command):
    """Runs `command`; returns (stdout, CPU seconds user + sys, peak RSS bytes) from the child's own
    rusage (microsecond resolution: /usr/bin/time rounds to 10 ms, a fifth of a short run)."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, command)
    return out, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def run_peer(args, n, d, T, seed):
    out, cpu, _ = run_measured(["/usr/bin/python3", args.peer, "--n", str(n), "--d", str(d), "--T", str(T),
                                "--seed", str(seed)])
    result = json.loads(out)
    result["cpu_seconds"] = cpu  # the whole process, numpy import included
    return result


def peer_cpu_rate(runs, startup):
    """Events per CPU second of the peer's event loop: its process CPU time minus that of a run with
    almost no events (interpreter start, numpy import, set-up), a per-process constant."""
    return [r["events_processed"] / max(r["cpu_seconds"] - startup, 1e-3) for r in runs]


def stream_bandwidth(args):
    out = subprocess.run([args.stream, "--benchmark_format=json", "--benchmark_repetitions=5",
                          "--benchmark_filter=BM_StreamCopy"], check=True, capture_output=True, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    return statistics.median(b["bytes_per_second"] for b in runs)


def ring_bytes(args):
    out = subprocess.run([args.stream, "--benchmark_format=json", "--benchmark_filter=BM_RingMemory"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["benchmarks"][0]["ring_bytes"]


def case_speed(args, tmp, n=1000, d=32, T=100):
    # dasgd's run is ~30x shorter than the peer's, so on a shared machine one burst of load hits it
    # harder: three dasgd runs per peer run, interleaved, medians of each side. With --baseline, the
    # same runs of that binary are interleaved too (before/after in one script run).
    binaries = [("dasgd", args.dasgd)] + ([("baseline", args.baseline)] if args.baseline else [])
    mine = {name: [] for name, _ in binaries}
    peer = []
    for seed in range(1, args.reps + 1):
        for _ in range(3):
            for name, path in binaries:
                mine[name].append(run_dasgd(args, n, d, T, seed, tmp, binary=path))
        peer.append(run_peer(args, n, d, T, seed))
    startup = statistics.median(run_peer(args, n, d, 0.01, seed)["cpu_seconds"] for seed in (1, 2, 3))
    p = statistics.median(r["events_per_second"] for r in peer)
    pc = statistics.median(peer_cpu_rate(peer, startup))
    result = {"peer_eps": p, "peer_cpu_eps": pc}
    for name, path in binaries:
        # The peer's accounting for dasgd too: process CPU minus that of a run of almost no events
        # (start-up, world, the output of a run), so loop against loop.
        own_startup = statistics.median(run_dasgd(args, n, d, 0.01, seed, tmp, binary=path)["cpu"]
                                        for seed in (1, 2, 3))
        runs = mine[name]
        m = statistics.median(r["eps"] for r in runs)
        c = statistics.median(r["cpu_eps"] for r in runs)
        lc = statistics.median(r["events"] / max(r["cpu"] - own_startup, 1e-3) for r in runs)
        print(f"speed     n={n} d={d} T={T} {name}: wall: {m:.3g} ev/s (median of {len(runs)}), peer {p:.3g} ev/s, "
              f"ratio {m / p:.1f}x; CPU time: {c:.3g} ev/s (whole process), peer {pc:.3g} ev/s (event loop), "
              f"ratio {c / pc:.1f}x; loop vs loop (start-up {own_startup * 1e3:.0f} ms subtracted): "
              f"{lc:.3g} ev/s, ratio {lc / pc:.1f}x (target >= 30x)")
        result[name] = {"eps": m, "cpu_eps": c, "loop_cpu_eps": lc, "ratio": m / p, "cpu_ratio": c / pc,
                        "loop_cpu_ratio": lc / pc}
    return result


def case_bandwidth(args, tmp, n=1000, d=1000, T=20):
    bw = stream_bandwidth(args)
    limit = bw / (24.0 * d)
    mine, peer = [], []
    for seed in range(1, args.reps + 1):
        mine.append(run_dasgd(args, n, d, T, seed, tmp))
        peer.append(run_peer(args, n, d, T, seed))
    m = statistics.median(r["eps"] for r in mine)
    p = statistics.median(r["events_per_second"] for r in peer)
    print(f"bandwidth n={n} d={d} T={T}: STREAM copy {bw / 1e9:.1f} GB/s -> limit {limit:.3g} ev/s "
          f"(24 d bytes/event); dasgd {m:.3g} ev/s = {100 * m / limit:.0f} % of the limit (target >= 40 %); "
          f"peer {p:.3g} ev/s ({m / p:.1f}x)")
    return {"stream_bytes_per_second": bw, "limit_eps": limit, "dasgd_eps": m, "fraction": m / limit,
            "peer_eps": p}


def case_memory(args, tmp, n=1_000_000, d=8, T=1.0):
    own = n * d * 8 + ring_bytes(args)
    runs = [run_dasgd(args, n, d, T, seed, tmp) for seed in range(1, min(args.reps, 3) + 1)]
    rss = statistics.median(r["rss_bytes"] for r in runs)
    print(f"memory    n={n} d={d} T={T}: peak RSS {rss / 2**20:.0f} MiB, models + graph {own / 2**20:.0f} MiB, "
          f"ratio {rss / own:.2f} (target <= 2); {runs[0]['events']} events, "
          f"{statistics.median(r['eps'] for r in runs):.3g} ev/s")
    return {"peak_rss": rss, "own_bytes": own, "ratio": rss / own}


def case_tracking(args, tmp, d=32):
    """Exact gradient-set staleness on (record.staleness true: the GradientRecorder with vector
    clocks, S_t, S_hat_t, B_t^2, grad norms on x_t and v_t; per-delivery sets and the per-gradient log
    off) against every staleness figure off, same scenario, CPU time of the whole process, interleaved.
    With --baseline, that binary's off and on runs are interleaved with these (before/after in one run)."""
    binaries = [("dasgd", args.dasgd)] + ([("baseline", args.baseline)] if args.baseline else [])
    rows = []
    # n = 100 runs 10x longer than the peers' T = 100, so that the CPU clock's 10 ms resolution
    # stays below 1 % of the run.
    for n, T in ((100, 1000), (1000, 100), (10_000, 20)):
        on = {name: [] for name, _ in binaries}
        off = {name: [] for name, _ in binaries}
        for seed in range(1, args.reps + 1):
            for name, path in binaries:
                off[name].append(run_dasgd(args, n, d, T, seed, tmp, binary=path))
                on[name].append(run_dasgd(args, n, d, T, seed, tmp, staleness=True, binary=path))
        for name, _ in binaries:
            a = statistics.median(r["cpu_eps"] for r in off[name])
            b = statistics.median(r["cpu_eps"] for r in on[name])
            rss = statistics.median(r["rss_bytes"] for r in on[name])
            rows.append({"binary": name, "n": n, "T": T, "off_cpu_eps": a, "on_cpu_eps": b, "ratio": a / b,
                         "on_rss": rss})
            print(f"tracking  n={n:>6} T={T} {name}: staleness off {a:.3g} ev/s, on {b:.3g} ev/s (CPU time), "
                  f"on costs {a / b:.2f}x (target <= 2x), peak RSS on {rss / 2**20:.0f} MiB")
    return {"rows": rows}


def callgrind_instructions(command, tmp):
    """Instructions of `command` under callgrind (repeatable under load): the total and the self
    cost of the functions whose names hold 'origin_merge' or 'run_raises' (the vector-clock merge)."""
    out = os.path.join(tmp, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + command,
                   check=True, capture_output=True)
    report = subprocess.run(["callgrind_annotate", out], check=True, capture_output=True, text=True).stdout
    total = merge = 0
    for line in report.splitlines():
        fields = line.split()
        if not fields or not fields[0][0].isdigit():
            continue
        count = int(fields[0].replace(",", ""))
        if "PROGRAM TOTALS" in line:
            total = count
        elif "origin_merge" in line or "run_raises" in line:
            merge += count
    return total, merge


def case_callgrind(args, tmp, d=32):
    """The tracking scenarios once each (seed 1) under callgrind, staleness off and on, for this
    binary and --baseline: instruction counts do not move with the machine's load."""
    binaries = [("dasgd", args.dasgd)] + ([("baseline", args.baseline)] if args.baseline else [])
    rows = []
    for n, T in ((100, 1000), (1000, 100), (10_000, 20)):
        for name, path in binaries:
            counts = {}
            for staleness in (False, True):
                config = scenario(n, d, T, 1)
                if staleness:
                    config["record"] = {"deliveries": False, "staleness": True, "per_gradient": False}
                config_path = os.path.join(tmp, "config.json")
                with open(config_path, "w") as f:
                    json.dump(config, f)
                counts[staleness] = callgrind_instructions(
                    [path, "run", config_path, "-q", "--out", os.path.join(tmp, "run")], tmp)
            (off, _), (on, merge) = counts[False], counts[True]
            rows.append({"binary": name, "n": n, "T": T, "off_instructions": off, "on_instructions": on,
                         "merge_instructions": merge, "ratio": on / off})
            print(f"callgrind n={n:>6} T={T} {name}: off {off / 1e6:.1f} M, on {on / 1e6:.1f} M instructions, "
                  f"on/off {on / off:.2f}; vector-clock merge {merge / 1e6:.1f} M ({100 * merge / on:.0f} % of on)")
    return {"rows": rows}


def case_scaling(args, tmp, d=8):
    """Marginal cost per event: each n runs at T and 3T (about 1e6 and 3e6 events), and
    (cpu(3T) - cpu(T)) / (events(3T) - events(T)) cancels what a run costs once per node (building
    the graph and the per-node state, the final per-node summary and nodes.csv), which at 10^6 nodes
    and 2 events per node would otherwise dominate. The whole-run figure at 3T is kept beside it."""
    rows = []
    for n in (100, 1000, 10_000, 100_000, 1_000_000):
        T = 1e6 / (2 * n)
        marginal, whole = [], []
        for seed in range(1, min(args.reps, 3) + 1):
            a = run_dasgd(args, n, d, T, seed, tmp)
            b = run_dasgd(args, n, d, 3 * T, seed, tmp)
            # CPU time of the whole process (user + sys): on a shared machine much steadier than wall.
            marginal.append(1e9 * (b["cpu"] - a["cpu"]) / (b["events"] - a["events"]))
            whole.append(1e9 * b["cpu"] / b["events"])
        m, w = statistics.median(marginal), statistics.median(whole)
        rows.append((n, 3 * T, b["events"], m, w))
        print(f"scaling   n={n:>8} T={3 * T:>8g}: {b['events']} events, {m:.0f} ns/event marginal, "
              f"{w:.0f} ns/event whole run")
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    with open(os.path.join(HERE, "data", "gossip_ns_per_event.csv"), "w") as f:
        f.write("n,T,events,ns_per_event,ns_per_event_whole_run\n")
        for n, T, e, m, w in rows:
            f.write(f"{n},{T:g},{e},{m:.1f},{w:.1f}\n")
    return {"rows": rows}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dasgd", default="build/dasgd")
    p.add_argument("--stream", default="build/gossip_stream_bench")
    p.add_argument("--peer", default="/work/shared/peers/python_heapq/sim.py")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--baseline", default=None,
                   help="a second dasgd binary measured alongside (speed and tracking cases)")
    p.add_argument("--cases", default="speed,bandwidth,memory,tracking,scaling")
    a = p.parse_args()
    if a.reps < 1:
        p.error("--reps must be >= 1")
    cases = {"speed": case_speed, "bandwidth": case_bandwidth, "memory": case_memory, "tracking": case_tracking,
             "scaling": case_scaling, "callgrind": case_callgrind}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.cases.split(","):
            if name not in cases:
                p.error(f"unknown case {name!r} (expected one of {', '.join(cases)})")
            results[name] = cases[name](a, tmp)
    print(json.dumps(results, default=float))


if __name__ == "__main__":
    sys.exit(main())
