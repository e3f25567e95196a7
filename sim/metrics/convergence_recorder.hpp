// Convergence over time (run → metrics): at each recording instant, f and ‖∇f‖² at the node
// average x̄, per-node min/mean/max of f(x_i) and ‖∇f(x_i)‖², the consensus distance
// (1/n) Σ‖x_i − x̄‖², and the traffic so far. Reads the algorithm's models; changes nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "objectives/objective.hpp"
#include "sim/algorithms/algorithm.hpp"

namespace dasgd {

struct ConvergenceSample {
  SimTime time = 0;
  std::uint64_t gradients = 0;
  std::uint64_t events = 0;
  double f_average = 0;          // f(x̄)
  double grad_sq_average = 0;    // ‖∇f(x̄)‖²
  double consensus = 0;          // (1/n) Σ‖x_i − x̄‖²
  bool has_node_stats = false;
  double f_min = 0, f_mean = 0, f_max = 0;
  double grad_sq_min = 0, grad_sq_mean = 0, grad_sq_max = 0;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t deliveries = 0;
  // Anything NaN or infinite: the run diverged.
  bool finite() const noexcept;
};

class ConvergenceRecorder {
 public:
  ConvergenceRecorder(const Objective& objective, bool node_stats);
  // Takes a sample of the algorithm's current state and appends it to samples().
  const ConvergenceSample& sample(const Algorithm& algorithm, SimTime time, std::uint64_t events);
  const std::vector<ConvergenceSample>& samples() const noexcept { return samples_; }
  // The node average of the last sample.
  const Vector& average_model() const noexcept { return average_; }

 private:
  const Objective* objective_;
  bool node_stats_;
  Vector average_;
  Vector scratch_;
  std::vector<const double*> columns_;  // the models' data, fetched once per row
  std::vector<ConvergenceSample> samples_;
};

}  // namespace dasgd
