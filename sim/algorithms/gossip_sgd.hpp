// Push-gossip SGD, the wait-free averaging baseline: after each local step x_i ← x_i − η g_i, node i
// pushes a copy of x_i to one neighbour drawn uniformly (Stream::algorithm, node i); the receiver
// replaces its model by the average of its own and the received one on arrival, x_j ← (x_j + x_i)/2
// (randomized gossip, Boyd, Ghosh, Prabhakar, Shah 2006, one-way; as a training baseline e.g.
// Jin et al. 2016, arXiv 1611.04581; Assran et al. 2019, SGP, arXiv 1811.10792, without push-sum
// weights). An event handler over the engine beside dasgd.hpp, configured by
// sim/config/asynchronous_algorithms_config.cpp.
//
// One-way averaging does not preserve the node average (only j moves, towards x_i), so x̄ drifts
// with the gossip; each merge is a convex combination, so with η = 0 no coordinate's spread
// (max − min over nodes) ever grows. virtual_step() = η/n (the averaging family's convention).
// Nobody waits: the sender starts its next gradient at once; messages carry a copy of the model
// (d·8 + header bytes) in a recycled slot of one flat pool (a d × slots matrix: no allocation per
// message once the pool has grown to the peak in flight, about 0.1·n slots for latency 0.1).
// The neighbour of node i's k-th push is drawn from the counter-keyed Rng(key(algorithm, i, k)),
// so no generator state is kept per node.
// Gradient sets (spec "Staleness"): each push is on_model_sent(i, uses = 1), merged at j on arrival.
// graph.dynamic (World::live): the neighbour is drawn among those live at the push (the same draw
// over a different list); with none live the push is skipped and counted (docs/FAULTS.md).
// Link faults (docs/FAULTS.md, "Links"): a push the link loses is accounted at once with
// on_model_dropped (figure models_lost); no gradient is ever lost for a node (S^lost = 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/node_computations.hpp"

namespace dasgd {

struct GossipSgdParams {
  double eta = 0.01;         // step size η
  double header_bytes = 32;  // message size = d·8 bytes + header
};

class GossipSgd final : public Algorithm {
 public:
  // arrival: target = receiver, payload = message slot.
  enum EventType : std::uint32_t { compute_done = 1, arrival = 2 };

  // Throws std::invalid_argument for a negative or non-finite η (η = 0, averaging alone, is
  // allowed here for tests; the config requires η > 0).
  GossipSgd(const World& world, const GossipSgdParams& params, GradientObserver* observer);

  std::string name() const override { return "gossip_sgd"; }
  void start(Simulator& simulator) override;
  StopReason run_until(Simulator& simulator, SimTime t_end, std::uint64_t max_events) override {
    return simulator.run_until_as(*this, t_end, max_events);
  }
  // No new computations; messages in flight still arrive and are merged.
  void stop_computing() override { computations_.stop(); }
  void set_gradient_budget(std::uint64_t per_node) override { computations_.set_budget(per_node, num_nodes()); }
  bool budget_spent() const override { return computations_.budget_spent(); }
  void handle(Simulator& simulator, const Event& event) override;
  // The next event's node model (and, for a completion, its computation state; for an arrival, the
  // message), so that at 10^5+ nodes the misses overlap the current event.
  void prefetch(const Event& next) const noexcept override {
    const double* x = models_.col(next.target).data();
    __builtin_prefetch(x);
    if (d_ > 8) __builtin_prefetch(x + 8);
    if (next.type == compute_done) {
      computations_.prefetch(next.target);
    } else {
      __builtin_prefetch(message_models_.data() + next.payload * static_cast<std::size_t>(d_));
    }
  }

  std::size_t num_nodes() const override { return n_; }
  ConstVectorRef model(NodeId node) const override { return models_.col(node); }
  std::uint64_t gradients_completed() const override { return computations_.completed(); }
  std::uint64_t gradients_of(NodeId node) const override { return computations_.completed_by(node); }
  const TrafficCounters& traffic() const override { return traffic_; }

  double virtual_step() const override { return params_.eta / static_cast<double>(n_); }
  std::vector<AlgorithmFigure> figures() const override;
  // Node faults (docs/FAULTS.md): a push reaching a down node is dropped (its token accounted) or held.
  void node_down(Simulator& simulator, NodeId node) override { computations_.abort(simulator, node); }
  void node_up(Simulator& simulator, NodeId node) override;
  void node_resume(Simulator& simulator, NodeId node) override {
    if (!computations_.busy(node)) begin_compute(simulator, node);
  }

  // Replaces node i's model before start() (distinct starting models for tests and warm starts).
  void set_model(NodeId node, ConstVectorRef x);
  std::uint64_t merges() const noexcept { return merges_; }
  // Mean time between a model's send and its merge at the receiver.
  double mean_model_age() const noexcept;
  std::size_t peak_messages_in_flight() const noexcept { return peak_in_flight_; }
  std::uint64_t pushes_skipped() const noexcept { return pushes_skipped_; }

 private:
  struct MessageHeader {
    SimTime sent_at = 0;
    std::uint64_t token = 0;
  };
  std::uint32_t acquire_slot();
  double* slot_model(std::uint32_t slot) noexcept {
    return message_models_.data() + static_cast<std::size_t>(slot) * static_cast<std::size_t>(d_);
  }

  void begin_compute(Simulator& simulator, NodeId node);
  void complete_compute(Simulator& simulator, NodeId node);
  void push(Simulator& simulator, NodeId node);
  void merge(Simulator& simulator, NodeId node, std::uint32_t slot);
  void arrive_while_down(const Event& event);
  void push_over_faults(Simulator& simulator, NodeId node, std::size_t k, LinkFaults& faults);

  World world_;
  GossipSgdParams params_;
  GradientObserver* observer_;
  NodeComputations computations_;  // the wait-free compute loop (gradients, noise, numbering)
  std::size_t n_;
  Eigen::Index d_;
  double message_bytes_;
  std::uint64_t choice_key_;  // purpose_key(seed, algorithm): node i's k-th neighbour draw from it

  Eigen::MatrixXd models_;     // column i: x_i

  std::vector<double> message_models_;   // slot s: d doubles from s·d (recycled slots)
  std::vector<MessageHeader> messages_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t in_flight_ = 0;
  std::size_t peak_in_flight_ = 0;

  TrafficCounters traffic_;
  std::uint64_t merges_ = 0;
  double age_sum_ = 0;
  std::uint64_t pushes_skipped_ = 0;  // graph.dynamic: no live neighbour at the push
  std::uint64_t models_lost_ = 0;  // link faults: pushes that never arrived
};

}  // namespace dasgd
