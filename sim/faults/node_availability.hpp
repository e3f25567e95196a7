// Node availability (faults → world): which nodes are up at each instant, as ordinary events on the
// run's one clock. Per node an alternating renewal process of up- and down-times drawn from any
// delay law, or a schedule / trace of outages {node, down_at, up_at} (up_at = +inf: the node leaves
// for good; down_at = 0: it joins late, at up_at). Semantics: ../shared/spec/faults.md and
// docs/FAULTS.md. The algorithm reacts through Algorithm::node_down / node_up / node_resume; messages
// reaching a down node are dropped or held here and re-delivered at recovery.
//
// Randomness: node i's k-th duration (k = 0: first up-time, 1: first down-time, ...) is drawn from
// Rng(mix_key(seed, Stream::node_availability, i, k)); which nodes churn (faults.nodes.fraction) from
// mix_key(seed, Stream::node_availability, i, ~0). No other stream is touched, so turning faults on
// moves no compute or latency draw. Cost: O(1) per transition and per held or dropped message.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "sim/delay/distribution.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/faults/fault_log.hpp"

namespace dasgd {

class Algorithm;
using NodeId = std::uint32_t;

// A message that reaches a down node.
enum class DownMessages { drop, hold };
// A node's model when it comes back.
enum class Recovery { keep, initial, neighbour };

std::string to_string(DownMessages rule);
std::string to_string(Recovery rule);

// One outage of one node: down over [down_at, up_at).
struct NodeOutage {
  NodeId node = 0;
  SimTime down_at = 0;
  SimTime up_at = std::numeric_limits<double>::infinity();
};

struct NodeRenewalSpec {
  Distribution up = law::Exponential{1.0};
  Distribution down = law::Exponential{1.0};
  std::optional<double> fraction;  // churn only round(fraction·n) nodes (keyed choice)
  std::vector<NodeId> nodes;       // or exactly these (empty with no fraction: every node)
};

// faults.nodes, validated (sim/config/node_fault_config.hpp).
struct NodeFaultSpec {
  std::optional<NodeRenewalSpec> renewal;
  std::vector<NodeOutage> schedule;  // "schedule" rows, in config order
  std::string trace_path;            // "trace": CSV node,down_at,up_at (read at world build)
  DownMessages messages = DownMessages::drop;
  Recovery recovery = Recovery::keep;
  std::optional<double> timeout;     // seconds a waiting node waits for a down peer (docs/FAULTS.md)
};

// Reads a trace file: header "node,down_at,up_at", then one outage per row; up_at empty or "inf"
// means the node leaves for good. Throws std::invalid_argument "path:line: ..." for a malformed
// row, a node >= num_nodes, a negative time or up_at <= down_at.
std::vector<NodeOutage> read_node_trace(const std::string& path, std::size_t num_nodes);

// Per-node figures for nodes.csv and summary.json.
struct NodeFaultCounters {
  double up_time = 0;            // seconds up within [0, end]
  std::uint64_t crashes = 0;     // up → down transitions (a late joiner's initial outage not counted)
  std::uint64_t dropped = 0;     // messages that reached it while down and were dropped
  std::uint64_t held = 0;        // messages that reached it while down and were held
};

class NodeAvailability {
 public:
  // The event type of every transition. No algorithm uses it for anything else (they forward it to
  // handle()); target = node, payload = 1 for "goes up", 0 for "goes down".
  static constexpr std::uint32_t event_type = 0x4E460001u;

  // Throws std::invalid_argument for outages of unknown nodes, overlapping outages of one node,
  // negative times, or an invalid law. `seed` keys the draws (the run's delay seed).
  NodeAvailability(const NodeFaultSpec& spec, std::size_t num_nodes, std::uint64_t seed, FaultLog* log);

  // Nodes down at time 0 become down before any algorithm starts; schedules the first transitions.
  void start(Simulator& simulator);
  // A transition event (type event_type) for `algorithm`, which must forward them here.
  void handle(Simulator& simulator, const Event& event, Algorithm& algorithm);
  // No further transitions after this (pending ones are cancelled; nodes stay as they are, messages
  // held for a down node stay held): lets a drain end.
  void stop(Simulator& simulator);

  bool up(NodeId node) const noexcept { return up_[node] != 0; }
  std::size_t live() const noexcept { return live_; }
  // Every node is down and none will come back.
  bool all_gone() const noexcept { return gone_ == up_.size(); }
  std::size_t num_nodes() const noexcept { return up_.size(); }

  // A message reaching down `node`: with hold, keeps `event` for re-delivery at recovery and returns
  // true (the algorithm keeps the message's resources); with drop, counts it and returns false (the
  // algorithm frees them and accounts dropped model tokens).
  bool hold_or_drop(NodeId node, const Event& event);
  DownMessages messages() const noexcept { return spec_.messages; }
  Recovery recovery() const noexcept { return spec_.recovery; }
  // faults.nodes.timeout (validated present where an algorithm needs it).
  double timeout() const noexcept { return spec_.timeout.value_or(0.0); }
  // A live neighbour-picking helper for recovery "neighbour": the first live entry of `candidates`
  // starting at a position keyed by (node, its recovery count); nullopt if none is up.
  std::optional<NodeId> live_pick(NodeId node, const NodeId* candidates, std::size_t count) const;

  // Counters with up-time accumulated to `end` (the run's end time).
  std::vector<NodeFaultCounters> counters(SimTime end) const;
  std::uint64_t total_crashes() const noexcept { return total_crashes_; }
  std::uint64_t total_dropped() const noexcept { return total_dropped_; }
  std::uint64_t total_held() const noexcept { return total_held_; }
  // Marks node 0 as a server (parameter server): its transitions log server_down / server_up.
  void set_server(NodeId node) noexcept { server_ = node; }

 private:
  struct NodeState {
    std::uint32_t next_outage = 0;  // schedule: index into outages_ of its next outage
    std::uint32_t outage_end = 0;
    std::uint64_t draws = 0;        // renewal: durations drawn so far
  };
  void go_down(Simulator& simulator, NodeId node, Algorithm* algorithm);
  void go_up(Simulator& simulator, NodeId node, const Event& cause, Algorithm* algorithm);
  void schedule_next_down(Simulator& simulator, NodeId node);
  double draw(NodeId node, const Distribution& law);
  void log(SimTime time, NodeId node, bool down);

  NodeFaultSpec spec_;
  std::uint64_t seed_;
  FaultLog* log_;
  std::vector<std::uint8_t> up_;
  std::vector<std::uint8_t> churns_;   // renewal: node follows the process
  std::vector<NodeState> state_;
  std::vector<NodeOutage> outages_;    // schedule / trace, sorted by (node, down_at)
  std::vector<SimTime> up_since_;
  std::vector<NodeFaultCounters> counters_;
  std::vector<std::uint64_t> recoveries_;
  std::vector<std::vector<Event>> held_;  // per node, in arrival order
  std::vector<EventId> pending_;          // per node: its next transition
  std::size_t live_ = 0;
  std::size_t gone_ = 0;
  std::uint64_t total_crashes_ = 0, total_dropped_ = 0, total_held_ = 0;
  std::optional<NodeId> server_;
  bool stopped_ = false;
};

}  // namespace dasgd
