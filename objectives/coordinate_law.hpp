// A law for the coordinates of a vector (world layer: objectives/): constant, normal or uniform,
// drawn counter-based so that coordinate k of entity e never depends on the order of draws. Used by
// per-node initial models (sim/config/initial_model_config.hpp) and the quadratic's minimiser.
#pragma once

#include <cstdint>
#include <string>

#include "sim/random/rng.hpp"

namespace dasgd {

struct CoordinateLaw {
  enum class Kind { constant, normal, uniform };
  Kind kind = Kind::normal;
  double a = 0;  // constant: the value; normal: the mean; uniform: low
  double b = 1;  // normal: the standard deviation (>= 0); uniform: high (>= low)
};

// One draw from Rng(key): constant a, a + b·N(0, 1) (Box–Muller, Rng::normal), or a + (b − a)·U[0, 1).
inline double draw(const CoordinateLaw& law, std::uint64_t key) {
  Rng rng(key);
  switch (law.kind) {
    case CoordinateLaw::Kind::constant: return law.a;
    case CoordinateLaw::Kind::normal: return law.a + law.b * rng.normal();
    case CoordinateLaw::Kind::uniform: return law.a + (law.b - law.a) * rng.uniform();
  }
  return law.a;
}

// "normal(mean 0, std 1)" and the like, for messages and docs.
std::string describe(const CoordinateLaw& law);

}  // namespace dasgd
