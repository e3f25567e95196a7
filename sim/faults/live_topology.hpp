// The graph live at each instant of a run with "graph.dynamic" (world → run): a sequence of
// snapshots (topologies/dynamic_graphs.hpp, or a schedule's graphs), each taking effect at an event
// of the engine. Algorithms read the live snapshot through World::live:
//  - neighbour picking (gossip SGD, AD-PSGD) picks among choices(i): the live neighbours, or for a
//    directed one-peer graph the one peer;
//  - a synchronous round (D-PSGD) keeps the snapshot live when it opens (share()) for the round;
//  - DASGD routes on the snapshot live at send time, floods the snapshot live at each forwarding.
// Messages travel on the snapshot they were sent on: a topology change re-plans only messages sent
// afterwards (it is not a link outage; outages are sim/faults/link_faults).
// Each snapshot has its own Network (link model, FIFO clocks, per-arc counters) on its own arcs, its
// draws keyed by (delay seed, Stream::topology_schedule, snapshot index): counter-based, so every
// algorithm under common_random_numbers sees the same graphs and the same latencies on them.
// A change costs O(n + m log deg) (the new snapshot's CSR arrays, and its Network's per-arc state
// when the latency law is random); routing state is per snapshot and built on first use.
#pragma once

#include "sim/config/dynamic_topology_config.hpp"
#include "sim/delay/network.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/faults/fault_log.hpp"
#include "topologies/dynamic_graphs.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dasgd {

// One snapshot while it is live (and afterwards, while messages sent on it are in flight).
class LiveSnapshot {
 public:
  LiveSnapshot(std::uint64_t index, SimTime from, GraphSnapshot graph, const LinkModelSpec& link,
               std::uint64_t network_seed);
  LiveSnapshot(const LiveSnapshot&) = delete;
  LiveSnapshot& operator=(const LiveSnapshot&) = delete;

  std::uint64_t index() const noexcept { return index_; }  // 0, 1, ... in order of taking effect
  SimTime from() const noexcept { return from_; }
  const Topology& topology() const noexcept { return graph_.topology; }
  Network& network() noexcept { return network_; }
  bool directed() const noexcept { return graph_.directed(); }
  const std::vector<NodeId>& peers() const noexcept { return graph_.peer; }
  std::size_t live_edges() const noexcept { return graph_.topology.num_edges(); }

  // The nodes i may pick now: its live neighbours (increasing id), or its one peer.
  std::span<const NodeId> choices(NodeId i) const noexcept {
    if (graph_.peer.empty()) return graph_.topology.neighbours(i);
    return {graph_.peer.data() + i, 1};
  }
  // The arc i → choices(i)[k].
  ArcId choice_arc(NodeId i, std::size_t k) const noexcept {
    return graph_.peer.empty() ? graph_.topology.arc_begin(i) + k : peer_arc_[i];
  }
  // The arc u → v of a live edge (which must exist).
  ArcId arc(NodeId u, NodeId v) const { return *graph_.topology.find_arc(u, v); }

 private:
  std::uint64_t index_;
  SimTime from_;
  GraphSnapshot graph_;
  std::vector<ArcId> peer_arc_;
  Network network_;
};

class LiveTopology {
 public:
  // The snapshot live at t = 0 is built here. `graph_seed` keys the graphs (the config's seed),
  // `delay_seed` the link latencies (as for the static Network). Throws std::invalid_argument,
  // naming the JSON path, for snapshots on a different node set or with bad edges, and for
  // generator parameters that do not fit the base's n (random_regular degree).
  LiveTopology(const Topology& base, const DynamicTopologySpec& spec, std::uint64_t graph_seed,
               std::uint64_t delay_seed, const LinkModelSpec& link, FaultLog* log);

  LiveSnapshot& current() noexcept { return *current_; }
  const LiveSnapshot& current() const noexcept { return *current_; }
  std::shared_ptr<LiveSnapshot> share() const noexcept { return current_; }
  std::size_t num_nodes() const noexcept { return base_->num_nodes(); }
  const DynamicTopologySpec& spec() const noexcept { return spec_; }

  // When the next snapshot takes effect (+infinity when the schedule is over).
  SimTime next_change() const noexcept;
  // The next snapshot takes effect now (== next_change()); appends its faults.csv rows.
  void change(SimTime now);
  std::uint64_t changes() const noexcept { return changes_; }  // snapshots taken effect after t = 0

  // Whether the uniform rule W_ij = 1/(deg_i + 1) is doubly stochastic on every snapshot this can
  // produce (every edge joins two nodes of equal degree), as D-PSGD requires.
  bool uniform_mixing_doubly_stochastic() const;
  // Checks for the algorithms that need more of every snapshot; call before the first change.
  // Where this can produce a disconnected snapshot, as the JSON path to name ("" when it never
  // does): /graph/dynamic/kind for random_matching (n > 2), one_peer_exponential (n even, n > 2)
  // and markov (n > 1); a schedule's first disconnected snapshot.
  std::string disconnected_snapshot() const;
  // Where a snapshot can have an edge the base graph lacks ("" when none can): /graph/dynamic/kind
  // for the generators other than markov; a schedule's first such snapshot (its /graph, or the
  // offending /edges/k).
  std::string snapshot_outside_base() const;

 private:
  GraphSnapshot build(std::uint64_t k, SimTime at);
  void log_change(SimTime at, const std::vector<EdgeId>& switched);

  const Topology* base_;
  DynamicTopologySpec spec_;
  std::uint64_t graph_seed_;
  std::uint64_t delay_seed_;
  LinkModelSpec link_;
  FaultLog* log_;
  std::vector<GraphSnapshot> schedule_;               // schedule: every snapshot, built up front
  std::optional<dynamic::MarkovEdges> markov_;
  std::shared_ptr<LiveSnapshot> current_;
  std::uint64_t period_ = 0;    // generated kinds: the live period k; schedule: snapshots taken
  std::uint64_t changes_ = 0;
  std::uint64_t next_index_ = 0;
};

// The run's event handler when the graph is dynamic: topology changes are events of their own type
// in the same engine, everything else goes to the algorithm. The next change is scheduled only while
// other events are pending, so a drained run still ends with an empty queue.
class WithTopologyChanges final : public EventHandler {
 public:
  static constexpr std::uint32_t change_event = 0x746F7000u;  // no algorithm uses this type

  WithTopologyChanges(EventHandler& algorithm, LiveTopology& live) : algorithm_(&algorithm), live_(&live) {}
  // Schedules the first change; call before the algorithm's start(), so that a change at time T
  // runs before the algorithm's events at T that were scheduled at the same instant as it.
  void start(Simulator& simulator);
  void handle(Simulator& simulator, const Event& event) override;
  void prefetch(const Event& next) const noexcept override {
    if (next.type != change_event) algorithm_->prefetch(next);
  }

 private:
  EventHandler* algorithm_;
  LiveTopology* live_;
};

}  // namespace dasgd
