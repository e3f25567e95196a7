// How long each node takes to compute each gradient (config → world; queried by algorithms during
// the run). Counter-based: node i's k-th duration is a pure function of (seed, i, k), so it never
// depends on other nodes, on call order, or on which algorithm asks — two algorithms run on the
// same seed see the same compute times.
#pragma once

#include "sim/delay/distribution.hpp"
#include "topologies/topology.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace dasgd {

// A fixed fraction of the nodes (exactly round(fraction · n), chosen by a seeded shuffle) is
// `slowdown` times slower on every gradient.
struct Stragglers {
  double fraction = 0;  // in [0, 1]
  double slowdown = 1;  // >= 1
};

// Each gradient, independently, takes `factor` times longer with the given probability
// (transient hiccups: preemption, garbage collection, a noisy neighbour).
struct RandomSlowdowns {
  double probability = 0;  // in [0, 1]
  double factor = 1;       // >= 1
};

enum class TraceExhausted { cycle, error };

// Replay of measured compute times from a CSV file with header `node,duration`: the k-th row of
// node i (in file order) is node i's k-th duration. Past the end: start again, or fail.
struct ComputeTraceSpec {
  std::string path;
  TraceExhausted when_exhausted = TraceExhausted::cycle;
};

struct ComputeModelSpec {
  // Duration of one gradient at speed 1. Ignored when a trace is given.
  Distribution base = law::Constant{1.0};
  // Relative node speeds (durations are divided by them): an explicit list with one entry per node
  // (empty: every node has speed 1), or a law each node's speed is drawn from once.
  std::variant<std::vector<double>, Distribution> speeds{};
  Stragglers stragglers{};
  RandomSlowdowns slowdowns{};
  // Trace durations are final: a trace cannot be combined with speeds, stragglers or slow-downs.
  std::optional<ComputeTraceSpec> trace{};
};

// Per-node duration lists read from a trace file, stored compactly (one offsets array).
class ComputeTrace {
 public:
  // Throws std::invalid_argument naming the file and line for a bad header or row, a node id
  // >= num_nodes, or a negative / non-finite duration, and naming the node when a node has no row.
  static ComputeTrace read(const std::string& path, std::size_t num_nodes);

  std::size_t num_nodes() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::span<const double> durations(NodeId node) const noexcept {
    return {durations_.data() + offsets_[node], offsets_[node + 1] - offsets_[node]};
  }
  double mean(NodeId node) const noexcept { return means_[node]; }

 private:
  std::vector<std::size_t> offsets_;  // num_nodes + 1
  std::vector<double> durations_;
  std::vector<double> means_;
};

class ComputeModel {
 public:
  // Throws std::invalid_argument for an invalid law, a speed list whose length is not num_nodes or
  // holding a speed <= 0, a fraction or probability outside [0, 1], a slow-down below 1, a trace
  // combined with speeds / stragglers / slow-downs, or a bad trace file. `seed` is the master seed.
  ComputeModel(const ComputeModelSpec& spec, std::size_t num_nodes, std::uint64_t seed);

  // Node's k-th gradient (k = 0, 1, ...):
  //   base draw from Rng(mix_key(seed, compute_delay, node, k)) / speed
  //     × (stragglers.slowdown if the node is a straggler) × (slowdowns.factor if this one is hit),
  // or the trace's k-th duration for the node. Throws std::out_of_range for node >= num_nodes and
  // std::runtime_error when a trace is exhausted in "error" mode.
  double duration(NodeId node, std::uint64_t k) const {
    // Inline fast path (one per gradient): Exponential base law, nothing else; the same draw as
    // the general path (the generator's first output: the compiler drops the unused state words).
    if (plain_exponential_mean_ > 0.0 && node < num_nodes_) {
      Rng rng(mix_key_from(delay_key_, node, k));
      return rng.exponential(plain_exponential_mean_);
    }
    return general_duration(node, k);
  }

  // The node's relative speed from `speeds` (1 when none given), not counting the straggler factor.
  double speed(NodeId node) const;
  bool is_straggler(NodeId node) const;
  // Whether the node's k-th gradient is hit by a random slow-down.
  bool is_slowed_down(NodeId node, std::uint64_t k) const;
  // E[duration(node, k)] in closed form, all factors included; for a trace, the node's trace mean.
  double mean_duration(NodeId node) const;

  std::size_t num_nodes() const noexcept { return num_nodes_; }
  std::size_t num_stragglers() const noexcept { return num_stragglers_; }
  const ComputeModelSpec& spec() const noexcept { return spec_; }

 private:
  void check_node(NodeId node) const;
  double general_duration(NodeId node, std::uint64_t k) const;

  ComputeModelSpec spec_;
  std::size_t num_nodes_;
  std::uint64_t seed_;
  std::uint64_t slowdown_seed_;        // derived key for the per-gradient slow-down coins
  std::vector<double> speeds_;         // empty: all 1
  std::vector<bool> straggler_;        // empty: none
  std::size_t num_stragglers_ = 0;
  std::optional<ComputeTrace> trace_;
  std::uint64_t delay_key_ = 0;             // purpose_key(seed, compute_delay)
  double plain_exponential_mean_ = 0.0;     // > 0: the base law is all there is (fast path)
};

}  // namespace dasgd
