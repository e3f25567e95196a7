// AD-PSGD, asynchronous decentralized parallel SGD (Lian, Zhang, Zhang, Liu, ICML 2018, arXiv
// 1710.06952, Algorithm 1): an event handler over the engine beside dasgd.hpp, configured by
// sim/config/asynchronous_algorithms_config.cpp. Node i repeatedly
//   1. reads x_i and computes g on it (others may average x_i meanwhile);
//   2. atomically sets x_i, x_j ← (x_i + x_j)/2 with a neighbour j drawn uniformly
//      (Stream::algorithm, node i);
//   3. x_i ← x_i − η g, and starts its next gradient.
// The node average moves by −(η/n) g per gradient, so virtual_step() = η/n; a node with no
// neighbour (one node) is plain SGD.
//
// How the atomic exchange is simulated. Every node owns a lock with a FIFO queue of waiting
// exchanges. The exchange of i with j has a lower endpoint a = min(i, j) and a higher one b = max;
// the locks are always taken in id order, a then b:
//   - lock(a): taken at a. If a initiated, at once (or after a's queue); if b initiated, b first sends
//     a header-only lock request b → a and takes no lock itself meanwhile;
//   - with lock(a) held, a sends x_a to b (a → b, d·8 + header bytes); x_a cannot change while a holds
//     its lock (only exchanges change x_a, and a applies its own gradient after its own exchange,
//     which needs this lock too);
//   - at b, lock(b): when free, b sets x_b ← (x_a + x_b)/2 and sends the average back (b → a) in the
//     same instant, and releases lock(b) at once; a sets x_a to the average on arrival and releases
//     lock(a). The initiator applies its gradient when its own model holds the average (b: at the
//     averaging instant; a: at the reply's arrival), then starts computing again.
// So the pair's update is the paper's atomic average taken at b's instant (x_a frozen from its send
// to the reply's arrival); the sum of the models is restored when the reply lands. Model messages
// per exchange: two (a round trip on the link), plus one 32-byte lock request when b initiates.
//
// No deadlock, no starvation. A higher endpoint holds its lock for zero time (acquire, average, send,
// release in one event), so a lock is held over time only by a lower endpoint a, and such an exchange
// waits only for message transit (finite) and for lock(b) with b > a: nobody holding a lock ever
// waits for a lower one. Suppose some exchange waited forever; among the locks that exchanges wait
// for forever, take the highest, lock(v). Queues are FIFO and finite (at most one exchange per
// initiating node), so lock(v) must be held forever from some point by one exchange E; E holds it as
// a lower endpoint (higher endpoints release at once), so E waits forever for some lock(w), w > v:
// contradicting the choice of v. Hence every exchange completes, and every node keeps computing.
//
// graph.dynamic (World::live): the partner is drawn among the neighbours live at the completion and
// the exchange's messages travel on that snapshot to its end; no live neighbour: the gradient is
// applied without an exchange (counted). The locking argument above does not depend on the graph.
// Link faults (sim/faults/link_faults.hpp): a message of an exchange that is lost (or whose
// transport gives up) abandons the exchange at the moment the copy is gone, as if the endpoints'
// timeouts had fired then: a lock request lost: the initiator b applies its gradient to its own
// model; x_a lost on its way to b: a releases its lock, its model unchanged; the average lost on
// its way back: b keeps the average, a keeps its frozen x_a and releases its lock (the pair's sum
// is then not restored). Either way the initiator applies its gradient and computes on, every
// lost model is accounted with on_model_dropped, and the no-deadlock argument above still holds
// (an abandoned exchange releases what it held at a finite time).
//
// Gradient sets (spec "Staleness"): averaging is union both ways: on_model_sent(a) when x_a leaves
// a, merged at b at the average; on_model_sent(b) at the average, merged at a on the reply's arrival.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/node_computations.hpp"

namespace dasgd {

class LiveSnapshot;  // sim/faults/live_topology.hpp

struct AdpsgdParams {
  double eta = 0.01;         // step size η
  double header_bytes = 32;  // model message: d·8 bytes + header; lock request: header only
};

class Adpsgd final : public Algorithm {
 public:
  // Event target is the node the event happens at; payload is the exchange's slot.
  // exchange_timeout (node faults only): a live endpoint gives up on an aborted exchange.
  // exchange_lost (link faults): target = the EventType of the lost message, payload = the slot.
  // A run has one or the other (the config refuses both together for AD-PSGD).
  enum EventType : std::uint32_t {
    compute_done = 1, lock_request_arrival = 2, model_arrival = 3, average_arrival = 4, exchange_timeout = 5,
    exchange_lost = 6
  };

  // Throws std::invalid_argument for a negative or non-finite η (η = 0, averaging alone, is
  // allowed here for tests; the config requires η > 0).
  Adpsgd(const World& world, const AdpsgdParams& params, GradientObserver* observer);

  std::string name() const override { return "adpsgd"; }
  void start(Simulator& simulator) override;
  // No new computations; gradients in flight still exchange and apply, so the queue drains.
  void stop_computing() override { computations_.stop(); }
  void set_gradient_budget(std::uint64_t per_node) override { computations_.set_budget(per_node, num_nodes()); }
  bool budget_spent() const override { return computations_.budget_spent(); }
  void handle(Simulator& simulator, const Event& event) override;

  std::size_t num_nodes() const override { return n_; }
  ConstVectorRef model(NodeId node) const override { return models_.col(node); }
  std::uint64_t gradients_completed() const override { return computations_.completed(); }
  std::uint64_t gradients_of(NodeId node) const override { return computations_.completed_by(node); }
  const TrafficCounters& traffic() const override { return traffic_; }

  double virtual_step() const override { return params_.eta / static_cast<double>(n_); }
  std::vector<AlgorithmFigure> figures() const override;
  // Node faults (docs/FAULTS.md, "AD-PSGD"): an exchange with a down endpoint is aborted; the live
  // endpoint waiting on it gives up after faults.nodes.timeout (releases its lock; an initiator applies
  // its gradient to its own model unaveraged and computes again). A crashed initiator's completed
  // gradient is applied to its own model at the crash. Messages to down nodes are dropped.
  void node_down(Simulator& simulator, NodeId node) override;
  void node_up(Simulator& simulator, NodeId node) override;
  void node_resume(Simulator& simulator, NodeId node) override;
  std::uint64_t exchanges_aborted() const noexcept { return exchanges_aborted_; }

  // Replaces node i's model before start() (distinct starting models for tests and warm starts).
  void set_model(NodeId node, ConstVectorRef x);
  std::uint64_t exchanges() const noexcept { return exchanges_done_; }
  // Exchanges started and not yet finished at both ends; locks currently held.
  std::size_t exchanges_in_flight() const noexcept { return in_flight_; }
  std::size_t locks_held() const noexcept;
  // Mean time from a gradient's completion to the initiator's model holding the average.
  double mean_exchange_wait() const noexcept;
  // Mean time per exchange spent queued for locks (both endpoints together).
  double mean_lock_wait() const noexcept;

 private:
  static constexpr std::uint32_t no_exchange = UINT32_MAX;
  // One exchange, in a recycled slot: an initiator that is the higher endpoint finishes its part
  // before the reply reaches a, and may start its next exchange meanwhile (at most one exchange per
  // lower endpoint and one per initiator are open, so at most 2n slots ever exist).
  struct Exchange {
    NodeId initiator = 0;
    NodeId lower = 0;
    NodeId higher = 0;
    SimTime wanted_at = 0;            // the gradient's completion
    SimTime queued_at = 0;            // when it joined the lock queue it is in
    SimTime lock_wait = 0;
    SimTime exchange_wait = 0;        // wanted_at until the initiator's model holds the average
    std::uint64_t token_lower = 0;    // gradient set of x_a, merged at b
    std::uint64_t token_higher = 0;   // gradient set of the average, merged at a
    std::shared_ptr<LiveSnapshot> snapshot;  // graph.dynamic: the graph it was started on
    bool lower_token_open = false;    // node faults: x_a's token sent, not merged yet
    bool higher_token_open = false;   // node faults: the average's token sent, not merged yet
    bool aborted = false;
  };

  void begin_compute(Simulator& simulator, NodeId node);
  void complete_compute(Simulator& simulator, NodeId node);
  void request_lock(Simulator& simulator, NodeId node, std::uint32_t slot);
  void release_lock(Simulator& simulator, NodeId node);
  // Runs exchange `slot` at `node` holding node's lock; returns whether the lock is still held after.
  bool grant(Simulator& simulator, NodeId node, std::uint32_t slot);
  void average_at_higher(Simulator& simulator, std::uint32_t slot);
  void finish_at_lower(Simulator& simulator, std::uint32_t slot);
  void apply_own_gradient(Simulator& simulator, NodeId node);
  void abandon_exchange(Simulator& simulator, std::uint32_t slot, EventType lost);
  void send(Simulator& simulator, NodeId from, NodeId to, double bytes, EventType type, std::uint32_t slot);
  bool faults_on() const noexcept { return world_.availability != nullptr; }
  // Node faults: handles an event about an exchange that a fault touched; true if it consumed it.
  bool intercept(Simulator& simulator, const Event& event);
  void abort(Simulator& simulator, std::uint32_t slot);
  void time_out(Simulator& simulator, NodeId node, std::uint32_t slot);
  void free_slot(std::uint32_t slot);

  World world_;
  AdpsgdParams params_;
  GradientObserver* observer_;
  NodeComputations computations_;  // the wait-free compute loop (gradients, noise, numbering)
  std::size_t n_;
  Eigen::Index d_;
  double model_bytes_;

  Eigen::MatrixXd models_;     // column i: x_i
  std::vector<Exchange> slots_;                 // open and recycled exchanges
  std::vector<Vector> buffers_;                 // slot e: the model it carries (x_a, then the average)
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint64_t> pending_gradient_; // t of node i's gradient waiting for its exchange
  std::vector<std::uint32_t> lock_holder_;      // exchange slot holding node i's lock, or no_exchange
  std::vector<std::deque<std::uint32_t>> lock_queue_;  // exchange slots waiting for node i's lock, FIFO
  std::vector<Rng> choice_;  // Stream::algorithm, per node: the neighbour to average with
  // Node faults only: per slot, the generation its events carry (payload >> 32; bumped at an abort so
  // the aborted exchange's messages still in flight are ignored); per node, its open initiated exchange.
  std::vector<std::uint32_t> generation_;
  std::vector<std::uint32_t> initiated_;
  std::uint64_t exchanges_aborted_ = 0;

  TrafficCounters traffic_;
  std::uint64_t exchanges_done_ = 0;
  std::uint64_t exchanges_abandoned_ = 0;  // link faults: a message of the exchange was lost
  std::size_t in_flight_ = 0;
  double exchange_wait_sum_ = 0;
  double lock_wait_sum_ = 0;
  std::uint64_t exchanges_skipped_ = 0;  // graph.dynamic: no live neighbour at the completion
};

}  // namespace dasgd
