// record.trace (config stage): whether a run writes trace.json, its timeline in the Chrome
// trace-event format that ui.perfetto.dev opens, and which part of the run it covers. Absent or
// false: no trace (and nothing written back, so resolved configs stay as they were).
//   "trace": true
//   "trace": {"nodes": [0, 1, 5], "from": 10, "until": 20}
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "sim/config/json_reader.hpp"

namespace dasgd {

struct TraceSpec {
  std::vector<std::uint64_t> nodes;  // node ids whose tracks are written; empty: every node
  double from = 0;                    // simulated seconds: events before this are left out
  double until = std::numeric_limits<double>::infinity();  // ... and events after this
};

// Reads record.trace from the record object (absent, false → no trace; true → everything; an
// object → a subset). Errors name the JSON path ("/record/trace/until: expected a number greater
// than from = 5, got 2").
std::optional<TraceSpec> parse_trace(JsonReader& record);

// About the bytes one trace event takes in trace.json (for the cost estimate's disk figure).
inline constexpr double trace_bytes_per_event = 110;

}  // namespace dasgd
