// record.trace; see trace_config.hpp.
#include "sim/config/trace_config.hpp"

#include <cmath>
#include <sstream>
#include <string>

namespace dasgd {

std::optional<TraceSpec> parse_trace(JsonReader& record) {
  if (!record.has("trace")) return std::nullopt;
  if (record.node()["trace"].is_boolean()) {
    if (!record.boolean("trace")) return std::nullopt;
    return TraceSpec{};
  }
  if (!record.node()["trace"].is_object()) record.fail("trace", "true, false or an object {nodes, from, until}");
  JsonReader trace = record.object("trace");
  TraceSpec spec;
  if (trace.has("nodes")) {
    const std::vector<double> ids = trace.number_list("nodes");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!(ids[i] >= 0 && ids[i] < 4294967295.0 && ids[i] == std::trunc(ids[i])))
        throw ConfigError(trace.path() + "/nodes/" + std::to_string(i),
                          "expected a node id (an integer >= 0), got " + describe_json_value(trace.node()["nodes"][i]));
      spec.nodes.push_back(static_cast<std::uint64_t>(ids[i]));
    }
    if (spec.nodes.empty()) trace.fail("nodes", "a non-empty list of node ids (leave it out for every node)");
  }
  if (trace.has("from")) spec.from = trace.non_negative("from");
  if (trace.has("until")) {
    spec.until = trace.positive("until");
    std::ostringstream from;
    from << spec.from;
    if (!(spec.until > spec.from)) trace.fail("until", "a number greater than from = " + from.str());
  }
  trace.finish();
  return spec;
}

}  // namespace dasgd
