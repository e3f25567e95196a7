"""dasgd-sim from Python: the simulator's runs, comparisons, sweeps and graph reports as dicts of
numpy arrays, in memory, with the same validation, numbers and (optionally) files as the CLI.

    import dasgd
    r = dasgd.run("configs/quickstart.json", set={"graph.nodes": 64})
    r.summary["staleness"]["S_avg"]        # summary.json as a dict
    r.metrics["grad_sq_average_model"]     # metrics.csv column as a numpy array

A config is a dict, a JSON string, or a path to a JSON file. ``set`` is ``--set``: a dict of
dotted paths (or JSON pointers) to values, applied in order to the document before it is
validated. ``output`` writes the CLI's files into that directory, under the CLI's rules (claimed
before the run, swapped in whole, ``force`` = ``--force``); by default nothing is written.
A refused config raises ConfigError (JSON path + the CLI's message). The C++ work runs without
the GIL, so other Python threads keep running. Ctrl-C during a call from the main thread stops
the run at the next event and raises RunInterrupted (a KeyboardInterrupt) whose ``result`` holds
the run so far (status "interrupted"; its files written when ``output`` was given).
"""

import json as _json
import os as _os
import threading as _threading

from ._errors import ConfigError, OutputDirectoryError, RunInterrupted
from ._results import CompareResult, RunResult, SweepResult
from . import _dasgd

__version__ = _dasgd.version
__all__ = ["run", "compare", "sweep", "graph", "predict", "ConfigError", "OutputDirectoryError", "RunInterrupted",
           "RunResult", "CompareResult", "SweepResult"]


def _source(config):
    """(path, text): a dict becomes JSON text, a str that starts with '{' is JSON text, any other
    str or os.PathLike is a file."""
    if isinstance(config, dict):
        return "", _json.dumps(config)
    if isinstance(config, (str, _os.PathLike)):
        text = _os.fspath(config)
        if text.lstrip().startswith("{"):
            return "", text
        return text, ""
    raise TypeError(f"dasgd: expected a config dict, JSON text or a path, got {type(config).__name__}")


def _overrides(set):
    """``--set`` assignments from a dict {path: value}; values are written as JSON."""
    if set is None:
        return []
    if not isinstance(set, dict):
        raise TypeError(f"dasgd: set= expects a dict of path -> value, got {type(set).__name__}")
    return [f"{path}={_json.dumps(value)}" for path, value in set.items()]


def _main_thread():
    return _threading.current_thread() is _threading.main_thread()


def _output(output):
    return "" if output is None else _os.fspath(output)


def run(config, set=None, output=None, force=False, progress=False, max_memory=""):
    """Runs one simulation; returns a RunResult. See the module docstring for the arguments."""
    path, text = _source(config)
    raw = _dasgd.run(path, text, _overrides(set), _output(output), force, progress, _main_thread(), max_memory)
    result = RunResult(raw)
    if raw["signal"]:
        raise RunInterrupted(f"dasgd: run interrupted at t = {result.summary['run']['end_time']} s "
                             f"(the run so far is in .result)", result)
    return result


def compare(config, set=None, output=None, force=False, progress=False, max_memory="",
            common_random_numbers=True):
    """Runs every algorithm of a compare file (a run config with an "algorithms" list) on the same
    world; returns a CompareResult. An algorithm that refuses the world is recorded as failed and
    the others still run, as in ``dasgd compare``."""
    path, text = _source(config)
    raw = _dasgd.compare(path, text, _overrides(set), _output(output), force, progress, _main_thread(),
                         max_memory, common_random_numbers)
    result = CompareResult(raw)
    if raw["signal"]:
        raise RunInterrupted("dasgd: comparison interrupted (the results so far are in .result)", result)
    return result


def sweep(spec, set=None, output=None, jobs=1):
    """Runs every point of a sweep (a sweep file, or its dict); returns a SweepResult. ``jobs``
    points run at a time in threads (results do not depend on it). With ``output`` the sweep is
    the CLI's: one record per point in output/points/, resumed when run again, results.csv
    merged; without it nothing is written."""
    path, text = _source(spec)
    raw = _dasgd.sweep(path, text, _overrides(set), _output(output), _main_thread(), int(jobs))
    if raw["signal"]:
        where = f"; the recorded points stay in {raw['directory']} and run again on resume" if raw["directory"] else ""
        raise RunInterrupted(f"dasgd: sweep interrupted{where}")
    if raw["missing"]:
        raise RuntimeError(f"dasgd: sweep: {raw['missing']} of {raw['points']} points have no record "
                           f"(transient failures); run it again to retry them")
    return SweepResult(raw)


def graph(config, set=None, seed=None):
    """The report of ``dasgd graph``: nodes, edges, degrees, diameter and the spectral gaps of both
    mixing rules, as a dict (``text`` is what the CLI prints). ``config`` is a run config (its
    "graph" section) or a graph section such as {"kind": "torus", "rows": 8, "cols": 8}. Random
    kinds draw from ``seed``: by default the run config's seed, else 1."""
    path, text = _source(config)
    return _dasgd.graph(path, text, _overrides(set), seed)


def predict(config, set=None):
    """What ``dasgd predict --json`` prints, as a dict: the closed-form staleness per node and
    overall with its validity labels, the law of S_t where tabulated, and the bounds evaluated
    ahead of the run (docs/PREDICT.md). Nothing runs. A refused config raises ConfigError."""
    path, text = _source(config)
    return _dasgd.predict(path, text, _overrides(set))
