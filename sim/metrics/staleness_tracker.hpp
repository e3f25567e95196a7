// Exact staleness of every gradient (spec "Staleness — gradient sets"): an observer the algorithm
// calls at each computation start, completion and application (run → metrics). It keeps, per node,
// the set of gradients applied there, and turns each event into S_t, Ŝ_t and per-delivery figures.
// Exact, never sampled; the same calls in the same order give the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "sim/engine/event.hpp"

namespace dasgd {

using NodeId = std::uint32_t;  // same alias as topologies/topology.hpp (metrics do not need graphs)

// The set of gradients applied at one node, as "every index below the watermark, plus a window of
// out-of-order bits above it". Word x of the set (indices 64x..64x+63) is all ones for x < base(),
// words()[x − base()] for x in [base(), base() + words().size()), and zero above. Bits below the
// watermark inside the base word are stored as ones, so the words are the set's plain bit pattern.
// insert() is amortized O(1): the watermark only moves up, and each word passes it once.
class AppliedSet {
 public:
  AppliedSet();

  std::uint64_t count() const noexcept { return count_; }
  // Smallest index not in the set.
  std::uint64_t watermark() const noexcept { return watermark_; }
  std::uint64_t base() const noexcept { return watermark_ / 64; }
  std::span<const std::uint64_t> words() const noexcept {
    return {words_.data() + front_, words_.size() - front_};
  }
  bool contains(std::uint64_t index) const noexcept;
  // Adds `index`; throws std::logic_error if it is already in the set.
  void insert(std::uint64_t index);

 private:
  std::vector<std::uint64_t> words_;  // live words are words_[front_..]; compacted when front_ grows
  std::size_t front_ = 0;
  std::uint64_t watermark_ = 0;
  std::uint64_t count_ = 0;
};

// |A ∩ B| for two sets in AppliedSet's representation (all ones below 64·base, the given words,
// zero above). Scans only the lower-based set's words at or above the higher base: O(1 + W/64) for
// windows of width W; the all-ones prefixes are counted from the set sizes, never scanned.
std::uint64_t intersection_size(std::uint64_t base_a, std::span<const std::uint64_t> words_a,
                                std::uint64_t count_a, std::uint64_t base_b,
                                std::span<const std::uint64_t> words_b, std::uint64_t count_b);

// A copy of one node's gradient set at one instant (a model sent by an averaging algorithm).
struct GradientSetSnapshot {
  std::uint64_t base = 0;             // words below are all ones
  std::vector<std::uint64_t> words;   // words base, base + 1, ...
  std::uint64_t count = 0;
  std::uint64_t watermark = 0;
  bool contains(std::uint64_t index) const noexcept;
  // One past the largest index that can be in the set.
  std::uint64_t end() const noexcept { return 64 * (base + words.size()); }
};

struct StalenessOptions {
  // Compute |A \ G_k| and |A Δ G_k| per application. Costs a copy of the computing node's window at
  // each start and a popcount over the overlapping windows at each application. Without it the
  // tracker still gives S_t, Ŝ_t, |A| − |G_k| and delivery delays.
  bool track_deliveries = true;
};

// Handed out at computation start, handed back at completion (or to abandon()). `applied_count` is
// |G| and `watermark` is min({0,1,...} \ G): together they give S_t and Ŝ_t in O(1). The window
// snapshot (for delivery figures) lives inside the tracker, in the slot the ticket names.
struct ComputationTicket {
  NodeId node = 0;
  SimTime start = 0;
  std::uint64_t applied_count = 0;
  std::uint64_t watermark = 0;
  std::uint32_t slot = 0;        // tracker-internal
  std::uint32_t generation = 0;  // tracker-internal: refuses stale or twice-used tickets
};

// One completed gradient t (the spec's per-gradient log, staleness part).
struct GradientRecord {
  std::uint64_t t = 0;                // completion order: the virtual sequence's index
  NodeId node = 0;                    // i_t
  SimTime start = 0;                  // when node i_t read v_t
  SimTime end = 0;                    // completion
  std::uint64_t applied_at_start = 0; // |G_t|
  std::uint64_t s = 0;                // S_t = |M_t| = t − |G_t|, M_t = {0..t−1} \ G_t
  std::uint64_t s_hat = 0;            // Ŝ_t = t − min M_t (0 if M_t is empty); S_t ≤ Ŝ_t
};

// One application of gradient k (computed on G_k) at node j holding set A just before.
struct DeliveryRecord {
  std::uint64_t gradient = 0;  // k
  NodeId origin = 0;           // i_k, the node that computed k
  NodeId node = 0;             // j, where it is applied
  SimTime computed_at = 0;     // completion time of k
  SimTime applied_at = 0;
  bool own = false;            // j == origin: the node's own application, not a delivery
  bool sets_measured = false;  // receiver_only .. symmetric_difference are filled (track_deliveries)
  std::uint64_t receiver_count = 0;      // |A|
  std::uint64_t gradient_set_count = 0;  // |G_k|
  std::uint64_t receiver_only = 0;       // |A \ G_k|: applied at j, missing from k's model
  std::uint64_t gradient_only = 0;       // |G_k \ A|: in k's model, not yet applied at j
  std::uint64_t symmetric_difference = 0;  // |A Δ G_k|
  std::int64_t version_difference = 0;     // |A| − |G_k|: what a version counter (TensAIR) sees

  SimTime delay() const noexcept { return applied_at - computed_at; }
};

// Protocol the algorithm follows (metrics never change the run):
//   ticket = on_compute_start(i, s)                 when node i reads its model;
//   rec = on_compute_complete(i, ticket, c)         assigns t = 0, 1, 2, ... in call order;
//   on_apply(i, rec.t, c, /*own=*/true)             the node's own application (call it! it is in
//                                                   the sets, but not a delivery);
//   on_apply(j, k, r, /*own=*/false)                each time gradient k is applied at node j ≠ i_k
//                                                   (with batching: once per gradient in the batch).
// Each gradient is applied at each node at most once (std::logic_error otherwise). A gradient that
// will never reach some nodes (lost message, crash) can be retire()d to free its snapshot; a
// computation that never completes can be abandon()ed.
//
// Cost: on_compute_start O(1), plus O(W_i/64) to copy node i's window with track_deliveries;
// on_compute_complete O(1); on_apply amortized O(1), plus O(1 + W/64) with track_deliveries, where
// W is the width of the out-of-order windows (indices between a node's watermark and the highest
// index applied there), independent of n at a fixed number of gradients in flight. No per-origin
// O(n) vectors. Memory: O(n + Σ_i W_i/64) for the sets, plus one snapshot of O(W/64) words per
// in-flight computation and per gradient not yet applied everywhere (snapshot slots are recycled,
// so the steady state allocates nothing). A node that never receives some gradient keeps its
// watermark below it, and its window (hence cost and memory) grows with the run: that is the exact
// answer's price, not a leak.
class StalenessTracker {
 public:
  // Throws std::invalid_argument if num_nodes is 0 or above 2^32 − 1.
  explicit StalenessTracker(std::size_t num_nodes, StalenessOptions options = {});

  // Node i reads its model at time `start`: snapshot |G|, watermark (and window, if tracking).
  ComputationTicket on_compute_start(NodeId node, SimTime start);
  // The computation of `ticket` completes at `end`; returns its record with t assigned. Throws
  // std::invalid_argument for a ticket of another node, std::logic_error for a used/stale ticket.
  GradientRecord on_compute_complete(NodeId node, const ComputationTicket& ticket, SimTime end);
  // A started computation will never complete (node crash): frees its snapshot.
  void abandon(const ComputationTicket& ticket);
  // Gradient t is applied at `node` at time `when`. `own` must equal (node == origin of t).
  // Throws std::logic_error for a gradient not completed yet, retired, or already applied there.
  DeliveryRecord on_apply(NodeId node, std::uint64_t t, SimTime when, bool own);
  // Model averaging: a copy of node's gradient set now, and node ← node ∪ snapshot. Gradients the
  // merge adds count as applied at `node` (toward "applied everywhere") but are not deliveries.
  // Cost O(W) for the indices between node's watermark and the snapshot's end. Returns the number
  // of gradients added.
  GradientSetSnapshot snapshot_set(NodeId node) const;
  std::uint64_t merge(NodeId node, const GradientSetSnapshot& snapshot);

  // Gradient t will not be applied anywhere else: free its snapshot. Later on_apply(., t) throws.
  // No-op for a gradient already applied at every node.
  void retire(std::uint64_t t);

  std::size_t num_nodes() const noexcept { return sets_.size(); }
  const StalenessOptions& options() const noexcept { return options_; }
  // Gradients completed so far (the next t).
  std::uint64_t completed_count() const noexcept { return completed_; }
  std::uint64_t applied_count(NodeId node) const;
  std::uint64_t watermark(NodeId node) const;
  bool is_applied(NodeId node, std::uint64_t t) const;
  const AppliedSet& applied_set(NodeId node) const;
  // Gradients not yet applied everywhere and not retired (their records are still held).
  std::uint64_t live_gradients() const noexcept { return completed_ - first_live_; }

 private:
  struct Snapshot {
    std::uint32_t generation = 0;
    enum class State : std::uint8_t { free, pending, completed } state = State::free;
    std::uint64_t base = 0;
    std::uint64_t count = 0;
    std::vector<std::uint64_t> words;
  };
  struct LiveGradient {
    NodeId origin = 0;
    std::uint32_t slot = 0;
    std::uint64_t applied_at_start = 0;  // |G|
    SimTime end = 0;
    std::uint32_t remaining = 0;  // applications still expected; 0 once retired
    bool has_snapshot = false;
  };

  void check_node(NodeId node, const char* where) const;
  std::uint32_t acquire_slot();
  void release_slot(std::uint32_t slot);
  Snapshot& ticket_slot(const ComputationTicket& ticket, const char* where);
  void settle(LiveGradient& gradient);
  void drop_settled_front();

  StalenessOptions options_;
  std::vector<AppliedSet> sets_;
  std::vector<Snapshot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::deque<LiveGradient> live_;  // gradients first_live_ .. completed_ − 1
  std::uint64_t first_live_ = 0;
  std::uint64_t completed_ = 0;
};

}  // namespace dasgd
