// Exact staleness tracking (run → metrics): per-node applied sets as watermark + bit window, and the
// tracker that turns computation starts, completions and applications into S_t, Ŝ_t and delivery
// figures. See staleness_tracker.hpp for the protocol and the cost model.
#include "sim/metrics/staleness_tracker.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <stdexcept>
#include <string>

namespace dasgd {

namespace {

constexpr std::uint64_t all_ones = ~std::uint64_t{0};

std::uint64_t popcount(std::uint64_t word) noexcept {
  return static_cast<std::uint64_t>(std::popcount(word));
}

// |A ∩ B| when A's base is not above B's. B is all ones below 64·base_b, so there A ∩ B is A itself:
// |A ∩ B| = count_a − |A ∩ [64·base_b, ∞)| + |A ∩ B ∩ [64·base_b, ∞)|. Only A's words at or above
// base_b are scanned; A's all-ones prefix and the words below base_b come free from count_a.
std::uint64_t intersection_size_ordered(std::uint64_t base_a, std::span<const std::uint64_t> words_a,
                                        std::uint64_t count_a, std::uint64_t base_b,
                                        std::span<const std::uint64_t> words_b) noexcept {
  const std::uint64_t end_a = base_a + words_a.size();
  if (end_a <= base_b) return count_a;
  const std::uint64_t end_b = base_b + words_b.size();
  const std::uint64_t overlap_end = std::min(end_a, end_b);
  const std::uint64_t* a = words_a.data() + (base_b - base_a);
  const std::uint64_t* b = words_b.data();
  std::uint64_t a_above = 0;
  std::uint64_t both = 0;
  const std::uint64_t overlap_words = overlap_end - base_b;
  for (std::uint64_t x = 0; x < overlap_words; ++x) {
    a_above += popcount(a[x]);
    both += popcount(a[x] & b[x]);
  }
  for (std::uint64_t x = overlap_words; x < end_a - base_b; ++x) a_above += popcount(a[x]);
  return count_a - a_above + both;
}

}  // namespace

std::uint64_t intersection_size(std::uint64_t base_a, std::span<const std::uint64_t> words_a,
                                std::uint64_t count_a, std::uint64_t base_b,
                                std::span<const std::uint64_t> words_b, std::uint64_t count_b) {
  return base_a <= base_b ? intersection_size_ordered(base_a, words_a, count_a, base_b, words_b)
                          : intersection_size_ordered(base_b, words_b, count_b, base_a, words_a);
}

// ---------------------------------------------------------------------------------------------
// AppliedSet

AppliedSet::AppliedSet() : words_(1, 0) {}

bool AppliedSet::contains(std::uint64_t index) const noexcept {
  if (index < watermark_) return true;
  const std::uint64_t offset = index / 64 - base();
  const std::span<const std::uint64_t> live = words();
  if (offset >= live.size()) return false;
  return ((live[offset] >> (index % 64)) & 1U) != 0;
}

std::uint64_t& AppliedSet::word_at(std::uint64_t word) {
  const std::uint64_t offset = word - base();
  if (offset >= words_.size() - front_) words_.resize(front_ + offset + 1, 0);
  return words_[front_ + offset];
}

// The gap at the watermark may be filled: move it past every applied index. Full words leave the
// window; the new base word keeps its ones below the new watermark (see the class comment).
void AppliedSet::advance_watermark(std::uint64_t old_base) {
  std::uint64_t popped = 0;
  while (words_[front_] == all_ones) {
    ++front_;
    ++popped;
    if (front_ == words_.size()) words_.push_back(0);
  }
  watermark_ = (old_base + popped) * 64 +
               static_cast<std::uint64_t>(std::countr_one(words_[front_]));
  // Compact once the dead prefix is at least half the storage: amortized O(1) per popped word.
  if (front_ >= 32 && 2 * front_ >= words_.size()) {
    words_.erase(words_.begin(), words_.begin() + static_cast<std::ptrdiff_t>(front_));
    front_ = 0;
  }
}

void AppliedSet::insert(std::uint64_t index) {
  if (contains(index)) {
    throw std::logic_error("staleness: gradient " + std::to_string(index) +
                           " applied twice at the same node");
  }
  word_at(index / 64) |= std::uint64_t{1} << (index % 64);
  ++count_;
  if (index == watermark_) advance_watermark(base());
}

std::uint64_t AppliedSet::merge(std::uint64_t base_b, std::span<const std::uint64_t> words_b) {
  const std::uint64_t old_base = base();
  const std::uint64_t end_b = base_b + words_b.size();
  std::uint64_t added = 0;
  if (base_b > old_base) {
    // B holds every index below 64·base_b: those words of this set become all ones.
    word_at(base_b - 1);
    std::uint64_t* w = words_.data() + front_;
    for (std::uint64_t x = 0; x < base_b - old_base; ++x) {
      added += 64 - popcount(w[x]);
      w[x] = all_ones;
    }
  }
  const std::uint64_t from = std::max(base_b, old_base);
  if (end_b > from) {
    word_at(end_b - 1);
    std::uint64_t* w = words_.data() + front_ + (from - old_base);
    const std::uint64_t* b = words_b.data() + (from - base_b);
    const std::uint64_t span = end_b - from;
    for (std::uint64_t x = 0; x < span; ++x) {
      const std::uint64_t merged = w[x] | b[x];
      added += popcount(merged ^ w[x]);
      w[x] = merged;
    }
  }
  count_ += added;
  if (added != 0) advance_watermark(old_base);
  return added;
}

// ---------------------------------------------------------------------------------------------
// StalenessTracker: common parts

StalenessTracker::StalenessTracker(std::size_t num_nodes, StalenessOptions options)
    : options_(options), num_nodes_(num_nodes) {
  if (num_nodes == 0 || num_nodes >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("StalenessTracker: expected a number of nodes in [1, 2^32 − 2], got " +
                                std::to_string(num_nodes));
  }
  if (options_.layout == SetLayout::bit_window) {
    sets_.resize(num_nodes);
  } else {
    options_.track_deliveries = false;
    clocks_.emplace_back();  // clock 0: the empty set, shared by every node at the start
    clocks_[0].refs = static_cast<std::uint32_t>(num_nodes);
    nodes_.resize(num_nodes);
    origin_index_.resize(num_nodes);
    pending_own_.resize(num_nodes);
  }
}

void StalenessTracker::check_node(NodeId node, const char* where) const {
  if (node >= num_nodes_) {
    throw std::invalid_argument(std::string("StalenessTracker::") + where +
                                ": expected a node id below " + std::to_string(num_nodes_) +
                                ", got " + std::to_string(node));
  }
}

std::uint32_t StalenessTracker::acquire_slot() {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slot_meta_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("StalenessTracker: too many computations in flight");
    }
    slot = static_cast<std::uint32_t>(slot_meta_.size());
    slot_meta_.emplace_back();
    if (options_.layout == SetLayout::bit_window) slots_.emplace_back();
  }
  SlotMeta& meta = slot_meta_[slot];
  ++meta.generation;
  meta.state = SlotMeta::State::pending;
  return slot;
}

void StalenessTracker::release_slot(std::uint32_t slot) {
  SlotMeta& meta = slot_meta_[slot];
  if (meta.has_words) {
    snapshot_bytes_ -= slots_[slot].words.size() * sizeof(std::uint64_t);
    meta.has_words = false;
  }
  meta.state = SlotMeta::State::free;
  free_slots_.push_back(slot);
}

void StalenessTracker::check_ticket(const ComputationTicket& ticket, const char* where) const {
  if (ticket.slot >= slot_meta_.size() || slot_meta_[ticket.slot].generation != ticket.generation ||
      slot_meta_[ticket.slot].state != SlotMeta::State::pending) {
    throw std::logic_error(std::string("StalenessTracker::") + where + ": ticket of node " +
                           std::to_string(ticket.node) + " started at " +
                           std::to_string(ticket.start) + " was already completed or abandoned");
  }
}

ComputationTicket StalenessTracker::on_compute_start(NodeId node, SimTime start) {
  check_node(node, "on_compute_start");
  ComputationTicket ticket;
  ticket.node = node;
  ticket.start = start;
  ticket.slot = acquire_slot();
  ticket.generation = slot_meta_[ticket.slot].generation;
  if (options_.layout == SetLayout::origin_prefixes) {
    const NodeClock& clock = nodes_[node];
    ticket.applied_count = clock.own + clock.others;
    ticket.watermark = origin_watermark(node);
    return ticket;
  }
  const AppliedSet& set = sets_[node];
  ticket.applied_count = set.count();
  ticket.watermark = set.watermark();
  Snapshot& snapshot = slots_[ticket.slot];
  snapshot.base = set.base();
  snapshot.count = set.count();
  if (options_.track_deliveries && !deliveries_cut_) {
    const std::span<const std::uint64_t> words = set.words();
    const std::uint64_t bytes = words.size() * sizeof(std::uint64_t);
    if (snapshot_bytes_ + bytes > options_.snapshot_budget_bytes) {
      // Deterministic cut: from here on no new delivery snapshots (see deliveries_cut_at()).
      deliveries_cut_ = true;
      deliveries_cut_at_ = completed_;
    } else {
      snapshot.words.assign(words.begin(), words.end());  // reuses the slot's capacity
      slot_meta_[ticket.slot].has_words = true;
      snapshot_bytes_ += bytes;
      peak_snapshot_bytes_ = std::max(peak_snapshot_bytes_, snapshot_bytes_);
    }
  }
  return ticket;
}

GradientRecord StalenessTracker::on_compute_complete(NodeId node, const ComputationTicket& ticket,
                                                     SimTime end) {
  check_node(node, "on_compute_complete");
  if (ticket.node != node) {
    throw std::invalid_argument("StalenessTracker::on_compute_complete: ticket belongs to node " +
                                std::to_string(ticket.node) + ", completed at node " +
                                std::to_string(node));
  }
  check_ticket(ticket, "on_compute_complete");
  GradientRecord record;
  record.t = completed_++;
  record.node = node;
  record.start = ticket.start;
  record.end = end;
  record.applied_at_start = ticket.applied_count;
  // G_t ⊆ {0..t−1} (everything in it completed before the start), so |G_t| ≤ t, and the smallest
  // index missing from G_t is its watermark: min M_t = watermark when M_t is non-empty.
  record.s = record.t - ticket.applied_count;
  record.s_hat = record.s == 0 ? 0 : record.t - ticket.watermark;

  if (options_.layout == SetLayout::origin_prefixes) {
    release_slot(ticket.slot);
    std::vector<std::uint64_t>& index = origin_index_[node];
    if (index.size() >= std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("StalenessTracker: more than 2^32 − 2 gradients of one node");
    }
    if (index.empty()) {
      first_order_.push_back(node);
      first_index_.push_back(record.t);
    }
    index.push_back(record.t);
    std::vector<PendingOwn>& pending = pending_own_[node];
    if (pending.size() == nodes_[node].pending_head) nodes_[node].pending_next = record.t;
    pending.push_back({record.t, end, ticket.applied_count});
    ++pending_own_count_;
    return record;
  }

  LiveGradient live;
  live.origin = node;
  live.slot = ticket.slot;
  live.applied_at_start = ticket.applied_count;
  live.end = end;
  live.remaining = static_cast<std::uint32_t>(num_nodes_);
  live.has_snapshot = slot_meta_[ticket.slot].has_words;
  if (live.has_snapshot) {
    slot_meta_[ticket.slot].state = SlotMeta::State::completed;
  } else {
    release_slot(ticket.slot);
  }
  live_.push_back(live);
  return record;
}

void StalenessTracker::abandon(const ComputationTicket& ticket) {
  check_ticket(ticket, "abandon");
  release_slot(ticket.slot);
}

void StalenessTracker::settle(LiveGradient& gradient) {
  gradient.remaining = 0;
  if (gradient.has_snapshot) {
    release_slot(gradient.slot);
    gradient.has_snapshot = false;
  }
}

// Pops gradients applied everywhere (counter at 0, or below every node's watermark) or retired.
void StalenessTracker::drop_settled_front() {
  while (!live_.empty() && (live_.front().remaining == 0 || first_live_ < min_watermark_)) {
    if (live_.front().remaining != 0) settle(live_.front());
    live_.pop_front();
    ++first_live_;
  }
}

// One node's watermark moved up from `from` to `to`: O(1) plus the amortized advance of the minimum.
void StalenessTracker::move_watermark(std::uint64_t from, std::uint64_t to) {
  if (from == to || !watermark_counts_) return;
  --watermark_nodes_[from - watermark_base_];
  const std::uint64_t at = to - watermark_base_;
  if (at >= watermark_nodes_.size()) watermark_nodes_.resize(at + 1, 0);
  ++watermark_nodes_[at];
  if (from != min_watermark_ || watermark_nodes_[from - watermark_base_] != 0) return;
  while (watermark_nodes_[min_watermark_ - watermark_base_] == 0) ++min_watermark_;
  // Compact the counts below the minimum once they are half the storage.
  const std::uint64_t dead = min_watermark_ - watermark_base_;
  if (dead >= 64 && 2 * dead >= watermark_nodes_.size()) {
    watermark_nodes_.erase(watermark_nodes_.begin(),
                           watermark_nodes_.begin() + static_cast<std::ptrdiff_t>(dead));
    watermark_base_ = min_watermark_;
  }
  drop_settled_front();
}

DeliveryRecord StalenessTracker::on_apply(NodeId node, std::uint64_t t, SimTime when, bool own) {
  check_node(node, "on_apply");
  if (t >= completed_) {
    throw std::logic_error("StalenessTracker::on_apply: gradient " + std::to_string(t) +
                           " has not completed (" + std::to_string(completed_) +
                           " gradients completed so far)");
  }
  if (options_.layout == SetLayout::origin_prefixes) return origin_apply(node, t, when, own);
  AppliedSet& set = sets_[node];
  if (set.contains(t)) {
    throw std::logic_error("StalenessTracker::on_apply: gradient " + std::to_string(t) +
                           " applied twice at node " + std::to_string(node));
  }
  if (t < first_live_ || live_[t - first_live_].remaining == 0) {
    throw std::logic_error("StalenessTracker::on_apply: gradient " + std::to_string(t) +
                           " was retired, yet applied at node " + std::to_string(node));
  }
  LiveGradient& gradient = live_[t - first_live_];
  if (own != (node == gradient.origin)) {
    throw std::logic_error("StalenessTracker::on_apply: gradient " + std::to_string(t) +
                           " computed by node " + std::to_string(gradient.origin) +
                           " applied at node " + std::to_string(node) + " with own = " +
                           (own ? "true" : "false"));
  }

  DeliveryRecord record;
  record.gradient = t;
  record.origin = gradient.origin;
  record.node = node;
  record.computed_at = gradient.end;
  record.applied_at = when;
  record.own = own;
  record.receiver_count = set.count();
  record.gradient_set_count = gradient.applied_at_start;
  record.version_difference =
      static_cast<std::int64_t>(set.count()) - static_cast<std::int64_t>(gradient.applied_at_start);
  if (gradient.has_snapshot) {
    const Snapshot& snapshot = slots_[gradient.slot];
    const std::uint64_t both = intersection_size(set.base(), set.words(), set.count(),
                                                 snapshot.base, snapshot.words, snapshot.count);
    record.sets_measured = true;
    record.receiver_only = set.count() - both;
    record.gradient_only = snapshot.count - both;
    record.symmetric_difference = record.receiver_only + record.gradient_only;
  }

  const std::uint64_t before = set.watermark();
  set.insert(t);
  if (--gradient.remaining == 0) {
    settle(gradient);
    drop_settled_front();
  }
  move_watermark(before, set.watermark());
  return record;
}

bool GradientSetSnapshot::contains(std::uint64_t index) const noexcept {
  if (index < watermark) return true;
  const std::uint64_t word = index / 64;
  if (word < base) return true;
  if (word - base >= words.size()) return false;
  return ((words[word - base] >> (index % 64)) & 1U) != 0;
}

GradientSetSnapshot StalenessTracker::snapshot_set(NodeId node) {
  check_node(node, "snapshot_set");
  GradientSetSnapshot snapshot;
  if (options_.layout == SetLayout::origin_prefixes) {
    const NodeClock& clock = nodes_[node];
    snapshot.clock = clock.clock;
    ++clocks_[clock.clock].refs;
    snapshot.origin = node;
    snapshot.own = clock.own;
    snapshot.count = clock.own + clock.others;
    return snapshot;
  }
  const AppliedSet& set = sets_[node];
  snapshot.base = set.base();
  snapshot.words.assign(set.words().begin(), set.words().end());
  snapshot.count = set.count();
  snapshot.watermark = set.watermark();
  return snapshot;
}

void StalenessTracker::release_snapshot(GradientSetSnapshot& snapshot) {
  if (snapshot.clock != GradientSetSnapshot::no_clock) {
    release_clock(snapshot.clock);
    snapshot.clock = GradientSetSnapshot::no_clock;
  }
  snapshot.words = {};
}

std::uint64_t StalenessTracker::merge(NodeId node, const GradientSetSnapshot& snapshot) {
  check_node(node, "merge");
  if (options_.layout == SetLayout::origin_prefixes) {
    if (snapshot.clock == GradientSetSnapshot::no_clock || snapshot.clock >= clocks_.size() ||
        clocks_[snapshot.clock].refs == 0) {
      throw std::logic_error("StalenessTracker::merge: snapshot was released or is not a clock");
    }
    return origin_merge(node, snapshot);
  }
  if (!watermark_counts_) {
    // First merge: from now on gradients can reach nodes without an application each, so count
    // the nodes per watermark value (O(n) once).
    watermark_counts_ = true;
    min_watermark_ = completed_;
    std::uint64_t max_watermark = 0;
    for (const AppliedSet& s : sets_) {
      min_watermark_ = std::min(min_watermark_, s.watermark());
      max_watermark = std::max(max_watermark, s.watermark());
    }
    watermark_base_ = min_watermark_;
    watermark_nodes_.assign(max_watermark - min_watermark_ + 1, 0);
    for (const AppliedSet& s : sets_) ++watermark_nodes_[s.watermark() - watermark_base_];
    drop_settled_front();
  }
  AppliedSet& set = sets_[node];
  const std::uint64_t before = set.watermark();
  const std::uint64_t added = set.merge(snapshot.base, snapshot.words);
  move_watermark(before, set.watermark());
  return added;
}

void StalenessTracker::retire(std::uint64_t t) {
  if (t >= completed_) {
    throw std::logic_error("StalenessTracker::retire: gradient " + std::to_string(t) +
                           " has not completed (" + std::to_string(completed_) +
                           " gradients completed so far)");
  }
  if (options_.layout == SetLayout::origin_prefixes) return;
  if (t < first_live_) return;
  LiveGradient& gradient = live_[t - first_live_];
  if (gradient.remaining == 0) return;
  settle(gradient);
  drop_settled_front();
}

void StalenessTracker::on_lost(NodeId node, std::uint64_t t) {
  check_node(node, "on_lost");
  if (t >= completed_) {
    throw std::logic_error("StalenessTracker::on_lost: gradient " + std::to_string(t) +
                           " has not completed (" + std::to_string(completed_) +
                           " gradients completed so far)");
  }
  if (options_.layout == SetLayout::origin_prefixes) return;
  if (sets_[node].contains(t)) {
    throw std::logic_error("StalenessTracker::on_lost: gradient " + std::to_string(t) +
                           " is already applied at node " + std::to_string(node));
  }
  if (t < first_live_) return;  // retired
  LiveGradient& gradient = live_[t - first_live_];
  if (gradient.remaining == 0) return;
  if (--gradient.remaining == 0) {
    settle(gradient);
    drop_settled_front();
  }
}

std::uint64_t StalenessTracker::settled_below() const noexcept {
  if (watermark_counts_) return min_watermark_;
  std::uint64_t w = completed_;
  for (const AppliedSet& s : sets_) w = std::min(w, s.watermark());
  return w;
}

std::uint64_t StalenessTracker::live_gradients() const noexcept {
  if (options_.layout == SetLayout::origin_prefixes) return pending_own_count_;
  return completed_ - first_live_;
}

std::uint64_t StalenessTracker::applied_count(NodeId node) const {
  check_node(node, "applied_count");
  if (options_.layout == SetLayout::origin_prefixes) return nodes_[node].own + nodes_[node].others;
  return sets_[node].count();
}

std::uint64_t StalenessTracker::watermark(NodeId node) const {
  check_node(node, "watermark");
  if (options_.layout == SetLayout::origin_prefixes) return origin_watermark_slow(node);
  return sets_[node].watermark();
}

bool StalenessTracker::is_applied(NodeId node, std::uint64_t t) const {
  check_node(node, "is_applied");
  if (options_.layout == SetLayout::bit_window) return sets_[node].contains(t);
  // Find t's origin and rank (a test/debug path: O(n log t)).
  for (NodeId o = 0; o < num_nodes_; ++o) {
    const std::vector<std::uint64_t>& index = origin_index_[o];
    const auto it = std::lower_bound(index.begin(), index.end(), t);
    if (it == index.end() || *it != t) continue;
    const auto q = static_cast<std::uint64_t>(it - index.begin());
    if (o == node) return q < nodes_[node].own;
    const Clock& clock = clocks_[nodes_[node].clock];
    const std::uint64_t* end = clock.keys() + clock.size;
    const std::uint64_t* e = std::lower_bound(clock.keys(), end, make_key(o, 0));
    return e != end && key_origin(*e) == o && q < key_count(*e);
  }
  return false;
}

const AppliedSet& StalenessTracker::applied_set(NodeId node) const {
  check_node(node, "applied_set");
  if (options_.layout != SetLayout::bit_window) {
    throw std::logic_error("StalenessTracker::applied_set: only the bit_window layout has bit sets");
  }
  return sets_[node];
}

std::uint64_t StalenessTracker::bytes() const noexcept {
  std::uint64_t total = sizeof(*this);
  for (const AppliedSet& set : sets_) total += sizeof(AppliedSet) + set.bytes();
  total += slot_meta_.capacity() * sizeof(SlotMeta);
  for (const Snapshot& slot : slots_) total += sizeof(Snapshot) + slot.words.capacity() * 8;
  total += live_.size() * sizeof(LiveGradient);
  total += watermark_nodes_.capacity() * sizeof(std::uint32_t);
  for (const Clock& clock : clocks_) {
    total += sizeof(Clock) + clock.storage.capacity() * sizeof(std::uint64_t);
  }
  total += nodes_.capacity() * sizeof(NodeClock);
  for (const auto& index : origin_index_) total += sizeof(index) + index.capacity() * 8;
  for (const auto& pending : pending_own_) total += sizeof(pending) + pending.capacity() * sizeof(PendingOwn);
  total += first_order_.capacity() * sizeof(NodeId) + first_index_.capacity() * 8;
  return total;
}

// ---------------------------------------------------------------------------------------------
// origin_prefixes: vector clocks

namespace {

// Whether any of R keys b[l] exceeds a[l], for keys with equal origin bits: a − b wraps (bit 63
// set) exactly when b's count is larger. Out of line and branch-free, so the caller's loop keeps
// its registers and this one vectorizes (two lanes per SSE2 subtract).
template <std::size_t R>
[[gnu::noinline]] bool run_raises(const std::uint64_t* a, const std::uint64_t* b) noexcept {
  std::uint64_t wrapped = 0;
  for (std::size_t l = 0; l < R; ++l) wrapped |= a[l] - b[l];
  return (wrapped >> 63) != 0;
}

}  // namespace
//
// Node j's set is {gradient q of origin o : q < c_o(j)}, with c_j(j) = nodes_[j].own and the other
// origins' counts in the sorted entries of its clock. |G| = own + others. The watermark (smallest
// global index not in G) is min over origins o of next(o, c_o), the global index of o's c_o-th
// gradient (none if o has not completed it), taken in three parts:
//   * origins j has not heard from: their first gradients, in first_order_ (the order of the
//     origins' first completions, so increasing in index); a per-node cursor skips the origins j
//     knows, which only grow, so the cursor only moves forward;
//   * j's own: next(j, own);
//   * the origins in the entries: known_min, the smallest known entry next, kept by the merges
//     (see origin_merge). An entry whose next was unknown when last looked up (its origin had not
//     completed gradient `count` yet) can only become an index ≥ completed_ of that moment
//     (unknown_floor bounds those moments from below), so a known known_min below the floor stays
//     exact until the next merge, and only an unknown one is recomputed.

std::uint64_t StalenessTracker::next_of(NodeId origin, std::uint32_t count) const noexcept {
  const std::vector<std::uint64_t>& index = origin_index_[origin];
  return count < index.size() ? index[count] : unknown_next;
}

bool StalenessTracker::knows(NodeId node, NodeId origin) const noexcept {
  if (origin == node) return nodes_[node].own > 0;
  const Clock& clock = clocks_[nodes_[node].clock];
  const std::uint64_t* end = clock.keys() + clock.size;
  const std::uint64_t* e = std::lower_bound(clock.keys(), end, make_key(origin, 0));
  return e != end && key_origin(*e) == origin;
}

// Moves the node's cursor past the origins it knows (after a merge or its first own application:
// the only moments its known origins change).
void StalenessTracker::advance_first_scan(NodeId node) {
  std::uint32_t scan = nodes_[node].first_scan;
  while (scan < first_order_.size() && knows(node, first_order_[scan])) ++scan;
  nodes_[node].first_scan = scan;
}

// known_min from every entry (O(k)): fills each unknown next that is known now, and sets the floor
// of those still unknown to completed_ (their origin's next gradient gets an index ≥ completed_).
void StalenessTracker::rescan_known_min(NodeId node) {
  NodeClock& mine = nodes_[node];
  Clock& clock = clocks_[mine.clock];
  std::uint64_t known = unknown_next;
  NodeId at = no_origin;
  bool unknown = false;
  for (std::uint32_t k = 0; k < clock.size; ++k) {
    std::uint64_t& next = clock.nexts()[k];
    if (next == unknown_next) next = next_of(key_origin(clock.keys()[k]), key_count(clock.keys()[k]));
    if (next == unknown_next) {
      unknown = true;
    } else if (next < known) {
      known = next;
      at = key_origin(clock.keys()[k]);
    }
  }
  mine.known_min = known;
  mine.min_origin = at;
  mine.unknown_floor = unknown ? completed_ : unknown_next;
  ++merge_paths_.rescans;
}

std::uint64_t StalenessTracker::origin_watermark(NodeId node) {
  NodeClock& clock = nodes_[node];
  std::uint64_t w = std::min(completed_, clock.pending_next);  // own: its first unapplied gradient
  if (clock.first_scan < first_index_.size()) w = std::min(w, first_index_[clock.first_scan]);
  // Every entry was at its origin's frontier when last looked at: look again (O(k)).
  if (clock.known_min == unknown_next && clocks_[clock.clock].size != 0) rescan_known_min(node);
  return std::min(w, clock.known_min);
}

std::uint64_t StalenessTracker::origin_watermark_slow(NodeId node) const {
  const NodeClock& clock = nodes_[node];
  std::uint64_t w = std::min(completed_, next_of(node, clock.own));
  for (const NodeId o : first_order_) {
    if (!knows(node, o)) w = std::min(w, origin_index_[o][0]);
  }
  const Clock& entries = clocks_[clock.clock];
  for (std::uint32_t k = 0; k < entries.size; ++k) {
    w = std::min(w, next_of(key_origin(entries.keys()[k]), key_count(entries.keys()[k])));
  }
  return w;
}

std::uint32_t StalenessTracker::acquire_clock() {
  std::uint32_t id;
  if (!free_clocks_.empty()) {
    id = free_clocks_.back();
    free_clocks_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(clocks_.size());
    clocks_.emplace_back();
  }
  clocks_[id].refs = 1;
  return id;
}

void StalenessTracker::release_clock(std::uint32_t clock) noexcept {
  Clock& c = clocks_[clock];
  if (--c.refs != 0) return;
  clock_entries_ -= c.size;
  c.size = 0;  // keeps the storage for the next merge
  free_clocks_.push_back(clock);
}

DeliveryRecord StalenessTracker::origin_apply(NodeId node, std::uint64_t t, SimTime when, bool own) {
  NodeClock& clock = nodes_[node];
  std::vector<PendingOwn>& pending = pending_own_[node];
  if (own && clock.pending_head < pending.size() && pending[clock.pending_head].t == t) {
    const PendingOwn p = pending[clock.pending_head];
    if (++clock.pending_head == pending.size()) {
      pending.clear();
      clock.pending_head = 0;
      clock.pending_next = unknown_next;
    } else {
      clock.pending_next = pending[clock.pending_head].t;
    }
    --pending_own_count_;
    DeliveryRecord record;
    record.gradient = t;
    record.origin = node;
    record.node = node;
    record.computed_at = p.end;
    record.applied_at = when;
    record.own = true;
    record.receiver_count = clock.own + clock.others;
    record.gradient_set_count = p.applied_at_start;
    record.version_difference = static_cast<std::int64_t>(record.receiver_count) -
                                static_cast<std::int64_t>(p.applied_at_start);
    if (++clock.own == 1) advance_first_scan(node);
    return record;
  }
  // Every other case is an error; say which.
  const std::vector<std::uint64_t>& index = origin_index_[node];
  const auto it = std::lower_bound(index.begin(), index.end(), t);
  const bool ours = it != index.end() && *it == t;
  const std::string what = "StalenessTracker::on_apply: gradient " + std::to_string(t) + " at node " +
                           std::to_string(node);
  if (ours && static_cast<std::uint64_t>(it - index.begin()) < clock.own)
    throw std::logic_error(what + " applied twice");
  if (ours != own)
    throw std::logic_error(what + " with own = " + (own ? "true" : "false") + ", but it was " +
                           (ours ? "" : "not ") + "computed there");
  if (own)
    throw std::logic_error(what + ": the origin_prefixes layout needs own gradients applied in "
                           "completion order");
  throw std::logic_error(what + ": the origin_prefixes layout (averaging algorithms) takes no "
                         "single-gradient deliveries; use bit_window");
}

// node ← node ∪ snapshot. Usually in place (below); otherwise a sorted merge of the two clocks (max
// count per origin) into a fresh pooled clock, then the sender's own prefix, and the node's old
// clock is released. No allocation once the pool is warm; the receiver's own origin is skipped in
// the sender's clock (its own count already covers it: gradients enter sets only through their
// origin).
//
// known_min (the smallest next over the entries) is kept without visiting every entry: entries only
// grow, so their nexts only grow. After an in-place merge that raised some entries, the new minimum
// is min(old known_min, the raised entries' new nexts), provided (a) the entry that held the old
// minimum (min_origin) was not raised, and (b) no entry whose next is unknown could hold a smaller
// one: such an entry's origin had completed exactly `count` gradients when it was last looked at,
// so its next gradient gets an index ≥ completed_ of that moment, and unknown_floor is the smallest
// of those moments. Otherwise known_min is recomputed over every entry (rescan_known_min).
std::uint64_t StalenessTracker::origin_merge(NodeId node, const GradientSetSnapshot& snapshot) {
  NodeClock& mine = nodes_[node];
  std::uint64_t added = 0;
  if (clocks_[mine.clock].refs == 1) {
    // The usual case on a sparse graph: the receiver's clock is its own (no snapshot of it in
    // flight) and already lists every origin the sender knows. Raise the counts in place, in one
    // pass over the sender's clock: no buffer to fill, no new cache lines. At the first origin it
    // lacks, fall through to the sorted merge below with the counts raised so far (max is
    // idempotent, so the merge gives the same set, and `added` carries what this pass added).
    Clock& clock_a = clocks_[mine.clock];
    const Clock& clock_b = clocks_[snapshot.clock];
    std::uint64_t* a_keys = clock_a.keys();
    std::uint64_t* a_nexts = clock_a.nexts();
    const std::size_t size_a = clock_a.size;
    const std::uint64_t* b_keys = clock_b.keys();
    const std::uint64_t* b_nexts = clock_b.nexts();
    const std::size_t size_b = clock_b.size;
    bool covered = true;
    bool min_raised = false;    // the entry holding known_min was raised
    bool raised_unknown = false;
    std::uint64_t raised_min = unknown_next;
    NodeId raised_at = no_origin;
    auto raise = [&](std::uint64_t& key, std::uint64_t& next_slot, std::uint64_t to, std::uint64_t next) {
      added += to - key;  // same origin: the difference of the keys is that of the counts
      key = to;
      if (next == unknown_next) next = next_of(key_origin(to), key_count(to));
      next_slot = next;
      const NodeId origin = key_origin(to);
      min_raised |= origin == mine.min_origin;
      if (next == unknown_next) {
        raised_unknown = true;
      } else if (next < raised_min) {
        raised_min = next;
        raised_at = origin;
      }
    };
    // Most of the sender's entries are dominated (the receiver heard of them by another path or
    // from an earlier push), so the pass is mostly a comparison. Where both clocks hold the same
    // run of consecutive origins (contiguous origin ranges: every origin on a well-mixed graph, the
    // neighbourhood on a ring), the run is checked at once (run_raises), and visited entry by entry
    // only if something in it is raised.
    std::size_t ia = 0;
    std::size_t ib = 0;
    while (ib < size_b) {
      const std::uint64_t y = b_keys[ib];
      const std::uint64_t origin_bits = y >> 32;
      while (ia < size_a && (a_keys[ia] >> 32) < origin_bits) ++ia;
      if (ia == size_a || (a_keys[ia] >> 32) != origin_bits) {
        ++ib;
        if (key_origin(y) == node) continue;  // the receiver's own origin: never an entry
        covered = false;
        break;
      }
      // Runs of 32 where both clocks hold that many consecutive origins, else of 8. Keys are
      // sorted and unique, so equal origins at both ends r − 1 apart mean the same r origins.
      const auto holds_run = [&](std::size_t r) {
        return ia + r <= size_a && ib + r <= size_b &&
               (b_keys[ib + r - 1] >> 32) == origin_bits + (r - 1) &&
               (a_keys[ia + r - 1] >> 32) == origin_bits + (r - 1);
      };
      const std::size_t run = holds_run(32) ? 32 : holds_run(8) ? 8 : 0;
      if (run != 0) {
        const bool raises = run == 32 ? run_raises<32>(a_keys + ia, b_keys + ib)
                                      : run_raises<8>(a_keys + ia, b_keys + ib);
        if (raises) {
          for (std::size_t l = 0; l < run; ++l) {
            if (b_keys[ib + l] > a_keys[ia + l]) {
              raise(a_keys[ia + l], a_nexts[ia + l], b_keys[ib + l], b_nexts[ib + l]);
            }
          }
        }
        ia += run;
        ib += run;
        continue;
      }
      if (y > a_keys[ia]) raise(a_keys[ia], a_nexts[ia], y, b_nexts[ib]);
      ++ia;
      ++ib;
    }
    if (covered && snapshot.own > 0 && snapshot.origin != node) {
      // The sender's own prefix (not in its clock).
      std::uint64_t* at = std::lower_bound(a_keys, a_keys + size_a, make_key(snapshot.origin, 0));
      if (at == a_keys + size_a || key_origin(*at) != snapshot.origin) {
        covered = false;
      } else if (snapshot.own > key_count(*at)) {
        raise(*at, a_nexts[at - a_keys], make_key(snapshot.origin, snapshot.own), unknown_next);
      }
    }
    if (covered) {
      ++merge_paths_.in_place;
      mine.others += added;
      if (added == 0) return 0;  // nothing raised: known_min and the cursor stay valid
      if (raised_unknown) mine.unknown_floor = std::min(mine.unknown_floor, completed_);
      std::uint64_t known = mine.known_min;
      NodeId known_at = mine.min_origin;
      if (raised_min < known) {
        known = raised_min;
        known_at = raised_at;
      }
      if (!min_raised && known < mine.unknown_floor) {
        mine.known_min = known;
        mine.min_origin = known_at;
      } else {
        rescan_known_min(node);
      }
      return added;  // no new origin: the cursor stays valid
    }
  }
  ++merge_paths_.rebuilt;
  const std::uint32_t out_id = acquire_clock();  // may reallocate clocks_: take references after
  Clock& out_clock = clocks_[out_id];
  const Clock& clock_a = clocks_[mine.clock];
  const Clock& clock_b = clocks_[snapshot.clock];
  const std::size_t size_a = clock_a.size;
  const std::size_t size_b = clock_b.size;
  out_clock.reserve(size_a + size_b + 1);
  const std::uint64_t* a_keys = clock_a.keys();
  const std::uint64_t* a_nexts = clock_a.nexts();
  const std::uint64_t* b_keys = clock_b.keys();
  const std::uint64_t* b_nexts = clock_b.nexts();
  std::uint64_t* out_keys = out_clock.keys();
  std::uint64_t* out_nexts = out_clock.nexts();
  std::size_t size = 0;

  auto take = [&](std::uint64_t key, std::uint64_t next) {  // unknown nexts: looked up below
    out_keys[size] = key;
    out_nexts[size] = next;
    ++size;
  };
  std::size_t ia = 0;
  std::size_t ib = 0;
  while (ia < size_a && ib < size_b) {
    const std::uint64_t x = a_keys[ia];
    const std::uint64_t y = b_keys[ib];
    if ((x >> 32) == (y >> 32)) {
      // A run of consecutive origins held by both clocks with nothing to raise is a copy of the
      // receiver's entries (as in the in-place pass).
      const std::uint64_t origin_bits = x >> 32;
      const auto unraised_run = [&](std::size_t r) {
        if (ia + r > size_a || ib + r > size_b || (a_keys[ia + r - 1] >> 32) != origin_bits + (r - 1) ||
            (b_keys[ib + r - 1] >> 32) != origin_bits + (r - 1)) {
          return false;
        }
        return !(r == 32 ? run_raises<32>(a_keys + ia, b_keys + ib) : run_raises<8>(a_keys + ia, b_keys + ib));
      };
      const std::size_t run = unraised_run(32) ? 32 : unraised_run(8) ? 8 : 0;
      if (run != 0) {
        std::copy_n(a_keys + ia, run, out_keys + size);
        std::copy_n(a_nexts + ia, run, out_nexts + size);
        size += run;
        ia += run;
        ib += run;
        continue;
      }
      if (y > x) {
        added += y - x;
        take(y, b_nexts[ib]);
      } else {
        take(x, a_nexts[ia]);
      }
      ++ia;
      ++ib;
    } else if (x < y) {
      take(x, a_nexts[ia]);
      ++ia;
    } else {
      if (key_origin(y) != node) {
        added += key_count(y);
        take(y, b_nexts[ib]);
      }
      ++ib;
    }
  }
  for (; ia < size_a; ++ia) take(a_keys[ia], a_nexts[ia]);
  for (; ib < size_b; ++ib) {
    if (key_origin(b_keys[ib]) == node) continue;
    added += key_count(b_keys[ib]);
    take(b_keys[ib], b_nexts[ib]);
  }
  // The sender's own prefix (not in its clock).
  if (snapshot.own > 0 && snapshot.origin != node) {
    std::uint64_t* at = std::lower_bound(out_keys, out_keys + size, make_key(snapshot.origin, 0));
    const std::uint64_t key = make_key(snapshot.origin, snapshot.own);
    const std::uint64_t next = next_of(snapshot.origin, snapshot.own);
    const std::size_t k = static_cast<std::size_t>(at - out_keys);
    if (at != out_keys + size && key_origin(*at) == snapshot.origin) {
      if (snapshot.own > key_count(*at)) {
        added += snapshot.own - key_count(*at);
        out_keys[k] = key;
        out_nexts[k] = next;
      }
    } else {
      std::copy_backward(out_keys + k, out_keys + size, out_keys + size + 1);
      std::copy_backward(out_nexts + k, out_nexts + size, out_nexts + size + 1);
      out_keys[k] = key;
      out_nexts[k] = next;
      ++size;
      added += snapshot.own;
    }
  }
  // Every unknown next is looked up now, so the minimum is exact, and the floor of the entries
  // still unknown is completed_.
  std::uint64_t known = unknown_next;
  NodeId known_at = no_origin;
  bool unknown = false;
  for (std::size_t k = 0; k < size; ++k) {
    if (out_nexts[k] == unknown_next) out_nexts[k] = next_of(key_origin(out_keys[k]), key_count(out_keys[k]));
    if (out_nexts[k] == unknown_next) {
      unknown = true;
    } else if (out_nexts[k] < known) {
      known = out_nexts[k];
      known_at = key_origin(out_keys[k]);
    }
  }
  out_clock.size = static_cast<std::uint32_t>(size);
  clock_entries_ += size;
  release_clock(mine.clock);
  mine.clock = out_id;
  mine.others += added;
  mine.known_min = known;
  mine.min_origin = known_at;
  mine.unknown_floor = unknown ? completed_ : unknown_next;
  advance_first_scan(node);
  return added;
}

}  // namespace dasgd
