// ObjectiveSpec (what a config asks for) and make_objective (the world it builds): the bridge from
// config to the objectives layer. sim/config/objective_config.hpp fills a spec from JSON; the run
// builds one Objective per run from it, with the graph's node count and the run's master seed.
#pragma once

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "objectives/gradient_noise.hpp"
#include "objectives/nonconvex_logistic.hpp"
#include "objectives/objective.hpp"
#include "objectives/quadratic.hpp"
#include "objectives/separable_cosine.hpp"
#include "objectives/two_layer_network.hpp"
#include "objectives/welsch_regression.hpp"

namespace dasgd {

struct ObjectiveSpec {
  std::string kind = "separable_cosine";  // one of objective_kinds()
  Eigen::Index dimension = 10;
  NoiseSpec noise;                // gaussian (sigma2) or minibatch (batch_size; finite sums only)
  std::uint64_t samples = 1000;   // N, finite-sum kinds only
  bool heterogeneous = false;     // node i samples its own f_i
  double heterogeneity = 1.0;     // ζ² of the node shifts (separable_cosine, quadratic)
  std::uint32_t num_nodes = 1;    // set by the caller (the graph's size), not read from JSON

  // Per-kind parameters; only the one named by `kind` is used.
  SeparableCosineParameters separable_cosine;
  QuadraticParameters quadratic;
  NonconvexLogisticParameters nonconvex_logistic;
  TwoLayerNetworkParameters two_layer_network;
  WelschRegressionParameters welsch_regression;

  // A registered objective (sim/config/objective_config.hpp, register_objective): builds it for the
  // graph's node count and the run's seed; the per-kind fields above are then unused.
  std::function<std::unique_ptr<Objective>(std::size_t num_nodes, std::uint64_t seed)> build;
};

// "separable_cosine", "quadratic", "nonconvex_logistic", "two_layer_network", "welsch_regression".
const std::vector<std::string>& objective_kinds();
// Kinds that are finite sums over samples (they accept minibatch noise and read `samples`).
bool is_finite_sum(const std::string& kind);

// Builds the objective (spec.build's when set); all fixed randomness (data, rotations, shifts, x_0) comes from `seed`'s
// initialisation stream, so the same (spec, num_nodes, seed) gives the same objective.
// Throws std::invalid_argument for an unknown kind, minibatch noise on a closed-form kind, or any
// parameter the objective rejects.
std::unique_ptr<Objective> make_objective(const ObjectiveSpec& spec, std::size_t num_nodes,
                                          std::uint64_t seed);
// The same with spec.num_nodes.
std::unique_ptr<Objective> make_objective(const ObjectiveSpec& spec, std::uint64_t seed);

}  // namespace dasgd
