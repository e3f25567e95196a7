// Reading a topology from a file (config → world): an edge-list CSV or a whitespace-separated edge
// list as SNAP and networkx write it, Matrix Market adjacency (always available), GraphML
// and Graphviz DOT (through Boost.Graph's read_graphml / read_graphviz, which need the compiled
// libboost_graph: built only with DASGD_HAVE_GRAPH_READERS). Errors are std::invalid_argument
// naming the file and the line (CSV) or element (GraphML, DOT) at fault.
#pragma once

#include "topologies/topology.hpp"

#include <optional>
#include <string>

namespace dasgd {

enum class GraphFileFormat { edge_list, graphml, dot, matrix_market };
std::string to_string(GraphFileFormat format);  // "edgelist", "graphml", "dot", "matrix_market"
// "edgelist" (also "edge_list", "csv", "snap"), "graphml", "dot" (also "graphviz", "gv"),
// "matrix_market" (also "mtx").
std::optional<GraphFileFormat> parse_graph_file_format(const std::string& name);
// From the extension: .csv .txt .edges .edgelist → edge list (CSV or whitespace, see
// read_edge_list); .graphml .xml → GraphML; .dot .gv → DOT; .mtx → Matrix Market. Throws
// std::invalid_argument for anything else.
GraphFileFormat infer_graph_file_format(const std::string& path);

// Edge-list CSV. The first non-comment line is the header: columns `u` and `v` (node ids, integers
// 0..n−1; n = largest id + 1, every id must occur) and optionally `weight`, `latency` (seconds,
// >= 0) and `bandwidth` (bytes/s, > 0), in any order. An empty attribute cell means "absent".
// `#` starts a comment (whole line or end of line); blank lines are skipped. Example:
//   u,v,latency
//   0,1,0.002   # rack-local
//   1,2,0.050
Topology read_edge_list_csv(const std::string& path);

// Whitespace-separated edge list, as SNAP and networkx (write_edgelist, write_weighted_edgelist)
// write it: one edge per line, `u v`, `u v w` (w becomes the edge's weight) or `u v {dict}` (a
// networkx data dict; its numeric `weight`, `latency` and `bandwidth` are read, other keys are
// ignored). No header; `#` starts a comment. Ids are 0-based, or 1-based when the smallest id in
// the file is 1 (a 0-based file without node 0 would be refused anyway); a 1-based file is said on
// stderr and its ids are shown as written in every message. An edge may be listed once or in both
// directions (u v and v u, as a directed or symmetric file has it): the second listing is dropped
// and the number dropped is said on stderr; both listings must then carry the same attributes.
// The same direction listed twice is refused as a duplicate.
Topology read_edge_list_whitespace(const std::string& path);

// Either edge list: CSV (with its header) when the first non-comment line holds a comma, else
// the whitespace form.
Topology read_edge_list(const std::string& path);

// Matrix Market adjacency (`%%MatrixMarket matrix coordinate pattern|real|integer
// general|symmetric`): a square N x N matrix whose every stored entry (i, j) is an edge between
// nodes i-1 and j-1 (ids are 1-based in the file and in messages), with the value as the edge's
// weight (real, integer). `symmetric` lists each edge once; `general` may list it once or as both
// (i, j) and (j, i), deduplicated as in read_edge_list_whitespace. Array format, complex and
// hermitian/skew-symmetric matrices are refused; so are diagonal entries (self-loops).
Topology read_matrix_market(const std::string& path);

// GraphML (undirected). Nodes are numbered in order of appearance; edge data keys named
// `weight`, `latency`, `bandwidth` become the edge's attributes, other keys are ignored.
Topology read_graphml(const std::string& path);

// Graphviz DOT (an undirected `graph`). Nodes named 0..n−1 keep their number; otherwise nodes
// are numbered in order of appearance. Edge attributes `weight`, `latency`, `bandwidth` are read,
// others ignored.
Topology read_dot(const std::string& path);

// Why `path` cannot be read as an input file, or nothing when it can: "no such file", "is a
// directory, expected a file", "is not a regular file (a FIFO, socket or device)", "cannot be read
// (permission denied)". Checked before opening, so a FIFO never blocks and a directory never
// reaches a parser. Every file the tool reads (configs, graph files, traces) goes through it.
std::optional<std::string> input_file_problem(const std::string& path);
// Throws std::invalid_argument "<path>: <problem>" (`what` names the file's role: "graph file").
void require_input_file(const std::string& path, const std::string& what);

// True when read_graphml / read_dot are available (else they throw a clear error).
bool graph_readers_available() noexcept;

// Dispatch on `format`, or on the extension when it is absent.
Topology read_topology_file(const std::string& path, std::optional<GraphFileFormat> format = std::nullopt);

}  // namespace dasgd
