// A graph that changes over time, read from "graph": {..., "dynamic": {...}} (config stage; the
// world stage is sim/faults/live_topology.hpp, the generators topologies/dynamic_graphs.hpp):
//   {"kind": "schedule", "snapshots": [{"at": 0, "graph": {"kind": "ring", "nodes": 8}},
//                                      {"at": 5, "edges": [[0, 1], [2, 3]]}, ...]}
//   {"kind": "random_matching", "period": 1}
//   {"kind": "one_peer_exponential", "period": 1}
//   {"kind": "random_regular", "degree": 3, "period": 1}
//   {"kind": "markov", "on_rate": 2, "off_rate": 1, "period": 0.5}
// The static "graph" fixes the node set (every snapshot must have as many nodes), is live until a
// schedule's first snapshot, and is the base whose edges switch on and off for "markov". A
// snapshot is a graph config (connected, as every static graph is) or an inline edge list on the
// base's nodes, which may leave nodes isolated (unreachable while it is live).
#pragma once

#include "sim/config/json_reader.hpp"
#include "sim/config/topology_config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dasgd {

struct SnapshotSpec {
  double at = 0;                       // seconds, >= 0, strictly increasing along the schedule
  std::optional<TopologySpec> graph;   // a graph config (relative file paths already resolved)
  std::vector<EdgeEnds> edges;         // or an inline edge list (when graph is absent)
  std::string where;                   // its JSON path, for errors found when it is built
};

struct DynamicTopologySpec {
  std::string kind;        // one of dynamic_topology_kinds()
  double period = 0;       // seconds between re-draws (generated kinds)
  std::uint64_t degree = 0;  // random_regular
  double on_rate = 0;      // markov: rate at which an off edge switches on
  double off_rate = 0;     // markov: rate at which an on edge switches off
  std::vector<SnapshotSpec> snapshots;  // schedule
};

const std::vector<std::string>& dynamic_topology_kinds();
// Reads the "dynamic" object (reader at /graph/dynamic) and calls reader.finish().
DynamicTopologySpec parse_dynamic_topology(JsonReader& reader);

// The algorithms that honour a time-varying graph (neighbour picking among live neighbours, a
// round's own graph, routing on the live graph). The others are refused at /graph/dynamic.
bool supports_dynamic_topology(const std::string& algorithm);
// The refusal for one that does not (empty when it does).
std::string dynamic_topology_refusal(const std::string& algorithm);

}  // namespace dasgd
