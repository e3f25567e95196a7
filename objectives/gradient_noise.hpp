// The additive Gaussian gradient noise every objective offers (world layer: objectives/).
// ζ ~ N(0, σ²/d · I), so E‖ζ‖² = σ² exactly, as the spec's "Setting" asks for an exact σ².
#pragma once

#include <cmath>
#include <cstdint>

#include "objectives/objective.hpp"
#include "sim/random/rng.hpp"
#include "sim/random/ziggurat.hpp"

namespace dasgd {

// How a stochastic gradient is formed (see NoiseKind in objective.hpp): Gaussian with total variance
// sigma2, or a minibatch of batch_size samples drawn with replacement from the node's finite sum.
struct NoiseSpec {
  NoiseKind kind = NoiseKind::gaussian;
  double sigma2 = 0.0;            // gaussian only
  std::uint64_t batch_size = 1;   // minibatch only
};

// out += ζ with ζ_j ~ N(0, σ²/d) independently; d ziggurat normals from `rng` in coordinate order
// (sim/random/ziggurat.hpp: about one Rng output per coordinate), no allocation.
// The standard deviation per coordinate, sqrt(σ²/d).
inline double gaussian_noise_scale(double sigma2, Eigen::Index dimension) {
  return std::sqrt(sigma2 / static_cast<double>(dimension));
}

inline void add_gaussian_noise(double sigma2, Rng& rng, VectorRef out) {
  if (sigma2 <= 0.0) return;
  const double scale = gaussian_noise_scale(sigma2, out.size());
  double* data = out.data();
  const Eigen::Index d = out.size();
  for_each_normal(rng, d, [&](std::int64_t j, double z) { data[j] += scale * z; });
}

// Where objectives draw their own fixed randomness (synthetic data, rotations, x_0): the
// initialisation stream, under this tag, so an objective's draws never collide with the initial
// model draws of other components. The second index names the purpose (below).
inline constexpr std::uint64_t kObjectiveStreamTag = 0x0b1ec7;
enum class ObjectiveDraw : std::uint64_t {
  features = 1,
  targets = 2,
  teacher = 3,
  node_shifts = 4,
  initial_point = 5,
  rotation = 6,
  minimiser = 7,
  power_iteration = 8,
};

inline Rng objective_stream(std::uint64_t seed, ObjectiveDraw purpose) {
  return RandomStreams(seed).stream(Stream::initialisation, kObjectiveStreamTag,
                                    static_cast<std::uint64_t>(purpose));
}

}  // namespace dasgd
