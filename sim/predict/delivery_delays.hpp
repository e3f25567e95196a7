// Mean delivery delays λ_ji from every node j to every node i, folded into the one sum the
// closed forms need: A_i = Σ_{j≠i} μ_j λ_ji, the mean number of others' gradients in flight to i
// (Little's law). Prediction stage: from the config's graph and link model, before any run.
// Routed delivery follows the simulator's shortest-path tree (fewest hops, lowest-numbered parent,
// sim/algorithms/routing.hpp), so λ_ji = Σ of its hops' mean times; flooding's first arrival is the
// earliest path (Dijkstra on the hops' times; exact only when the hop times are constant).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/config/topology_config.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

enum class PathRule { fewest_hops, earliest };

struct DeliveryDelays {
  std::vector<double> weighted_in_flight;  // A_i = Σ_{j≠i} rate_j λ_ji
  double max_delay = 0;                    // max over pairs j ≠ i of λ_ji
  std::string method;                      // how it was computed (and at what cost)
};

// Graph kinds whose hop distances have a formula in the node ids (generated graphs: no edge
// attributes), so no graph needs to be built: complete, ring, torus, grid, hypercube, star.
bool has_distance_formula(const TopologySpec& spec);
std::size_t formula_nodes(const TopologySpec& spec);

// Every hop takes `hop` (mean seconds): A_i = hop Σ_j rate_j d(j, i) from the formula. O(n) when
// the rates are equal on a vertex-transitive kind (or for complete graphs and stars); otherwise
// O(rows² + cols² + n) for rings, tori and grids (separable) and O(n log n) for hypercubes.
DeliveryDelays formula_delivery_delays(const TopologySpec& spec, const std::vector<double>& rates, double hop);

// On a built graph where every hop takes `hop`: A_i = hop Σ_j μ_j d(j, i) by bit-parallel BFS (64
// sources per pass over the arcs), the same numbers as graph_delivery_delays at a fraction of its cost.
DeliveryDelays uniform_hop_delivery_delays(const Topology& topology, const std::vector<double>& rates, double hop);

// On a built graph, hop_time(edge) the mean time of one hop over that edge. fewest_hops: one BFS
// tree per source (O(n (n + m))). earliest: one Dijkstra per source (O(n m log n)).
DeliveryDelays graph_delivery_delays(const Topology& topology, const std::vector<double>& rates,
                                     const std::function<double(EdgeId)>& hop_time, PathRule rule);

}  // namespace dasgd
