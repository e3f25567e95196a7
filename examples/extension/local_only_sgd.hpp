// The extension's algorithm: every node runs plain SGD on its own model, x_i ← x_i − η g_i, and
// never communicates (a lower baseline: what the network buys). Built on WaitFreeAlgorithm, the
// set-up the simulator's asynchronous algorithms share (one model per node from the world's initial
// models, the wait-free compute loop, the accessors), so gradients are numbered and observed exactly
// as for the built-ins; each gradient is applied once, by its own node.
#pragma once

#include <dasgd/sim/algorithms/asynchronous_algorithm.hpp>

namespace extension {

struct LocalOnlySgdParams {
  double eta = 0.01;
};

class LocalOnlySgd final : public dasgd::WaitFreeAlgorithm {
 public:
  LocalOnlySgd(const dasgd::World& world, const LocalOnlySgdParams& params, dasgd::GradientObserver* observer);
  std::string name() const override { return "local_only_sgd"; }
  void start(dasgd::Simulator& simulator) override;
  void handle(dasgd::Simulator& simulator, const dasgd::Event& event) override;
  double virtual_step() const override { return eta_; }

 private:
  double eta_;
};

// Adds "local_only_sgd" to the algorithm registry.
void register_local_only_sgd();

}  // namespace extension
