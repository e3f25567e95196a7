// The "graph.dynamic" section: kinds, periods, rates and snapshot schedules, each wrong value
// refused with its JSON path; see dynamic_topology_config.hpp.
#include "sim/config/dynamic_topology_config.hpp"

#include <cmath>
#include <limits>

namespace dasgd {

const std::vector<std::string>& dynamic_topology_kinds() {
  static const std::vector<std::string> kinds = {"schedule", "random_matching", "one_peer_exponential",
                                                 "random_regular", "markov"};
  return kinds;
}

namespace {

std::vector<EdgeEnds> parse_edges(JsonReader& reader) {
  const std::string path = reader.path() + "/edges";
  const nlohmann::json& list = reader.node()["edges"];
  reader.accept("edges");
  if (!list.is_array()) throw ConfigError(path, "expected a list of [u, v] node pairs");
  std::vector<EdgeEnds> edges;
  edges.reserve(list.size());
  for (std::size_t k = 0; k < list.size(); ++k) {
    const nlohmann::json& pair = list[k];
    const auto id = [&](std::size_t i) -> bool {
      return pair[i].is_number_integer() && pair[i].get<std::int64_t>() >= 0 &&
             pair[i].get<std::int64_t>() <= std::numeric_limits<NodeId>::max();
    };
    if (!pair.is_array() || pair.size() != 2 || !id(0) || !id(1))
      throw ConfigError(path + "/" + std::to_string(k), "expected a pair [u, v] of node ids, got " + pair.dump());
    const auto u = pair[0].get<NodeId>(), v = pair[1].get<NodeId>();
    if (u == v) throw ConfigError(path + "/" + std::to_string(k), "expected two different nodes, got a self-loop " + pair.dump());
    edges.push_back({u, v});
  }
  return edges;
}

}  // namespace

DynamicTopologySpec parse_dynamic_topology(JsonReader& reader) {
  DynamicTopologySpec spec;
  spec.kind = reader.choice("kind", dynamic_topology_kinds());
  if (spec.kind == "schedule") {
    std::vector<JsonReader> snapshots = reader.object_list("snapshots");
    if (snapshots.empty()) reader.fail("snapshots", "a non-empty list of {\"at\", \"graph\" or \"edges\"}");
    double previous = -1;
    for (JsonReader& item : snapshots) {
      SnapshotSpec snapshot;
      snapshot.where = item.path();
      snapshot.at = item.non_negative("at");
      if (!(snapshot.at > previous))
        item.fail("at", "a time after the previous snapshot's (" + std::to_string(previous) +
                            "): snapshots must be in increasing time order");
      previous = snapshot.at;
      const bool graph = item.has("graph"), edges = item.has("edges");
      if (graph == edges) item.fail("graph", "exactly one of \"graph\" (a graph config) and \"edges\" (a list of [u, v])");
      if (graph) {
        JsonReader g = item.object("graph");
        if (g.has("dynamic")) g.fail("dynamic", "a static graph (a snapshot cannot change over time itself)");
        snapshot.graph = parse_topology(g);
      } else {
        snapshot.edges = parse_edges(item);
      }
      item.finish();
      spec.snapshots.push_back(std::move(snapshot));
    }
  } else {
    spec.period = reader.positive("period");
    if (spec.kind == "random_regular") {
      spec.degree = reader.positive_count("degree");
      if (spec.degree < 3)
        reader.fail("degree", "an integer >= 3 (degree 1 is random_matching; 2-regular draws are rarely connected)");
    } else if (spec.kind == "markov") {
      spec.on_rate = reader.positive("on_rate");
      spec.off_rate = reader.positive("off_rate");
    }
  }
  reader.finish();
  return spec;
}

bool supports_dynamic_topology(const std::string& algorithm) {
  return algorithm == "dasgd" || algorithm == "gossip_sgd" || algorithm == "adpsgd" || algorithm == "dpsgd" ||
         algorithm == "sparsified_asgd" || algorithm == "local_async_sgd" || algorithm == "minibatch_sgd" ||
         algorithm == "local_sgd" || algorithm == "parameter_server";
}

std::string dynamic_topology_refusal(const std::string& algorithm) {
  if (supports_dynamic_topology(algorithm)) return {};
  return "a time-varying graph is supported by dasgd, gossip_sgd, adpsgd, dpsgd, sparsified_asgd, "
         "local_async_sgd, minibatch_sgd, local_sgd and parameter_server; " + algorithm +
         " cannot honour one (it reads only the static graph): remove graph.dynamic";
}

}  // namespace dasgd
