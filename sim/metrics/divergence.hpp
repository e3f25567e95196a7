// When a run counts as diverged (run → metrics): checked at every metrics row, at the node
// average x̄ (docs/OUTCOMES.md, "Divergence").
//   1. f(x̄), ||∇f(x̄)||² or the consensus distance is NaN or infinite; or
//   2. the gap f(x̄) − f* exceeds factor × its start value f(x_0) − f* (stop.divergence_factor,
//      default 1e6). f* is the objective's known optimum; where none is known, f itself is the
//      gap (f* = 0). A start gap that is not positive (x_0 at the optimum, or f(x_0) <= 0 with
//      f* unknown) is replaced by 1, so the threshold is never 0 or negative.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/metrics/convergence_recorder.hpp"

namespace dasgd {

inline constexpr double default_divergence_factor = 1e6;

struct DivergenceRule {
  double factor = default_divergence_factor;
  double f_star = 0;         // the optimum used (0 when the objective knows none)
  bool f_star_known = false;
  double initial_gap = 1;    // f(x_0) − f*, or 1 when that is not positive
  double threshold() const noexcept { return factor * initial_gap; }  // gap above it: diverged
  std::string describe() const;  // the rule as one line, with its numbers
};

DivergenceRule make_divergence_rule(double factor, std::optional<double> f_star, double initial_f);

// Where and why a run diverged.
struct DivergenceEvent {
  std::string reason;  // "not finite: f(x_avg) = inf" or "f(x_avg) - f* = 3e9 > 1e6 x 2.5 (start gap)"
  double time = 0;
  std::uint64_t gradients = 0;
  double f_average = 0;
  double grad_sq_average = 0;
};

// The event when `sample` breaks the rule, else nothing.
std::optional<DivergenceEvent> check_divergence(const DivergenceRule& rule, const ConvergenceSample& sample);

}  // namespace dasgd
