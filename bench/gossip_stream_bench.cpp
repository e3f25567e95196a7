// The memory-bandwidth reference for bench/gossip_bench.py (issue 10's "bandwidth limit"): a
// STREAM-style copy kernel (McCalpin's "Copy", c[i] = a[i]) over arrays far larger than the caches,
// reported as bytes moved per second (read + write = 16 bytes per element), and the graph's own
// bytes for the memory target (Topology::memory_bytes of a ring). Run with
// --benchmark_format=json; gossip_bench.py reads bytes_per_second and the ring_bytes counter.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "topologies/generators.hpp"

namespace {

void BM_StreamCopy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<double> a(n, 1.0), c(n, 0.0);
  for (auto _ : state) {
    const double* __restrict src = a.data();
    double* __restrict dst = c.data();
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(2 * n * sizeof(double)));
}
// 2 × 256 MiB: well beyond any last-level cache.
BENCHMARK(BM_StreamCopy)->Arg(std::int64_t{1} << 25)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RingMemory(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::size_t bytes = 0;
  for (auto _ : state) {
    const dasgd::Topology ring = dasgd::generate::ring(n);
    bytes = ring.memory_bytes();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["ring_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RingMemory)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
