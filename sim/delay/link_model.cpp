// Link model: per-message latency draws with per-edge overrides, and the bandwidth term
// (config → world → run).
#include "sim/delay/link_model.hpp"

#include <cmath>
#include <limits>
#include <sstream>

namespace dasgd {
namespace {

std::string number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

}  // namespace

std::optional<std::string> invalid_reason(const LinkModelSpec& spec) {
  if (auto reason = invalid_reason(spec.latency)) return "latency: " + *reason;
  if (spec.bandwidth && !(std::isfinite(*spec.bandwidth) && *spec.bandwidth > 0.0))
    return "bandwidth: expected bytes per second > 0, got " + number(*spec.bandwidth);
  return std::nullopt;
}

std::optional<std::string> invalid_reason(const EdgeAttributes& attributes) {
  if (attributes.latency && !(std::isfinite(*attributes.latency) && *attributes.latency >= 0.0))
    return "latency: expected seconds >= 0, got " + number(*attributes.latency);
  if (attributes.bandwidth &&
      !(std::isfinite(*attributes.bandwidth) && *attributes.bandwidth > 0.0))
    return "bandwidth: expected bytes per second > 0, got " + number(*attributes.bandwidth);
  return std::nullopt;
}

double latency_draw(const LinkModelSpec& spec, const EdgeAttributes& edge, std::uint64_t key) {
  if (!edge.latency) {
    if (const auto* constant = std::get_if<law::Constant>(&spec.latency)) return constant->value;
    Rng rng(key);
    return sample(spec.latency, rng);
  }
  // Rescale to the edge's mean, keeping the law's shape (its coefficient of variation).
  const double law_mean = mean(spec.latency);
  if (is_deterministic(spec.latency) || law_mean <= 0.0) return *edge.latency;
  Rng rng(key);
  return sample(spec.latency, rng) * (*edge.latency / law_mean);
}

double effective_bandwidth(const LinkModelSpec& spec, const EdgeAttributes& edge) {
  if (edge.bandwidth) return *edge.bandwidth;
  if (spec.bandwidth) return *spec.bandwidth;
  return std::numeric_limits<double>::infinity();
}

double transfer_time(const LinkModelSpec& spec, const EdgeAttributes& edge, double bytes,
                     std::uint64_t key) {
  const double latency = latency_draw(spec, edge, key);
  const double bandwidth = effective_bandwidth(spec, edge);
  return std::isinf(bandwidth) ? latency : latency + bytes / bandwidth;
}

}  // namespace dasgd
