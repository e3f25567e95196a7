// Shared last step of every graph-file reader (readers.cpp, graph_readers.cpp): checks an edge
// list read from a file and builds the Topology, so that every refusal names the file and the
// line or element the bad edge came from (config → world).
#pragma once

#include "topologies/topology.hpp"

#include <functional>
#include <string>
#include <vector>

namespace dasgd {

struct FileEdges {
  std::string path;
  std::size_t num_nodes = 0;
  std::vector<Edge> edges;
  // Where edge k came from, as a message prefix: "x.csv:12" or "x.graphml: edge #3 (n0 -- n4)".
  std::function<std::string(std::size_t)> where;
  // The name of node v as written in the file (for messages).
  std::function<std::string(NodeId)> node_name;
};

// Refuses self-loops and duplicate edges (naming both places), nodes that occur in no edge, and
// disconnected graphs; then builds the Topology named after the file.
Topology topology_from_file(FileEdges file);

}  // namespace dasgd
