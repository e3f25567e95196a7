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

// Drops the later listing of each edge given in both directions (u v, then v u), keeping `lines`
// (the line each edge came from) parallel to `edges`; returns how many were dropped. The two
// listings must carry equal attributes, else std::invalid_argument names both lines
// ("<path>:<line>"). The same direction listed twice is kept, for topology_from_file to refuse.
// `name` shows a node id as written in the file. O(m log m).
std::size_t drop_reverse_listings(std::vector<Edge>& edges, std::vector<std::size_t>& lines, const std::string& path,
                                  const std::function<std::string(NodeId)>& name);

// Refuses self-loops and duplicate edges (naming both places), nodes that occur in no edge, and
// disconnected graphs; then builds the Topology named after the file.
Topology topology_from_file(FileEdges file);

}  // namespace dasgd
