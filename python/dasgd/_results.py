"""What dasgd.run, dasgd.compare and dasgd.sweep return: dicts of numpy arrays, one per CSV file the
CLI writes, with the same columns and the same numbers."""

_PANDAS_HINT = ("pandas is not installed (Debian: apt-get install python3-pandas); the tables are "
                "dicts of numpy arrays, so pandas.DataFrame(result.metrics) is all to_pandas() does")


def _frames(tables, name):
    try:
        import pandas
    except ImportError as error:
        raise ImportError(f"dasgd: to_pandas() needs pandas: {_PANDAS_HINT}") from error
    if name is not None:
        return pandas.DataFrame(tables[name])
    return {key: pandas.DataFrame(value) for key, value in tables.items()}


class RunResult:
    """One run. ``summary`` and ``config`` are dicts (summary.json, config.json); ``metrics``,
    ``gradients``, ``nodes``, ``windows``, ``histogram`` and ``models`` are dicts of numpy arrays
    (metrics.csv, gradients.csv, nodes.csv, staleness_windows.csv, staleness_hist.csv, models.csv:
    empty unless record.models was set); ``tables`` holds them all by file name. ``status`` is "completed", "diverged" or "interrupted"; ``directory`` is where
    the files went ("" when none were written)."""

    def __init__(self, raw, label=None):
        self.label = label
        self.summary = raw["summary"]
        self.config = raw["config"]
        self.status = raw["status"]
        self.directory = raw.get("directory", "")
        self.wall_seconds = raw.get("wall_seconds")
        self.tables = {name[:-4]: value for name, value in raw["tables"].items()}
        self.metrics = self.tables.get("metrics", {})
        self.gradients = self.tables.get("gradients", {})
        self.nodes = self.tables.get("nodes", {})
        self.windows = self.tables.get("staleness_windows", {})
        self.histogram = self.tables.get("staleness_hist", {})
        self.models = self.tables.get("models", {})

    def to_pandas(self, name=None):
        """One table as a DataFrame ("metrics", "gradients", "nodes", "staleness_windows",
        "staleness_hist", "models"), or all of them in a dict. ImportError when pandas is missing."""
        return _frames(self.tables, name)

    def __repr__(self):
        run = self.summary.get("run", {})
        return (f"<dasgd.RunResult {self.summary.get('name')!r} {self.summary.get('algorithm')} "
                f"{self.status}: {run.get('gradients')} gradients, t = {run.get('end_time')} s>")


class CompareResult:
    """Several algorithms on one world. ``runs`` maps each label to its RunResult (None for an
    algorithm that failed: ``statuses`` and ``reasons`` say why); ``summary``, ``metrics``,
    ``staleness`` and ``figures`` are comparison_summary.csv, comparison.csv,
    comparison_staleness.csv and comparison_figures.csv as dicts of numpy arrays."""

    def __init__(self, raw):
        self.runs = {}
        self.statuses = {}
        self.reasons = {}
        for run in raw["runs"]:
            label = run["label"]
            self.statuses[label] = run["status"]
            self.reasons[label] = run["reason"]
            self.runs[label] = None if run["summary"] is None else RunResult(
                {**run, "directory": ""}, label=label)
        self.directory = raw["directory"]
        self.tables = {name[:-4]: value for name, value in raw["tables"].items()}
        self.metrics = self.tables["comparison"]
        self.summary = self.tables["comparison_summary"]
        self.staleness = self.tables["comparison_staleness"]
        self.figures = self.tables["comparison_figures"]

    def to_pandas(self, name=None):
        return _frames(self.tables, name)

    def __repr__(self):
        return f"<dasgd.CompareResult {self.statuses}>"


class SweepResult:
    """A sweep: ``results`` is results.csv (one row per point, point order), ``timing`` timing.csv,
    both dicts of numpy arrays."""

    def __init__(self, raw):
        self.directory = raw["directory"]
        self.points = raw["points"]
        self.tables = {name[:-4]: value for name, value in raw["tables"].items()}
        self.results = self.tables["results"]
        self.timing = self.tables["timing"]

    def to_pandas(self, name="results"):
        return _frames(self.tables, name)

    def __repr__(self):
        return f"<dasgd.SweepResult {self.points} points>"
