"""The Python module against the CLI (tests/python/, run by CTest under Debian's /usr/bin/python3
with PYTHONPATH=build/python, DASGD_CLI and DASGD_SOURCE_DIR set; see python/CMakeLists.txt).

The CLI's files are the independent reference: every table the module returns must hold the same
numbers, bit for bit, as the CSV file the CLI writes for the same config, and every refusal the
same JSON path and message."""
import csv
import json
import math
import os
import signal
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import numpy

import dasgd

CLI = os.environ["DASGD_CLI"]
SOURCE = os.environ["DASGD_SOURCE_DIR"]
QUICKSTART = os.path.join(SOURCE, "configs", "quickstart.json")
# Short enough for the suite, long enough for every table to have rows.
SHORT = {"stop.time": 40, "record.per_gradient": True}


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def bits(x):
    return struct.pack("<d", float(x))


class TableCase(unittest.TestCase):
    def assertTableMatchesCsv(self, table, path):
        """Same columns in the same order; every cell the same number (bit for bit) or text."""
        header, rows = read_csv(path)
        self.assertEqual(list(table), header, path)
        for c, name in enumerate(header):
            column = table[name]
            self.assertEqual(len(column), len(rows), f"{path}: {name}")
            for k, row in enumerate(rows):
                text, value = row[c], column[k]
                where = f"{os.path.basename(path)} row {k} column {name}"
                if column.dtype == numpy.float64:
                    expected = float(text) if text != "" else math.nan
                    if math.isnan(expected):
                        self.assertTrue(math.isnan(value), where)
                    else:
                        self.assertEqual(bits(value), bits(expected), where)
                elif column.dtype.kind in "iu":
                    self.assertEqual(int(value), int(text), where)
                elif column.dtype == numpy.bool_:
                    self.assertEqual("true" if value else "false", text, where)
                else:
                    self.assertEqual(value, text, where)


class RunMatchesTheCli(TableCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.cli_out = os.path.join(cls.dir.name, "cli")
        sets = [a for path, value in SHORT.items() for a in ("--set", f"{path}={json.dumps(value)}")]
        done = cli("run", QUICKSTART, *sets, "--out", cls.cli_out, "--quiet")
        assert done.returncode == 0, done.stderr
        cls.result = dasgd.run(QUICKSTART, set=SHORT)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_every_table_holds_the_cli_files_numbers_bit_for_bit(self):
        for name in ("metrics", "gradients", "nodes", "staleness_windows", "staleness_hist"):
            self.assertTableMatchesCsv(self.result.tables[name], os.path.join(self.cli_out, name + ".csv"))
        self.assertIs(self.result.windows, self.result.tables["staleness_windows"])
        self.assertIs(self.result.histogram, self.result.tables["staleness_hist"])

    def test_summary_and_config_are_the_cli_json_files(self):
        with open(os.path.join(self.cli_out, "summary.json")) as f:
            self.assertEqual(self.result.summary, json.load(f))
        with open(os.path.join(self.cli_out, "config.json")) as f:
            self.assertEqual(self.result.config, json.load(f))
        self.assertEqual(self.result.status, "completed")

    def test_columns_are_typed_numpy_arrays(self):
        self.assertEqual(self.result.gradients["t"].dtype, numpy.int64)
        self.assertEqual(self.result.metrics["f_average_model"].dtype, numpy.float64)
        self.assertEqual(self.result.nodes["straggler"].dtype, numpy.bool_)
        self.assertEqual(self.result.histogram["quantity"].dtype, object)
        self.assertEqual(len(self.result.nodes["node"]), 16)

    def test_output_writes_the_cli_files_byte_for_byte(self):
        out = os.path.join(self.dir.name, "module")
        r = dasgd.run(QUICKSTART, set=SHORT, output=out)
        self.assertEqual(r.directory, out)
        names = sorted(n for n in os.listdir(self.cli_out) if n not in ("timing.json", ".dasgd-manifest.json"))
        self.assertEqual(names, sorted(n for n in os.listdir(out) if n not in ("timing.json", ".dasgd-manifest.json")))
        for name in names:
            with open(os.path.join(self.cli_out, name), "rb") as a, open(os.path.join(out, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)
        with self.assertRaises(dasgd.OutputDirectoryError):  # the CLI's rule: a foreign file with our name
            foreign = os.path.join(self.dir.name, "foreign")
            os.makedirs(foreign)
            open(os.path.join(foreign, "summary.json"), "w").close()
            dasgd.run(QUICKSTART, set=SHORT, output=foreign)

    def test_a_dict_and_json_text_give_the_same_run_as_the_file(self):
        with open(QUICKSTART) as f:
            document = json.load(f)
        for path, value in SHORT.items():
            section, key = path.split(".")
            document.setdefault(section, {})[key] = value
        for given in (document, json.dumps(document)):
            r = dasgd.run(given)
            self.assertEqual(r.summary, self.result.summary)
            self.assertEqual(bits(r.metrics["f_average_model"][-1]), bits(self.result.metrics["f_average_model"][-1]))

    def test_to_pandas_gives_frames_or_says_pandas_is_missing(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaisesRegex(ImportError, "needs pandas"):
                self.result.to_pandas("metrics")
            return
        self.assertEqual(list(self.result.to_pandas("metrics").columns), list(self.result.metrics))


class ConfigErrorsAreTheClis(unittest.TestCase):
    def check(self, overrides, path):
        sets = [a for p, v in overrides.items() for a in ("--set", f"{p}={json.dumps(v)}")]
        done = cli("run", QUICKSTART, *sets, "--out", os.path.join(tempfile.gettempdir(), "never-written"), "--quiet")
        self.assertEqual(done.returncode, 2)
        with self.assertRaises(dasgd.ConfigError) as caught:
            dasgd.run(QUICKSTART, set=overrides)
        error = caught.exception
        self.assertEqual(error.path, path)
        self.assertEqual("dasgd: " + str(error) + "\n", done.stderr)
        self.assertIsInstance(error, ValueError)

    def test_a_bad_value_names_its_json_path(self):
        self.check({"algorithm.eta": -1}, "/algorithm/eta")

    def test_an_unknown_key_gets_the_did_you_mean(self):
        self.check({"graph.nodez": 3}, "/graph/nodez")

    def test_a_dict_is_named_config(self):
        with self.assertRaises(dasgd.ConfigError) as caught:
            dasgd.run({"graph": {"kind": "ring", "nodes": 0}})
        self.assertEqual(caught.exception.source, "config")
        self.assertTrue(str(caught.exception).startswith("config: /"))


class RunsReleaseTheGil(unittest.TestCase):
    def test_another_thread_keeps_running_during_a_run(self):
        ticks = 0
        done = threading.Event()
        result = {}

        def work():
            result["r"] = dasgd.run(QUICKSTART, set={"stop.time": 1000, "record.per_gradient": False})
            done.set()

        thread = threading.Thread(target=work)
        start = time.monotonic()
        thread.start()
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)
        thread.join()
        elapsed = time.monotonic() - start
        self.assertGreater(elapsed, 0.05, "the run is too short to show anything")
        # Holding the GIL, the run would leave this loop no turn at all until it ended.
        self.assertGreater(ticks, 20, f"{ticks} ticks in {elapsed:.2f} s")
        print(f"\n  {ticks} ticks of the main thread during a {elapsed:.2f} s run", flush=True)
        self.assertEqual(result["r"].status, "completed")


class CtrlCStopsARunCleanly(unittest.TestCase):
    def test_sigint_stops_the_run_and_raises_with_the_run_so_far(self):
        timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
        long = {"stop.time": 1e5, "record.per_gradient": False}
        out = tempfile.TemporaryDirectory()
        self.addCleanup(out.cleanup)
        timer.start()
        start = time.monotonic()
        with self.assertRaises(dasgd.RunInterrupted) as caught:
            dasgd.run(QUICKSTART, set=long, output=os.path.join(out.name, "run"))
        elapsed = time.monotonic() - start
        timer.join()
        r = caught.exception.result
        self.assertIsInstance(caught.exception, KeyboardInterrupt)
        self.assertEqual(r.status, "interrupted")
        self.assertEqual(r.summary["interrupted"]["signal"], "SIGINT")
        self.assertLess(r.summary["run"]["end_time"], 1e5)
        self.assertLess(elapsed, 30)
        print(f"\n  stopped {elapsed:.2f} s after the start (signal at 0.5 s), t = {r.summary['run']['end_time']:.1f} s",
              flush=True)
        with open(os.path.join(out.name, "run", "summary.json")) as f:
            self.assertEqual(json.load(f)["status"], "interrupted")
        # Python's own handler is back, and the next run is not stopped by the old signal.
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        self.assertEqual(dasgd.run(QUICKSTART, set={"stop.time": 5}).status, "completed")


class CompareSweepAndGraphMatchTheCli(TableCase):
    def test_compare_tables_are_the_cli_files(self):
        config = os.path.join(SOURCE, "configs", "compare", "family_ring.json")
        sets = {"stop.time": 10}
        out = tempfile.TemporaryDirectory()
        self.addCleanup(out.cleanup)
        done = cli("compare", config, "--set", "stop.time=10", "--out", out.name + "/c", "--quiet")
        self.assertEqual(done.returncode, 0, done.stderr)
        c = dasgd.compare(config, set=sets)
        for name in ("comparison", "comparison_summary", "comparison_staleness", "comparison_figures"):
            self.assertTableMatchesCsv(c.tables[name], os.path.join(out.name, "c", name + ".csv"))
        self.assertTableMatchesCsv(c.runs["gossip_sgd"].metrics, os.path.join(out.name, "c", "gossip_sgd", "metrics.csv"))
        self.assertEqual(c.statuses["parameter_server"], "failed")  # it refuses a ring, as in the CLI
        self.assertIsNone(c.runs["parameter_server"])

    def test_sweep_results_are_the_cli_results_csv(self):
        sweep = {"name": "py", "base": {
            "graph": {"kind": "ring", "nodes": 8}, "compute": {"time": {"law": "exponential", "mean": 1.0}},
            "link": {"latency": {"law": "constant", "value": 0.1}},
            "objective": {"kind": "separable_cosine", "dimension": 4, "noise": {"kind": "gaussian", "sigma2": 0.1}},
            "algorithm": {"name": "dasgd", "eta": 0.01}, "stop": {"time": 20},
            "record": {"per_gradient": False}},
            "axes": [{"path": "graph.nodes", "values": [4, 8]}], "seeds": 2}
        out = tempfile.TemporaryDirectory()
        self.addCleanup(out.cleanup)
        path = os.path.join(out.name, "sweep.json")
        with open(path, "w") as f:
            json.dump(sweep, f)
        done = cli("sweep", path, "--out", out.name + "/s", "-j", "1", "--quiet")
        self.assertEqual(done.returncode, 0, done.stderr)
        s = dasgd.sweep(sweep, jobs=2)
        self.assertTableMatchesCsv(s.results, os.path.join(out.name, "s", "results.csv"))
        self.assertEqual(list(s.results["graph.nodes"]), [4, 4, 8, 8])

    def test_graph_report_is_what_dasgd_graph_prints(self):
        g = dasgd.graph({"kind": "torus", "rows": 4, "cols": 4})
        done = cli("graph", "--kind", "torus", "--rows", "4", "--cols", "4")
        self.assertEqual(g["text"], done.stdout)
        self.assertEqual((g["nodes"], g["edges"], g["degree"]["min"], g["degree"]["max"]), (16, 32, 4, 4))
        self.assertEqual(g["diameter"]["lower_bound"], 4)  # 2 + 2 on a 4x4 torus
        with self.assertRaises(dasgd.ConfigError) as caught:
            dasgd.graph({"kind": "torus", "rows": 0, "cols": 4})
        self.assertEqual(caught.exception.path, "/graph/rows")


class PredictAndModels(TableCase):
    def test_predict_is_what_dasgd_predict_json_prints(self):
        overrides = {"graph.nodes": 12, "compute.time.mean": 0.5}
        sets = [a for p, v in overrides.items() for a in ("--set", f"{p}={json.dumps(v)}")]
        done = cli("predict", QUICKSTART, "--json", *sets)
        self.assertEqual(done.returncode, 0, done.stderr)
        predicted = dasgd.predict(QUICKSTART, set=overrides)
        self.assertEqual(predicted, json.loads(done.stdout))
        self.assertEqual(predicted["nodes"], 12)

    def test_predict_refuses_a_bad_config_with_its_path(self):
        with self.assertRaises(dasgd.ConfigError) as caught:
            dasgd.predict(QUICKSTART, set={"stop.gradients_per_node": 0})
        self.assertEqual(caught.exception.path, "/stop/gradients_per_node")

    def test_models_hold_the_initial_models_of_an_unmoved_run_and_match_models_csv(self):
        # eta = 0: DASGD never moves a model, so every row holds node i's start (i, -i, 2i, 0.5).
        values = [v for i in range(4) for v in (i, -i, 2 * i, 0.5)]
        config = {"graph": {"kind": "ring", "nodes": 4}, "compute": {"time": 1.0}, "link": {"latency": 0.1},
                  "objective": {"kind": "quadratic", "dimension": 4}, "initial_models": {"values": values},
                  "algorithm": {"name": "dasgd", "eta": 0}, "stop": {"gradients_per_node": 5},
                  "record": {"every_gradients": 4, "models": {"nodes": [2, 1], "coordinates": [2],
                                                              "project": [[1, 1, 1, 1]]}}}
        with tempfile.TemporaryDirectory() as directory:
            r = dasgd.run(config, output=os.path.join(directory, "run"))
            self.assertModelsAreTheStarts(r, os.path.join(directory, "run", "models.csv"))

    def assertModelsAreTheStarts(self, r, path):
        m = r.models
        self.assertEqual(list(m), ["time", "gradients", "node", "x2", "p0"])
        self.assertEqual(len(m["node"]), 2 * len(r.metrics["time"]))
        numpy.testing.assert_array_equal(m["node"], numpy.tile([2, 1], len(r.metrics["time"])))
        numpy.testing.assert_array_equal(m["time"], numpy.repeat(r.metrics["time"], 2))
        numpy.testing.assert_array_equal(m["x2"], 2.0 * m["node"])
        numpy.testing.assert_array_equal(m["p0"], 2.0 * m["node"] + 0.5)  # i - i + 2i + 0.5
        self.assertTableMatchesCsv(m, path)


class TracesAreTheClis(unittest.TestCase):
    SETS = {"stop.time": 10, "record.trace": {"nodes": [0, 1, 2]}}

    def test_run_with_output_writes_the_cli_trace_byte_for_byte(self):
        with tempfile.TemporaryDirectory() as directory:
            done = cli("run", QUICKSTART, "--set", "stop.time=10", "--set", 'record.trace={"nodes":[0,1,2]}',
                       "--out", os.path.join(directory, "cli"), "--quiet")
            self.assertEqual(done.returncode, 0, done.stderr)
            dasgd.run(QUICKSTART, set=self.SETS, output=os.path.join(directory, "py"))
            with open(os.path.join(directory, "cli", "trace.json"), "rb") as a, \
                    open(os.path.join(directory, "py", "trace.json"), "rb") as b:
                cli_bytes, py_bytes = a.read(), b.read()
        self.assertEqual(py_bytes, cli_bytes)
        events = json.loads(py_bytes)["traceEvents"]
        self.assertTrue(any(e.get("ph") == "X" for e in events))  # compute spans are there

    def test_compare_with_output_writes_one_trace_per_algorithm(self):
        config = os.path.join(SOURCE, "configs", "compare", "family_ring.json")
        with tempfile.TemporaryDirectory() as directory:
            c = dasgd.compare(config, set={"stop.time": 5, "record.trace": True}, output=os.path.join(directory, "c"))
            for label, status in c.statuses.items():
                path = os.path.join(directory, "c", label, "trace.json")
                self.assertEqual(os.path.exists(path), status == "completed", label)

    def test_a_trace_without_output_is_refused_at_record_trace_before_anything_runs(self):
        for call in (dasgd.run, dasgd.compare):
            config = QUICKSTART if call is dasgd.run else os.path.join(SOURCE, "configs", "compare", "family_ring.json")
            with self.assertRaises(dasgd.ConfigError) as caught:
                call(config, set=self.SETS)
            self.assertEqual(caught.exception.path, "/record/trace")


if __name__ == "__main__":
    unittest.main()
