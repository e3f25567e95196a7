// Text report of a topology's size, degrees, diameter and spectral gaps (summary.hpp).
#include "topologies/summary.hpp"

#include <iomanip>
#include <sstream>

namespace dasgd {
namespace {

std::string describe_gap(const SpectralGap& g) {
  std::ostringstream out;
  out << std::setprecision(6);
  if (!g.converged) {
    out << "not converged after " << g.iterations << " operator applications (" << to_string(g.method)
        << "); inner estimates lambda_2 >= " << g.lambda_2 << ", lambda_n <= " << g.lambda_n
        << ", so the gap is at most " << g.gap;
    return out.str();
  }
  out << g.gap << "  (lambda_2 = " << g.lambda_2 << ", lambda_n = " << g.lambda_n << ", p = 1 - |lambda2|^2 = " << g.p
      << "; " << to_string(g.method);
  if (g.method != SpectralMethod::dense) out << ", " << g.iterations << " operator applications";
  out << ")";
  return out.str();
}

}  // namespace

TopologySummary summarize_topology(const Topology& topology, const DiameterOptions& diameter_options,
                                   const SpectralOptions& spectral_options) {
  TopologySummary s;
  s.name = topology.name();
  s.num_nodes = topology.num_nodes();
  s.num_edges = topology.num_edges();
  s.degree = degree_summary(topology);
  s.diameter = diameter(topology, diameter_options);
  s.uniform = spectral_gap(topology, MixingRule::uniform, spectral_options);
  s.metropolis_hastings = spectral_gap(topology, MixingRule::metropolis_hastings, spectral_options);
  return s;
}

std::string describe_topology(const TopologySummary& s) {
  std::ostringstream out;
  out << "topology: " << s.name << "\n"
      << "nodes: " << s.num_nodes << "\n"
      << "edges: " << s.num_edges << "\n"
      << "degree: min " << s.degree.min << ", max " << s.degree.max << ", mean " << std::setprecision(6)
      << s.degree.mean << "\n";
  out << "diameter: ";
  if (s.diameter.exact) {
    out << s.diameter.value() << "  (exact; " << to_string(s.diameter.method) << ")\n";
  } else {
    out << "between " << s.diameter.lower_bound << " and " << s.diameter.upper_bound << "  (" << to_string(s.diameter.method)
        << " stopped after " << s.diameter.bfs_runs << " BFS runs)\n";
  }
  out << "spectral gap, uniform W: " << describe_gap(s.uniform) << "\n"
      << "spectral gap, Metropolis-Hastings W: " << describe_gap(s.metropolis_hastings) << "\n";
  return out.str();
}

std::string describe_topology(const Topology& topology) { return describe_topology(summarize_topology(topology)); }

}  // namespace dasgd
