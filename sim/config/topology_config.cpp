// Graph section of a config: parse_topology validates each kind's keys with path-aware errors,
// build_topology turns the spec into a Topology through the generators and readers.
#include "sim/config/topology_config.hpp"

#include "sim/config/dynamic_topology_config.hpp"
#include "topologies/generators.hpp"

#include <stdexcept>

namespace dasgd {

const std::vector<std::string>& topology_kinds() {
  static const std::vector<std::string> kinds = {
      "ring", "torus", "grid", "complete", "star", "hypercube", "balanced_tree", "exponential",
      "erdos_renyi", "random_regular", "watts_strogatz", "barabasi_albert", "file"};
  return kinds;
}

TopologySpec parse_topology(JsonReader& reader) {
  TopologySpec spec;
  spec.kind = reader.choice("kind", topology_kinds());
  const std::string& kind = spec.kind;
  const auto nodes_at_least = [&](std::uint64_t minimum) {
    spec.nodes = reader.positive_count("nodes");
    if (spec.nodes < minimum) reader.fail("nodes", "an integer >= " + std::to_string(minimum) + " for a " + kind);
  };
  if (kind == "ring") {
    nodes_at_least(3);
  } else if (kind == "complete" || kind == "star" || kind == "exponential") {
    nodes_at_least(1);
    if (kind == "complete" && spec.nodes > 92682) reader.fail("nodes", "at most 92682 nodes (n(n-1)/2 edges must fit 32 bits)");
  } else if (kind == "torus" || kind == "grid") {
    spec.rows = reader.positive_count("rows");
    spec.cols = reader.positive_count("cols");
    // A torus wraps each side of 3 or more into a cycle: with both sides below 3 it wraps nothing.
    if (kind == "torus" && spec.rows < 3 && spec.cols < 3)
      reader.fail("rows", "rows >= 3 or cols >= 3 for a torus (" + std::to_string(spec.rows) + " x " +
                              std::to_string(spec.cols) + " wraps no side; use grid or complete)");
  } else if (kind == "hypercube") {
    spec.dimension = reader.count("dimension");
    if (spec.dimension > 27) reader.fail("dimension", "an integer from 0 to 27");
  } else if (kind == "balanced_tree") {
    spec.branching = reader.positive_count("branching");
    spec.height = reader.count("height");
  } else if (kind == "erdos_renyi") {
    nodes_at_least(1);
    spec.p = reader.probability("p");
  } else if (kind == "random_regular") {
    nodes_at_least(2);
    spec.degree = reader.positive_count("degree");
    if (spec.degree >= spec.nodes) reader.fail("degree", "an integer below nodes = " + std::to_string(spec.nodes));
    if ((spec.nodes * spec.degree) % 2 != 0) reader.fail("degree", "a degree making nodes x degree even (nodes = " + std::to_string(spec.nodes) + ")");
  } else if (kind == "watts_strogatz") {
    nodes_at_least(3);
    spec.k = reader.positive_count("k");
    if (spec.k % 2 != 0 || spec.k < 2 || spec.k >= spec.nodes) {
      reader.fail("k", "an even integer >= 2 and below nodes = " + std::to_string(spec.nodes));
    }
    spec.beta = reader.probability("beta");
  } else if (kind == "barabasi_albert") {
    nodes_at_least(2);
    spec.m = reader.positive_count("m");
    if (spec.m >= spec.nodes) reader.fail("m", "an integer below nodes = " + std::to_string(spec.nodes));
  } else if (kind == "file") {
    spec.path = reader.string("path");
    if (spec.path.empty()) reader.fail("path", "a non-empty file path");
    if (reader.has("format")) {
      spec.format = parse_graph_file_format(reader.choice("format", {"edgelist", "graphml", "dot", "matrix_market"}));
    } else {
      try {
        spec.format = infer_graph_file_format(spec.path);
      } catch (const std::invalid_argument&) {
        reader.fail("path", "a file ending in .csv, .txt, .edges, .edgelist, .graphml, .xml, .dot, .gv or .mtx, or a \"format\" key");
      }
    }
  }
  if (reader.has("dynamic")) {
    JsonReader dynamic = reader.object("dynamic");
    spec.dynamic = std::make_shared<DynamicTopologySpec>(parse_dynamic_topology(dynamic));
  }
  reader.finish();
  return spec;
}

Topology build_topology(const TopologySpec& spec, std::uint64_t seed, const std::filesystem::path& base_directory) {
  const std::string& kind = spec.kind;
  if (kind == "ring") return generate::ring(spec.nodes);
  if (kind == "torus") return generate::torus(spec.rows, spec.cols);
  if (kind == "grid") return generate::grid(spec.rows, spec.cols);
  if (kind == "complete") return generate::complete(spec.nodes);
  if (kind == "star") return generate::star(spec.nodes);
  if (kind == "hypercube") return generate::hypercube(static_cast<unsigned>(spec.dimension));
  if (kind == "balanced_tree") return generate::balanced_tree(spec.branching, spec.height);
  if (kind == "exponential") return generate::exponential(spec.nodes);
  if (kind == "erdos_renyi") return generate::erdos_renyi(spec.nodes, spec.p, seed);
  if (kind == "random_regular") return generate::random_regular(spec.nodes, spec.degree, seed);
  if (kind == "watts_strogatz") return generate::watts_strogatz(spec.nodes, spec.k, spec.beta, seed);
  if (kind == "barabasi_albert") return generate::barabasi_albert(spec.nodes, spec.m, seed);
  if (kind == "file") {
    std::filesystem::path path(spec.path);
    if (path.is_relative() && !base_directory.empty()) path = base_directory / path;
    return read_topology_file(path.string(), spec.format);
  }
  throw std::invalid_argument("build_topology: expected a kind among the topology kinds, got \"" + kind + "\"");
}

}  // namespace dasgd
