// Tests for exact staleness tracking (sim/metrics/staleness_tracker): hand-worked schedules, the
// lock-step closed forms, and random runs checked against the literal std::set definitions in
// tests/naive_staleness.hpp. The statistics have their own file (staleness_statistics_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "objectives/objective_factory.hpp"
#include "sim/metrics/gradient_recorder.hpp"
#include "sim/metrics/staleness_statistics.hpp"
#include "sim/metrics/staleness_tracker.hpp"
#include "sim/random/rng.hpp"
#include "tests/naive_staleness.hpp"

namespace dasgd {
namespace {

void expect_same(const GradientRecord& got, const GradientRecord& want) {
  EXPECT_EQ(got.t, want.t);
  EXPECT_EQ(got.node, want.node);
  EXPECT_EQ(got.start, want.start);
  EXPECT_EQ(got.end, want.end);
  EXPECT_EQ(got.applied_at_start, want.applied_at_start);
  EXPECT_EQ(got.s, want.s) << "t = " << want.t;
  EXPECT_EQ(got.s_hat, want.s_hat) << "t = " << want.t;
}

void expect_same(const DeliveryRecord& got, const DeliveryRecord& want, bool sets_measured) {
  EXPECT_EQ(got.gradient, want.gradient);
  EXPECT_EQ(got.origin, want.origin);
  EXPECT_EQ(got.node, want.node);
  EXPECT_EQ(got.computed_at, want.computed_at);
  EXPECT_EQ(got.applied_at, want.applied_at);
  EXPECT_EQ(got.own, want.own);
  EXPECT_EQ(got.receiver_count, want.receiver_count);
  EXPECT_EQ(got.gradient_set_count, want.gradient_set_count);
  EXPECT_EQ(got.version_difference, want.version_difference);
  EXPECT_EQ(got.sets_measured, sets_measured);
  if (sets_measured) {
    EXPECT_EQ(got.receiver_only, want.receiver_only) << "k = " << want.gradient;
    EXPECT_EQ(got.gradient_only, want.gradient_only) << "k = " << want.gradient;
    EXPECT_EQ(got.symmetric_difference, want.symmetric_difference) << "k = " << want.gradient;
  }
}

struct Figures {
  std::uint64_t receiver_only, gradient_only, symmetric_difference;
  std::int64_t version_difference;
};
void expect_figures(const DeliveryRecord& d, Figures want) {
  EXPECT_EQ(d.receiver_only, want.receiver_only) << "k = " << d.gradient << " at " << d.node;
  EXPECT_EQ(d.gradient_only, want.gradient_only) << "k = " << d.gradient << " at " << d.node;
  EXPECT_EQ(d.symmetric_difference, want.symmetric_difference)
      << "k = " << d.gradient << " at " << d.node;
  EXPECT_EQ(d.version_difference, want.version_difference)
      << "k = " << d.gradient << " at " << d.node;
}

// ---------------------------------------------------------------------------------------------
// Hand-worked schedules

// Two nodes, compute time 1, latency 0.5, own gradient applied at completion.
//   0.0  both start on ∅.
//   1.0  node0 completes t=0 (G=∅, M=∅: S=0, Ŝ=0), applies it, restarts on {0}.
//        node1 completes t=1 (G=∅, M={0}: S=1, Ŝ=1), applies it, restarts on {1}.
//   1.5  0 reaches node1 holding {1}: A\G={1}, G\A=∅, Δ=1, |A|−|G|=1. Same for 1 at node0 ({0}).
//   2.0  node0 completes t=2 on G={0}: M={1}, S=1, Ŝ=2−1=1.
//        node1 completes t=3 on G={1}: M={0,2}, S=2, Ŝ=3−0=3 (> S: the oldest missing is old).
//   2.5  2 (G={0}) reaches node1 holding {0,1,3}: A\G={1,3}, G\A=∅, Δ=2, |A|−|G|=2.
//        3 (G={1}) reaches node0 holding {0,1,2}: A\G={0,2}, G\A=∅, Δ=2, |A|−|G|=2.
TEST(Staleness, TwoNodesConstantDelaysMatchHandWorkedValues) {
  StalenessTracker tracker(2);
  auto ticket0 = tracker.on_compute_start(0, 0.0);
  auto ticket1 = tracker.on_compute_start(1, 0.0);

  const GradientRecord g0 = tracker.on_compute_complete(0, ticket0, 1.0);
  EXPECT_EQ(g0.t, 0u);
  EXPECT_EQ(g0.s, 0u);
  EXPECT_EQ(g0.s_hat, 0u);  // M_0 is empty
  tracker.on_apply(0, g0.t, 1.0, true);
  ticket0 = tracker.on_compute_start(0, 1.0);
  const GradientRecord g1 = tracker.on_compute_complete(1, ticket1, 1.0);
  EXPECT_EQ(g1.t, 1u);
  EXPECT_EQ(g1.s, 1u);
  EXPECT_EQ(g1.s_hat, 1u);
  tracker.on_apply(1, g1.t, 1.0, true);
  ticket1 = tracker.on_compute_start(1, 1.0);

  const DeliveryRecord d01 = tracker.on_apply(1, 0, 1.5, false);
  expect_figures(d01, {1, 0, 1, 1});
  EXPECT_DOUBLE_EQ(d01.delay(), 0.5);
  EXPECT_EQ(d01.origin, 0u);
  expect_figures(tracker.on_apply(0, 1, 1.5, false), {1, 0, 1, 1});

  const GradientRecord g2 = tracker.on_compute_complete(0, ticket0, 2.0);
  EXPECT_EQ(g2.t, 2u);
  EXPECT_EQ(g2.applied_at_start, 1u);
  EXPECT_EQ(g2.s, 1u);
  EXPECT_EQ(g2.s_hat, 1u);
  tracker.on_apply(0, 2, 2.0, true);
  const GradientRecord g3 = tracker.on_compute_complete(1, ticket1, 2.0);
  EXPECT_EQ(g3.t, 3u);
  EXPECT_EQ(g3.s, 2u);
  EXPECT_EQ(g3.s_hat, 3u);
  tracker.on_apply(1, 3, 2.0, true);

  expect_figures(tracker.on_apply(1, 2, 2.5, false), {2, 0, 2, 2});
  expect_figures(tracker.on_apply(0, 3, 2.5, false), {2, 0, 2, 2});
  EXPECT_EQ(tracker.applied_count(0), 4u);
  EXPECT_EQ(tracker.watermark(1), 4u);
  EXPECT_EQ(tracker.live_gradients(), 0u);  // everything applied everywhere: snapshots freed
}

// Three nodes; link 0→2 is slow (latency 3), so gradient 0 reaches node 2 after gradient 1:
//   0.0  all three start on ∅.
//   1.0  node0 completes t=0 (S=0, Ŝ=0), applies it, and stays idle.
//   1.5  0 reaches node1 holding ∅: all figures 0.
//   2.0  node1 completes t=1 on ∅: S=1, Ŝ=1.   1 → node0 at 2.5, → node2 at 2.5.
//   2.5  1 at node0 holding {0}: A\G={0} → (1, 0, 1, 1). 1 at node2 holding ∅ → (0, 0, 0, 0).
//   3.0  node2 completes t=2 on ∅: S=2, Ŝ=2; applies it ({1,2}); restarts on G={1,2}.
//   3.5  2 at node1 holding {0,1}: A\G={0,1} → (2, 0, 2, 2).
//   4.0  0 finally reaches node2 holding {1,2}: (2, 0, 2, 2); node2 now {0,1,2}.
//   5.0  node2 completes t=3 on G={1,2}: M={0}, S=1 but Ŝ=3−0=3 (out-of-order arrival).
//   6.0  3 (G={1,2}) at node0 holding {0,1} (2 is still on its way): A\G={0}, G\A={2}, Δ=2, and
//        |A|−|G| = 0: equal version counters, different models.
//  13.0  2 at node0 holding {0,1,3}: A\G={0,1,3}, (3, 0, 3, 3).
TEST(Staleness, ThreeNodesOutOfOrderArrivalMakesLooseStalenessExceedCount) {
  StalenessTracker tracker(3);
  const auto ticket0 = tracker.on_compute_start(0, 0.0);
  const auto ticket1 = tracker.on_compute_start(1, 0.0);
  auto ticket2 = tracker.on_compute_start(2, 0.0);

  const GradientRecord g0 = tracker.on_compute_complete(0, ticket0, 1.0);
  EXPECT_EQ(g0.s, 0u);
  EXPECT_EQ(g0.s_hat, 0u);
  tracker.on_apply(0, 0, 1.0, true);
  expect_figures(tracker.on_apply(1, 0, 1.5, false), {0, 0, 0, 0});
  const GradientRecord g1 = tracker.on_compute_complete(1, ticket1, 2.0);
  EXPECT_EQ(g1.s, 1u);
  EXPECT_EQ(g1.s_hat, 1u);
  tracker.on_apply(1, 1, 2.0, true);
  expect_figures(tracker.on_apply(0, 1, 2.5, false), {1, 0, 1, 1});
  expect_figures(tracker.on_apply(2, 1, 2.5, false), {0, 0, 0, 0});
  EXPECT_EQ(tracker.watermark(2), 0u);  // {1}: the hole at 0 holds the watermark

  const GradientRecord g2 = tracker.on_compute_complete(2, ticket2, 3.0);
  EXPECT_EQ(g2.s, 2u);
  EXPECT_EQ(g2.s_hat, 2u);
  tracker.on_apply(2, 2, 3.0, true);
  ticket2 = tracker.on_compute_start(2, 3.0);
  EXPECT_EQ(ticket2.applied_count, 2u);
  EXPECT_EQ(ticket2.watermark, 0u);
  expect_figures(tracker.on_apply(1, 2, 3.5, false), {2, 0, 2, 2});
  expect_figures(tracker.on_apply(2, 0, 4.0, false), {2, 0, 2, 2});
  EXPECT_EQ(tracker.watermark(2), 3u);

  const GradientRecord g3 = tracker.on_compute_complete(2, ticket2, 5.0);
  EXPECT_EQ(g3.t, 3u);
  EXPECT_EQ(g3.s, 1u);
  EXPECT_EQ(g3.s_hat, 3u);
  tracker.on_apply(2, 3, 5.0, true);
  const DeliveryRecord d30 = tracker.on_apply(0, 3, 6.0, false);
  expect_figures(d30, {1, 1, 2, 0});
  EXPECT_DOUBLE_EQ(d30.delay(), 1.0);
  expect_figures(tracker.on_apply(0, 2, 13.0, false), {3, 0, 3, 3});
  EXPECT_EQ(tracker.live_gradients(), 1u);  // gradient 3 has not reached node1
}

// ---------------------------------------------------------------------------------------------
// Lock-step: zero latency, complete graph, every node computes for exactly 1 s.

struct LockStepResult {
  std::vector<GradientRecord> gradients;
  std::vector<DeliveryRecord> deliveries;
};

// Round r completes at time r+1, nodes in id order. With `starts_before_arrivals` (the spec's tie
// rule) each node restarts right after its completion, before the zero-latency arrivals of that
// instant; otherwise every arrival is applied first and the nodes restart afterwards.
LockStepResult run_lock_step(std::size_t n, std::size_t rounds, bool starts_before_arrivals) {
  StalenessTracker tracker(n);
  LockStepResult result;
  std::vector<ComputationTicket> tickets;
  for (NodeId i = 0; i < n; ++i) tickets.push_back(tracker.on_compute_start(i, 0.0));
  for (std::size_t r = 0; r < rounds; ++r) {
    const auto now = static_cast<SimTime>(r + 1);
    for (NodeId p = 0; p < n; ++p) {
      result.gradients.push_back(tracker.on_compute_complete(p, tickets[p], now));
      result.deliveries.push_back(tracker.on_apply(p, result.gradients.back().t, now, true));
      if (starts_before_arrivals) tickets[p] = tracker.on_compute_start(p, now);
    }
    for (NodeId p = 0; p < n; ++p) {
      for (NodeId j = 0; j < n; ++j) {
        if (j != p) result.deliveries.push_back(tracker.on_apply(j, r * n + p, now, false));
      }
    }
    if (!starts_before_arrivals) {
      for (NodeId p = 0; p < n; ++p) tickets[p] = tracker.on_compute_start(p, now);
    }
  }
  return result;
}

// Spec tie rule. Gradient t = r·n + p (round r, position p) was started at time r, right after the
// node's own round r−1 completion and before round r−1's arrivals: G_t = rounds ≤ r−2 ∪ {own r−1}.
// Round 0: G = ∅, S = Ŝ = p. Round r ≥ 1: S = t − ((r−1)n + 1) = n − 1 + p; min M_t = (r−1)n, or
// (r−1)n + 1 when p = 0 (node 0's own gradient is the first of round r−1), so Ŝ = n + p, or n − 1.
// A delivery of t at node j (after all round-r starts) finds A = rounds ≤ r−1 ∪ {r·n + j} ∪ the
// round-r gradients of origins q < p, q ≠ j; G ⊆ A, so |A \ G| = |A| − |G| = n + p − [j < p]
// (r ≥ 1) or 1 + p − [j < p] (r = 0), and G \ A = ∅.
TEST(Staleness, LockStepWithSpecTieRuleMatchesClosedForm) {
  for (std::size_t n : {2u, 3u, 7u}) {
    const std::size_t rounds = 6;
    const LockStepResult run = run_lock_step(n, rounds, /*starts_before_arrivals=*/true);
    std::uint64_t sum_s = 0;
    for (const GradientRecord& g : run.gradients) {
      const std::uint64_t r = g.t / n;
      const std::uint64_t p = g.t % n;
      ASSERT_EQ(g.node, p);
      const std::uint64_t want_s = r == 0 ? p : n - 1 + p;
      const std::uint64_t want_s_hat = r == 0 ? p : (p == 0 ? n - 1 : n + p);
      EXPECT_EQ(g.s, want_s) << "n = " << n << ", t = " << g.t;
      EXPECT_EQ(g.s_hat, want_s_hat) << "n = " << n << ", t = " << g.t;
      sum_s += g.s;
    }
    // Σ S = n(n−1)/2 + (rounds − 1)·(n(n−1) + n(n−1)/2).
    EXPECT_EQ(sum_s, n * (n - 1) / 2 + (rounds - 1) * (n * (n - 1) + n * (n - 1) / 2));
    for (const DeliveryRecord& d : run.deliveries) {
      if (d.own) continue;
      const std::uint64_t r = d.gradient / n;
      const std::uint64_t p = d.gradient % n;
      const std::uint64_t want = (r == 0 ? 1 : n) + p - (d.node < p ? 1 : 0);
      expect_figures(d, {want, 0, want, static_cast<std::int64_t>(want)});
    }
  }
}

// Arrivals first, then the restarts: G_t = all gradients of rounds < r, so S_t = Ŝ_t = p and
// S_avg = (n − 1)/2 exactly; S is uniform on {0..n−1}.
TEST(Staleness, LockStepWithArrivalsBeforeRestartsGivesPositionInRound) {
  const std::size_t n = 5;
  const std::size_t rounds = 8;
  const LockStepResult run = run_lock_step(n, rounds, /*starts_before_arrivals=*/false);
  StalenessStatistics statistics(n);
  for (const GradientRecord& g : run.gradients) {
    EXPECT_EQ(g.s, g.t % n);
    EXPECT_EQ(g.s_hat, g.t % n);
    statistics.add(g);
  }
  for (const DeliveryRecord& d : run.deliveries) statistics.add(d);
  EXPECT_DOUBLE_EQ(statistics.s().mean(), (n - 1) / 2.0);
  EXPECT_DOUBLE_EQ(statistics.mean_s_first(n * rounds), (n - 1) / 2.0);
  EXPECT_EQ(statistics.s().max(), static_cast<std::int64_t>(n - 1));
  // Nearest rank over 40 values, 8 of each 0..4: p50 → rank 20 → 2; p90 → rank 36 → 4.
  EXPECT_EQ(statistics.s().quantile(0.5), 2);
  EXPECT_EQ(statistics.s().quantile(0.9), 4);
  // RMS² = (0 + 1 + 4 + 9 + 16)/5 = 6.
  EXPECT_DOUBLE_EQ(statistics.s().rms(), std::sqrt(6.0));
  EXPECT_EQ(statistics.own_applications(), n * rounds);
  EXPECT_EQ(statistics.deliveries(), n * rounds * (n - 1));
}

// ---------------------------------------------------------------------------------------------
// Misuse is refused with an exception, never silently absorbed.

TEST(Staleness, RefusesDoubleApplicationAndOtherMisuse) {
  EXPECT_THROW(StalenessTracker(0), std::invalid_argument);
  StalenessTracker tracker(2);
  const auto ticket = tracker.on_compute_start(0, 0.0);
  EXPECT_THROW(tracker.on_compute_start(2, 0.0), std::invalid_argument);
  EXPECT_THROW(tracker.on_compute_complete(1, ticket, 1.0), std::invalid_argument);
  EXPECT_THROW(tracker.on_apply(0, 0, 1.0, true), std::logic_error);  // not completed yet
  const GradientRecord g = tracker.on_compute_complete(0, ticket, 1.0);
  EXPECT_THROW(tracker.on_compute_complete(0, ticket, 1.0), std::logic_error);  // used ticket
  EXPECT_THROW(tracker.on_apply(0, g.t, 1.0, false), std::logic_error);  // own flag wrong
  EXPECT_THROW(tracker.on_apply(1, g.t, 1.0, true), std::logic_error);   // own flag wrong
  tracker.on_apply(0, g.t, 1.0, true);
  EXPECT_THROW(tracker.on_apply(0, g.t, 1.5, true), std::logic_error);  // twice
  EXPECT_EQ(tracker.applied_count(0), 1u);                              // refused call left no trace
  tracker.retire(g.t);
  EXPECT_THROW(tracker.on_apply(1, g.t, 2.0, false), std::logic_error);  // retired
  EXPECT_EQ(tracker.live_gradients(), 0u);
  EXPECT_THROW(tracker.retire(5), std::logic_error);

  const auto abandoned = tracker.on_compute_start(1, 2.0);
  tracker.abandon(abandoned);
  EXPECT_THROW(tracker.on_compute_complete(1, abandoned, 3.0), std::logic_error);
  // A new ticket may reuse the abandoned one's slot; the old ticket must still be refused.
  const auto fresh = tracker.on_compute_start(1, 2.0);
  EXPECT_THROW(tracker.on_compute_complete(1, abandoned, 3.0), std::logic_error);
  EXPECT_EQ(tracker.on_compute_complete(1, fresh, 3.0).t, 1u);
}

// ---------------------------------------------------------------------------------------------
// The set representation on its own.

TEST(AppliedSet, WatermarkJumpsWhenTheLastHoleIsFilled) {
  AppliedSet set;
  for (std::uint64_t k = 300; k-- > 1;) set.insert(k);  // 299 .. 1, leaving 0 out
  EXPECT_EQ(set.watermark(), 0u);
  EXPECT_EQ(set.count(), 299u);
  EXPECT_EQ(set.words().size(), 5u);  // indices 0..299 span words 0..4
  EXPECT_FALSE(set.contains(0));
  EXPECT_TRUE(set.contains(64));
  EXPECT_FALSE(set.contains(300));
  set.insert(0);
  EXPECT_EQ(set.watermark(), 300u);
  EXPECT_EQ(set.base(), 4u);
  EXPECT_EQ(set.words().size(), 1u);
  EXPECT_THROW(set.insert(17), std::logic_error);
  EXPECT_THROW(set.insert(299), std::logic_error);
  // Long in-order stretches drop words from the front and compact the storage.
  for (std::uint64_t k = 300; k < 100000; ++k) set.insert(k);
  EXPECT_EQ(set.watermark(), 100000u);
  EXPECT_LE(set.words().size(), 1u);
}

TEST(AppliedSet, IntersectionMatchesStdSetOnRandomSets) {
  Rng rng(mix_key(11, Stream::algorithm, 1));
  for (int trial = 0; trial < 300; ++trial) {
    AppliedSet a;
    AppliedSet b;
    std::set<std::uint64_t> sa;
    std::set<std::uint64_t> sb;
    // Each set: a dense prefix of random length, then sparse random bits above it.
    for (auto [set, reference] : {std::pair{&a, &sa}, std::pair{&b, &sb}}) {
      const std::uint64_t prefix = rng.below(400);
      for (std::uint64_t k = 0; k < prefix; ++k) {
        set->insert(k);
        reference->insert(k);
      }
      const std::uint64_t extra = rng.below(60);
      for (std::uint64_t e = 0; e < extra; ++e) {
        const std::uint64_t k = prefix + 1 + rng.below(500);
        if (reference->insert(k).second) set->insert(k);
      }
    }
    std::vector<std::uint64_t> both;
    std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(both));
    EXPECT_EQ(intersection_size(a.base(), a.words(), a.count(), b.base(), b.words(), b.count()),
              both.size());
    EXPECT_EQ(intersection_size(b.base(), b.words(), b.count(), a.base(), a.words(), a.count()),
              both.size());
  }
}

// ---------------------------------------------------------------------------------------------
// Random runs against the literal definitions.

struct RandomRunCounts {
  std::uint64_t gradients = 0;
  std::uint64_t applications = 0;
  std::uint64_t retired = 0;
  std::uint64_t max_window_words = 0;
  StalenessTracker::MergePaths paths;  // origin_prefixes: which merge paths ran
};

// A random schedule: random starts (at most two computations in flight per node), completions in
// random order, applications picked at random (or newest-first, for strongly out-of-order
// arrivals), some deliveries lost (then the gradient is retired), some computations abandoned.
RandomRunCounts random_run_matches_naive(std::uint64_t seed, bool track_deliveries) {
  Rng rng(mix_key(seed, Stream::algorithm, 2024));
  const auto n = static_cast<std::size_t>(2 + rng.below(11));
  const std::uint64_t target = 150 + rng.below(250);
  StalenessTracker tracker(n, {track_deliveries});
  testing::NaiveStaleness naive(n);
  StalenessStatistics statistics(n, {0.5, true});

  struct InFlight {
    ComputationTicket ticket;
    testing::NaiveStaleness::Ticket naive;
  };
  std::vector<InFlight> in_flight;
  std::vector<int> busy(n, 0);
  std::vector<std::pair<NodeId, std::uint64_t>> pending;  // planned applications
  std::vector<std::uint32_t> planned_left;                // per gradient
  std::vector<bool> lost;                                 // some delivery of it never happens
  std::vector<NodeId> origin;                             // per gradient
  std::vector<std::pair<NodeId, std::uint64_t>> applied_pairs;
  std::vector<std::uint64_t> s_values;
  RandomRunCounts counts;
  std::uint64_t started = 0;
  SimTime now = 0;

  while (tracker.completed_count() < target || !pending.empty() || !in_flight.empty()) {
    if (rng.below(4) != 0) now += rng.uniform();  // else a tie at the same instant
    const std::uint64_t action = rng.below(10);
    if (action < 3 && started < target) {
      const auto node = static_cast<NodeId>(rng.below(n));
      if (busy[node] >= 2) continue;
      ++busy[node];
      ++started;
      in_flight.push_back({tracker.on_compute_start(node, now), naive.start(node, now)});
    } else if (action < 5 && !in_flight.empty()) {
      const std::size_t pick = rng.below(in_flight.size());
      const InFlight done = in_flight[pick];
      in_flight[pick] = in_flight.back();
      in_flight.pop_back();
      const NodeId node = done.ticket.node;
      --busy[node];
      if (rng.below(40) == 0) {  // the node crashed mid-computation
        tracker.abandon(done.ticket);
        --started;
        continue;
      }
      const GradientRecord got = tracker.on_compute_complete(node, done.ticket, now);
      const GradientRecord want = naive.complete(done.naive, now);
      expect_same(got, want);
      statistics.add(got);
      s_values.push_back(got.s);
      planned_left.push_back(0);
      lost.push_back(false);
      origin.push_back(node);
      for (NodeId j = 0; j < n; ++j) {
        if (j != node && rng.below(30) == 0) {
          lost.back() = true;
        } else {
          pending.emplace_back(j, got.t);
          ++planned_left.back();
        }
      }
    } else if (!pending.empty()) {
      const std::size_t pick = rng.below(3) == 0 ? pending.size() - 1 : rng.below(pending.size());
      const auto [node, t] = pending[pick];
      pending[pick] = pending.back();
      pending.pop_back();
      const DeliveryRecord got = tracker.on_apply(node, t, now, node == origin[t]);
      const DeliveryRecord want = naive.apply(node, t, now);
      expect_same(got, want, track_deliveries);
      statistics.add(got);
      applied_pairs.emplace_back(node, t);
      ++counts.applications;
      counts.max_window_words =
          std::max<std::uint64_t>(counts.max_window_words, tracker.applied_set(node).words().size());
      if (--planned_left[t] == 0 && lost[t]) {
        tracker.retire(t);
        ++counts.retired;
      }
    }
    if (!applied_pairs.empty() && rng.below(50) == 0) {
      const auto [node, t] = applied_pairs[rng.below(applied_pairs.size())];
      EXPECT_THROW(tracker.on_apply(node, t, now, node == origin[t]),
                   std::logic_error);
    }
  }
  for (NodeId j = 0; j < n; ++j) {
    EXPECT_EQ(tracker.applied_count(j), naive.applied(j).size());
    EXPECT_EQ(tracker.watermark(j), naive.watermark(j));
  }
  EXPECT_EQ(tracker.live_gradients(), 0u);

  // The statistics of the same run, against plain recomputation from the S values.
  std::vector<std::uint64_t> sorted = s_values;
  std::sort(sorted.begin(), sorted.end());
  const std::uint64_t count = sorted.size();
  EXPECT_EQ(statistics.gradients(), count);
  EXPECT_EQ(statistics.s().quantile(0.5), static_cast<std::int64_t>(sorted[(count + 1) / 2 - 1]));
  EXPECT_EQ(statistics.s().quantile(0.99),
            static_cast<std::int64_t>(sorted[(99 * count + 99) / 100 - 1]));
  std::uint64_t prefix = 0;
  for (std::uint64_t t = 0; t < count; ++t) prefix += s_values[t];
  EXPECT_DOUBLE_EQ(statistics.mean_s_first(count),
                   static_cast<double>(prefix) / static_cast<double>(count));
  counts.gradients = tracker.completed_count();
  return counts;
}

TEST(Staleness, RandomSchedulesMatchNaiveSetsWithDeliveryTracking) {
  RandomRunCounts total;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    SCOPED_TRACE(seed);
    const RandomRunCounts counts = random_run_matches_naive(seed, true);
    total.gradients += counts.gradients;
    total.applications += counts.applications;
    total.retired += counts.retired;
    total.max_window_words = std::max(total.max_window_words, counts.max_window_words);
    if (::testing::Test::HasFailure()) break;
  }
  // The schedules must actually reach the interesting cases: lost gradients and windows wider
  // than one word.
  EXPECT_GT(total.retired, 10u);
  EXPECT_GT(total.max_window_words, 2u);
  EXPECT_GT(total.applications, 60u * 150u);
}

TEST(Staleness, RandomSchedulesMatchNaiveSetsWithoutDeliveryTracking) {
  for (std::uint64_t seed = 100; seed < 130; ++seed) {
    SCOPED_TRACE(seed);
    random_run_matches_naive(seed, false);
    if (::testing::Test::HasFailure()) break;
  }
}

// ---------------------------------------------------------------------------------------------
// Merges (model averaging) against the literal unions.

TEST(AppliedSet, MergeMatchesStdSetUnionOnWideRandomWindows) {
  Rng rng(mix_key(12, Stream::algorithm, 3));
  std::uint64_t widest = 0;
  for (int trial = 0; trial < 300; ++trial) {
    AppliedSet a;
    AppliedSet b;
    std::set<std::uint64_t> sa;
    std::set<std::uint64_t> sb;
    for (auto [set, reference] : {std::pair{&a, &sa}, std::pair{&b, &sb}}) {
      const std::uint64_t prefix = rng.below(3000);
      for (std::uint64_t k = 0; k < prefix; ++k) {
        set->insert(k);
        reference->insert(k);
      }
      // Sparse or dense bits over a window of up to 40 words, sometimes filling the next hole.
      const std::uint64_t width = 1 + rng.below(64 * 40);
      const std::uint64_t density = 1 + rng.below(4);
      for (std::uint64_t k = prefix + 1; k < prefix + width; ++k) {
        if (rng.below(density) == 0 && reference->insert(k).second) set->insert(k);
      }
      widest = std::max<std::uint64_t>(widest, set->words().size());
    }
    std::set<std::uint64_t> want = sa;
    want.insert(sb.begin(), sb.end());
    const std::uint64_t added = a.merge(b.base(), b.words());
    EXPECT_EQ(added, want.size() - sa.size());
    EXPECT_EQ(a.count(), want.size());
    std::uint64_t w = 0;
    while (want.count(w) != 0) ++w;
    EXPECT_EQ(a.watermark(), w);
    for (std::uint64_t k = 0; k < 3000 + 64 * 41; k += 1 + rng.below(7)) {
      ASSERT_EQ(a.contains(k), want.count(k) != 0) << "trial " << trial << ", k = " << k;
    }
    // Merging again adds nothing.
    EXPECT_EQ(a.merge(b.base(), b.words()), 0u);
  }
  EXPECT_GT(widest, 20u);
}

struct MergeRunCounts {
  std::uint64_t gradients = 0;
  std::uint64_t merges = 0;
  std::uint64_t merged_gradients = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t max_window_words = 0;
  StalenessTracker::MergePaths paths;  // origin_prefixes: which merge paths ran
};

// A random schedule with model averaging: nodes compute (one at a time), apply their own
// gradient at completion, push snapshots of their set that are merged later at random nodes (one
// or several uses, some dropped), and, with `deliveries`, also receive single gradients out of
// order. `ring`: pushes go to a ring neighbour only (gossip), so far gradients stay missing and
// the windows span many words. Every record is compared with the literal std::set definitions.
MergeRunCounts random_merges_match_naive(std::uint64_t seed, SetLayout layout, bool deliveries,
                                         bool ring, bool track_deliveries = false,
                                         std::size_t min_nodes = 0) {
  Rng rng(mix_key(seed, Stream::algorithm, 77));
  const auto n = static_cast<std::size_t>(min_nodes != 0 ? min_nodes + rng.below(min_nodes)
                                          : ring             ? 8 + rng.below(24)
                                                             : 2 + rng.below(9));
  const std::uint64_t target = min_nodes != 0 ? 1500 + rng.below(500)
                               : ring           ? 800 + rng.below(600)
                                                : 150 + rng.below(250);
  StalenessOptions options;
  options.layout = layout;
  options.track_deliveries = track_deliveries;
  StalenessTracker tracker(n, options);
  testing::NaiveStaleness naive(n);
  const bool measured = track_deliveries && layout == SetLayout::bit_window;

  struct Computation {
    bool busy = false;
    ComputationTicket ticket;
    testing::NaiveStaleness::Ticket naive;
  };
  struct Sent {
    GradientSetSnapshot snapshot;
    std::set<std::uint64_t> naive;
    std::uint32_t uses = 0;
    NodeId from = 0;
  };
  std::vector<Computation> computing(n);
  std::vector<Sent> sent;
  std::vector<std::pair<NodeId, std::uint64_t>> pending;  // single deliveries
  std::vector<NodeId> origin;
  MergeRunCounts counts;
  SimTime now = 0;
  std::uint64_t started = 0;

  auto finish = [&](Sent& s) {
    if (--s.uses == 0) tracker.release_snapshot(s.snapshot);
  };
  while (tracker.completed_count() < target || !sent.empty() || !pending.empty() ||
         std::any_of(computing.begin(), computing.end(), [](const Computation& c) { return c.busy; })) {
    if (rng.below(4) != 0) now += rng.uniform();
    const std::uint64_t action = rng.below(10);
    if (action < 3) {
      const auto node = static_cast<NodeId>(rng.below(n));
      Computation& c = computing[node];
      if (!c.busy) {
        if (started >= target) continue;
        c = {true, tracker.on_compute_start(node, now), naive.start(node, now)};
        ++started;
        continue;
      }
      const GradientRecord got = tracker.on_compute_complete(node, c.ticket, now);
      expect_same(got, naive.complete(c.naive, now));
      c.busy = false;
      origin.push_back(node);
      expect_same(tracker.on_apply(node, got.t, now, true), naive.apply(node, got.t, now), measured);
      if (deliveries) {
        for (NodeId j = 0; j < n; ++j) {
          if (j != node && rng.below(3) == 0) pending.emplace_back(j, got.t);
        }
      }
    } else if (action < 6) {
      if (tracker.completed_count() >= target) continue;  // wind down: no new pushes
      const auto node = static_cast<NodeId>(rng.below(n));
      const auto uses = static_cast<std::uint32_t>(rng.below(3) == 0 ? 1 + rng.below(3) : 1);
      sent.push_back({tracker.snapshot_set(node), naive.snapshot(node), uses, node});
    } else if (action < 9 && !sent.empty()) {
      // Newest or random: pushes overtake each other.
      const std::size_t pick = rng.below(2) == 0 ? sent.size() - 1 : rng.below(sent.size());
      Sent& s = sent[pick];
      if (rng.below(15) == 0) {
        finish(s);  // a lost message: dropped, never merged
      } else {
        const auto node = ring ? static_cast<NodeId>((s.from + (rng.below(2) == 0 ? 1 : n - 1)) % n)
                               : static_cast<NodeId>(rng.below(n));
        const std::uint64_t added = tracker.merge(node, s.snapshot);
        EXPECT_EQ(added, naive.merge(node, s.naive));
        ++counts.merges;
        counts.merged_gradients += added;
        finish(s);
      }
      if (s.uses == 0) {
        s = std::move(sent.back());
        sent.pop_back();
      }
    } else if (!pending.empty()) {
      const std::size_t pick = rng.below(3) == 0 ? pending.size() - 1 : rng.below(pending.size());
      const auto [node, t] = pending[pick];
      pending[pick] = pending.back();
      pending.pop_back();
      if (naive.applied(node).count(t) != 0) continue;  // a merge brought it already
      expect_same(tracker.on_apply(node, t, now, false), naive.apply(node, t, now), measured);
      ++counts.deliveries;
    }
    if (layout == SetLayout::bit_window) {
      for (NodeId j = 0; j < n; j += 7) {
        counts.max_window_words = std::max<std::uint64_t>(counts.max_window_words,
                                                          tracker.applied_set(j).words().size());
      }
    }
  }
  for (NodeId j = 0; j < n; ++j) {
    EXPECT_EQ(tracker.applied_count(j), naive.applied(j).size());
    EXPECT_EQ(tracker.watermark(j), naive.watermark(j));
  }
  // Spot checks of membership.
  for (int probe = 0; probe < 50 && tracker.completed_count() > 0; ++probe) {
    const auto node = static_cast<NodeId>(rng.below(n));
    const std::uint64_t t = rng.below(tracker.completed_count());
    EXPECT_EQ(tracker.is_applied(node, t), naive.applied(node).count(t) != 0);
  }
  if (layout == SetLayout::bit_window) {
    // Every gradient below the smallest watermark is applied everywhere, and its record is gone.
    std::uint64_t min_watermark = tracker.completed_count();
    for (NodeId j = 0; j < n; ++j) min_watermark = std::min(min_watermark, naive.watermark(j));
    EXPECT_EQ(tracker.settled_below(), min_watermark);
    EXPECT_LE(tracker.live_gradients(), tracker.completed_count() - min_watermark);
  } else {
    EXPECT_EQ(tracker.live_gradients(), 0u);
    counts.paths = tracker.merge_paths();
  }
  counts.gradients = tracker.completed_count();
  return counts;
}

TEST(StalenessMerge, RandomMergeSchedulesMatchNaiveSetsInBothLayouts) {
  for (const SetLayout layout : {SetLayout::bit_window, SetLayout::origin_prefixes}) {
    MergeRunCounts total;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      SCOPED_TRACE(seed);
      const MergeRunCounts c = random_merges_match_naive(seed, layout, false, false);
      total.merges += c.merges;
      total.merged_gradients += c.merged_gradients;
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_GT(total.merges, 40u * 50u);
    EXPECT_GT(total.merged_gradients, total.merges);  // merges do add gradients, often several
  }
}

TEST(StalenessMerge, GossipRingPushesWithWideWindowsMatchNaiveSetsInBothLayouts) {
  for (const SetLayout layout : {SetLayout::bit_window, SetLayout::origin_prefixes}) {
    MergeRunCounts total;
    for (std::uint64_t seed = 0; seed < 4; ++seed) {
      SCOPED_TRACE(seed);
      const MergeRunCounts c = random_merges_match_naive(seed, layout, false, true);
      total.max_window_words = std::max(total.max_window_words, c.max_window_words);
      total.paths.in_place += c.paths.in_place;
      total.paths.rebuilt += c.paths.rebuilt;
      total.paths.rescans += c.paths.rescans;
      if (::testing::Test::HasFailure()) return;
    }
    if (layout == SetLayout::bit_window) {
      EXPECT_GT(total.max_window_words, 6u);  // windows spanning many words
    } else {
      // Every merge path ran, and known_min was mostly kept without a rescan, so the comparison
      // above checked the incremental minimum as well as the full one.
      EXPECT_GT(total.paths.in_place, 100u);
      EXPECT_GT(total.paths.rebuilt, 100u);
      EXPECT_GT(total.paths.rescans, 0u);
      EXPECT_LT(2 * total.paths.rescans, total.paths.in_place);
    }
  }
}

// 40 to 79 nodes, pushes to random nodes: clocks soon list most origins, so the merges compare
// runs of 32 consecutive origins (and 8 at the ends) at once; every figure against the naive sets.
TEST(StalenessMerge, WellMixedMergesOverLongClockRunsMatchNaiveSets) {
  StalenessTracker::MergePaths total;
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    SCOPED_TRACE(seed);
    const MergeRunCounts c =
        random_merges_match_naive(seed, SetLayout::origin_prefixes, false, false, false, 40);
    total.in_place += c.paths.in_place;
    total.rebuilt += c.paths.rebuilt;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(total.in_place, 100u);
  EXPECT_GT(total.rebuilt, 100u);
}

TEST(StalenessMerge, MergesMixedWithOutOfOrderDeliveriesMatchNaiveSets) {
  for (const bool deliveries_measured : {true, false}) {
    for (std::uint64_t seed = 200; seed < 230; ++seed) {
      SCOPED_TRACE(seed);
      const MergeRunCounts c = random_merges_match_naive(seed, SetLayout::bit_window, true, false,
                                                         deliveries_measured);
      EXPECT_GT(c.deliveries, 0u);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// The exact gossip pattern: compute, apply own, push to a ring neighbour, merge on arrival; both
// layouts give the same S_t and Ŝ_t for every gradient.
TEST(StalenessMerge, GossipScheduleGivesTheSameStalenessInBothLayouts) {
  const std::size_t n = 60;
  StalenessTracker window(n, {true, SetLayout::bit_window});
  StalenessTracker clocks(n, {true, SetLayout::origin_prefixes});
  Rng rng(mix_key(5, Stream::algorithm, 9));
  struct Event {
    SimTime time;
    bool arrival;
    NodeId node;
    std::size_t message;
  };
  auto later = [](const Event& a, const Event& b) { return a.time > b.time; };
  std::vector<Event> queue;
  std::vector<std::pair<GradientSetSnapshot, GradientSetSnapshot>> messages;
  std::vector<std::pair<ComputationTicket, ComputationTicket>> tickets(n);
  for (NodeId i = 0; i < n; ++i) {
    tickets[i] = {window.on_compute_start(i, 0), clocks.on_compute_start(i, 0)};
    queue.push_back({rng.uniform() * 2, false, i, 0});
  }
  std::make_heap(queue.begin(), queue.end(), later);
  std::uint64_t gradients = 0;
  std::uint64_t sum_s_hat = 0;
  while (!queue.empty()) {
    std::pop_heap(queue.begin(), queue.end(), later);
    const Event e = queue.back();
    queue.pop_back();
    if (e.arrival) {
      auto& [a, b] = messages[e.message];
      EXPECT_EQ(window.merge(e.node, a), clocks.merge(e.node, b));
      window.release_snapshot(a);
      clocks.release_snapshot(b);
      continue;
    }
    const GradientRecord ga = window.on_compute_complete(e.node, tickets[e.node].first, e.time);
    const GradientRecord gb = clocks.on_compute_complete(e.node, tickets[e.node].second, e.time);
    expect_same(gb, ga);
    sum_s_hat += ga.s_hat;
    ++gradients;
    window.on_apply(e.node, ga.t, e.time, true);
    clocks.on_apply(e.node, gb.t, e.time, true);
    const auto to = static_cast<NodeId>((e.node + (rng.below(2) == 0 ? 1 : n - 1)) % n);
    messages.emplace_back(window.snapshot_set(e.node), clocks.snapshot_set(e.node));
    queue.push_back({e.time + 0.1, true, to, messages.size() - 1});
    std::push_heap(queue.begin(), queue.end(), later);
    if (e.time < 60) {
      tickets[e.node] = {window.on_compute_start(e.node, e.time), clocks.on_compute_start(e.node, e.time)};
      queue.push_back({e.time - std::log(rng.uniform()), false, e.node, 0});
      std::push_heap(queue.begin(), queue.end(), later);
    }
  }
  for (NodeId j = 0; j < n; ++j) {
    EXPECT_EQ(window.applied_count(j), clocks.applied_count(j));
    EXPECT_EQ(window.watermark(j), clocks.watermark(j));
  }
  EXPECT_GT(gradients, 60u * 50u);
  EXPECT_GT(sum_s_hat, gradients);  // far gradients stay missing: Ŝ is large
}

TEST(StalenessMerge, OriginPrefixesRefusesSingleDeliveriesAndOutOfOrderOwnApplications) {
  StalenessTracker tracker(2, {true, SetLayout::origin_prefixes});
  const auto a = tracker.on_compute_start(0, 0.0);
  const auto b = tracker.on_compute_start(0, 0.0);  // two workers on node 0
  const GradientRecord g0 = tracker.on_compute_complete(0, a, 1.0);
  const GradientRecord g1 = tracker.on_compute_complete(0, b, 1.5);
  EXPECT_THROW(tracker.on_apply(0, g1.t, 1.5, true), std::logic_error);   // before g0
  EXPECT_THROW(tracker.on_apply(1, g0.t, 1.5, false), std::logic_error);  // a single delivery
  EXPECT_THROW(tracker.on_apply(1, g0.t, 1.5, true), std::logic_error);   // not node 1's
  EXPECT_THROW(tracker.on_apply(0, g0.t, 1.5, false), std::logic_error);  // own flag wrong
  tracker.on_apply(0, g0.t, 1.5, true);
  EXPECT_THROW(tracker.on_apply(0, g0.t, 1.6, true), std::logic_error);  // twice
  tracker.on_apply(0, g1.t, 1.6, true);
  EXPECT_EQ(tracker.applied_count(0), 2u);
  EXPECT_EQ(tracker.live_gradients(), 0u);
  EXPECT_THROW(tracker.applied_set(0), std::logic_error);
  GradientSetSnapshot snapshot = tracker.snapshot_set(0);
  EXPECT_EQ(tracker.merge(1, snapshot), 2u);
  tracker.release_snapshot(snapshot);
  EXPECT_THROW(tracker.merge(1, snapshot), std::logic_error);  // released
  EXPECT_EQ(tracker.watermark(1), 2u);
  EXPECT_TRUE(tracker.is_applied(1, 1));
}

// Hand-worked: an entry whose next was unknown when merged (its origin had completed every
// gradient the entry counts) must not be overtaken by a later in-place merge that raises another
// entry to a known, larger next. Node 0 knows gradients {0, 1, 2, 4}: the watermark is 3 (node 1's
// second gradient, completed after node 0 heard of node 1), not 5 (node 2's next).
TEST(StalenessMerge, OriginPrefixesKeepsAnUnknownNextThatBecomesTheWatermark) {
  StalenessTracker tracker(3, {false, SetLayout::origin_prefixes});
  testing::NaiveStaleness naive(3);
  SimTime now = 0;
  auto compute = [&](NodeId node, bool apply) {
    const ComputationTicket ticket = tracker.on_compute_start(node, now);
    const testing::NaiveStaleness::Ticket naive_ticket = naive.start(node, now);
    now += 1;
    const GradientRecord record = tracker.on_compute_complete(node, ticket, now);
    expect_same(record, naive.complete(naive_ticket, now));
    if (apply) {
      tracker.on_apply(node, record.t, now, true);
      naive.apply(node, record.t, now);
    }
    return record.t;
  };
  auto push = [&](NodeId from, NodeId to) {
    GradientSetSnapshot snapshot = tracker.snapshot_set(from);
    const std::set<std::uint64_t> naive_snapshot = naive.snapshot(from);
    const std::uint64_t added = tracker.merge(to, snapshot);
    EXPECT_EQ(added, naive.merge(to, naive_snapshot));
    tracker.release_snapshot(snapshot);
    return added;
  };
  EXPECT_EQ(compute(1, true), 0u);
  EXPECT_EQ(compute(2, true), 1u);
  EXPECT_EQ(compute(2, true), 2u);
  EXPECT_EQ(push(1, 0), 1u);  // node 0: {0}; node 1 has completed nothing else: next unknown
  EXPECT_EQ(push(2, 0), 2u);  // {0, 1, 2}; node 2's next unknown too
  EXPECT_EQ(compute(1, true), 3u);  // node 1's next is now gradient 3, missing at node 0
  EXPECT_EQ(compute(2, true), 4u);
  const std::uint64_t g5 = compute(2, false);  // completed, not yet applied at node 2
  EXPECT_EQ(g5, 5u);
  const StalenessTracker::MergePaths before = tracker.merge_paths();
  EXPECT_EQ(push(2, 0), 1u);  // in place: node 2's entry raised to count 3, next 5 (known)
  EXPECT_EQ(tracker.merge_paths().in_place, before.in_place + 1);
  const ComputationTicket ticket = tracker.on_compute_start(0, now);
  EXPECT_EQ(ticket.applied_count, 4u);
  EXPECT_EQ(ticket.watermark, 3u);
  EXPECT_EQ(naive.watermark(0), 3u);
  EXPECT_EQ(tracker.watermark(0), 3u);
}

// A tiny snapshot budget: delivery figures stop at a deterministic gradient, are exact before it,
// and the rest of the run keeps S_t, Ŝ_t and version differences.
TEST(Staleness, SnapshotBudgetCutsDeliveryFiguresDeterministically) {
  auto run = [](std::uint64_t budget) {
    StalenessOptions options;
    options.snapshot_budget_bytes = budget;
    StalenessTracker tracker(4, options);
    std::vector<DeliveryRecord> deliveries;
    std::vector<ComputationTicket> tickets;
    for (NodeId i = 0; i < 4; ++i) tickets.push_back(tracker.on_compute_start(i, 0));
    // Node 3 never receives anything: its watermark stays at 0 and every window grows.
    std::vector<std::uint64_t> late;
    for (int round = 0; round < 200; ++round) {
      for (NodeId i = 0; i < 3; ++i) {
        const GradientRecord g = tracker.on_compute_complete(i, tickets[i], round + 1.0);
        tracker.on_apply(i, g.t, round + 1.0, true);
        for (NodeId j = 0; j < 3; ++j) {
          if (j != i) deliveries.push_back(tracker.on_apply(j, g.t, round + 1.0, false));
        }
        tickets[i] = tracker.on_compute_start(i, round + 1.0);
      }
    }
    return std::pair{tracker.deliveries_cut() ? tracker.deliveries_cut_at() : ~std::uint64_t{0},
                     deliveries};
  };
  const auto [unlimited_cut, all] = run(~std::uint64_t{0});
  const auto [cut, some] = run(2048);
  EXPECT_EQ(unlimited_cut, ~std::uint64_t{0});
  ASSERT_NE(cut, ~std::uint64_t{0});
  EXPECT_EQ(run(2048).first, cut);  // deterministic
  ASSERT_EQ(all.size(), some.size());
  std::uint64_t measured = 0;
  for (std::size_t k = 0; k < all.size(); ++k) {
    EXPECT_EQ(some[k].version_difference, all[k].version_difference);
    if (some[k].sets_measured) {
      ++measured;
      EXPECT_EQ(some[k].receiver_only, all[k].receiver_only);
      EXPECT_EQ(some[k].symmetric_difference, all[k].symmetric_difference);
    } else {
      EXPECT_GE(some[k].gradient, cut);
    }
  }
  EXPECT_GT(measured, 0u);
  EXPECT_LT(measured, all.size());
}

// The recorder without a per-gradient log keeps nothing per gradient on the statistics side, frees
// every sent model once used, and says when the snapshot budget cut the delivery figures.
TEST(StalenessRecorder, WithoutTheLogMemoryFollowsTheModelsInFlightNotTheGradients) {
  ObjectiveSpec spec;
  spec.dimension = 4;
  const std::size_t n = 8;
  const auto objective = make_objective(spec, n, 1);
  GradientRecorderOptions options;
  options.eta = 0.1;
  options.keep_log = false;
  options.gradient_norms = false;
  options.staleness.layout = SetLayout::origin_prefixes;
  GradientRecorder recorder(*objective, n, options);
  EXPECT_FALSE(recorder.statistics().options().keep_prefix);
  const Vector x = objective->initial_point();
  std::vector<std::uint64_t> tokens;
  std::uint64_t t = 0;
  for (int round = 0; round < 500; ++round) {
    for (NodeId i = 0; i < n; ++i) {
      const SimTime now = round + 0.1 * i;
      recorder.on_compute_start(i, now, x);
      recorder.on_compute_complete(i, t, now, now + 0.05, x);
      recorder.on_apply(i, t++, now + 0.05, true);
      tokens.push_back(recorder.on_model_sent(i, now + 0.05, 2));
    }
    // Each model is merged at the two ring neighbours, or dropped there, one round later.
    while (tokens.size() > n) {
      const std::uint64_t token = tokens.front();
      tokens.erase(tokens.begin());
      const auto from = static_cast<NodeId>(token % n);
      recorder.on_model_merged(static_cast<NodeId>((from + 1) % n), token, round + 0.9);
      if (token % 3 == 0) {
        recorder.on_model_dropped(token);
      } else {
        recorder.on_model_merged(static_cast<NodeId>((from + n - 1) % n), token, round + 0.9);
      }
    }
    EXPECT_EQ(recorder.open_model_snapshots(), n);
  }
  EXPECT_EQ(recorder.gradients(), 500u * n);
  EXPECT_EQ(recorder.tracker().live_gradients(), 0u);
  // Clocks: at most n − 1 origins per node, for the n nodes and the n models in flight.
  EXPECT_LE(recorder.tracker().clock_entries(), 2 * n * (n - 1));
  EXPECT_EQ(recorder.tracking_note(), "");
}

TEST(StalenessRecorder, SnapshotBudgetCutIsReportedAsANote) {
  ObjectiveSpec spec;
  spec.dimension = 2;
  const auto objective = make_objective(spec, 3, 1);
  GradientRecorderOptions options;
  options.eta = 0.1;
  options.gradient_norms = false;
  options.staleness.snapshot_budget_bytes = 64;
  GradientRecorder recorder(*objective, 3, options);
  const Vector x = objective->initial_point();
  // Node 2 never hears from the others: the windows grow until the budget cuts the snapshots.
  for (std::uint64_t t = 0; t < 2000; ++t) {
    const auto i = static_cast<NodeId>(t % 2);
    const auto now = static_cast<double>(t);
    recorder.on_compute_start(i, now, x);
    recorder.on_compute_complete(i, t, now, now + 0.5, x);
    recorder.on_apply(i, t, now + 0.5, true);
    recorder.on_apply(1 - i, t, now + 0.7, false);
  }
  EXPECT_TRUE(recorder.tracker().deliveries_cut());
  EXPECT_NE(recorder.tracking_note().find("stopped from gradient " +
                                          std::to_string(recorder.tracker().deliveries_cut_at())),
            std::string::npos);
  EXPECT_GT(recorder.statistics().receiver_only().count(), 0u);
  EXPECT_LT(recorder.statistics().receiver_only().count(), recorder.statistics().deliveries());
}

}  // namespace
}  // namespace dasgd
