// Exporting a topology as Graphviz DOT (world → files): for drawing the graph or reading it back
// with read_dot. Needs no compiled library. Node ids are written as DOT node names 0..n−1, so a
// round trip through read_dot keeps every id, edge and attribute.
#pragma once

#include "topologies/topology.hpp"

#include <ostream>
#include <string>

namespace dasgd {

// `graph "<name>" { 0 -- 1 [latency=0.002]; … }`; attributes are written only when present, in
// the shortest form that reads back to the same double.
void write_dot(const Topology& topology, std::ostream& out);
std::string to_dot(const Topology& topology);

}  // namespace dasgd
