// Per-snapshot and per-period figures of a time-varying graph; see live_topology_report.hpp.
#include "sim/faults/live_topology_report.hpp"

#include "sim/faults/live_topology.hpp"
#include "topologies/properties.hpp"
#include "topologies/spectral.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace dasgd {
namespace {

// 1 − ρ without the rounding dust of a contraction that is exactly 0 or 1.
double gap_of(double rho) { return std::abs(1 - rho) < 1e-12 ? 0.0 : std::abs(rho) < 1e-12 ? 1.0 : 1 - rho; }

void describe_snapshot(std::ostringstream& out, const LiveSnapshot& s, std::size_t dense_limit) {
  const Topology& t = s.topology();
  const std::vector<Edge> edges = t.edges();
  const std::size_t components = count_components(t.num_nodes(), edges);
  const DegreeSummary degrees = degree_summary(t);
  out << "snapshot " << s.index() << " from t = " << s.from() << ": " << t.num_edges() << " live edges, degree "
      << degrees.min << ".." << degrees.max;
  if (components > 1) {
    out << ", disconnected (" << components << " components): diameter infinite"
        << (s.directed() ? "\n" : ", spectral gap 0 for both rules (lambda_2 = 1)\n");
  } else {
    const Diameter d = diameter(t);
    out << ", diameter " << d.value() << (d.exact ? "" : " (bound)");
    if (!s.directed()) {
      out << ", spectral gap uniform " << spectral_gap(t, MixingRule::uniform).gap << ", Metropolis-Hastings "
          << spectral_gap(t, MixingRule::metropolis_hastings).gap;
    }
    out << "\n";
  }
  if (s.directed() && t.num_nodes() <= dense_limit) {
    const double rho = dynamic::consensus_contraction(dynamic::one_peer_mixing_matrix(s.peers()));
    out << "  one-peer W_k (W_ii = W_i,peer(i) = 1/2): ||W_k - J/n|| = " << rho << ", gap " << gap_of(rho) << "\n";
  }
}

}  // namespace

std::string describe_dynamic_topology(const Topology& base, const DynamicTopologySpec& spec, std::uint64_t seed,
                                      const DynamicReportOptions& options) {
  std::ostringstream out;
  out << std::setprecision(6);
  const std::size_t n = base.num_nodes();
  LiveTopology live(base, spec, seed, seed, LinkModelSpec{}, nullptr);
  std::size_t count = options.periods;
  if (spec.kind == "schedule") count = spec.snapshots.size() + (spec.snapshots.front().at > 0 ? 1 : 0);
  if (spec.kind == "one_peer_exponential") count = std::max<std::size_t>(1, dynamic::one_peer_rounds(n));
  out << "time-varying graph: " << spec.kind;
  if (spec.kind != "schedule") out << ", re-drawn every " << spec.period << " s";
  if (spec.kind == "markov")
    out << ", each base edge on a fraction on/(on + off) = " << spec.on_rate / (spec.on_rate + spec.off_rate)
        << " of the time";
  out << "\n";
  Eigen::MatrixXd product;
  const bool one_peer = spec.kind == "one_peer_exponential" && n > 1 && n <= options.dense_limit;
  if (one_peer) product = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t k = 0; k < count; ++k) {
    if (k > 0) live.change(live.next_change());
    describe_snapshot(out, live.current(), options.dense_limit);
    if (one_peer) product = dynamic::one_peer_mixing_matrix(live.current().peers()) * product;
  }
  if (one_peer) {
    const double rho = dynamic::consensus_contraction(product);
    out << "product over one period (" << count << " rounds, W_" << count - 1 << " ... W_0): ||P - J/n|| = " << rho
        << ", period gap " << gap_of(rho)
        << ((n & (n - 1)) == 0 ? "  (n a power of two: P = J/n, exact averaging after log2 n rounds)" : "") << "\n";
  } else if (spec.kind != "schedule" && spec.kind != "one_peer_exponential") {
    out << "period product: none (every period is a fresh random draw; figures above are per snapshot)\n";
  }
  return out.str();
}

}  // namespace dasgd
