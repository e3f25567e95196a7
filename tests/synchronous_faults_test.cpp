// The synchronous algorithms under node faults (docs/FAULTS.md, "Per algorithm"; the rule in
// sim/algorithms/synchronous_round.hpp): a round's participants are the nodes up at its start, a
// participant that crashes before it is ready leaves the round (the barrier waits until crash +
// timeout), the update averages the reporters, and a recovered node rejoins at the next round.
// Hand-worked schedules with exact gradients: the expected models are computed step by step here.
#include <gtest/gtest.h>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/minibatch_sgd.hpp"
#include "sim/faults/node_availability.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Node i's exact gradient at x (σ² = 0: the noise stream is never read into the value).
Vector gradient(const testing::TestWorld& w, NodeId i, const Vector& x) {
  Vector g(x.size());
  Rng unused(0);
  w.objective->stochastic_gradient(i, x, unused, g);
  return g;
}

// Three nodes, compute 1, zero latency (the all-reduce ends at the last ready time). Node 2
// crashes at 0.9 in round 1 and is back at 1.5; timeout 0.5. Round 1: reporters 0 and 1 at 1.0,
// node 2's crash is detected at 1.4, so the barrier is at 1.4 and x1 = x0 − (η/2)(g0 + g1)(x0).
// Round 2 opens at 1.4 without node 2 (down at the start; its recovery at 1.5 waits for the next
// round): barrier 2.4, x2 = x1 − (η/2)(g0 + g1)(x1). Round 3 from 2.4 with all three: barrier 3.4,
// x3 = x2 − (η/3)(g0 + g1 + g2)(x2). Node 2's lost computation gets no index: 7 gradients.
TEST(MinibatchCrash, RoundAveragesTheReportersAndWaitsForTheCrashsDetection) {
  const double eta = 0.2;
  auto w = make_world(generate::complete(3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.0}));
  NodeFaultSpec spec;
  spec.schedule = {{2, 0.9, 1.5}};
  spec.timeout = 0.5;
  NodeAvailability availability(spec, 3, 1, nullptr);
  w->world.availability = &availability;
  MinibatchSgdParams params;
  params.eta = eta;
  MinibatchSgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  availability.start(simulator);
  algorithm.start(simulator);
  simulator.run_until(algorithm, 3.45);

  const Vector x0 = w->objective->initial_point();
  const Vector x1 = x0 - eta / 2 * (gradient(*w, 0, x0) + gradient(*w, 1, x0));
  const Vector x2 = x1 - eta / 2 * (gradient(*w, 0, x1) + gradient(*w, 1, x1));
  const Vector x3 = x2 - eta / 3 * (gradient(*w, 0, x2) + gradient(*w, 1, x2) + gradient(*w, 2, x2));
  EXPECT_EQ(algorithm.rounds_completed(), 3u);
  EXPECT_EQ(algorithm.gradients_completed(), 7u);
  EXPECT_EQ(algorithm.gradients_of(2), 1u);
  EXPECT_EQ(algorithm.short_rounds(), 2u);
  EXPECT_EQ(algorithm.crashed_participants(), 1u);
  EXPECT_NEAR(algorithm.mean_round_time(), 3.4 / 3, 1e-12);
  for (Eigen::Index j = 0; j < 2; ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x3(j));
}

// With nobody up no round opens; the first recovery opens one at once.
TEST(MinibatchCrash, NoRoundOpensWhileEveryNodeIsDown) {
  auto w = make_world(generate::ring(3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.0}));
  NodeFaultSpec spec;
  spec.schedule = {{0, 0.0, 5.0}, {1, 0.0, 7.5}, {2, 0.0, 9.5}};
  NodeAvailability availability(spec, 3, 1, nullptr);
  w->world.availability = &availability;
  MinibatchSgd algorithm(w->world, MinibatchSgdParams{}, nullptr);
  Simulator simulator;
  availability.start(simulator);
  algorithm.start(simulator);
  simulator.run_until(algorithm, 9.9);
  // Node 0's recovery opens [5, 6]; then [6, 7], [7, 8] with node 0 alone (node 1, back at 7.5,
  // waits for the round at 8), [8, 9] and [9, 10) with 0 and 1 (node 2, back at 9.5, waits).
  EXPECT_EQ(algorithm.rounds_completed(), 4u);
  EXPECT_EQ(algorithm.gradients_of(0), 4u);
  EXPECT_EQ(algorithm.gradients_of(1), 1u);
  EXPECT_EQ(algorithm.gradients_of(2), 0u);
}

// Three nodes, H = 2, compute 1, zero latency, η = 0.2. Node 2 takes one local step (done at 1.0)
// and crashes at 1.5 (timeout 0), back at 2.5. Round 1: reporters 0, 1 (two steps each), barrier
// 2.0: A1 = mean of their models, given to 0 and 1; node 2 keeps its one step, y = s2(x0).
// Round 2 (2.0 to 4.0): nodes 0, 1 from A1; A2 = their mean. At 2.5 node 2 recovers with keep (y)
// or neighbour (a live neighbour's model then: A1, nodes 0 and 1 are mid-step). Round 3 (4.0 to
// 6.0): all three, A3 = mean of the three two-step models, given to all.
TEST(LocalSgdCrash, AverageOverTheReportersAndRecoveryRejoinsTheNextRound) {
  const double eta = 0.2;
  for (const Recovery recovery : {Recovery::keep, Recovery::neighbour}) {
    auto w = make_world(generate::complete(3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.0}));
    NodeFaultSpec spec;
    spec.schedule = {{2, 1.5, 2.5}};
    spec.recovery = recovery;
    NodeAvailability availability(spec, 3, 1, nullptr);
    w->world.availability = &availability;
    LocalSgdParams params;
    params.eta = eta;
    params.local_steps = 2;
    LocalSgd algorithm(w->world, params, nullptr);
    Simulator simulator;
    availability.start(simulator);
    algorithm.start(simulator);
    simulator.run_until(algorithm, 6.5);

    auto step = [&](NodeId i, const Vector& x) { return Vector(x - eta * gradient(*w, i, x)); };
    auto two = [&](NodeId i, const Vector& x) { return step(i, step(i, x)); };
    const Vector x0 = w->objective->initial_point();
    const Vector a1 = (two(0, x0) + two(1, x0)) / 2;
    const Vector y = recovery == Recovery::keep ? step(2, x0) : a1;
    const Vector a2 = (two(0, a1) + two(1, a1)) / 2;
    const Vector a3 = (two(0, a2) + two(1, a2) + two(2, y)) / 3;
    EXPECT_EQ(algorithm.rounds_completed(), 3u);
    EXPECT_EQ(algorithm.gradients_of(2), 3u);  // one in round 1 (its second was lost), two in round 3
    EXPECT_EQ(algorithm.short_rounds(), 2u);
    for (NodeId i = 0; i < 3; ++i)
      for (Eigen::Index j = 0; j < 2; ++j) EXPECT_NEAR(algorithm.model(i)(j), a3(j), 1e-15) << "node " << i;
  }
}

}  // namespace
}  // namespace dasgd
