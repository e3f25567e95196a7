// The fault timeline of a run (faults → output): every change of the world's state, in event
// order, one row of faults.csv each (time, kind, node, edge). Shared by every fault process
// (node availability, link loss and outages, time-varying topology), so a plot can shade outages
// and a test can replay them. Rows are kept in time order (see sort_by_time).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/engine/event.hpp"

namespace dasgd {

enum class FaultKind : std::uint8_t {
  node_down,         // a node crashed (or left, when no up-time follows)
  node_up,           // a node recovered (or joined late)
  link_down,         // an edge went down (outage process or Markov on/off topology)
  link_up,           // an edge came back
  topology_change,   // a new snapshot / period of a time-varying graph took effect
  server_down,       // the parameter server crashed
  server_up,         // the parameter server recovered
};

std::string_view to_string(FaultKind kind) noexcept;

struct FaultRecord {
  SimTime time = 0;
  FaultKind kind = FaultKind::node_down;
  std::int64_t node = -1;  // −1: not about one node
  std::int64_t edge = -1;  // −1: not about one edge (edge id of the base topology)
};

class FaultLog {
 public:
  void append(SimTime time, FaultKind kind, std::int64_t node = -1, std::int64_t edge = -1) {
    records_.push_back(FaultRecord{time, kind, node, edge});
  }
  const std::vector<FaultRecord>& records() const noexcept { return records_; }
  bool empty() const noexcept { return records_.empty(); }
  // Processes that report their timeline at the end of a run (link outages) append out of order:
  // this restores time order, keeping the order of simultaneous records.
  void sort_by_time() {
    std::stable_sort(records_.begin(), records_.end(),
                     [](const FaultRecord& a, const FaultRecord& b) { return a.time < b.time; });
  }

 private:
  std::vector<FaultRecord> records_;
};

inline std::string_view to_string(FaultKind kind) noexcept {
  switch (kind) {
    case FaultKind::node_down: return "node_down";
    case FaultKind::node_up: return "node_up";
    case FaultKind::link_down: return "link_down";
    case FaultKind::link_up: return "link_up";
    case FaultKind::topology_change: return "topology_change";
    case FaultKind::server_down: return "server_down";
    case FaultKind::server_up: return "server_up";
  }
  return "unknown";
}

}  // namespace dasgd
