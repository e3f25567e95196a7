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

void AppliedSet::insert(std::uint64_t index) {
  if (contains(index)) {
    throw std::logic_error("staleness: gradient " + std::to_string(index) +
                           " applied twice at the same node");
  }
  const std::uint64_t old_base = base();
  const std::uint64_t offset = index / 64 - old_base;
  if (offset >= words_.size() - front_) words_.resize(front_ + offset + 1, 0);
  words_[front_ + offset] |= std::uint64_t{1} << (index % 64);
  ++count_;
  if (index != watermark_) return;
  // The gap at the watermark is filled: move it past every applied index. Full words leave the
  // window; the new base word keeps its ones below the new watermark (see the class comment).
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

// ---------------------------------------------------------------------------------------------
// StalenessTracker

StalenessTracker::StalenessTracker(std::size_t num_nodes, StalenessOptions options)
    : options_(options) {
  if (num_nodes == 0 || num_nodes >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("StalenessTracker: expected a number of nodes in [1, 2^32 − 2], got " +
                                std::to_string(num_nodes));
  }
  sets_.resize(num_nodes);
}

void StalenessTracker::check_node(NodeId node, const char* where) const {
  if (node >= sets_.size()) {
    throw std::invalid_argument(std::string("StalenessTracker::") + where +
                                ": expected a node id below " + std::to_string(sets_.size()) +
                                ", got " + std::to_string(node));
  }
}

std::uint32_t StalenessTracker::acquire_slot() {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slots_.size() >= std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("StalenessTracker: too many computations in flight");
    }
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Snapshot& snapshot = slots_[slot];
  ++snapshot.generation;
  snapshot.state = Snapshot::State::pending;
  return slot;
}

void StalenessTracker::release_slot(std::uint32_t slot) {
  slots_[slot].state = Snapshot::State::free;
  free_slots_.push_back(slot);
}

StalenessTracker::Snapshot& StalenessTracker::ticket_slot(const ComputationTicket& ticket,
                                                          const char* where) {
  if (ticket.slot >= slots_.size() || slots_[ticket.slot].generation != ticket.generation ||
      slots_[ticket.slot].state != Snapshot::State::pending) {
    throw std::logic_error(std::string("StalenessTracker::") + where + ": ticket of node " +
                           std::to_string(ticket.node) + " started at " +
                           std::to_string(ticket.start) + " was already completed or abandoned");
  }
  return slots_[ticket.slot];
}

ComputationTicket StalenessTracker::on_compute_start(NodeId node, SimTime start) {
  check_node(node, "on_compute_start");
  const AppliedSet& set = sets_[node];
  ComputationTicket ticket;
  ticket.node = node;
  ticket.start = start;
  ticket.applied_count = set.count();
  ticket.watermark = set.watermark();
  ticket.slot = acquire_slot();
  Snapshot& snapshot = slots_[ticket.slot];
  ticket.generation = snapshot.generation;
  snapshot.base = set.base();
  snapshot.count = set.count();
  if (options_.track_deliveries) {
    const std::span<const std::uint64_t> words = set.words();
    snapshot.words.assign(words.begin(), words.end());  // reuses the slot's capacity
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
  Snapshot& snapshot = ticket_slot(ticket, "on_compute_complete");
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

  LiveGradient live;
  live.origin = node;
  live.slot = ticket.slot;
  live.applied_at_start = ticket.applied_count;
  live.end = end;
  live.remaining = static_cast<std::uint32_t>(sets_.size());
  live.has_snapshot = options_.track_deliveries;
  if (live.has_snapshot) {
    snapshot.state = Snapshot::State::completed;
  } else {
    release_slot(ticket.slot);
  }
  live_.push_back(live);
  return record;
}

void StalenessTracker::abandon(const ComputationTicket& ticket) {
  ticket_slot(ticket, "abandon");
  release_slot(ticket.slot);
}

void StalenessTracker::settle(LiveGradient& gradient) {
  gradient.remaining = 0;
  if (gradient.has_snapshot) {
    release_slot(gradient.slot);
    gradient.has_snapshot = false;
  }
}

void StalenessTracker::drop_settled_front() {
  while (!live_.empty() && live_.front().remaining == 0) {
    live_.pop_front();
    ++first_live_;
  }
}

DeliveryRecord StalenessTracker::on_apply(NodeId node, std::uint64_t t, SimTime when, bool own) {
  check_node(node, "on_apply");
  if (t >= completed_) {
    throw std::logic_error("StalenessTracker::on_apply: gradient " + std::to_string(t) +
                           " has not completed (" + std::to_string(completed_) +
                           " gradients completed so far)");
  }
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

  set.insert(t);
  if (--gradient.remaining == 0) {
    settle(gradient);
    drop_settled_front();
  }
  return record;
}

bool GradientSetSnapshot::contains(std::uint64_t index) const noexcept {
  if (index < watermark) return true;
  const std::uint64_t word = index / 64;
  if (word < base) return true;
  if (word - base >= words.size()) return false;
  return ((words[word - base] >> (index % 64)) & 1U) != 0;
}

GradientSetSnapshot StalenessTracker::snapshot_set(NodeId node) const {
  check_node(node, "snapshot_set");
  const AppliedSet& set = sets_[node];
  GradientSetSnapshot snapshot;
  snapshot.base = set.base();
  snapshot.words.assign(set.words().begin(), set.words().end());
  snapshot.count = set.count();
  snapshot.watermark = set.watermark();
  return snapshot;
}

std::uint64_t StalenessTracker::merge(NodeId node, const GradientSetSnapshot& snapshot) {
  check_node(node, "merge");
  AppliedSet& set = sets_[node];
  std::uint64_t added = 0;
  const std::uint64_t end = std::min<std::uint64_t>(snapshot.end(), completed_);
  for (std::uint64_t t = set.watermark(); t < end; ++t) {
    if (!snapshot.contains(t) || set.contains(t)) continue;
    set.insert(t);
    ++added;
    if (t >= first_live_) {
      LiveGradient& gradient = live_[t - first_live_];
      if (gradient.remaining > 0 && --gradient.remaining == 0) settle(gradient);
    }
  }
  drop_settled_front();
  return added;
}

void StalenessTracker::retire(std::uint64_t t) {
  if (t >= completed_) {
    throw std::logic_error("StalenessTracker::retire: gradient " + std::to_string(t) +
                           " has not completed (" + std::to_string(completed_) +
                           " gradients completed so far)");
  }
  if (t < first_live_) return;
  LiveGradient& gradient = live_[t - first_live_];
  if (gradient.remaining == 0) return;
  settle(gradient);
  drop_settled_front();
}

std::uint64_t StalenessTracker::applied_count(NodeId node) const {
  check_node(node, "applied_count");
  return sets_[node].count();
}

std::uint64_t StalenessTracker::watermark(NodeId node) const {
  check_node(node, "watermark");
  return sets_[node].watermark();
}

bool StalenessTracker::is_applied(NodeId node, std::uint64_t t) const {
  check_node(node, "is_applied");
  return sets_[node].contains(t);
}

const AppliedSet& StalenessTracker::applied_set(NodeId node) const {
  check_node(node, "applied_set");
  return sets_[node];
}

}  // namespace dasgd
