// What one topology change costs (docs/FAULTS.md, "Time-varying topology"): LiveTopology::change
// for each generator at n nodes (the new snapshot's CSR arrays and its Network), and what routing
// costs per change: setting up a snapshot's tree table plus one shortest-path tree per source that
// sends in it (an O(n + m) BFS each).
#include <benchmark/benchmark.h>

#include "sim/algorithms/routing.hpp"
#include "sim/faults/live_topology.hpp"
#include "topologies/generators.hpp"

namespace dasgd {
namespace {

DynamicTopologySpec spec_of(int kind) {
  DynamicTopologySpec spec;
  spec.period = 1.0;
  spec.kind = kind == 0 ? "random_matching" : kind == 1 ? "one_peer_exponential" : kind == 2 ? "random_regular" : "markov";
  spec.degree = 4;
  spec.on_rate = 1;
  spec.off_rate = 1;
  return spec;
}

void BM_TopologyChange(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(1));
  const Topology base = generate::torus(n / 100, 100);
  LinkModelSpec link;
  link.latency = law::Exponential{0.1};  // a random law: each snapshot's Network keeps per-arc counters
  LiveTopology live(base, spec_of(static_cast<int>(state.range(0))), 1, 1, link, nullptr);
  for (auto _ : state) {
    live.change(live.next_change());
    benchmark::DoNotOptimize(live.current().live_edges());
  }
  state.SetLabel(live.spec().kind);
  state.counters["ns_per_node"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TopologyChange)->ArgsProduct({{0, 1, 2, 3}, {10000}})->Unit(benchmark::kMicrosecond);

// One source's shortest-path tree on a new snapshot (what DASGD's routed delivery builds the first
// time a source sends after a change).
void BM_RouteTreePerSource(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(1));
  const Topology base = generate::torus(n / 100, 100);
  LiveTopology live(base, spec_of(static_cast<int>(state.range(0))), 1, 1, LinkModelSpec{}, nullptr);
  NodeId source = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(shortest_path_tree(live.current().topology(), source));
    source = (source + 7919) % static_cast<NodeId>(n);
  }
  state.SetLabel(live.spec().kind);
}
BENCHMARK(BM_RouteTreePerSource)->ArgsProduct({{2, 3}, {10000}})->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dasgd

BENCHMARK_MAIN();
