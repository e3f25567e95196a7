// Per-node initial models (config → world): the top-level "initial_models" block, and coordinate
// laws ({"law": "normal" | "uniform" | "constant", ...}) that it and the quadratic's minimiser share.
//   {"law": "normal", "mean": 0, "std": 1}   x_i(0)_k = draw(law, mix_key(seed, Stream::initial_models, i, k))
//   {"law": "uniform", "low": -1, "high": 1}
//   {"law": "constant", "value": 2}
//   {"values": [...]}                        d numbers (one model for every node), or n·d numbers:
//                                            node 0's model, then node 1's, ...
//   {"file": "x0.csv"}                       CSV: one line of d numbers per node, or one for all;
//                                            blank lines and lines starting with '#' are skipped
// The values are the models themselves (not offsets from the objective's x_0). Absent: every node
// starts at the objective's x_0, as before. What each algorithm starts from: docs/EXPERIMENTS.md
// ("Initial models").
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "objectives/coordinate_law.hpp"
#include "sim/config/json_reader.hpp"

namespace dasgd {

struct InitialModelSpec {
  std::optional<CoordinateLaw> law;
  std::vector<std::vector<double>> values;  // read from "values", one row per model
  std::string file;                         // CSV path (resolved against the config's directory)
};

// Reads a law object at `reader` ({"law": ..., its keys}); closes it (finish()).
CoordinateLaw parse_coordinate_law(JsonReader& reader);

// Reads the "initial_models" object. `nodes` is the node count when the graph spec gives it (0:
// known only once the graph is built; build_initial_models then checks it). A list whose length is
// not d or n·d, and non-finite values, are refused here with their path.
InitialModelSpec parse_initial_models(JsonReader& reader, std::uint64_t nodes, Eigen::Index dimension);

// The d × n matrix of starting models (column i: node i). Throws std::invalid_argument with a
// located message ("/initial_models/values: expected 4 numbers per model, 1 model (for every node)
// or one per node (16), got 3", "x0.csv:4: ...") for a
// row count that does not match the built graph or an unreadable file.
Eigen::MatrixXd build_initial_models(const InitialModelSpec& spec, std::size_t nodes, Eigen::Index dimension,
                                     std::uint64_t seed);

}  // namespace dasgd
