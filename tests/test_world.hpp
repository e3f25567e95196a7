// Test-only: a small world (graph, objective, delay models) and a driver that runs an algorithm
// with a GradientRecorder attached, so algorithm tests state only what they check.
#pragma once

#include <memory>
#include <stdexcept>
#include <utility>

#include "objectives/objective_factory.hpp"
#include "sim/algorithms/algorithm.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/network.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/metrics/gradient_recorder.hpp"
#include "topologies/generators.hpp"

namespace dasgd::testing {

struct TestWorld {
  Topology topology;
  std::unique_ptr<Objective> objective;
  std::unique_ptr<ComputeModel> compute;
  std::unique_ptr<Network> network;
  World world;
};

// Separable-cosine objective of dimension d with Gaussian noise σ² (0: exact gradients).
inline ObjectiveSpec cosine_objective(Eigen::Index d, double sigma2) {
  ObjectiveSpec spec;
  spec.kind = "separable_cosine";
  spec.dimension = d;
  spec.noise.kind = NoiseKind::gaussian;
  spec.noise.sigma2 = sigma2;
  return spec;
}

inline ComputeModelSpec compute_law(Distribution law) {
  ComputeModelSpec spec;
  spec.base = law;
  return spec;
}

inline LinkModelSpec link_law(Distribution law) {
  LinkModelSpec spec;
  spec.latency = law;
  return spec;
}

inline std::unique_ptr<TestWorld> make_world(Topology topology, const ObjectiveSpec& objective,
                                             const ComputeModelSpec& compute, const LinkModelSpec& link,
                                             std::uint64_t seed = 1) {
  auto w = std::make_unique<TestWorld>();
  w->topology = std::move(topology);
  const std::size_t n = w->topology.num_nodes();
  w->objective = make_objective(objective, n, seed);
  w->compute = std::make_unique<ComputeModel>(compute, n, seed);
  w->network = std::make_unique<Network>(w->topology, link, seed);
  w->world.topology = &w->topology;
  w->world.objective = w->objective.get();
  w->world.compute = w->compute.get();
  w->world.network = w->network.get();
  w->world.streams = RandomStreams(seed);
  return w;
}

inline std::unique_ptr<GradientRecorder> make_recorder(const TestWorld& w, double eta, bool deliveries = true) {
  GradientRecorderOptions options;
  options.eta = eta;
  options.epsilon = 1e-3;
  options.staleness.track_deliveries = deliveries;
  return std::make_unique<GradientRecorder>(*w.objective, w.topology.num_nodes(), options);
}

// Plain SGD on node 0's stochastic gradients (its Stream::gradient_noise, in order) from x_0: what
// every algorithm must reproduce step for step on one node.
inline Vector plain_sgd(const TestWorld& w, double eta, int steps) {
  Vector x = w.objective->initial_point();
  Vector g(x.size());
  Rng noise = w.world.streams.stream(Stream::gradient_noise, 0);
  for (int k = 0; k < steps; ++k) {
    w.objective->stochastic_gradient(0, x, noise, g);
    x -= eta * g;
  }
  return x;
}

// Runs until `gradients` gradients have completed (or the queue empties / time `t_end` passes).
inline void run_gradients(Algorithm& algorithm, Simulator& simulator, std::uint64_t gradients,
                          SimTime t_end = INFINITY) {
  algorithm.start(simulator);
  simulator.run_while(algorithm, [&] { return algorithm.gradients_completed() < gradients; }, t_end);
}

// Runs a synchronous algorithm (anything with rounds_completed()) for exactly `rounds` rounds;
// throws (failing the calling test) if the run ends before.
template <typename RoundBased>
void run_rounds(RoundBased& algorithm, Simulator& simulator, std::uint64_t rounds) {
  algorithm.start(simulator);
  simulator.run_while(algorithm, [&] { return algorithm.rounds_completed() < rounds; });
  if (algorithm.rounds_completed() != rounds)
    throw std::logic_error("run_rounds: the run ended after " + std::to_string(algorithm.rounds_completed()) +
                           " of " + std::to_string(rounds) + " rounds");
}

}  // namespace dasgd::testing
