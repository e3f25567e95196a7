// faults.nodes from JSON; see node_fault_config.hpp.
#include "sim/config/node_fault_config.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/config/delay_config.hpp"

namespace dasgd {

namespace {

NodeRenewalSpec parse_renewal(JsonReader& reader, std::uint64_t num_nodes) {
  NodeRenewalSpec spec;
  spec.up = parse_distribution(reader, "up");
  spec.down = parse_distribution(reader, "down");
  if (!(mean(spec.up) > 0)) reader.fail("up", "an up-time law with mean > 0");
  if (!(mean(spec.down) > 0)) reader.fail("down", "a down-time law with mean > 0");
  if (reader.has("fraction") && reader.has("nodes")) reader.fail("nodes", "either \"fraction\" or \"nodes\", not both");
  if (reader.has("fraction")) spec.fraction = reader.probability("fraction");
  if (reader.has("nodes")) {
    const nlohmann::json& list = reader.node()["nodes"];
    if (!list.is_array() || list.empty()) reader.fail("nodes", "a non-empty list of node ids");
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string at = child_path(reader.path(), "nodes") + "/" + std::to_string(k);
      if (!list[k].is_number_integer() || list[k].get<std::int64_t>() < 0)
        throw ConfigError(at, "expected a node id (integer >= 0), got " + describe_json_value(list[k]));
      const auto id = list[k].get<std::uint64_t>();
      if (num_nodes > 0 && id >= num_nodes)
        throw ConfigError(at, "expected a node of the graph (0.." + std::to_string(num_nodes - 1) + "), got " +
                                  std::to_string(id));
      spec.nodes.push_back(static_cast<NodeId>(id));
    }
    reader.accept("nodes");
  }
  reader.finish();
  return spec;
}

std::vector<NodeOutage> parse_schedule(JsonReader& parent, std::uint64_t num_nodes) {
  std::vector<NodeOutage> rows;
  std::map<NodeId, SimTime> busy_until;  // per node: end of its previous outage
  for (JsonReader& row : parent.object_list("schedule")) {
    NodeOutage outage;
    const std::uint64_t node = row.count("node");
    if (num_nodes > 0 && node >= num_nodes)
      row.fail("node", "a node of the graph (0.." + std::to_string(num_nodes - 1) + ")");
    outage.node = static_cast<NodeId>(node);
    outage.down_at = row.non_negative("down_at");
    if (row.has("up_at")) {
      outage.up_at = row.non_negative("up_at");
      if (!(outage.up_at > outage.down_at)) row.fail("up_at", "up_at > down_at");
    }
    if (!rows.empty() && outage.down_at < rows.back().down_at)
      row.fail("down_at", "rows sorted by down_at (the previous row's is " + std::to_string(rows.back().down_at) + ")");
    const auto previous = busy_until.find(outage.node);
    if (previous != busy_until.end() && outage.down_at < previous->second)
      row.fail("down_at", "an outage after node " + std::to_string(node) + "'s previous one ended (" +
                              (std::isfinite(previous->second) ? std::to_string(previous->second) : "it never comes back") + ")");
    busy_until[outage.node] = outage.up_at;
    row.finish();
    rows.push_back(outage);
  }
  return rows;
}

// Why an algorithm without a node-fault rule would hang or be wrong under crashes.
std::string refusal_reason(const std::string& algorithm) {
  if (algorithm == "local_async_sgd")
    return "its non-blocking ring all-reduce starts when the last of the n nodes joins, and re-forming the ring "
           "over the live nodes is not built";
  return "a barrier or averaging round would wait for a crashed node";
}

}  // namespace

NodeFaultSpec parse_node_faults(JsonReader& reader, std::uint64_t num_nodes) {
  NodeFaultSpec spec;
  const bool renewal = reader.has("renewal");
  const bool schedule = reader.has("schedule");
  const bool trace = reader.has("trace");
  if (!renewal && !schedule && !trace)
    throw ConfigError(reader.path(), "expected a node fault process: \"renewal\", \"schedule\" or \"trace\"");
  if (renewal && (schedule || trace))
    reader.fail(schedule ? "schedule" : "trace", "no schedule or trace beside \"renewal\" (one process per run)");
  if (renewal) {
    JsonReader r = reader.object("renewal");
    spec.renewal = parse_renewal(r, num_nodes);
  }
  if (schedule) spec.schedule = parse_schedule(reader, num_nodes);
  if (trace) {
    spec.trace_path = reader.string("trace");
    if (spec.trace_path.empty()) reader.fail("trace", "a trace file path");
  }
  spec.messages = reader.choice_or("messages", {"drop", "hold"}, "drop") == "drop" ? DownMessages::drop : DownMessages::hold;
  const std::string recovery = reader.choice_or("recovery", {"keep", "initial", "neighbour"}, "keep");
  spec.recovery = recovery == "keep" ? Recovery::keep : recovery == "initial" ? Recovery::initial : Recovery::neighbour;
  if (reader.has("timeout")) spec.timeout = reader.positive("timeout");
  reader.finish();
  return spec;
}

void check_node_faults(const NodeFaultSpec& spec, const std::string& algorithm, bool staleness_tracked) {
  static const std::vector<std::string> supported = {"dasgd", "sparsified_asgd", "gossip_sgd", "parameter_server",
                                                     "adpsgd", "minibatch_sgd", "local_sgd", "dpsgd"};
  if (std::find(supported.begin(), supported.end(), algorithm) == supported.end())
    throw ConfigError("/faults/nodes", "node faults are supported for dasgd, sparsified_asgd, gossip_sgd, "
                                       "parameter_server, adpsgd, minibatch_sgd, local_sgd and dpsgd; " + algorithm +
                                       " has no fault rule yet (" +
                                       refusal_reason(algorithm) + "; docs/FAULTS.md)");
  if (algorithm == "minibatch_sgd" && spec.recovery != Recovery::keep)
    throw ConfigError("/faults/nodes/recovery", "minibatch_sgd keeps one shared model, which a recovered node reads at "
                                                "its next round: the recovery is \"keep\"");
  if (spec.recovery == Recovery::neighbour &&
      (algorithm == "dasgd" || algorithm == "sparsified_asgd" || algorithm == "parameter_server"))
    throw ConfigError("/faults/nodes/recovery", "\"neighbour\" needs a model-averaging algorithm (gossip_sgd, adpsgd); " +
                                                    algorithm + " applies each gradient once per node, so a copied "
                                                    "model would apply gradients still in flight twice");
  if (spec.recovery == Recovery::initial && staleness_tracked)
    throw ConfigError("/faults/nodes/recovery", "\"initial\" empties the node's gradient set, which the staleness "
                                                "tracker cannot represent (its sets only grow); set record.staleness "
                                                "false, or use \"keep\"");
  if (algorithm == "adpsgd") {
    if (spec.messages == DownMessages::hold)
      throw ConfigError("/faults/nodes/messages", "adpsgd drops messages to down nodes (\"hold\" would keep the "
                                                  "partner's lock for the whole outage)");
    if (!spec.timeout)
      throw ConfigError("/faults/nodes/timeout", "adpsgd needs a timeout (seconds a live endpoint waits on an exchange "
                                                 "with a crashed partner before giving up)");
  }
}

}  // namespace dasgd
