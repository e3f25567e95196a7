// Exact staleness of every gradient (spec "Staleness — gradient sets"): an observer the algorithm
// calls at each computation start, completion and application (run → metrics). It keeps, per node,
// the set of gradients applied there, and turns each event into S_t, Ŝ_t and per-delivery figures.
// Exact, never sampled; the same calls in the same order give the same numbers.
#pragma once

#include <algorithm>
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
  // this ← this ∪ B, B given in the same representation (all ones below 64·base_b, words_b from
  // there, zero above). Word-parallel (OR + popcount), O(1 + overlap/64). Returns |B \ this|.
  std::uint64_t merge(std::uint64_t base_b, std::span<const std::uint64_t> words_b);
  // Bytes of word storage (for the memory accounting).
  std::size_t bytes() const noexcept { return words_.capacity() * sizeof(std::uint64_t); }

 private:
  void advance_watermark(std::uint64_t old_base);
  std::uint64_t& word_at(std::uint64_t word);  // grows the window to hold `word` (≥ base())

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

// How the tracker stores the per-node gradient sets (see docs/STALENESS_TRACKING.md).
//   bit_window:      watermark + bit window over the global gradient index. Exact for every
//                    algorithm; per-delivery set figures; merges are word-parallel ORs, O(W/64).
//   origin_prefixes: a vector clock per node (sorted (origin, count) entries: the first `count`
//                    gradients of each origin). Exact for averaging algorithms (gossip, AD-PSGD,
//                    D-PSGD, local SGD), whose sets are unions of per-origin prefixes: gradients enter
//                    a set only by the computing node's own application (in completion order) and
//                    by merges. Merges cost O(k) in the number k of origins a node has heard from,
//                    independent of n and of the run's length; snapshots are shared, never copied.
//                    Single deliveries (on_apply with own = false) are refused (std::logic_error),
//                    so there are no per-delivery set figures and no delivery snapshots.
enum class SetLayout : std::uint8_t { bit_window, origin_prefixes };

// A node's gradient set at one instant (a model sent by an averaging algorithm), from
// StalenessTracker::snapshot_set; merge() it any number of times, then release_snapshot() it once.
// bit_window: a copy of the words. origin_prefixes: a shared, immutable clock (no copy).
struct GradientSetSnapshot {
  std::uint64_t base = 0;             // bit_window: words below are all ones
  std::vector<std::uint64_t> words;   // bit_window: words base, base + 1, ...
  std::uint64_t count = 0;
  std::uint64_t watermark = 0;        // bit_window only
  static constexpr std::uint32_t no_clock = ~std::uint32_t{0};
  std::uint32_t clock = no_clock;     // origin_prefixes: the shared clock (others' prefixes)
  NodeId origin = 0;                  // origin_prefixes: the sending node ...
  std::uint32_t own = 0;              // ... and how many of its own gradients the set holds
  // bit_window only.
  bool contains(std::uint64_t index) const noexcept;
  // bit_window only: one past the largest index that can be in the set.
  std::uint64_t end() const noexcept { return 64 * (base + words.size()); }
};

// Delivery snapshots above this many bytes (all in-flight and not-yet-settled gradients together)
// turn per-delivery set figures off for the rest of the run, with a note (deterministic: decided by
// byte counts, never by wall time).
inline constexpr std::uint64_t default_snapshot_budget_bytes = std::uint64_t{512} << 20;

struct StalenessOptions {
  // Compute |A \ G_k| and |A Δ G_k| per application. Costs a copy of the computing node's window at
  // each start and a popcount over the overlapping windows at each application. Without it the
  // tracker still gives S_t, Ŝ_t, |A| − |G_k| and delivery delays. Ignored by origin_prefixes.
  bool track_deliveries = true;
  SetLayout layout = SetLayout::bit_window;
  // bit_window with track_deliveries: the most bytes of delivery snapshots held at once.
  std::uint64_t snapshot_budget_bytes = default_snapshot_budget_bytes;
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
//                                                   (with batching: once per gradient in the batch);
//   snap = snapshot_set(i); merge(j, snap)...; release_snapshot(snap)   model averaging.
// Each gradient is applied at each node at most once (std::logic_error otherwise). A gradient that
// will never reach some nodes (lost message, crash) can be retire()d to free its snapshot; a
// computation that never completes can be abandon()ed.
//
// Cost, bit_window: on_compute_start O(1), plus O(W_i/64) to copy node i's window with
// track_deliveries; on_compute_complete O(1); on_apply amortized O(1), plus O(1 + W/64) with
// track_deliveries, where W is the width of the out-of-order windows (indices between a node's
// watermark and the highest index applied there); merge O(1 + W/64) word-parallel. "Applied
// everywhere" is decided without visiting bits: per-gradient application counters for on_apply,
// and the minimum watermark over the nodes (kept by counting nodes per watermark value, O(1) per
// watermark move) for merges. Memory: O(n + Σ_i W_i/64) for the sets, plus one snapshot of O(W/64)
// words per in-flight computation and per gradient not yet applied everywhere (slots recycled;
// capped by options.snapshot_budget_bytes, above which delivery figures stop with a note).
// A node that never receives some gradient keeps its watermark below it, and its window (hence
// cost and memory) grows with the run: that is the exact answer's price, not a leak.
//
// Cost, origin_prefixes: on_compute_start amortized O(log k) (the watermark is kept from the last
// merge), on_compute_complete and own on_apply O(1), snapshot_set O(1) (shared), merge O(k_a + k_b)
// over the two clocks' entries. Memory: 16 bytes per (node, origin heard from) entry (an 8-byte key
// and its cached next), plus 8 bytes per completed gradient (the global index of each origin's q-th gradient, for the watermark).
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
  // Throws std::logic_error for a gradient not completed yet, retired, or already applied there
  // (origin_prefixes: also for own = false, and for own gradients out of completion order).
  DeliveryRecord on_apply(NodeId node, std::uint64_t t, SimTime when, bool own);
  // Model averaging: snapshot_set copies (bit_window) or shares (origin_prefixes) node's gradient
  // set now; merge(node, snapshot) sets node ← node ∪ snapshot (gradients it adds count as applied
  // at `node`, toward "applied everywhere", but are not deliveries) and returns how many it added;
  // release_snapshot frees the snapshot (call it once, after its last merge).
  GradientSetSnapshot snapshot_set(NodeId node);
  std::uint64_t merge(NodeId node, const GradientSetSnapshot& snapshot);
  void release_snapshot(GradientSetSnapshot& snapshot);

  // Gradient t will not be applied anywhere else: free its snapshot. Later on_apply(., t) throws.
  // No-op for a gradient already applied at every node (and for origin_prefixes, which keeps none).
  void retire(std::uint64_t t);
  // Link faults: gradient t will never be applied at `node` (its copy towards node was lost). One
  // application fewer is expected, so its record is freed once every other node has it: O(1).
  // Throws std::logic_error for a gradient not completed yet, or already applied at node.
  // No-op for origin_prefixes (averaging algorithms lose models, not gradients).
  void on_lost(NodeId node, std::uint64_t t);

  std::size_t num_nodes() const noexcept { return num_nodes_; }
  const StalenessOptions& options() const noexcept { return options_; }
  // Gradients completed so far (the next t).
  std::uint64_t completed_count() const noexcept { return completed_; }
  std::uint64_t applied_count(NodeId node) const;
  std::uint64_t watermark(NodeId node) const;
  bool is_applied(NodeId node, std::uint64_t t) const;
  // bit_window only (std::logic_error otherwise).
  const AppliedSet& applied_set(NodeId node) const;
  // bit_window: gradients not yet applied everywhere and not retired (their records are still
  // held). origin_prefixes: completed gradients whose own application is still pending.
  std::uint64_t live_gradients() const noexcept;
  // Smallest watermark over the nodes: every gradient below it is applied everywhere (bit_window).
  std::uint64_t settled_below() const noexcept;
  // Delivery set figures were switched off by the snapshot budget: the first gradient without a
  // snapshot (completed_count() at the switch), or none.
  bool deliveries_cut() const noexcept { return deliveries_cut_; }
  std::uint64_t deliveries_cut_at() const noexcept { return deliveries_cut_at_; }
  // Bytes the tracker holds now (sets, snapshots, records; vector capacities, not allocator slack).
  std::uint64_t bytes() const noexcept;
  std::uint64_t peak_snapshot_bytes() const noexcept { return peak_snapshot_bytes_; }
  // origin_prefixes: (origin, count) entries over the live clocks (nodes' and in-flight snapshots').
  std::uint64_t clock_entries() const noexcept { return clock_entries_; }
  // origin_prefixes: how merges went (for tests and benchmarks; counting never changes a figure).
  struct MergePaths {
    std::uint64_t in_place = 0;   // counts raised in the receiver's own clock
    std::uint64_t rebuilt = 0;    // a new clock built (new origins, or the clock was shared)
    std::uint64_t rescans = 0;    // known_min recomputed over every entry
  };
  const MergePaths& merge_paths() const noexcept { return merge_paths_; }

 private:
  // A computation slot: its generation and state (compact, checked at every completion) and, for
  // bit_window with track_deliveries, the window copied at its start (the gradient's G).
  struct SlotMeta {
    std::uint32_t generation = 0;
    enum class State : std::uint8_t { free, pending, completed } state = State::free;
    bool has_words = false;
  };
  struct Snapshot {
    std::uint64_t base = 0;
    std::uint64_t count = 0;
    std::vector<std::uint64_t> words;
  };
  struct LiveGradient {
    NodeId origin = 0;
    std::uint32_t slot = 0;
    std::uint64_t applied_at_start = 0;  // |G|
    SimTime end = 0;
    std::uint32_t remaining = 0;  // applications still expected; 0 once retired or settled
    bool has_snapshot = false;
  };
  // origin_prefixes ---------------------------------------------------------------------------
  static constexpr std::uint64_t unknown_next = ~std::uint64_t{0};
  static constexpr NodeId no_origin = ~NodeId{0};
  // A clock entry is one 64-bit key, (origin << 32) | count: the origin's gradients 0..count−1 are
  // in the set. Keys sorted by origin are sorted as integers, and for one origin the larger key is
  // the larger count, so a merge step is one compare and one max (8 bytes per entry read, where
  // (origin, count, next) took 16).
  static constexpr NodeId key_origin(std::uint64_t key) noexcept { return static_cast<NodeId>(key >> 32); }
  static constexpr std::uint32_t key_count(std::uint64_t key) noexcept {
    return static_cast<std::uint32_t>(key);
  }
  static constexpr std::uint64_t make_key(NodeId origin, std::uint32_t count) noexcept {
    return (std::uint64_t{origin} << 32) | count;
  }
  struct Clock {
    // keys()[0..size): sorted, count ≥ 1, never the owning node itself; nexts()[k] caches the
    // global index of entry k's origin's gradient `count` (unknown_next if it had not completed
    // when last looked up). One block holds both (keys first, then nexts), so a clock is one
    // allocation; its capacity is only storage (kept across reuse, so merges write without
    // initialising).
    std::vector<std::uint64_t> storage;
    std::uint32_t capacity = 0;
    std::uint32_t size = 0;
    std::uint32_t refs = 0;
    std::uint64_t* keys() noexcept { return storage.data(); }
    const std::uint64_t* keys() const noexcept { return storage.data(); }
    std::uint64_t* nexts() noexcept { return storage.data() + capacity; }
    const std::uint64_t* nexts() const noexcept { return storage.data() + capacity; }
    // Room for `need` entries, contents not kept (called on an empty clock). At least 16 entries:
    // pooled clocks start empty, and growing 1, 2, 4, ... cost an allocation per step in most
    // merges of a large world's first seconds.
    void reserve(std::size_t need) {
      if (capacity < need) {
        capacity = static_cast<std::uint32_t>(std::max({need, std::size_t{2} * capacity, std::size_t{16}}));
        storage.assign(std::size_t{2} * capacity, 0);
      }
    }
  };
  struct NodeClock {
    std::uint32_t clock = 0;          // index into clocks_
    std::uint32_t own = 0;            // own gradients applied (a prefix of the node's gradients)
    std::uint32_t first_scan = 0;     // first_order_[..first_scan) are all known to the node
    std::uint32_t pending_head = 0;   // pending_own_[node][pending_head..] await their application
    NodeId min_origin = no_origin;    // the entry whose next is known_min (see .cpp)
    std::uint64_t others = 0;         // Σ entry counts
    std::uint64_t known_min = unknown_next;  // min entry next, exact when known (see .cpp)
    // No entry whose next is unknown_next can get a next below this (see .cpp).
    std::uint64_t unknown_floor = unknown_next;
    std::uint64_t pending_next = unknown_next;  // t of its first own gradient not applied yet
  };
  struct PendingOwn {
    std::uint64_t t = 0;
    SimTime end = 0;
    std::uint64_t applied_at_start = 0;
  };

  void check_node(NodeId node, const char* where) const;
  std::uint32_t acquire_slot();
  void release_slot(std::uint32_t slot);
  void check_ticket(const ComputationTicket& ticket, const char* where) const;
  void settle(LiveGradient& gradient);
  void drop_settled_front();
  void move_watermark(std::uint64_t from, std::uint64_t to);

  std::uint64_t next_of(NodeId origin, std::uint32_t count) const noexcept;
  std::uint64_t origin_watermark(NodeId node);
  std::uint64_t origin_watermark_slow(NodeId node) const;
  bool knows(NodeId node, NodeId origin) const noexcept;
  void advance_first_scan(NodeId node);
  std::uint32_t acquire_clock();
  void release_clock(std::uint32_t clock) noexcept;
  DeliveryRecord origin_apply(NodeId node, std::uint64_t t, SimTime when, bool own);
  std::uint64_t origin_merge(NodeId node, const GradientSetSnapshot& snapshot);
  void rescan_known_min(NodeId node);

  StalenessOptions options_;
  std::size_t num_nodes_ = 0;
  std::uint64_t completed_ = 0;
  std::vector<SlotMeta> slot_meta_;
  std::vector<Snapshot> slots_;  // bit_window only, parallel to slot_meta_
  std::vector<std::uint32_t> free_slots_;
  // bit_window
  std::vector<AppliedSet> sets_;
  std::deque<LiveGradient> live_;  // gradients first_live_ .. completed_ − 1
  std::uint64_t first_live_ = 0;
  // Kept from the first merge on (before it, application counters decide alone): O(1) per move.
  bool watermark_counts_ = false;
  std::vector<std::uint32_t> watermark_nodes_;  // [w − watermark_base_]: nodes with watermark w
  std::uint64_t watermark_base_ = 0;
  std::uint64_t min_watermark_ = 0;
  std::uint64_t snapshot_bytes_ = 0;
  std::uint64_t peak_snapshot_bytes_ = 0;
  bool deliveries_cut_ = false;
  std::uint64_t deliveries_cut_at_ = 0;
  // origin_prefixes
  std::vector<Clock> clocks_;
  std::vector<std::uint32_t> free_clocks_;
  std::vector<NodeClock> nodes_;
  std::vector<std::vector<std::uint64_t>> origin_index_;  // [o][q]: global index of o's q-th
  std::vector<NodeId> first_order_;  // origins in the order of their first completion
  std::vector<std::uint64_t> first_index_;  // [p]: global index of first_order_[p]'s first gradient
  std::vector<std::vector<PendingOwn>> pending_own_;
  std::uint64_t pending_own_count_ = 0;
  std::uint64_t clock_entries_ = 0;  // entries over live clocks (memory accounting)
  MergePaths merge_paths_;
};

}  // namespace dasgd
