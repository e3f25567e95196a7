// What `dasgd graph` says about a time-varying graph (world → report): per snapshot its live edges,
// components, diameter and the spectral gaps of both mixing rules (0 exactly when disconnected:
// λ_2 = 1 then); for the directed one-peer exponential graph the contraction ‖W_k − J/n‖₂ of each
// snapshot and of the product of one period's τ = ⌈log2 n⌉ matrices, which is what governs
// consensus there (J/n for n a power of two: contraction 0, gap 1). Random re-draws have no fixed
// period product: each period is a fresh draw, so only per-snapshot figures are given.
#pragma once

#include "sim/config/dynamic_topology_config.hpp"
#include "topologies/topology.hpp"

#include <cstdint>
#include <string>

namespace dasgd {

struct DynamicReportOptions {
  // Snapshots described: all of a schedule's (and the base before it), τ of a one-peer graph, else
  // this many periods.
  std::size_t periods = 4;
  std::size_t dense_limit = 2000;  // products of dense n × n matrices only up to this n
};

std::string describe_dynamic_topology(const Topology& base, const DynamicTopologySpec& spec, std::uint64_t seed,
                                      const DynamicReportOptions& options = {});

}  // namespace dasgd
