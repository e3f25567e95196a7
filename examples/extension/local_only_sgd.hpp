// The extension's algorithm: every node runs plain SGD on its own model, x_i ← x_i − η g_i, and
// never communicates (a lower baseline: what the network buys). Built on the simulator's shared
// wait-free compute loop (NodeComputations), so gradients are numbered and observed exactly as for
// the built-in asynchronous algorithms; each gradient is applied once, by its own node.
#pragma once

#include <dasgd/sim/algorithms/node_computations.hpp>

namespace extension {

struct LocalOnlySgdParams {
  double eta = 0.01;
};

class LocalOnlySgd final : public dasgd::Algorithm {
 public:
  LocalOnlySgd(const dasgd::World& world, const LocalOnlySgdParams& params, dasgd::GradientObserver* observer);
  std::string name() const override { return "local_only_sgd"; }
  void start(dasgd::Simulator& simulator) override;
  void stop_computing() override { computations_.stop(); }
  void handle(dasgd::Simulator& simulator, const dasgd::Event& event) override;
  std::size_t num_nodes() const override { return static_cast<std::size_t>(models_.cols()); }
  dasgd::ConstVectorRef model(dasgd::NodeId node) const override { return models_.col(node); }
  std::uint64_t gradients_completed() const override { return computations_.completed(); }
  std::uint64_t gradients_of(dasgd::NodeId node) const override { return computations_.completed_by(node); }
  const dasgd::TrafficCounters& traffic() const override { return traffic_; }
  double virtual_step() const override { return eta_; }

 private:
  double eta_;
  dasgd::GradientObserver* observer_;
  dasgd::NodeComputations computations_;
  Eigen::MatrixXd models_;
  dasgd::TrafficCounters traffic_;
};

// Adds "local_only_sgd" to the algorithm registry.
void register_local_only_sgd();

}  // namespace extension
