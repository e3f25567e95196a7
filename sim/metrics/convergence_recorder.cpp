// Convergence samples; see convergence_recorder.hpp.
#include "sim/metrics/convergence_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dasgd {

bool ConvergenceSample::finite() const noexcept {
  return std::isfinite(f_average) && std::isfinite(grad_sq_average) && std::isfinite(consensus) &&
         (!has_node_stats || (std::isfinite(f_max) && std::isfinite(grad_sq_max)));
}

ConvergenceRecorder::ConvergenceRecorder(const Objective& objective, bool node_stats)
    : objective_(&objective),
      node_stats_(node_stats),
      average_(objective.dimension()),
      scratch_(objective.dimension()) {}

const ConvergenceSample& ConvergenceRecorder::sample(const Algorithm& algorithm, SimTime time,
                                                     std::uint64_t events) {
  ConvergenceSample s;
  s.time = time;
  s.events = events;
  s.gradients = algorithm.gradients_completed();
  const std::size_t n = algorithm.num_nodes();
  // One virtual model() call per node per row; the passes below read the columns through Maps
  // (the same Eigen expressions, so the same sums, as on the Refs).
  columns_.resize(n);
  for (NodeId i = 0; i < n; ++i) columns_[i] = algorithm.model(i).data();
  const Eigen::Index d = average_.size();
  using Column = Eigen::Map<const Vector>;
  // Sums in node order: deterministic.
  average_.setZero();
  for (NodeId i = 0; i < n; ++i) average_ += Column(columns_[i], d);
  average_ /= static_cast<double>(n);
  s.f_average = objective_->value(average_);
  objective_->gradient(average_, scratch_);
  s.grad_sq_average = scratch_.squaredNorm();
  double consensus = 0;
  for (NodeId i = 0; i < n; ++i) consensus += (Column(columns_[i], d) - average_).squaredNorm();
  s.consensus = consensus / static_cast<double>(n);
  if (node_stats_) {
    s.has_node_stats = true;
    s.f_min = s.grad_sq_min = std::numeric_limits<double>::infinity();
    s.f_max = s.grad_sq_max = -std::numeric_limits<double>::infinity();
    double f_sum = 0, g_sum = 0;
    for (NodeId i = 0; i < n; ++i) {
      const Column x(columns_[i], d);
      const double f = objective_->value(x);
      objective_->gradient(x, scratch_);
      const double g = scratch_.squaredNorm();
      f_sum += f;
      g_sum += g;
      s.f_min = std::min(s.f_min, f);
      s.f_max = std::max(s.f_max, f);
      s.grad_sq_min = std::min(s.grad_sq_min, g);
      s.grad_sq_max = std::max(s.grad_sq_max, g);
    }
    s.f_mean = f_sum / static_cast<double>(n);
    s.grad_sq_mean = g_sum / static_cast<double>(n);
  }
  const TrafficCounters& traffic = algorithm.traffic();
  s.messages = traffic.messages;
  s.bytes = traffic.bytes;
  s.deliveries = traffic.deliveries;
  samples_.push_back(s);
  return samples_.back();
}

}  // namespace dasgd
