"""Runs a notebook's code cells in order in one namespace, without Jupyter (CTest:
Python.ExampleNotebookCellsRun), and prints the S_avg and S_max it found, like the script."""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")

notebook = sys.argv[1]
os.chdir(os.path.dirname(os.path.abspath(notebook)))
with open(notebook) as f:
    cells = [c for c in json.load(f)["cells"] if c["cell_type"] == "code"]
namespace = {}
for k, cell in enumerate(cells):
    exec(compile("".join(cell["source"]), f"{notebook} cell {k}", "exec"), namespace)
st = namespace["r"].summary["staleness"]
print(f"{len(cells)} code cells ran: S_avg = {st['S_avg']:.4g}, S_max = {st['S_max']}")
