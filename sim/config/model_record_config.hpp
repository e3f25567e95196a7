// record.models (config stage): which node models a run logs at every metrics row (models.csv,
// RunResult::models), as coordinates or as projections on given vectors. Absent: none, and
// nothing written back, so resolved configs stay as they were.
//   "models": {"nodes": [0, 3]}                                every coordinate x0..x{d-1}
//   "models": {"nodes": "all", "coordinates": [0, 5]}          x0 and x5 of every node
//   "models": {"nodes": [2], "project": [[1, 0, 0], [1, 1, 1]]}  <x_2, v_0> and <x_2, v_1>
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/config/json_reader.hpp"

namespace dasgd {

// "all" is accepted up to this many nodes, and every coordinate (no coordinates, no project) up to
// this dimension: a metrics row then writes at most 1024 × 1024 values (8 MB), about one model
// copy per logged node, like the row's own consensus figures.
inline constexpr std::uint64_t models_all_max_nodes = 1024;
inline constexpr std::uint64_t models_all_max_coordinates = 1024;

struct ModelRecordSpec {
  bool all_nodes = false;
  std::vector<std::uint64_t> nodes;        // ids, in the order given (all_nodes: empty until resolved)
  std::vector<std::uint64_t> coordinates;  // coordinate indices, in the order given
  std::vector<std::vector<double>> projections;  // vectors of length d, in the order given
  // Neither coordinates nor project: every coordinate.
  bool every_coordinate() const noexcept { return coordinates.empty() && projections.empty(); }
};

// Reads record.models from the record object. `nodes` and `dimension` are the graph's node count
// and the model dimension when known before the world is built (0: unknown; checked then by
// check_model_record). Errors name the JSON path ("/record/models/nodes/1: expected a node id
// below 8, got 9").
std::optional<ModelRecordSpec> parse_model_record(JsonReader& record, std::uint64_t nodes, std::uint64_t dimension);

// The checks parse_model_record could not make without n or d. Throws std::invalid_argument with
// the JSON path, as world-building errors do.
void check_model_record(const ModelRecordSpec& spec, std::uint64_t nodes, std::uint64_t dimension);

}  // namespace dasgd
