// Reading faults.nodes from a JSON config (config stage), validated with errors naming the JSON path:
//   "faults": {"nodes": {
//     "renewal":  {"up": <law>, "down": <law>, "fraction": f | "nodes": [i, ...]},   or
//     "schedule": [{"node": i, "down_at": t0, "up_at": t1}, ...]  (no up_at: leaves for good), and/or
//     "trace":    "outages.csv"  (node,down_at,up_at; read when the world is built),
//     "messages": "drop" | "hold",  "recovery": "keep" | "initial" | "neighbour",
//     "timeout":  seconds (AD-PSGD: how long a live endpoint waits on an aborted exchange)}}
// The `faults` object allows exactly "nodes", "links" and "transport" (links and transport are read by
// sim/config/link_fault_config). Semantics: docs/FAULTS.md.
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/json_reader.hpp"
#include "sim/faults/node_availability.hpp"

namespace dasgd {

// `num_nodes` checks schedule rows when the graph's size is known from the config (0: unknown, checked
// when the world is built).
NodeFaultSpec parse_node_faults(JsonReader& reader, std::uint64_t num_nodes);

// Refuses node faults an algorithm cannot honour (at /faults/nodes/...): algorithms without a fault
// rule (local_async_sgd), "neighbour" recovery where models are not averages (dasgd,
// sparsified_asgd, parameter_server), "initial" with the
// staleness tracker on, "hold" or a missing timeout for adpsgd.
void check_node_faults(const NodeFaultSpec& spec, const std::string& algorithm, bool staleness_tracked);

}  // namespace dasgd
