#!/bin/sh
# Predicted against measured steady-state S_avg over the shipped 160-point sweep
# (configs/sweeps/predict_accuracy.json): runs it, draws docs/images/predict_accuracy.png and prints
# the accuracy table of docs/PREDICT.md. Exit 1 when a point labelled exact (in the mean) is more
# than 2 % off. About 3 minutes on 2 cores. Usage: bench/predict_accuracy.sh [BUILD_DIR] [JOBS]
set -eu
build=${1:-build}
jobs=${2:-2}
out=runs/sweeps/predict_accuracy
"$build/dasgd" sweep configs/sweeps/predict_accuracy.json -j "$jobs" -q --out "$out"
/usr/bin/python3 plots/plot_predict.py "$out/results.csv" --out docs/images/predict_accuracy.png \
  --markdown "$out/accuracy.md"
