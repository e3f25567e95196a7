// Tests for the event engine (sim/engine): both queue kinds against a sorted reference, and the
// simulator's clock, FIFO ties, refusals, cancellation, stop conditions and determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/engine/binary_heap_queue.hpp"
#include "sim/engine/calendar_queue.hpp"
#include "sim/engine/event_queue.hpp"
#include "sim/engine/quaternary_heap_queue.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

// Records every event it is handed, and optionally reacts to it.
class Recorder : public EventHandler {
 public:
  std::function<void(Simulator&, const Event&)> on_event;
  std::vector<Event> seen;
  void handle(Simulator& simulator, const Event& event) override {
    seen.push_back(event);
    if (on_event) on_event(simulator, event);
  }
  std::vector<std::uint32_t> targets() const {
    std::vector<std::uint32_t> out;
    for (const Event& e : seen) out.push_back(e.target);
    return out;
  }
};

using Key = std::pair<double, std::uint64_t>;

class EventQueueKinds : public ::testing::TestWithParam<std::string> {};

TEST_P(EventQueueKinds, EqualTimesPopInSequenceOrderWhateverThePushOrder) {
  auto queue = make_event_queue(GetParam());
  const std::uint64_t sequences[] = {7, 3, 9, 1, 4, 8, 2, 6, 5, 0};
  for (std::uint64_t s : sequences) queue->push(Event{1.5, s, 0, static_cast<std::uint32_t>(s), 0});
  for (std::uint64_t expected = 0; expected < 10; ++expected) {
    ASSERT_FALSE(queue->empty());
    EXPECT_EQ(queue->top().sequence, expected);
    EXPECT_EQ(queue->pop().sequence, expected);
  }
  EXPECT_TRUE(queue->empty());
}

TEST_P(EventQueueKinds, MatchesSortedReferenceUnderRandomPushesAndPops) {
  auto queue = make_event_queue(GetParam());
  EXPECT_EQ(queue->name(), GetParam());
  std::set<Key> reference;
  Rng rng(2024);
  std::uint64_t sequence = 0;
  for (int step = 0; step < 200000; ++step) {
    // Push slightly more often than pop, so the size wanders through every heap shape up to ~1e4;
    // times on a coarse grid give many exact ties.
    if (reference.empty() || rng.below(100) < 52) {
      const double t = static_cast<double>(rng.below(1000)) * 0.25;
      queue->push(Event{t, sequence, 1, 2, sequence * 3});
      reference.emplace(t, sequence);
      ++sequence;
    } else {
      const Key expected = *reference.begin();
      reference.erase(reference.begin());
      ASSERT_EQ(queue->top().time, expected.first);
      ASSERT_EQ(queue->top().sequence, expected.second);
      const Event e = queue->pop();
      ASSERT_EQ(e.time, expected.first) << "step " << step;
      ASSERT_EQ(e.sequence, expected.second) << "step " << step;
      ASSERT_EQ(e.payload, e.sequence * 3);  // the payload travels with its key
    }
    ASSERT_EQ(queue->size(), reference.size());
  }
  Key previous{-1.0, 0};
  while (!queue->empty()) {  // drain: strictly increasing keys, nothing lost
    const Event e = queue->pop();
    const Key key{e.time, e.sequence};
    ASSERT_LT(previous, key);
    ASSERT_EQ(reference.erase(key), 1u);
    previous = key;
  }
  EXPECT_TRUE(reference.empty());
}

TEST_P(EventQueueKinds, TopOrPopOfEmptyQueueThrows) {
  auto queue = make_event_queue(GetParam());
  EXPECT_THROW(queue->top(), std::out_of_range);
  EXPECT_THROW(queue->pop(), std::out_of_range);
  queue->push(Event{1.0, 1, 0, 0, 0});
  queue->pop();
  EXPECT_THROW(queue->pop(), std::out_of_range);
  EXPECT_EQ(queue->size(), 0u);
}

TEST_P(EventQueueKinds, SortsEverySmallSizeExactly) {
  // Every size 1..70 covers the partial last child group of both heaps at every depth up to 3.
  Rng rng(7);
  for (std::uint64_t n = 1; n <= 70; ++n) {
    auto queue = make_event_queue(GetParam());
    queue->reserve(n);
    std::vector<Key> keys;
    for (std::uint64_t s = 0; s < n; ++s) {
      const double t = rng.uniform();
      keys.emplace_back(t, s);
      queue->push(Event{t, s, 0, 0, 0});
    }
    std::sort(keys.begin(), keys.end());
    for (const Key& k : keys) {
      const Event e = queue->pop();
      ASSERT_EQ(e.time, k.first) << "n = " << n;
      ASSERT_EQ(e.sequence, k.second) << "n = " << n;
    }
    EXPECT_TRUE(queue->empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Engine, EventQueueKinds, ::testing::Values("binary_heap", "quaternary_heap", "calendar"));

// The calendar adapts its buckets to what is pending; whatever the time scale (events 1e-9 apart,
// 1e6 apart, a burst at one instant, a far outlier), the order is exactly (time, sequence).
TEST(CalendarQueue, KeepsExactOrderAcrossTimeScalesBurstsAndResizes) {
  for (const double scale : {1e-9, 1.0, 1e6}) {
    CalendarQueue queue;
    Rng rng(mix_key(7, Stream::algorithm));
    std::set<Key> reference;
    std::uint64_t sequence = 0;
    double now = 0;
    auto push = [&](double t) {
      queue.push(Event{t, sequence, 0, 0, 0});
      reference.emplace(t, sequence++);
    };
    for (int i = 0; i < 5000; ++i) push(scale * rng.exponential(1.0));  // grows: many rebuilds
    push(now + scale * 1e6);                                             // a far outlier
    for (int i = 0; i < 300; ++i) push(now + scale);                     // a burst at one instant
    EXPECT_GE(queue.buckets(), 1024u) << scale;
    for (int step = 0; step < 40000 && !queue.empty(); ++step) {
      ASSERT_EQ(queue.top().time, reference.begin()->first) << scale << " step " << step;
      const Event e = queue.pop();
      ASSERT_EQ(Key(e.time, e.sequence), *reference.begin()) << scale << " step " << step;
      reference.erase(reference.begin());
      now = e.time;
      // Hold model, with now and then a same-time event and a shrinking phase.
      if (step < 30000) push(now + scale * rng.exponential(1.0));
      if (step % 7 == 0 && step < 30000) push(now);
    }
    while (!queue.empty()) {
      const Event e = queue.pop();
      ASSERT_EQ(Key(e.time, e.sequence), *reference.begin()) << scale;
      reference.erase(reference.begin());
    }
    EXPECT_TRUE(reference.empty());
    EXPECT_LE(queue.buckets(), 64u) << "shrinks with the pending count";
  }
}

TEST(EventQueueFactory, RefusesUnknownKindNamingIt) {
  try {
    make_event_queue("ladder");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("\"calendar\""), std::string::npos) << error.what();
  }
  EXPECT_EQ(make_event_queue()->name(), "quaternary_heap");
}

TEST(Simulator, EqualTimesRunFirstScheduledFirst) {
  Simulator simulator;
  for (std::uint32_t i = 0; i < 5; ++i) simulator.schedule_at(2.0, 0, i);
  simulator.schedule_at(1.0, 0, 100);
  for (std::uint32_t i = 5; i < 10; ++i) simulator.schedule_at(2.0, 0, i);
  Recorder recorder;
  EXPECT_EQ(simulator.run(recorder), StopReason::queue_empty);
  EXPECT_EQ(recorder.targets(), (std::vector<std::uint32_t>{100, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(simulator.now(), 2.0);
}

TEST(Simulator, RefusesPastNonFiniteTimesAndNullQueue) {
  Simulator simulator;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(simulator.schedule_at(-1e-12, 0, 0), std::invalid_argument);
  EXPECT_THROW(simulator.schedule_at(nan, 0, 0), std::invalid_argument);
  EXPECT_THROW(simulator.schedule_at(inf, 0, 0), std::invalid_argument);
  EXPECT_THROW(simulator.schedule_in(nan, 0, 0), std::invalid_argument);
  EXPECT_EQ(simulator.pending(), 0u);
  simulator.schedule_at(5.0, 0, 0);
  Recorder recorder;
  simulator.run(recorder);
  ASSERT_EQ(simulator.now(), 5.0);
  EXPECT_THROW(simulator.schedule_at(4.999, 0, 0), std::invalid_argument);
  EXPECT_THROW(simulator.schedule_in(-0.5, 0, 0), std::invalid_argument);
  try {
    simulator.schedule_at(3.0, 0, 0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {  // names what was expected and what was got
    const std::string what = error.what();
    EXPECT_NE(what.find("now() = 5"), std::string::npos) << what;
    EXPECT_NE(what.find("got 3"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(simulator.schedule_at(5.0, 0, 0));  // "now" itself is not the past
  EXPECT_THROW(simulator.run_until(recorder, 4.0), std::invalid_argument);
  EXPECT_THROW(simulator.run_until(recorder, nan), std::invalid_argument);
  EXPECT_THROW(simulator.run_while(recorder, {}), std::invalid_argument);
  EXPECT_THROW(Simulator(nullptr), std::invalid_argument);
  EXPECT_EQ(simulator.pending(), 1u);
}

TEST(Simulator, CancelledPendingEventNeverRunsAndCancelIsExact) {
  Simulator simulator;
  const EventId a = simulator.schedule_at(1.0, 0, 1);
  const EventId b = simulator.schedule_at(2.0, 0, 2);
  const EventId c = simulator.schedule_at(3.0, 0, 3);
  EXPECT_EQ(simulator.pending(), 3u);
  EXPECT_TRUE(simulator.cancel(b));
  EXPECT_EQ(simulator.pending(), 2u);
  EXPECT_FALSE(simulator.cancel(b));  // twice
  EXPECT_FALSE(simulator.cancel(EventId{}));  // names no event
  EXPECT_FALSE(simulator.cancel(EventId{c.sequence + 1, 3.0}));  // never issued
  Recorder recorder;
  EXPECT_EQ(simulator.run_until(recorder, 2.5), StopReason::time_reached);
  EXPECT_EQ(recorder.targets(), std::vector<std::uint32_t>{1});
  EXPECT_FALSE(simulator.cancel(a));  // already ran
  EXPECT_FALSE(simulator.cancel(b));  // cancelled and since dropped from the queue
  EXPECT_TRUE(simulator.cancel(c));
  EXPECT_EQ(simulator.pending(), 0u);
  EXPECT_EQ(simulator.run(recorder), StopReason::queue_empty);
  EXPECT_EQ(recorder.targets(), std::vector<std::uint32_t>{1});
  EXPECT_EQ(simulator.events_processed(), 1u);
  EXPECT_EQ(simulator.now(), 2.5);  // no live event ran after run_until set the clock
}

TEST(Simulator, CancelOfTheRunningEventReturnsFalse) {
  Simulator simulator;
  EventId self;
  std::vector<bool> answers;
  Recorder recorder;
  recorder.on_event = [&](Simulator& s, const Event&) { answers.push_back(s.cancel(self)); };
  self = simulator.schedule_at(1.0, 0, 0);
  simulator.run(recorder);
  EXPECT_EQ(answers, std::vector<bool>{false});
}

TEST(Simulator, CancelledEventsNeverMoveTheClockOrConfuseLaterCancels) {
  // A cancelled event at 5 ahead of a live one at 10: stopping at 6 must not "consume" time 5..6 in a
  // way that makes a new event at 6 look already run.
  Simulator simulator;
  const EventId early = simulator.schedule_at(5.0, 0, 1);
  simulator.schedule_at(10.0, 0, 2);
  ASSERT_TRUE(simulator.cancel(early));
  Recorder recorder;
  EXPECT_EQ(simulator.run_until(recorder, 6.0), StopReason::time_reached);
  EXPECT_EQ(simulator.now(), 6.0);
  const EventId at_six = simulator.schedule_at(6.0, 0, 3);
  EXPECT_TRUE(simulator.cancel(at_six));

  // Only cancelled events left: run() reports an empty queue and leaves the clock where it was.
  Simulator other;
  const EventId lone = other.schedule_at(5.0, 0, 1);
  ASSERT_TRUE(other.cancel(lone));
  EXPECT_EQ(other.run(recorder), StopReason::queue_empty);
  EXPECT_EQ(other.now(), 0.0);
  const EventId at_one = other.schedule_at(1.0, 0, 4);
  EXPECT_TRUE(other.cancel(at_one));
  EXPECT_FALSE(other.cancel(lone));

  // max_events = 0 stops before popping anything, cancelled or not.
  Simulator third;
  const EventId first = third.schedule_at(5.0, 0, 1);
  third.schedule_at(10.0, 0, 2);
  ASSERT_TRUE(third.cancel(first));
  EXPECT_EQ(third.run(recorder, 0), StopReason::event_limit);
  const EventId at_two = third.schedule_at(2.0, 0, 5);
  EXPECT_TRUE(third.cancel(at_two));
  EXPECT_EQ(third.run(recorder), StopReason::queue_empty);
  EXPECT_EQ(third.now(), 10.0);
  EXPECT_TRUE(recorder.seen.size() == 1 && recorder.seen.back().target == 2);
}

TEST(Simulator, RunUntilRunsEventsAtTheEndTimeLeavesLaterOnesAndSetsNow) {
  Simulator simulator;
  for (std::uint32_t i = 1; i <= 5; ++i) simulator.schedule_at(static_cast<double>(i), 0, i);
  Recorder recorder;
  EXPECT_EQ(simulator.run_until(recorder, 3.0), StopReason::time_reached);
  EXPECT_EQ(recorder.targets(), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(simulator.now(), 3.0);
  EXPECT_EQ(simulator.run_until(recorder, 4.5), StopReason::time_reached);
  EXPECT_EQ(simulator.now(), 4.5);
  EXPECT_EQ(simulator.pending(), 1u);
  EXPECT_EQ(simulator.queue().top().time, 5.0);
  EXPECT_EQ(simulator.run_until(recorder, 100.0), StopReason::queue_empty);
  EXPECT_EQ(simulator.now(), 5.0);  // the queue emptied: the clock stays at the last event
  EXPECT_EQ(simulator.events_processed(), 5u);
}

TEST(Simulator, RunWhileChecksThePredicateBeforeEachEvent) {
  Simulator simulator;
  for (std::uint32_t i = 0; i < 10; ++i) simulator.schedule_at(static_cast<double>(i), 0, i);
  Recorder recorder;
  int checks = 0;
  const auto keep_going = [&] {
    ++checks;
    return recorder.seen.size() < 4;
  };
  EXPECT_EQ(simulator.run_while(recorder, keep_going), StopReason::predicate);
  EXPECT_EQ(recorder.seen.size(), 4u);
  EXPECT_EQ(checks, 5);  // before each of the 4 events, and the refusal
  EXPECT_EQ(simulator.now(), 3.0);
  checks = 0;
  EXPECT_EQ(simulator.run_while(recorder, [&] { return ++checks > 0; }, 6.5), StopReason::time_reached);
  EXPECT_EQ(simulator.now(), 6.5);
  EXPECT_EQ(checks, 3);  // events at 4, 5, 6
  EXPECT_EQ(simulator.run_while(recorder, [] { return true; }, INFINITY, 2), StopReason::event_limit);
  EXPECT_EQ(simulator.now(), 8.0);
  EXPECT_EQ(simulator.run_while(recorder, [] { return true; }), StopReason::queue_empty);
  EXPECT_EQ(recorder.seen.size(), 10u);
}

TEST(Simulator, CountsEventsAcrossCallsAndHonoursMaxEvents) {
  Simulator simulator;
  for (std::uint32_t i = 0; i < 7; ++i) simulator.schedule_at(1.0 + i, 0, i);
  const EventId cancelled = simulator.schedule_at(1.5, 0, 99);
  ASSERT_TRUE(simulator.cancel(cancelled));
  Recorder recorder;
  EXPECT_EQ(simulator.run(recorder, 3), StopReason::event_limit);
  EXPECT_EQ(simulator.events_processed(), 3u);  // the cancelled event is not counted
  EXPECT_EQ(simulator.run(recorder, 3), StopReason::event_limit);
  EXPECT_EQ(simulator.events_processed(), 6u);
  EXPECT_EQ(simulator.run(recorder, 3), StopReason::queue_empty);
  EXPECT_EQ(simulator.events_processed(), 7u);
  EXPECT_EQ(recorder.seen.size(), 7u);
}

TEST(Simulator, HandlerSchedulesDuringHandlingHandWorked) {
  // Event type 0 at node n schedules a type-1 event "now" and a type-0 event one second later at
  // node n + 1, up to node 2. The "now" event joins the back of the queue at the current time, after
  // the event already waiting at that time.
  Simulator simulator;
  Recorder recorder;
  recorder.on_event = [](Simulator& s, const Event& e) {
    if (e.type == 0 && e.target < 2) {
      s.schedule_in(0.0, 1, e.target);
      s.schedule_in(1.0, 0, e.target + 1);
    }
  };
  simulator.schedule_at(0.0, 0, 0);
  simulator.schedule_at(0.0, 2, 7);
  EXPECT_EQ(simulator.run(recorder), StopReason::queue_empty);
  std::vector<std::tuple<double, std::uint32_t, std::uint32_t>> got;
  for (const Event& e : recorder.seen) got.emplace_back(e.time, e.type, e.target);
  const std::vector<std::tuple<double, std::uint32_t, std::uint32_t>> expected = {
      {0.0, 0, 0}, {0.0, 2, 7}, {0.0, 1, 0}, {1.0, 0, 1}, {1.0, 1, 1}, {2.0, 0, 2}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(simulator.now(), 2.0);
}

// A small random workload of 100 "nodes": each type-0 event reschedules its node after an Exp(1)
// delay, now and then spawns a zero-delay type-1 event (a tie) and cancels a recently scheduled
// event; a cancelled type-0 event is replaced, so the population neither dies out nor grows.
std::vector<Event> random_trace(const std::string& queue_kind) {
  Simulator simulator(make_event_queue(queue_kind));
  Rng rng(mix_key(99, Stream::algorithm));
  std::vector<std::pair<EventId, std::uint32_t>> recent;  // (id, type)
  Recorder recorder;
  recorder.on_event = [&](Simulator& s, const Event& e) {
    if (e.type != 0) return;
    recent.emplace_back(s.schedule_in(rng.exponential(1.0), 0, e.target, rng()), 0);
    if (rng.below(4) == 0) recent.emplace_back(s.schedule_in(0.0, 1, e.target), 1);
    if (rng.below(8) == 0) {
      const auto& [id, type] = recent[rng.below(recent.size())];
      if (s.cancel(id) && type == 0) recent.emplace_back(s.schedule_in(rng.exponential(1.0), 0, e.target), 0);
    }
    if (recent.size() > 64) recent.erase(recent.begin(), recent.begin() + 32);
  };
  for (std::uint32_t node = 0; node < 100; ++node) simulator.schedule_at(rng.exponential(1.0), 0, node);
  simulator.run_until(recorder, 200.0);
  return recorder.seen;
}

TEST(Simulator, SameInputsGiveIdenticalEventSequenceOnEitherQueue) {
  const std::vector<Event> first = random_trace("quaternary_heap");
  const std::vector<Event> second = random_trace("quaternary_heap");
  const std::vector<Event> binary = random_trace("binary_heap");
  const std::vector<Event> calendar = random_trace("calendar");
  ASSERT_GT(first.size(), 10000u);
  ASSERT_EQ(first.size(), second.size());
  ASSERT_EQ(first.size(), binary.size());
  ASSERT_EQ(first.size(), calendar.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    for (const std::vector<Event>* other : {&second, &binary, &calendar}) {
      const Event& a = first[i];
      const Event& b = (*other)[i];
      ASSERT_TRUE(a.time == b.time && a.sequence == b.sequence && a.type == b.type && a.target == b.target &&
                  a.payload == b.payload)
          << "event " << i;
    }
    if (i > 0) {
      ASSERT_TRUE(runs_before(first[i - 1], first[i])) << "event " << i;
    }
  }
}

}  // namespace
}  // namespace dasgd

namespace dasgd {
namespace {

// Logs handle() and prefetch() calls in order, as "h<target>" and "p<target>".
class PrefetchLog : public EventHandler {
 public:
  mutable std::vector<std::string> log;
  void handle(Simulator& simulator, const Event& event) override {
    log.push_back("h" + std::to_string(event.target));
    if (event.target == 1) simulator.schedule_in(0.5, 0, 9);  // becomes the front after event 1
  }
  void prefetch(const Event& next) const noexcept override {
    log.push_back("p" + std::to_string(next.target));
  }
};

// Events at t = 1, 2, 3 (targets 1, 2, 3); handling 1 schedules target 9 at 1.5. Before each
// handle the queue's front after the pop is offered as a hint; a hint never changes the order.
TEST(Simulator, PrefetchIsOfferedTheQueueFrontBeforeEachHandle) {
  for (const std::string kind : {"quaternary_heap", "binary_heap", "calendar"}) {
    Simulator simulator(make_event_queue(kind));
    PrefetchLog handler;
    for (std::uint32_t t = 1; t <= 3; ++t) simulator.schedule_at(static_cast<double>(t), 0, t);
    simulator.run(handler);
    const std::vector<std::string> expected{"p2", "h1", "p2", "h9", "p3", "h2", "h3"};
    EXPECT_EQ(handler.log, expected) << kind;
  }
}

}  // namespace
}  // namespace dasgd
