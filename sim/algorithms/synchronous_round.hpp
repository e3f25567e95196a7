// Shared machinery of the synchronous baselines (minibatch SGD, D-PSGD, local SGD): rounds that end
// at a global barrier, and the all-reduce model their global averages use (world → run). The
// derived algorithm says what a node does at each gradient completion and at the barrier.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/faults/link_faults.hpp"

namespace dasgd {

// Link faults on a synchronous round (docs/FAULTS.md, "Links", synchronous rounds): when the
// receiver of a lost message knows it is lost, so the barrier can close without it. Under the
// reliable transport it is the sender's give-up (the instant hop() reports, send + (max_retries +
// 1)·timeout); without it, send + faults.links.round_timeout, or the instant the last copy was
// gone if that is later (a down instant on the wire). A message its sender has nothing to send
// (its own result was lost) counts as one lost at the instant it would have been sent.
struct LossDetection {
  bool reliable = false;
  double delay = 0;  // reliable: (max_retries + 1)·timeout; else round_timeout (0 if loss is impossible)
  SimTime known(const HopOutcome& outcome, SimTime send) const noexcept {
    return reliable ? outcome.at : std::max(outcome.at, send + delay);
  }
  SimTime unsent(SimTime would_send) const noexcept { return would_send + delay; }
};
LossDetection loss_detection(const LinkFaults& faults);

// All-reduce as reduce-then-broadcast over a breadth-first spanning tree of the graph (the
// "reduce + broadcast" all-reduce of MPI libraries, Thakur, Rabenseifner & Gropp 2005, IJHPCA 19(1),
// here over the graph's own tree instead of a binomial tree, so every hop is a real link). A node
// sends its subtree's partial result to its parent once its own contribution is ready and every
// child's has arrived; the root then sends the result back down the same tree. Each hop is one
// world.network->transmit on a real arc, so the link model's latency draws, bandwidth and FIFO all
// apply: 2(n − 1) messages of the full vector per all-reduce, time ≈ 2 · depth hops after the last
// contribution. Root: the middle of a longest path found by a double BFS sweep (a graph centre for
// trees, close to one in general), so the depth is about the radius, not the diameter.
class TreeAllReduce {
 public:
  explicit TreeAllReduce(const Topology& topology);

  // Time at which the last node holds the result, given when each node's contribution is ready
  // (`ready[i]`, one per node). Sends one message of `bytes` on every tree arc, up then down, and
  // counts them in traffic.messages / traffic.bytes.
  SimTime run(std::span<const SimTime> ready, Network& network, double bytes, TrafficCounters& traffic);

  // The same all-reduce under link faults (one LinkFaults::hop per message sent). Up: a partial
  // result lost on v's up-arc loses the contributions of v's whole subtree; the parent goes on at
  // the loss's detection (it always sends its own partial, however few contributions it carries).
  // Down: a result lost on the arc to v leaves v's subtree without it; v sends nothing on, and its
  // children detect the missing message as one lost at v's detection instant. The root's own
  // contribution always counts. Returns the latest arrival or detection; counted(i), received(i)
  // and contributions() describe this run.
  SimTime run_over_faults(std::span<const SimTime> ready, Network& network, LinkFaults& faults,
                          const LossDetection& detection, double bytes, TrafficCounters& traffic);
  // After run_over_faults: node i's contribution reached the root (is in the result).
  bool counted(NodeId node) const noexcept { return counted_[node] != 0; }
  // After run_over_faults: node i holds the result.
  bool received(NodeId node) const noexcept { return received_[node] != 0; }
  std::size_t contributions() const noexcept { return contributions_; }

  NodeId root() const noexcept { return order_.front(); }
  std::size_t depth() const noexcept { return depth_; }
  // Time node i received the result in the last run().
  SimTime result_time(NodeId node) const noexcept { return have_[node]; }

 private:
  std::vector<NodeId> order_;   // BFS order from the root
  std::vector<NodeId> parent_;  // parent_[root] = root
  std::vector<ArcId> up_arc_;   // node → parent
  std::vector<ArcId> down_arc_; // parent → node
  std::vector<SimTime> gathered_;
  std::vector<SimTime> have_;
  std::vector<std::uint8_t> counted_, received_;  // run_over_faults only
  std::size_t contributions_ = 0;
  std::size_t depth_ = 0;
};

// Base of the synchronous algorithms: every round, the nodes compute (one gradient or several),
// each node becomes "ready" (its contribution to the round's communication is done computing), the
// round's messages go through the network, and the round ends at a global barrier when every node
// has everything; then the next round starts at once (unless computing was stopped).
// Gradient bookkeeping for the observer (start, completion, global numbering t in completion order)
// lives here; what a completion and the barrier do to the models is the derived algorithm's.
//
// Node faults (World::availability; docs/FAULTS.md "Per algorithm"): a round's participants are
// the nodes up at its start. A participant that crashes before it is ready loses its computation
// and leaves the round; the barrier waits for it until crash + faults.nodes.timeout (default 0, a
// perfect failure detector): that is its ready time in the round's communication, which carries
// nothing from it. A participant that crashes after it is ready keeps its contribution (it was
// handed to the communication at its ready time). So the round closes once every participant has
// reported or crashed: no wait can last forever. A node that recovers during a round rejoins at
// the next round start with its recovery model; with no node up, no round opens until one comes
// back. The derived algorithm averages over the reporters (reported()).
class SynchronousRounds : public Algorithm {
 public:
  enum EventType : std::uint32_t { compute_done = 1, barrier = 2 };

  void start(Simulator& simulator) override;
  void stop_computing() override { stopped_ = true; }
  // stop.gradients_per_node: no round opens once every node has completed `per_node` gradients
  // (minibatch SGD and D-PSGD: exactly that many rounds; local SGD: per_node / H rounds, the
  // config requires H to divide it). Nodes that missed rounds (node faults) get rounds of their
  // own until they catch up, in which the others compute past their budget.
  void set_gradient_budget(std::uint64_t per_node) override { budget_ = per_node; }
  bool budget_spent() const override { return budget_spent_; }
  void handle(Simulator& simulator, const Event& event) override;

  std::size_t num_nodes() const override { return n_; }
  std::uint64_t gradients_completed() const override { return next_gradient_; }
  std::uint64_t gradients_of(NodeId node) const override { return computed_[node]; }
  const TrafficCounters& traffic() const override { return traffic_; }

  // Node faults (see above). node_up sets the model by recover() of the derived algorithm.
  void node_down(Simulator& simulator, NodeId node) override;
  void node_up(Simulator& simulator, NodeId node) override { recover(simulator, node); }
  void node_resume(Simulator& simulator, NodeId node) override;
  // Node faults: rounds that closed with fewer reporters than nodes (link faults: with a lost
  // contribution); participants that crashed before they were ready.
  std::uint64_t short_rounds() const noexcept { return short_rounds_; }
  std::uint64_t crashed_participants() const noexcept { return crashed_participants_; }

  // Link faults (network.faults() set; the rule per algorithm in docs/FAULTS.md): contributions
  // (all-reduce) or neighbour models (D-PSGD) lost in all rounds, and nodes left without a round's
  // result (all-reduce). A round with a lost contribution counts in short_rounds().
  std::uint64_t lost_contributions() const noexcept { return lost_contributions_; }
  std::uint64_t results_lost() const noexcept { return results_lost_; }

  // Barriers passed so far.
  std::uint64_t rounds_completed() const noexcept { return rounds_; }
  // Mean of (barrier − round start) over completed rounds (0 before the first).
  double mean_round_time() const noexcept;
  // Mean over nodes and rounds of (barrier − the node's ready time): time a node waits idle.
  double mean_barrier_wait() const noexcept;
  // Σ waits / (n · Σ round times): the share of node-time spent waiting at barriers.
  double idle_fraction() const noexcept;
  // Bytes of one model / gradient message: d · 8 + header.
  double message_bytes() const noexcept { return message_bytes_; }

 protected:
  SynchronousRounds(const World& world, double header_bytes, GradientObserver* observer);

  // Starts the round's computations (round_start() is now).
  virtual void open_round(Simulator& simulator) = 0;
  // Gradient t of `node` has completed; its value is gradient(node).
  virtual void gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) = 0;
  // Every node is ready (ready_time(i)): make the round's transmissions and return when the last
  // node has everything it needs (the barrier is at max(that, now)).
  virtual SimTime communicate(Simulator& simulator) = 0;
  // At the barrier: apply the round's update to the models.
  virtual void close_round(Simulator& simulator) = 0;
  // Node faults: node is back up; set its model by the recovery rule (default: nothing).
  virtual void recover(Simulator& /*simulator*/, NodeId /*node*/) {}

  // Without node faults every node takes part and reports every round.
  bool faults_on() const noexcept { return world_.availability != nullptr; }
  // Node takes part in this round (it was up at its start).
  bool participates(NodeId node) const noexcept { return !faults_on() || participating_[node] != 0; }
  // Node's contribution is in this round's communication (it was ready, crashed or not since).
  bool reported(NodeId node) const noexcept { return !faults_on() || reported_[node] != 0; }
  // Reporters this round (n without faults).
  std::size_t reporters() const noexcept { return faults_on() ? reporter_count_ : n_; }
  bool up(NodeId node) const;  // always true without node faults
  // Link faults: the network's fault processes (null on a perfect network) and when a loss is known.
  LinkFaults* link_faults() const noexcept { return link_faults_; }
  const LossDetection& detection() const noexcept { return detection_; }
  // Link faults: one round's losses (contributions or models lost; nodes left without the result).
  void count_round_losses(std::size_t lost, std::size_t results_lost) noexcept {
    lost_contributions_ += lost;
    results_lost_ += results_lost;
    if (lost > 0) ++short_rounds_;
  }

  // Node reads `model` now and starts a gradient on it (observer start, noise draw, compute time
  // world.compute->duration(node, k) for its k-th gradient). The gradient is evaluated at once: it
  // depends only on the model read and the node's next noise draw.
  void begin_compute(Simulator& simulator, NodeId node, ConstVectorRef model);
  // The node's part of the round's computation is done at now.
  void node_ready(Simulator& simulator, NodeId node);

  ConstVectorRef gradient(NodeId node) const { return gradients_.col(node); }
  SimTime round_start() const noexcept { return round_start_; }
  SimTime ready_time(NodeId node) const noexcept { return ready_at_[node]; }
  std::span<const SimTime> ready_times() const noexcept { return ready_at_; }
  bool stopped() const noexcept { return stopped_; }
  // rounds, mean_round_time, mean_barrier_wait, idle_fraction.
  std::vector<AlgorithmFigure> round_figures() const;

  World world_;
  GradientObserver* observer_;
  std::size_t n_;
  Eigen::Index d_;
  double message_bytes_;
  TrafficCounters traffic_;

 private:
  void begin_round(Simulator& simulator);
  void complete_compute(Simulator& simulator, NodeId node);
  void pass_barrier(Simulator& simulator);
  void end_of_contributions(Simulator& simulator);

  Eigen::MatrixXd gradients_;           // column i: node i's gradient in progress / last completed
  std::vector<Rng> noise_;              // per node: Stream::gradient_noise
  std::vector<SimTime> started_at_;
  std::vector<std::uint64_t> computed_;
  std::vector<SimTime> ready_at_;
  std::size_t ready_count_ = 0;  // reporters and crashed participants so far
  std::size_t needed_ = 0;       // participants (n without faults)
  // Node faults only.
  std::vector<std::uint8_t> participating_, reported_;
  std::vector<std::uint64_t> generation_;  // per node: compute_done events of older ones are stale
  std::vector<std::uint8_t> busy_;         // per node: a computation is in progress
  std::size_t reporter_count_ = 0;
  SimTime detected_until_ = 0;  // the barrier waits for crash + timeout of crashed participants
  bool round_open_ = false;
  std::uint64_t short_rounds_ = 0, crashed_participants_ = 0;
  LinkFaults* link_faults_ = nullptr;
  LossDetection detection_;
  std::uint64_t lost_contributions_ = 0, results_lost_ = 0;
  SimTime round_start_ = 0;
  std::uint64_t rounds_ = 0;
  std::uint64_t next_gradient_ = 0;
  double total_round_time_ = 0;
  double total_wait_ = 0;
  bool stopped_ = false;
  std::uint64_t budget_ = 0;  // stop.gradients_per_node (0: none)
  bool budget_spent_ = false;
};

}  // namespace dasgd
