// Reading the network graph from a JSON config (config stage) and building it (world stage):
// {"kind": "ring", "nodes": 16}, {"kind": "torus", "rows": 4, "cols": 4}, …, or a file
// {"kind": "file", "path": "g.csv", "format": "edgelist"}. Wrong values get a ConfigError naming
// the JSON path ("/graph/degree: expected an integer below nodes = 10, got 12").
#pragma once

#include "sim/config/json_reader.hpp"
#include "topologies/readers.hpp"
#include "topologies/topology.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dasgd {

struct DynamicTopologySpec;  // sim/config/dynamic_topology_config.hpp

// One graph description; only the fields its kind uses are set (others keep their zero values).
struct TopologySpec {
  std::string kind;           // one of topology_kinds()
  std::uint64_t nodes = 0;    // ring, complete, star, exponential, erdos_renyi, random_regular,
                              // watts_strogatz, barabasi_albert
  std::uint64_t rows = 0;     // torus, grid
  std::uint64_t cols = 0;     // torus, grid
  std::uint64_t dimension = 0;  // hypercube
  std::uint64_t branching = 0;  // balanced_tree
  std::uint64_t height = 0;     // balanced_tree
  double p = 0.0;             // erdos_renyi: edge probability
  std::uint64_t degree = 0;   // random_regular
  std::uint64_t k = 0;        // watts_strogatz: lattice degree (even)
  double beta = 0.0;          // watts_strogatz: rewiring probability
  std::uint64_t m = 0;        // barabasi_albert: edges per new node
  std::string path;           // file: as written (the caller resolves it against the config's directory)
  std::optional<GraphFileFormat> format;  // file: absent → inferred from the extension
  // "dynamic": how the graph changes over time; absent (null) for a static graph.
  std::shared_ptr<DynamicTopologySpec> dynamic;
};

const std::vector<std::string>& topology_kinds();

// Parses one graph object (with its optional "dynamic" section) and calls reader.finish()
// (unknown keys are refused).
TopologySpec parse_topology(JsonReader& reader);

// Builds the graph; random kinds draw from RandomStreams(seed).stream(Stream::topology). A relative
// file path is resolved against `base_directory` when that is given. Throws std::invalid_argument
// for graphs the generators or readers refuse (e.g. a disconnected Erdős–Rényi draw).
Topology build_topology(const TopologySpec& spec, std::uint64_t seed,
                        const std::filesystem::path& base_directory = {});

}  // namespace dasgd
