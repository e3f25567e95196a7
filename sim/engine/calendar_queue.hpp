// The pending-event set as a calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue
// implementation for the simulation event set problem", CACM 31(10), 1988): time is cut into
// buckets of width w, bucket b holds the events whose "day" floor((t − origin)/w) is b modulo the
// bucket count, each bucket a list sorted by (time, sequence). A pop reads the current day's bucket
// and walks forward day by day; a push computes its day and inserts into a short sorted list. With
// about two events per bucket at the front both are O(1), and the pops read the buckets in order.
//
// The order is exactly (time, sequence), as for the heaps: a run pops the same events in the same
// order whatever the queue (tests/engine_test.cpp compares them). Adaptive: the bucket count follows
// the pending count (doubling / halving), and the width is re-estimated from the pending events'
// front density whenever the bucket count changes or the queue measures itself working too hard
// (many empty days walked, or long lists walked, per event), so no parameter is configured.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/event_queue.hpp"

namespace dasgd {

class CalendarQueue final : public EventQueue {
 public:
  CalendarQueue();

  // Defined inline below: the simulator calls them through the final type, without a virtual call.
  void push(const Event& event) override;
  const Event& top() const override;
  Event pop() override;
  bool empty() const noexcept override { return size_ == 0; }
  std::size_t size() const noexcept override { return size_; }
  void reserve(std::size_t capacity) override;
  std::string name() const override { return "calendar"; }

  // For tests and benchmarks: the current bucket count and width.
  std::size_t buckets() const noexcept { return heads_.size(); }
  double width() const noexcept { return 1.0 / inverse_width_; }

 private:
  static constexpr std::uint32_t nil = ~std::uint32_t{0};
  static constexpr std::size_t min_buckets = 16;
  struct Node {
    Event event;
    std::uint32_t next = nil;
  };

  std::int64_t day_of(SimTime t) const noexcept;
  std::uint32_t allocate(const Event& event);
  void insert(std::uint32_t node);
  // Makes cur_day_ the day of the earliest event (its bucket's head). Precondition: !empty().
  void find_front() const;
  void rebuild(std::size_t buckets);
  // Counts one operation; every check_every_ operations compares the work done with them and
  // re-estimates the width when it was more than a few steps per operation.
  void account() {
    if (++operations_ >= check_every_) check_work();
  }
  void check_work();

  std::vector<Node> nodes_;             // event storage, recycled through free_
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> heads_;    // per bucket: first node (earliest), or nil
  std::vector<std::uint32_t> tails_;    // per bucket: last node (latest), or nil
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  double origin_ = 0;
  double inverse_width_ = 1;
  mutable std::int64_t cur_day_ = 0;    // no pending event has an earlier day
  mutable bool front_known_ = false;    // cur_day_'s bucket head is the earliest event
  // Work per operation (list nodes and empty days visited), for the width's self-check.
  mutable std::uint64_t work_ = 0;
  std::uint64_t operations_ = 0;
  std::uint64_t check_every_ = 0;
};

inline std::int64_t CalendarQueue::day_of(SimTime t) const noexcept {
  const double x = std::floor((t - origin_) * inverse_width_);
  // Far days share one clamped value: still monotone in t, so the order stays exact.
  constexpr double limit = 4.0e18;
  if (!(x < limit)) return static_cast<std::int64_t>(limit);
  if (!(x > -limit)) return -static_cast<std::int64_t>(limit);
  return static_cast<std::int64_t>(x);
}

inline std::uint32_t CalendarQueue::allocate(const Event& event) {
  std::uint32_t node;
  if (!free_.empty()) {
    node = free_.back();
    free_.pop_back();
    nodes_[node].event = event;
  } else {
    node = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(Node{event, nil});
  }
  return node;
}

inline void CalendarQueue::insert(std::uint32_t node) {
  Node* nodes = nodes_.data();
  const Event& event = nodes[node].event;
  const std::int64_t day = day_of(event.time);
  if (day < cur_day_) {  // before every pending day (a push earlier than the old front's day)
    cur_day_ = day;
    front_known_ = false;
  }
  const std::size_t bucket = static_cast<std::size_t>(day) & mask_;
  std::uint32_t& head = heads_[bucket];
  std::uint32_t& tail = tails_[bucket];
  if (head == nil) {
    nodes[node].next = nil;
    head = tail = node;
    return;
  }
  if (!runs_before(event, nodes[tail].event)) {  // the usual case: latest in its bucket
    nodes[node].next = nil;
    nodes[tail].next = node;
    tail = node;
    return;
  }
  if (runs_before(event, nodes[head].event)) {
    nodes[node].next = head;
    head = node;
    return;
  }
  std::uint32_t before = head;
  std::uint64_t walked = 1;
  while (!runs_before(event, nodes[nodes[before].next].event)) {  // stops at the tail at the latest
    before = nodes[before].next;
    ++walked;
  }
  nodes[node].next = nodes[before].next;
  nodes[before].next = node;
  work_ += walked;
}

inline void CalendarQueue::find_front() const {
  if (front_known_) return;
  const Node* nodes = nodes_.data();
  std::uint64_t days = 0;
  for (;;) {
    const std::uint32_t head = heads_[static_cast<std::size_t>(cur_day_) & mask_];
    if (head != nil && day_of(nodes[head].event.time) == cur_day_) break;
    ++cur_day_;
    if (++days > heads_.size()) {  // a whole year empty: jump to the earliest head directly
      const Event* earliest = nullptr;
      for (const std::uint32_t h : heads_)
        if (h != nil && (earliest == nullptr || runs_before(nodes[h].event, *earliest))) earliest = &nodes[h].event;
      cur_day_ = day_of(earliest->time);
      break;
    }
  }
  work_ += days;
  front_known_ = true;
}

inline void CalendarQueue::push(const Event& event) {
  insert(allocate(event));
  ++size_;
  if (size_ > 2 * heads_.size()) {
    rebuild(2 * heads_.size());
  } else {
    account();
  }
}

inline const Event& CalendarQueue::top() const {
  if (empty()) throw_empty("top");
  find_front();
  return nodes_[heads_[static_cast<std::size_t>(cur_day_) & mask_]].event;
}

inline Event CalendarQueue::pop() {
  if (empty()) throw_empty("pop");
  find_front();
  const std::size_t bucket = static_cast<std::size_t>(cur_day_) & mask_;
  const std::uint32_t head = heads_[bucket];
  const Event event = nodes_[head].event;
  heads_[bucket] = nodes_[head].next;
  if (heads_[bucket] == nil) tails_[bucket] = nil;
  free_.push_back(head);
  --size_;
  front_known_ = false;
  if (size_ < heads_.size() / 4 && heads_.size() > min_buckets) {
    rebuild(heads_.size() / 2);
  } else {
    account();
  }
  return event;
}

}  // namespace dasgd
