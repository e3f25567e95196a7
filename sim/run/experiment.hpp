// One run from a validated config (config → world → run → metrics): builds the world (graph,
// objective, delay models), attaches the metrics, drives the engine until the stopping rule, and
// returns the RunResult (sim/result/run_result.hpp) that the output layer writes. Deterministic: same config, same results.
#pragma once

#include <cstddef>
#include <functional>

#include "sim/algorithms/algorithm.hpp"
#include "sim/config/run_config.hpp"
#include "sim/metrics/gradient_recorder.hpp"
#include "sim/result/run_result.hpp"

namespace dasgd {

struct RunOptions {
  bool progress = false;  // progress bar on stderr (only shown on a terminal)
  // With record.per_gradient: each gradients.csv row goes here as it is made (a streaming
  // writer) instead of into the recorder's log.
  std::function<void(const GradientLogRow&)> gradient_log;
  // Wraps the run's gradient observer once the world is built (record.trace's writer): called with
  // the observer the algorithm would report to (null when record.staleness is false) and the node
  // count; the algorithm reports to the observer it returns.
  std::function<GradientObserver*(GradientObserver* observer, std::size_t nodes)> observe;
};

// Throws std::invalid_argument / std::runtime_error for a world that cannot be built (bad graph
// file, bad trace): the CLI reports them as config errors.
RunResult run_experiment(const RunConfig& config, const RunOptions& options = {});

}  // namespace dasgd
