// The numbers `dasgd graph` prints about a topology (world → report): size, degrees, diameter and
// the spectral gaps of both mixing rules, gathered in one struct and rendered as plain text.
#pragma once

#include "topologies/properties.hpp"
#include "topologies/spectral.hpp"
#include "topologies/topology.hpp"

#include <string>

namespace dasgd {

struct TopologySummary {
  std::string name;
  std::size_t num_nodes = 0;
  std::size_t num_edges = 0;
  DegreeSummary degree;
  Diameter diameter;
  SpectralGap uniform;              // W_ij = 1/(deg_i + 1)
  SpectralGap metropolis_hastings;  // W_ij = 1/(1 + max(deg_i, deg_j))
};

TopologySummary summarize_topology(const Topology& topology, const DiameterOptions& diameter_options = {},
                                   const SpectralOptions& spectral_options = {});
// Multi-line text, one quantity per line, saying how each was computed and whether it is exact.
std::string describe_topology(const TopologySummary& summary);
std::string describe_topology(const Topology& topology);

}  // namespace dasgd
