// Staleness in the steady state (metrics → files): S_t and Ŝ_t over the gradients completed after a
// warm-up chosen by simulated time, so that a measured mean compares like with like against the
// stationary closed forms (sim/predict). Taken from the staleness windows: exact integer sums.
#pragma once

#include <cstdint>
#include <string>

#include "sim/metrics/staleness_statistics.hpp"

namespace dasgd {

// The warm-up rule: W = max(warmup_fraction · end time, warmup_compute_times · the slowest node's
// mean compute time), rounded up to the next staleness-window boundary (windows are where the
// per-time sums live); gradients completed at or after W are the steady state.
inline constexpr double warmup_fraction = 0.1;
inline constexpr double warmup_compute_times = 10.0;

struct SteadyState {
  double warmup = 0;          // W after rounding (seconds)
  double window_width = 0;
  std::uint64_t count = 0;    // gradients completed at or after W
  double s_avg = 0, s_hat_avg = 0;
  std::uint64_t s_max = 0, s_hat_max = 0;
  std::string rule;           // the rule in words, with its numbers
};

// Needs the statistics' windows (window_width > 0). count == 0 when the run ended before W.
SteadyState steady_state(const StalenessStatistics& statistics, double end_time, double slowest_mean_compute_time);

}  // namespace dasgd
