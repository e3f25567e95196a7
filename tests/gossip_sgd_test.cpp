// Push-gossip SGD against known numbers: one node is plain SGD, a hand-worked two-node exchange,
// every merge sets the receiver to the exact average of its model and the pushed one, the spread
// never grows with η = 0, and the model age at merge equals a constant latency.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "sim/algorithms/gossip_sgd.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

GossipSgdParams step(double eta) {
  GossipSgdParams params;
  params.eta = eta;
  return params;
}

struct WatchedHandler final : EventHandler {
  Algorithm* algorithm = nullptr;
  std::function<void(const Event&)> before;
  std::function<void(const Event&)> after;
  void handle(Simulator& simulator, const Event& event) override {
    before(event);
    algorithm->handle(simulator, event);
    after(event);
  }
};

std::vector<double> spreads(const Algorithm& algorithm) {
  const Eigen::Index d = algorithm.model(0).size();
  std::vector<double> out(static_cast<std::size_t>(d));
  for (Eigen::Index k = 0; k < d; ++k) {
    double lo = algorithm.model(0)(k), hi = lo;
    for (NodeId i = 1; i < algorithm.num_nodes(); ++i) {
      lo = std::min(lo, algorithm.model(i)(k));
      hi = std::max(hi, algorithm.model(i)(k));
    }
    out[static_cast<std::size_t>(k)] = hi - lo;
  }
  return out;
}

TEST(GossipSgd, OneNodeIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  GossipSgd algorithm(w->world, step(eta), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 50);
  const Vector x = testing::plain_sgd(*w, eta, 50);
  EXPECT_EQ(algorithm.gradients_completed(), 50u);
  EXPECT_EQ(algorithm.traffic().messages, 0u);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
}

// Two nodes from a and b, compute 1, latency 0.5, exact gradients. At t = 1 each steps
// (a − ηg(a), b − ηg(b)) and pushes; at 1.5 each averages in the other's push: both equal
// ((a − ηg(a)) + (b − ηg(b)))/2.
TEST(GossipSgd, TwoNodeHandWorkedExchange) {
  const double eta = 0.1;
  const Eigen::Index d = 3;
  auto w = make_world(generate::complete(2), cosine_objective(d, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}));
  GossipSgd algorithm(w->world, step(eta), nullptr);
  const Vector a = Vector::LinSpaced(d, 0.5, 1.5);
  const Vector b = Vector::LinSpaced(d, -1.0, 2.0);
  algorithm.set_model(0, a);
  algorithm.set_model(1, b);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 1.9);
  Vector ga(d), gb(d);
  w->objective->gradient(a, ga);
  w->objective->gradient(b, gb);
  const Vector expected = 0.5 * ((a - eta * ga) + (b - eta * gb));
  for (Eigen::Index j = 0; j < d; ++j) {
    EXPECT_DOUBLE_EQ(algorithm.model(0)(j), expected(j));
    EXPECT_DOUBLE_EQ(algorithm.model(1)(j), expected(j));
  }
  EXPECT_EQ(algorithm.merges(), 2u);
  EXPECT_DOUBLE_EQ(algorithm.mean_model_age(), 0.5);
  EXPECT_EQ(algorithm.traffic().bytes, static_cast<std::uint64_t>(2 * (8 * d + 32)));
}

// η = 0, zero latency, continuous compute times (no ties): a push leaves at a completion and is the
// very next event, so the receiver's model after it must be exactly (before + pushed)/2. Each merge
// is a convex combination: no coordinate's spread over nodes ever grows (exactly, in floating point:
// fl((u + v)/2) lies in [min(u, v), max(u, v)]). Push averaging does not keep the node average.
TEST(GossipSgd, MergeSetsReceiverToExactAverageAndSpreadNeverGrows) {
  for (Topology topology : {generate::ring(7), generate::complete(5)}) {
    const std::size_t n = topology.num_nodes();
    auto w = make_world(std::move(topology), cosine_objective(4, 0.0), compute_law(law::Exponential{1.0}),
                        link_law(law::Constant{0.0}), 5);
    GossipSgd algorithm(w->world, step(0.0), nullptr);
    Rng init(17);
    for (NodeId i = 0; i < n; ++i) {
      Vector x(4);
      for (Eigen::Index k = 0; k < 4; ++k) x(k) = 10.0 * init.normal();
      algorithm.set_model(i, x);
    }
    Vector pushed, receiver_before;
    bool push_pending = false;
    std::vector<double> spread = spreads(algorithm);
    const double first_spread = *std::max_element(spread.begin(), spread.end());
    Vector mean_before = Vector::Zero(4);
    bool mean_moved = false;
    std::uint64_t checked = 0;
    WatchedHandler watched;
    watched.algorithm = &algorithm;
    watched.before = [&](const Event& event) {
      if (event.type == GossipSgd::arrival) {
        ASSERT_TRUE(push_pending) << "with zero latency an arrival follows its push at once";
        receiver_before = algorithm.model(event.target);
      }
      mean_before.setZero();
      for (NodeId i = 0; i < n; ++i) mean_before += algorithm.model(i);
    };
    watched.after = [&](const Event& event) {
      if (event.type == GossipSgd::compute_done) {
        ASSERT_FALSE(push_pending);
        pushed = algorithm.model(event.target);  // η = 0: the model it just pushed
        push_pending = true;
      } else {
        const Vector expected = 0.5 * (receiver_before + pushed);
        for (Eigen::Index k = 0; k < 4; ++k) ASSERT_EQ(algorithm.model(event.target)(k), expected(k));
        push_pending = false;
        ++checked;
      }
      const std::vector<double> now = spreads(algorithm);
      for (std::size_t k = 0; k < now.size(); ++k) ASSERT_LE(now[k], spread[k]) << "coordinate " << k;
      spread = now;
      Vector mean_after = Vector::Zero(4);
      for (NodeId i = 0; i < n; ++i) mean_after += algorithm.model(i);
      if ((mean_after - mean_before).norm() > 1e-6) mean_moved = true;
    };
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_while(watched, [&] { return algorithm.gradients_completed() < 60 * n; });
    EXPECT_GT(checked, 50 * n);
    EXPECT_LT(*std::max_element(spread.begin(), spread.end()), 1e-2 * first_spread) << w->topology.name();
    EXPECT_TRUE(mean_moved) << "one-way averaging moves the node average";
  }
}

// Constant latency L: every model is merged exactly L after its push; every gradient pushes once;
// every snapshot handed to the observer is used up once the network drains.
TEST(GossipSgd, ModelAgeEqualsConstantLatencyAndEveryPushIsMerged) {
  const double eta = 0.02;
  auto w = make_world(generate::torus(3, 3), cosine_objective(3, 0.2), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.3}));
  auto recorder = make_recorder(*w, eta);
  GossipSgd algorithm(w->world, step(eta), recorder.get());
  recorder->set_virtual_step(algorithm.virtual_step());
  EXPECT_DOUBLE_EQ(algorithm.virtual_step(), eta / 9);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 900);
  algorithm.stop_computing();
  simulator.run(algorithm);
  EXPECT_EQ(algorithm.traffic().messages, algorithm.gradients_completed());
  EXPECT_EQ(algorithm.merges(), algorithm.gradients_completed());
  EXPECT_NEAR(algorithm.mean_model_age(), 0.3, 1e-12);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
  double gossip_messages = -1;
  for (const AlgorithmFigure& f : algorithm.figures())
    if (f.name == "gossip_messages") gossip_messages = f.value;
  EXPECT_EQ(gossip_messages, static_cast<double>(algorithm.gradients_completed()));
  // Merges bring neighbours' gradients into a node's set: the last gradient's read model holds more
  // than its own node's earlier gradients, S_t < t − (own gradients before t).
  const GradientLogRow& last = recorder->log().back();
  std::uint64_t own_before = 0;
  for (const GradientLogRow& row : recorder->log()) own_before += (row.node == last.node && row.t < last.t) ? 1 : 0;
  EXPECT_LT(last.s, last.t - own_before);
}

}  // namespace
}  // namespace dasgd

namespace dasgd {
namespace {

// Ring of 5, compute exactly 1, latency 0.5: at t = r every node completes its r-th gradient (FIFO
// by node), pushes, and the pushes arrive at r + 0.5 in sender order. Node i's r-th push goes to
// neighbours(i)[Rng(key(algorithm, i, r)).below(degree)]: the counter-keyed draw the header names.
TEST(GossipSgd, PushTargetsFollowTheCounterKeyedNeighbourDraw) {
  auto w = testing::make_world(generate::ring(5), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                               link_law(law::Constant{0.5}));
  GossipSgd algorithm(w->world, step(0.1), nullptr);
  std::vector<NodeId> arrivals;
  WatchedHandler handler;
  handler.algorithm = &algorithm;
  handler.before = [&](const Event& e) {
    if (e.type == GossipSgd::arrival) arrivals.push_back(e.target);
  };
  handler.after = [](const Event&) {};
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(handler, 3.9);
  std::vector<NodeId> expected;
  for (std::uint64_t r = 1; r <= 3; ++r) {
    for (NodeId i = 0; i < 5; ++i) {
      const auto nb = w->topology.neighbours(i);
      Rng choice = w->world.streams.stream(Stream::algorithm, i, r);
      expected.push_back(nb[choice.below(nb.size())]);
    }
  }
  EXPECT_EQ(arrivals, expected);
}

}  // namespace
}  // namespace dasgd
