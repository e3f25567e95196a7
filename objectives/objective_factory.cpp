// Spec → objective; see objective_factory.hpp.
#include "objectives/objective_factory.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace dasgd {

const std::vector<std::string>& objective_kinds() {
  static const std::vector<std::string> kinds = {"separable_cosine", "quadratic",
                                                 "nonconvex_logistic", "two_layer_network",
                                                 "welsch_regression"};
  return kinds;
}

bool is_finite_sum(const std::string& kind) {
  return kind == "nonconvex_logistic" || kind == "two_layer_network" ||
         kind == "welsch_regression";
}

std::unique_ptr<Objective> make_objective(const ObjectiveSpec& spec, std::size_t num_nodes,
                                          std::uint64_t seed) {
  if (spec.build) {
    if (num_nodes == 0 || num_nodes > std::numeric_limits<std::uint32_t>::max())
      throw std::invalid_argument("objective: expected 1 to 2^32 - 1 nodes, got " + std::to_string(num_nodes));
    std::unique_ptr<Objective> objective = spec.build(num_nodes, seed);
    if (!objective || objective->dimension() != spec.dimension)
      throw std::invalid_argument("objective " + spec.kind + ": its build function returned " +
                                  (objective ? "dimension " + std::to_string(objective->dimension()) : std::string("nothing")) +
                                  ", expected dimension " + std::to_string(spec.dimension));
    return objective;
  }
  const auto& kinds = objective_kinds();
  if (std::find(kinds.begin(), kinds.end(), spec.kind) == kinds.end())
    throw std::invalid_argument("objective: expected kind separable_cosine, quadratic, "
                                "nonconvex_logistic, two_layer_network or welsch_regression, got \"" +
                                spec.kind + "\"");
  if (num_nodes == 0 || num_nodes > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("objective: expected 1 to 2^32 - 1 nodes, got " +
                                std::to_string(num_nodes));
  if (spec.dimension <= 0)
    throw std::invalid_argument("objective: expected dimension >= 1, got " +
                                std::to_string(spec.dimension));
  const auto nodes = static_cast<std::uint32_t>(num_nodes);
  if (!is_finite_sum(spec.kind)) {
    if (spec.noise.kind != NoiseKind::gaussian)
      throw std::invalid_argument(
          "objective " + spec.kind +
          ": expected gaussian noise (minibatch noise needs a finite-sum objective: "
          "nonconvex_logistic, two_layer_network, welsch_regression), got minibatch");
    NodeShifts shifts;
    if (spec.heterogeneous) shifts = NodeShifts(nodes, spec.dimension, spec.heterogeneity, seed);
    if (spec.kind == "separable_cosine")
      return std::make_unique<SeparableCosine>(spec.dimension, spec.separable_cosine,
                                               spec.noise.sigma2, std::move(shifts));
    return std::make_unique<Quadratic>(spec.dimension, spec.quadratic, spec.noise.sigma2, seed,
                                       std::move(shifts));
  }
  if (spec.kind == "nonconvex_logistic")
    return std::make_unique<NonconvexLogistic>(spec.dimension, spec.samples,
                                               spec.nonconvex_logistic, spec.noise, nodes,
                                               spec.heterogeneous, seed);
  if (spec.kind == "two_layer_network")
    return std::make_unique<TwoLayerNetwork>(spec.dimension, spec.samples, spec.two_layer_network,
                                             spec.noise, nodes, spec.heterogeneous, seed);
  return std::make_unique<WelschRegression>(spec.dimension, spec.samples, spec.welsch_regression,
                                            spec.noise, nodes, spec.heterogeneous, seed);
}

std::unique_ptr<Objective> make_objective(const ObjectiveSpec& spec, std::uint64_t seed) {
  return make_objective(spec, spec.num_nodes, seed);
}

}  // namespace dasgd
