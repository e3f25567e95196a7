// Local SGD meets asynchrony (seed 002: Chatterjee, Kungurtsev, Alistarh; "Scaling the Wild",
// arXiv 2203.06638; code github.com/bapi/LPP-SGD; spec "Local SGD meets asynchrony"). Each node runs
// U workers on one shared model (Hogwild): a worker computes a gradient on the model as it is when
// the worker starts and applies it in place, x_i ← x_i − η g, at completion, then starts again.
// A node's k-th computation (k counts starts across its U workers, in start order) takes
// compute->duration(i, k): each worker is one core at the node's speed. Variant partitioned
// (LPP-SGD): worker r applies only its block r of U contiguous coordinate blocks.
//
// Averaging (non-blocking): once node i has completed H minibatches since its last snapshot and its
// previous average is done, it snapshots s_i = x_i and joins the next collective; the collective
// starts when the last node joins (the maximum over nodes) and runs a ring all-reduce; at its end
// every node adds s̄ − s_i to its LIVE model, x_i ← x_i^now + (s̄ − s_i), so the workers' progress
// during the collective is kept (s̄ = (Σ_i s_i)/n summed in node order; a node whose model did not
// change since its snapshot is set to s̄ exactly). Baseline blocking (post-local SGD, one worker):
// a node stops at its H-th step and resumes at the collective's end from x_i = s̄.
//
// Ring all-reduce model (Patarasuk & Yuan 2009): nodes in id order form the ring i → i+1 mod n,
// each hop routed along a fixed shortest path of the graph (store and forward). 2(n−1) steps; in
// step s node i sends one chunk of ⌈d/n⌉·8 + header bytes to i+1 through world.network->transmit,
// and node i+1 sends its step s+1 chunk once it holds i's step s chunk. The collective ends when
// the last chunk of step 2(n−1) arrives: with constant latency L per hop on adjacent ring nodes,
// 2(n−1)·L. Virtual step η/n (the node average moves by −(η/n) Σ g).
//
// Gradient sets: own gradients are applied at the node at completion (on_apply); at a node's
// snapshot its set is sent with n−1 uses, and at the collective's end every node merges every other
// node's snapshot set. With several workers each computation is reported at its real start and
// completed by the id the observer returned, so S_t, Ŝ_t and B_t are exact per worker too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/asynchronous_algorithm.hpp"

namespace dasgd {

class LiveSnapshot;  // sim/faults/live_topology.hpp

struct LocalAsyncSgdParams {
  double eta = 0.01;               // step size η
  std::uint32_t workers = 1;       // U, workers per node sharing its model
  std::uint64_t local_steps = 4;   // H, node-level minibatches between averages; 0: never average
  bool partitioned = false;        // LPP-SGD: worker r updates only coordinate block r
  bool blocking = false;           // post-local SGD: nodes wait for the average (needs U = 1)
  double header_bytes = 32;        // per all-reduce chunk
};

class LocalAsyncSgd final : public AsynchronousAlgorithm {
 public:
  enum EventType : std::uint32_t { compute_done = 1, collective_done = 2 };

  // Throws std::invalid_argument for U = 0, U > d with partitioned, or blocking with U != 1.
  LocalAsyncSgd(const World& world, const LocalAsyncSgdParams& params, GradientObserver* observer);

  std::string name() const override { return "local_async_sgd"; }
  void start(Simulator& simulator) override;
  // Nodes start nothing new; a collective still gathering can never start and is dropped (its
  // snapshot tokens are handed back); one already running completes.
  void stop_computing() override;
  // stop.gradients_per_node: a node starts no computation once it has started `per_node` (its U
  // workers together); collectives go on as before (blocking: the config requires H to divide it).
  void set_gradient_budget(std::uint64_t per_node) override { budget_ = per_node; }
  bool budget_spent() const override { return budget_ != 0 && nodes_at_budget_ == n_; }
  void handle(Simulator& simulator, const Event& event) override;

  std::uint64_t gradients_completed() const override { return next_gradient_; }
  std::uint64_t gradients_of(NodeId node) const override { return computed_[node]; }

  double virtual_step() const override { return params_.eta / static_cast<double>(n_); }
  std::vector<AlgorithmFigure> figures() const override;

  // Replaces node's model before start() (warm starts; tests of the averaging step).
  void set_model(NodeId node, ConstVectorRef x);

  std::uint64_t averages_done() const noexcept { return averages_; }
  // End time of one ring all-reduce started at `start` (makes its link transmissions).
  SimTime ring_allreduce(SimTime start);
  // Coordinate block [first, first + size) worker r updates when partitioned.
  std::pair<Eigen::Index, Eigen::Index> block(std::uint32_t worker) const;

 private:
  void begin_compute(Simulator& simulator, NodeId node, std::uint32_t worker);
  void complete_compute(Simulator& simulator, NodeId node, std::uint32_t worker);
  void join(Simulator& simulator, NodeId node);
  void finish_collective(Simulator& simulator);
  void average(SimTime now);       // static graph: s̄ over every node
  // graph.dynamic: the ring all-reduce and the average per component of the live snapshot.
  SimTime ring_allreduce_live(SimTime start);
  void average_live(SimTime now);
  std::size_t slot(NodeId node, std::uint32_t worker) const {
    return static_cast<std::size_t>(node) * params_.workers + worker;
  }

  LocalAsyncSgdParams params_;
  double chunk_bytes_;

  // models_: column i node i's model, shared by its workers.
  Eigen::MatrixXd gradients_;        // column i·U + r: worker r of node i's gradient in progress
  std::vector<std::uint64_t> computation_ids_;  // slot i·U + r: the observer's id of its computation
  Eigen::MatrixXd snapshots_;        // column i: s_i
  Vector mean_;                      // s̄
  Vector observed_;                  // scratch: the applied (block) gradient for observers
  std::vector<SimTime> started_at_;  // per worker
  std::vector<std::uint64_t> started_;   // computations node i has started (duration index k)
  std::vector<std::uint64_t> computed_;
  std::vector<Rng> noise_;           // per node: Stream::gradient_noise, drawn in start order
  std::vector<std::vector<ArcId>> ring_paths_;  // arcs from i to i+1 mod n along a shortest path
  std::vector<SimTime> ring_ready_;  // scratch

  // Averaging state.
  std::vector<std::uint64_t> since_snapshot_;
  std::vector<char> joined_;         // snapshot taken, average not yet applied
  std::vector<std::uint64_t> tokens_;
  std::size_t joined_count_ = 0;
  bool in_flight_ = false;
  SimTime collective_started_ = 0;
  std::uint64_t averages_ = 0;
  double collective_time_ = 0;       // Σ collective durations
  double wait_time_ = 0;             // Σ (collective start − first join)
  SimTime first_join_ = 0;
  std::uint64_t during_average_ = 0; // gradients completed at a node whose average was in flight

  std::uint64_t next_gradient_ = 0;
  bool stopped_ = false;
  std::uint64_t budget_ = 0;  // stop.gradients_per_node (0: none)
  std::size_t nodes_at_budget_ = 0;

  // graph.dynamic only: the snapshot the ring state below belongs to, its component labels and
  // sizes, each node's ring successor in its component and the path to it; the labels of the
  // collective in flight; collectives that ran on a disconnected snapshot.
  std::shared_ptr<LiveSnapshot> ring_graph_;
  std::vector<std::uint32_t> live_component_, collective_component_;
  std::vector<std::size_t> live_component_size_, collective_component_size_;
  std::vector<NodeId> live_next_;
  std::vector<std::vector<ArcId>> live_paths_;
  std::uint64_t partitioned_collectives_ = 0;
};

}  // namespace dasgd
