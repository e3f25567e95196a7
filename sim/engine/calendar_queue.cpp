// The calendar queue's rare paths (see calendar_queue.hpp): sizing, width estimation, rebuilds.
#include "sim/engine/calendar_queue.hpp"

#include <algorithm>
#include <bit>

namespace dasgd {

namespace {

// Events per bucket aimed for at the front of the calendar.
constexpr double kEventsPerBucket = 2.0;
// Operations between two work checks, at least (a check is O(1); a rebuild it triggers is O(size)).
constexpr std::uint64_t kMinCheckEvery = 64;
// Steps (list nodes walked, empty days skipped) per operation above which the width is re-estimated.
constexpr std::uint64_t kMaxWorkPerOperation = 6;

}  // namespace

CalendarQueue::CalendarQueue()
    : heads_(min_buckets, nil), tails_(min_buckets, nil), mask_(min_buckets - 1), check_every_(kMinCheckEvery) {}

void CalendarQueue::reserve(std::size_t capacity) {
  nodes_.reserve(capacity);
  free_.reserve(capacity);
}

void CalendarQueue::check_work() {
  const bool busy = work_ > kMaxWorkPerOperation * operations_;
  work_ = 0;
  operations_ = 0;
  if (!busy) {
    check_every_ = std::max<std::uint64_t>(kMinCheckEvery, heads_.size());
    return;
  }
  rebuild(heads_.size());
  // If the new width does not help (a distribution no width suits), check less and less often, so
  // that rebuilds stay O(1) per operation amortised.
  check_every_ *= 2;
}

void CalendarQueue::rebuild(std::size_t buckets) {
  buckets = std::max(std::bit_ceil(buckets), min_buckets);
  // Collect the pending events (each bucket's list), then lay them out again.
  std::vector<std::uint32_t> live;
  live.reserve(size_);
  std::vector<double> times;
  times.reserve(size_);
  for (std::uint32_t head : heads_) {
    for (std::uint32_t node = head; node != nil; node = nodes_[node].next) {
      live.push_back(node);
      times.push_back(nodes_[node].event.time);
    }
  }
  // Width: kEventsPerBucket over the density of the earliest events, estimated from the m-th
  // earliest time (m about an eighth of the events, at least 16 and at most all but one).
  if (times.size() >= 2) {
    const auto earliest = *std::min_element(times.begin(), times.end());
    const std::size_t m = std::min(times.size() - 1, std::max<std::size_t>(16, times.size() / 8));
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(m), times.end());
    double span = times[m] - earliest;
    if (!(span > 0)) span = *std::max_element(times.begin(), times.end()) - earliest;
    if (span > 0 && std::isfinite(span)) {
      const double width = kEventsPerBucket * span / static_cast<double>(m);
      inverse_width_ = 1.0 / width;
      if (!std::isfinite(inverse_width_)) inverse_width_ = 1.0;
    }
    origin_ = earliest;
  } else if (times.size() == 1) {
    origin_ = times[0];
  }
  heads_.assign(buckets, nil);
  tails_.assign(buckets, nil);
  mask_ = buckets - 1;
  cur_day_ = times.empty() ? 0 : day_of(origin_);
  front_known_ = false;
  for (std::uint32_t node : live) insert(node);
  work_ = 0;
  operations_ = 0;
}

}  // namespace dasgd
