// DASGD (Tosi & Theobald, arXiv 2309.03754), as their system TensAIR runs it: wait-free local steps;
// each gradient is applied to the computing node's current model at completion, then sent to every
// other node with the version it was computed on and applied there on arrival. No barrier, no
// averaging: every model is x_0 − η Σ_{g applied} g. See ../shared/spec/dasgd.md, "DASGD".
// graph.dynamic (World::live): routes are computed on the snapshot live at the send (routing state
// is rebuilt once per snapshot, trees lazily per source), unreachable destinations are dropped and
// counted; flooding forwards over the graph live at each receipt (docs/FAULTS.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/message_pool.hpp"
#include "sim/algorithms/node_computations.hpp"
#include "sim/algorithms/routing.hpp"

namespace dasgd {

class LiveSnapshot;  // sim/faults/live_topology.hpp

// How a gradient reaches the nodes of a non-complete graph.
enum class Delivery {
  routed,      // one message per destination along a shortest path (per-hop transmissions)
  flooding,    // forward to all neighbours on first receipt; duplicates dropped
  neighbours,  // ablation: neighbours only, no relaying (staleness then grows without bound)
};

struct DasgdParams {
  double eta = 0.01;              // step size η
  std::uint64_t batch = 1;        // TensAIR's b: send the sum of every b local gradients
  Delivery delivery = Delivery::routed;
  double header_bytes = 32;       // message size = d·8 bytes + header
  // Routed delivery: walk every destination's path hop by hop even where one draw per tree arc
  // gives the same arrival law (tests compare the two; FIFO and bandwidth-limited links always walk).
  bool per_hop_routing = false;
  // Routed delivery over trees: bytes of shortest-path trees kept cached once no broadcast uses them
  // (16 bytes per node per source). Trees in use are always shared.
  std::size_t tree_cache_bytes = 0;
};

std::string to_string(Delivery delivery);

class Dasgd final : public Algorithm {
 public:
  // Event types this algorithm schedules.
  // arrival_batch: one routed message reaching several destinations at the same instant. The
  // destinations would have been consecutive events (equal time, consecutive sequence numbers, so
  // nothing can run between them); handling them in one event is the same schedule, with one queue
  // operation instead of one per destination (a broadcast on a complete graph with a constant
  // latency is one event, not n − 1).
  // routed_batch: a tick for routed tree delivery (see docs/ROUTED_DELIVERY.md): the engine holds
  // one per broadcast in flight; each one that fires runs the earliest pending routed batch.
  // copy_lost (link faults): the copy towards `target` (neighbours delivery) or one flooding copy of
  // message `payload` is gone at this instant.
  enum EventType : std::uint32_t {
    compute_done = 1, arrival = 2, arrival_batch = 3, routed_batch = 4, copy_lost = 5
  };

  Dasgd(const World& world, const DasgdParams& params, GradientObserver* observer);

  std::string name() const override { return "dasgd"; }
  void start(Simulator& simulator) override;
  void stop_computing() override { computations_.stop(); }
  void set_gradient_budget(std::uint64_t per_node) override { computations_.set_budget(per_node, num_nodes()); }
  bool budget_spent() const override { return computations_.budget_spent(); }
  void handle(Simulator& simulator, const Event& event) override;

  std::size_t num_nodes() const override { return n_; }
  ConstVectorRef model(NodeId node) const override { return models_.col(node); }
  std::uint64_t gradients_completed() const override { return computations_.completed(); }
  std::uint64_t gradients_of(NodeId node) const override { return computations_.completed_by(node); }
  const TrafficCounters& traffic() const override { return traffic_; }

  double virtual_step() const override { return params_.eta; }
  std::vector<AlgorithmFigure> figures() const override;
  // Node faults: a crash loses the gradient in progress (unsent batched gradients persist); a
  // message reaching a down node is dropped or held; recovery keep or initial (x_0).
  void node_down(Simulator& simulator, NodeId node) override { computations_.abort(simulator, node); }
  void node_up(Simulator& simulator, NodeId node) override;
  void node_resume(Simulator& simulator, NodeId node) override;

  double message_bytes() const noexcept { return message_bytes_; }
  std::size_t peak_messages_in_flight() const noexcept { return pool_.peak_in_flight(); }
  std::size_t message_pool_capacity() const noexcept { return pool_.capacity(); }
  // Routed delivery over shortest-path trees (one draw per tree arc) rather than per-hop walks.
  bool tree_routing() const noexcept { return trees_ != nullptr; }

 private:
  void begin_compute(Simulator& simulator, NodeId node);
  void complete_compute(Simulator& simulator, NodeId node);
  void send(Simulator& simulator, NodeId origin);
  void receive(Simulator& simulator, NodeId node, std::uint32_t slot, NodeId from);
  void apply_message(NodeId node, std::uint32_t slot, SimTime now);
  void schedule_arrival(Simulator& simulator, SimTime at, NodeId to, std::uint32_t slot, NodeId from);
  void finish_delivery(std::uint32_t slot, SimTime now = 0);  // now: flooding under link faults
  void receive_batch(Simulator& simulator, std::uint32_t slot, std::uint32_t batch);
  void send_over_tree(Simulator& simulator, std::uint32_t slot, NodeId origin);
  void run_routed_batch(Simulator& simulator);
  void apply_routed(NodeId node, std::uint32_t slot, SimTime now);
  void prefetch_routed(std::uint32_t slot, bool gradient) const noexcept;
  // With node faults: true if `node` is down; the copy of `slot` for it is then held (as an arrival
  // event that keeps the slot) or dropped.
  bool down_at_arrival(SimTime now, NodeId node, std::uint32_t slot, NodeId from);
  // Link faults (sim/faults/link_faults.hpp).
  void send_copy(Simulator& simulator, Network& network, ArcId arc, NodeId to, std::uint32_t slot, NodeId from,
                 SimTime now);
  void lose_copy(NodeId node, std::uint32_t slot, SimTime now);
  void lose_gradients(NodeId node, std::uint32_t slot, SimTime now);
  void lose_unseen(std::uint32_t slot, SimTime now);


  World world_;
  NodeAvailability* availability_;  // world_.availability
  DasgdParams params_;
  GradientObserver* observer_;
  std::size_t n_;
  Eigen::Index d_;
  double message_bytes_;

  Eigen::MatrixXd models_;       // column i: x_i
  NodeComputations computations_;
  Eigen::MatrixXd batch_sums_;   // column i: Σ of node i's unsent local gradients (b > 1)
  std::vector<std::vector<std::uint64_t>> batch_indices_;
  std::vector<std::uint64_t> batch_versions_;
  std::vector<std::uint64_t> applied_;    // gradients applied at node i (its model version)
  std::vector<SimTime> arrival_scratch_;

  MessagePool pool_;
  std::unique_ptr<ShortestPathRouter> router_;   // per-hop walks
  std::unique_ptr<ShortestPathTrees> trees_;     // tree delivery
  std::vector<TreeBroadcast> broadcasts_;        // by message slot
  std::vector<std::shared_ptr<const ShortestPathTree>> broadcast_trees_;  // by slot, while in flight
  // Each broadcast's next batch, ordered as the per-destination schedule would run it: by time, then
  // by the sequence number of the broadcast's first event (every event the walk scheduled for it
  // took its number at the send), so equal-time ties keep the scheduling order of the spec.
  PendingBatches pending_;
  std::vector<NodeId> batch_scratch_;
  // By slot, while a tree broadcast is in flight: a copy of its gradient sum and (b = 1) its
  // gradient index, at addresses known without reading the message, so they can be prefetched.
  Eigen::MatrixXd routed_sums_;
  std::vector<std::uint64_t> routed_gradient_;
  static constexpr std::uint64_t kSeveralGradients = ~std::uint64_t{0};
  TrafficCounters traffic_;

  // graph.dynamic: routing state of the snapshot it was built on; each tree broadcast keeps the
  // snapshot it started on (its hops are drawn on that snapshot's links).
  void use_live_routes();
  Network& slot_network(std::uint32_t slot) noexcept;
  std::shared_ptr<LiveSnapshot> route_graph_;
  std::vector<std::shared_ptr<LiveSnapshot>> broadcast_graphs_;  // by slot; empty when static
  std::vector<std::uint32_t> reachable_scratch_;
  std::uint64_t unreachable_ = 0;
  std::uint64_t route_rebuilds_ = 0;
  LinkFaults* faults_ = nullptr;  // network.faults(): null on a perfect network
};

}  // namespace dasgd
