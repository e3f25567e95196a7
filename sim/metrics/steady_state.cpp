// Steady-state staleness; see steady_state.hpp.
#include "sim/metrics/steady_state.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace dasgd {

SteadyState steady_state(const StalenessStatistics& statistics, double end_time, double slowest_mean_compute_time) {
  SteadyState out;
  out.window_width = statistics.options().window_width;
  const double wanted = std::max(warmup_fraction * end_time, warmup_compute_times * slowest_mean_compute_time);
  out.warmup = out.window_width > 0 ? std::ceil(wanted / out.window_width) * out.window_width : wanted;
  std::ostringstream rule;
  rule << "gradients completed at or after W = max(" << warmup_fraction << " x end time, " << warmup_compute_times
       << " x the slowest node's mean compute time) = max(" << warmup_fraction * end_time << ", "
       << warmup_compute_times * slowest_mean_compute_time << ") s, rounded up to a staleness window boundary ("
       << out.window_width << " s): W = " << out.warmup << " s";
  out.rule = rule.str();
  std::uint64_t sum_s = 0, sum_s_hat = 0;
  for (const GradientWindow& w : statistics.gradient_windows()) {
    if (w.begin < out.warmup * (1 - 1e-12)) continue;
    out.count += w.count;
    sum_s += w.sum_s;
    sum_s_hat += w.sum_s_hat;
    out.s_max = std::max(out.s_max, w.max_s);
    out.s_hat_max = std::max(out.s_hat_max, w.max_s_hat);
  }
  if (out.count > 0) {
    out.s_avg = static_cast<double>(sum_s) / static_cast<double>(out.count);
    out.s_hat_avg = static_cast<double>(sum_s_hat) / static_cast<double>(out.count);
  }
  return out;
}

}  // namespace dasgd
