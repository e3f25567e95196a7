// The synchronous algorithms under link faults (docs/FAULTS.md, "Links", synchronous rounds; the rule
// in sim/algorithms/synchronous_round.hpp): a partial sum lost on an up-arc of the all-reduce tree
// loses its subtree's contributions for the round, a result lost on a down-arc leaves its subtree
// on its own model, D-PSGD moves a lost neighbour's weight onto the diagonal, and the barrier waits
// for each loss until its detection. Closed forms for the tree and hand-worked small schedules.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "sim/algorithms/dpsgd.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/minibatch_sgd.hpp"
#include "sim/faults/link_faults.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

Vector gradient(const testing::TestWorld& w, NodeId i, const Vector& x) {
  Vector g(x.size());
  Rng unused(0);
  w.objective->stochastic_gradient(i, x, unused, g);
  return g;
}

LinkFaultSpec outage(NodeId u, NodeId v, double down_at, double up_at, double round_timeout) {
  LinkFaultSpec spec;
  spec.links = true;
  spec.outages.kind = OutageSpec::Kind::schedule;
  spec.outages.schedule = {{u, v, down_at, up_at, "test"}};
  spec.round_timeout = round_timeout;
  return spec;
}

// The BFS tree of the all-reduce, as arms hanging off the root: arms[a] lists the depths 1..len of
// arm a (a star: n − 1 arms of length 1; a ring of n: arms of length ⌊n/2⌋ and ⌈n/2⌉ − 1).
// Node i's contribution reaches the root iff each of the depth(i) up-arcs on its path survives, so
// with per-arc survival q: C = 1 + Σ X_i, E[C] = 1 + Σ q^depth(i), and E[X_i X_j] = q^|path_i ∪ path_j|
// (q^max(a, b) on one arm, q^(a + b) on two). Returns {E[C], Var[C]}.
std::pair<double, double> contributions_law(const std::vector<std::size_t>& arms, double q) {
  std::vector<std::pair<std::size_t, std::size_t>> nodes;  // (arm, depth)
  for (std::size_t a = 0; a < arms.size(); ++a)
    for (std::size_t d = 1; d <= arms[a]; ++d) nodes.emplace_back(a, d);
  double mean = 1, second = 1;  // the root: X = 1
  for (const auto& [a, d] : nodes) {
    mean += std::pow(q, static_cast<double>(d));
    second += 2 * std::pow(q, static_cast<double>(d));  // 2 X_root X_i
    for (const auto& [b, e] : nodes)
      second += std::pow(q, static_cast<double>(a == b ? std::max(d, e) : d + e));
  }
  return {mean, second - mean * mean};
}

// Bernoulli loss p per message: the mean number of contributions per round is the tree's closed
// form, within 5 standard deviations of the mean over R independent rounds. Under the reliable
// transport with R_max retries a hop is lost only when all R_max + 1 tries are: q = 1 − p^(R_max + 1).
TEST(MinibatchLinkFaults, MeanContributionsPerRoundIsTheTreesSurvivalSum) {
  struct Case {
    std::string name;
    Topology graph;
    std::vector<std::size_t> arms;
    double p;
    bool reliable;
  };
  std::vector<Case> cases;
  cases.push_back({"star", generate::star(8), std::vector<std::size_t>(7, 1), 0.2, false});
  cases.push_back({"ring", generate::ring(8), {4, 3}, 0.2, false});
  cases.push_back({"ring, reliable", generate::ring(8), {4, 3}, 0.5, true});
  for (Case& c : cases) {
    auto w = make_world(std::move(c.graph), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.01}), 5);
    LinkFaultSpec spec;
    spec.links = true;
    spec.loss = BernoulliLoss{c.p};
    spec.round_timeout = 0.2;
    if (c.reliable) {
      spec.transport.reliable = true;
      spec.transport.timeout = 0.05;
      spec.transport.max_retries = 1;
    }
    LinkFaults faults(w->topology, spec, w->network->spec(), 17, c.reliable);
    w->network->set_faults(&faults);
    MinibatchSgdParams params;
    params.eta = 0.01;
    MinibatchSgd algorithm(w->world, params, nullptr);
    ASSERT_EQ(algorithm.all_reduce().depth(), c.arms.front()) << c.name;
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_until(algorithm, 20000.0);
    const double rounds = static_cast<double>(algorithm.rounds_completed());
    ASSERT_GT(rounds, 10000) << c.name;
    const double q = 1 - (c.reliable ? std::pow(c.p, 2.0) : c.p);
    const auto [mean, variance] = contributions_law(c.arms, q);
    const double measured = 8.0 - static_cast<double>(algorithm.lost_contributions()) / rounds;
    EXPECT_NEAR(measured, mean, 5 * std::sqrt(variance / rounds)) << c.name;
    EXPECT_GT(algorithm.short_rounds(), 0u) << c.name;
    EXPECT_GT(algorithm.results_lost(), 0u) << c.name;  // down-arcs lose results at the same rate
  }
}

// Three nodes on a path 0 - 1 - 2 (a 1 × 3 grid; the tree's root is the middle node 1), compute 1, latency 0.1,
// round_timeout 0.5. Round 1: ready at 1, up at 1.1, down at 1.2 (barrier 1.2), all three count.
// Round 2: node 2's partial leaves at 2.2 and the edge {1, 2} is down over [2.25, 2.35): lost at
// 2.25, detected at max(2.25, 2.2 + 0.5) = 2.7; the root broadcasts at 2.7, arriving at 2.8 (the
// edge is up again): barrier 2.8, and every node applies x2 = x1 − (η/2)(g0 + g1)(x1): node 2's
// gradient is in no model.
TEST(MinibatchLinkFaults, LostUpArcDropsItsSubtreeFromTheRoundsAverage) {
  const double eta = 0.3;
  auto w = make_world(generate::grid(1, 3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  LinkFaults faults(w->topology, outage(1, 2, 2.25, 2.35, 0.5), w->network->spec(), 1, false);
  w->network->set_faults(&faults);
  MinibatchSgdParams params;
  params.eta = eta;
  MinibatchSgd algorithm(w->world, params, nullptr);
  ASSERT_EQ(algorithm.all_reduce().root(), 1u);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 3.0);

  const Vector x0 = w->objective->initial_point();
  const Vector x1 = x0 - eta / 3 * (gradient(*w, 0, x0) + gradient(*w, 1, x0) + gradient(*w, 2, x0));
  const Vector x2 = x1 - eta / 2 * (gradient(*w, 0, x1) + gradient(*w, 1, x1));
  EXPECT_EQ(algorithm.rounds_completed(), 2u);
  EXPECT_NEAR(algorithm.mean_round_time(), (1.2 + 1.6) / 2, 1e-12);
  EXPECT_EQ(algorithm.lost_contributions(), 1u);
  EXPECT_EQ(algorithm.short_rounds(), 1u);
  EXPECT_EQ(algorithm.results_lost(), 0u);
  EXPECT_EQ(faults.totals().dropped, 1u);
  EXPECT_EQ(algorithm.traffic().messages, 8u);
  for (NodeId i = 0; i < 3; ++i)
    for (Eigen::Index k = 0; k < 2; ++k) EXPECT_DOUBLE_EQ(algorithm.model(i)(k), x2(k)) << "node " << i;
}

// The same path; now edge {0, 1} is down over [2.35, 2.45) and catches the round-2 result on its
// way to node 0 (sent at 2.3): lost at 2.35, detected at 2.8 = the barrier. Nodes 1 and 2 take
// x2 = x1 − (η/3) Σ g(x1); node 0 keeps x1. Round 3 (2.8 → 4.0) sums g0(x1) + g1(x2) + g2(x2) and
// every node applies it to its own copy, so node 0 stays behind by the round it missed.
TEST(MinibatchLinkFaults, LostDownArcLeavesItsSubtreeOnItsOwnModel) {
  const double eta = 0.3;
  auto w = make_world(generate::grid(1, 3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  LinkFaults faults(w->topology, outage(0, 1, 2.35, 2.45, 0.5), w->network->spec(), 1, false);
  w->network->set_faults(&faults);
  MinibatchSgdParams params;
  params.eta = eta;
  MinibatchSgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 4.05);

  const Vector x0 = w->objective->initial_point();
  const Vector x1 = x0 - eta / 3 * (gradient(*w, 0, x0) + gradient(*w, 1, x0) + gradient(*w, 2, x0));
  const Vector x2 = x1 - eta / 3 * (gradient(*w, 0, x1) + gradient(*w, 1, x1) + gradient(*w, 2, x1));
  const Vector step = eta / 3 * (gradient(*w, 0, x1) + gradient(*w, 1, x2) + gradient(*w, 2, x2));
  EXPECT_EQ(algorithm.rounds_completed(), 3u);
  EXPECT_NEAR(algorithm.mean_round_time(), (1.2 + 1.6 + 1.2) / 3, 1e-12);
  EXPECT_EQ(algorithm.lost_contributions(), 0u);
  EXPECT_EQ(algorithm.results_lost(), 1u);
  for (Eigen::Index k = 0; k < 2; ++k) {
    EXPECT_DOUBLE_EQ(algorithm.model(0)(k), (x1 - step)(k));
    EXPECT_DOUBLE_EQ(algorithm.model(1)(k), (x2 - step)(k));
    EXPECT_DOUBLE_EQ(algorithm.model(2)(k), (x2 - step)(k));
  }
}

// Local SGD, H = 1, on the first schedule: round 2's models y_i = x_i − η g_i(x_i) are averaged
// over the two that reached the root, (y0 + y1)/2, which replaces x0 and x1; node 2, whose model
// is not in the average, keeps y2 although the result reached it.
TEST(LocalSgdLinkFaults, AverageOverTheModelsThatReachedTheRoot) {
  const double eta = 0.3;
  auto w = make_world(generate::grid(1, 3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  LinkFaults faults(w->topology, outage(1, 2, 2.25, 2.35, 0.5), w->network->spec(), 1, false);
  w->network->set_faults(&faults);
  LocalSgdParams params;
  params.eta = eta;
  params.local_steps = 1;
  LocalSgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 3.0);

  const Vector x0 = w->objective->initial_point();
  Vector x1 = Vector::Zero(2);
  for (NodeId i = 0; i < 3; ++i) x1 += (x0 - eta * gradient(*w, i, x0)) / 3.0;
  const Vector y0 = x1 - eta * gradient(*w, 0, x1), y1 = x1 - eta * gradient(*w, 1, x1),
               y2 = x1 - eta * gradient(*w, 2, x1);
  const Vector average = (y0 + y1) / 2.0;
  EXPECT_EQ(algorithm.rounds_completed(), 2u);
  EXPECT_EQ(algorithm.lost_contributions(), 1u);
  for (Eigen::Index k = 0; k < 2; ++k) {
    EXPECT_DOUBLE_EQ(algorithm.model(0)(k), average(k));
    EXPECT_DOUBLE_EQ(algorithm.model(1)(k), average(k));
    EXPECT_DOUBLE_EQ(algorithm.model(2)(k), y2(k));
  }
}

// D-PSGD on a ring of 4 (Metropolis–Hastings: every weight 1/3), η = 0, models sent at the round
// start (latency 0.1). Edge {0, 1} is down over [0.05, 0.5): both models on it are lost, so
// W'_00 = W'_11 = 2/3 and W'_01 = W'_10 = 0: x0' = (2 x0 + x3)/3, x1' = (2 x1 + x2)/3,
// x2' = (x1 + x2 + x3)/3, x3' = (x2 + x3 + x0)/3. The losses are detected at 0.3 (round_timeout),
// before the gradients are done at 1: the barrier stays at 1.
TEST(DpsgdLinkFaults, LostNeighbourModelsWeightGoesToTheDiagonal) {
  auto w = make_world(generate::ring(4), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  LinkFaults faults(w->topology, outage(0, 1, 0.05, 0.5, 0.3), w->network->spec(), 1, false);
  w->network->set_faults(&faults);
  DpsgdParams params;
  params.eta = 0;
  params.initial_models = Eigen::MatrixXd(1, 4);
  params.initial_models << 3.0, -6.0, 9.0, 12.0;
  Dpsgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 1.05);

  EXPECT_EQ(algorithm.rounds_completed(), 1u);
  EXPECT_NEAR(algorithm.mean_round_time(), 1.0, 1e-12);
  EXPECT_EQ(algorithm.lost_contributions(), 2u);
  EXPECT_EQ(algorithm.short_rounds(), 1u);
  EXPECT_DOUBLE_EQ(algorithm.model(0)(0), (2 * 3.0 + 12.0) / 3);
  EXPECT_DOUBLE_EQ(algorithm.model(1)(0), (2 * -6.0 + 9.0) / 3);
  EXPECT_DOUBLE_EQ(algorithm.model(2)(0), (-6.0 + 9.0 + 12.0) / 3);
  EXPECT_DOUBLE_EQ(algorithm.model(3)(0), (9.0 + 12.0 + 3.0) / 3);
}

// Under the reliable transport a lost model is known at its give-up: ring of 4, edge {0, 1} down
// for good from 0.05, timeout 0.4, 2 retries: both models on it are given up at 3 · 0.4 = 1.2,
// after the gradients (1), so the barrier is at 1.2; the mixing is the folded one above, and with
// both directions lost W' is symmetric, so the node average is kept.
TEST(DpsgdLinkFaults, BarrierWaitsForTheTransportsGiveUp) {
  auto w = make_world(generate::ring(4), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  LinkFaultSpec spec = outage(0, 1, 0.05, std::numeric_limits<double>::infinity(), 0.3);
  spec.round_timeout.reset();
  spec.transport.reliable = true;
  spec.transport.timeout = 0.4;
  spec.transport.max_retries = 2;
  LinkFaults faults(w->topology, spec, w->network->spec(), 1, true);
  w->network->set_faults(&faults);
  DpsgdParams params;
  params.eta = 0;
  params.initial_models = Eigen::MatrixXd(1, 4);
  params.initial_models << 3.0, -6.0, 9.0, 12.0;
  Dpsgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 1.19);
  EXPECT_EQ(algorithm.rounds_completed(), 0u);
  EXPECT_EQ(faults.totals().give_ups, 2u);
  EXPECT_EQ(faults.totals().retransmissions, 4u);
  simulator.run_until(algorithm, 1.25);

  EXPECT_EQ(algorithm.rounds_completed(), 1u);
  EXPECT_NEAR(algorithm.mean_round_time(), 1.2, 1e-12);
  EXPECT_DOUBLE_EQ(algorithm.model(0)(0), (2 * 3.0 + 12.0) / 3);
  EXPECT_DOUBLE_EQ(algorithm.model(1)(0), (2 * -6.0 + 9.0) / 3);
  const double average = (algorithm.model(0)(0) + algorithm.model(1)(0) + algorithm.model(2)(0) +
                          algorithm.model(3)(0)) / 4;
  EXPECT_NEAR(average, (3.0 - 6.0 + 9.0 + 12.0) / 4, 1e-12);
}

// A literal ledger of what the algorithm tells the observer: which (node, gradient) pairs were
// applied or declared lost, and every model token's uses.
class Ledger final : public GradientObserver {
 public:
  explicit Ledger(std::size_t n) : n_(n) {}
  std::uint64_t on_compute_start(NodeId, SimTime, ConstVectorRef) override { return 0; }
  void on_compute_complete(NodeId, std::uint64_t t, SimTime, SimTime, ConstVectorRef, std::uint64_t) override {
    completed_ = std::max(completed_, t + 1);
  }
  void on_apply(NodeId node, std::uint64_t t, SimTime, bool) override { settle(node, t, applied_); }
  void on_gradient_lost(NodeId node, std::uint64_t t, SimTime) override { settle(node, t, lost_); }
  std::uint64_t on_model_sent(NodeId, SimTime, std::uint32_t uses) override {
    open_[next_token_] = uses;
    return next_token_++;
  }
  void on_model_merged(NodeId, std::uint64_t token, SimTime) override { use(token); ++merged_; }
  void on_model_dropped(std::uint64_t token) override { use(token); ++dropped_; }

  std::uint64_t completed_ = 0, merged_ = 0, dropped_ = 0, next_token_ = 0, errors_ = 0;
  std::set<std::pair<NodeId, std::uint64_t>> applied_, lost_;
  std::map<std::uint64_t, std::uint32_t> open_;  // token → uses left

 private:
  void settle(NodeId node, std::uint64_t t, std::set<std::pair<NodeId, std::uint64_t>>& into) {
    if (node >= n_ || t >= completed_ || applied_.count({node, t}) || lost_.count({node, t})) ++errors_;
    into.insert({node, t});
  }
  void use(std::uint64_t token) {
    auto it = open_.find(token);
    if (it == open_.end() || it->second == 0) { ++errors_; return; }
    if (--it->second == 0) open_.erase(it);
  }
  std::size_t n_;
};

// Under 20 % Bernoulli loss on a ring of 6, once the last round has closed: minibatch SGD has
// settled every (node, gradient) pair exactly once, applied or lost, a lost contribution at all
// n nodes and a missed result's counted ones at the node it missed; local SGD and D-PSGD have used
// every model token exactly as often as it was sent for (local SGD sends only the counted models),
// and D-PSGD dropped exactly one use per lost model.
TEST(SynchronousLinkFaults, ObserverAccountsEveryContributionExactlyOnce) {
  LinkFaultSpec spec;
  spec.links = true;
  spec.loss = BernoulliLoss{0.2};
  spec.round_timeout = 0.3;
  const auto world = [&] {
    return make_world(generate::ring(6), cosine_objective(3, 0.0), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.05}), 4);
  };
  {
    auto w = world();
    LinkFaults faults(w->topology, spec, w->network->spec(), 8, false);
    w->network->set_faults(&faults);
    Ledger ledger(6);
    MinibatchSgd algorithm(w->world, MinibatchSgdParams{}, &ledger);
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_until(algorithm, 60.0);
    algorithm.stop_computing();
    simulator.run(algorithm);
    ASSERT_GT(algorithm.lost_contributions(), 0u);
    ASSERT_GT(algorithm.results_lost(), 0u);
    EXPECT_EQ(ledger.errors_, 0u);
    EXPECT_EQ(ledger.completed_, 6 * algorithm.rounds_completed());
    EXPECT_EQ(ledger.applied_.size() + ledger.lost_.size(), 6 * ledger.completed_);
    // Each lost contribution is lost at all 6 nodes: at least that many lost pairs, and more exactly
    // when some result was missed.
    EXPECT_GT(ledger.lost_.size(), 6 * algorithm.lost_contributions());
  }
  {
    auto w = world();
    LinkFaults faults(w->topology, spec, w->network->spec(), 8, false);
    w->network->set_faults(&faults);
    Ledger ledger(6);
    LocalSgdParams params;
    params.local_steps = 2;
    LocalSgd algorithm(w->world, params, &ledger);
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_until(algorithm, 60.0);
    algorithm.stop_computing();
    simulator.run(algorithm);
    ASSERT_GT(algorithm.lost_contributions(), 0u);
    EXPECT_EQ(ledger.errors_, 0u);
    EXPECT_TRUE(ledger.open_.empty());
    // Models sent: the counted ones, n − 1 uses each.
    EXPECT_EQ(ledger.merged_ + ledger.dropped_,
              5 * (6 * algorithm.rounds_completed() - algorithm.lost_contributions()));
  }
  {
    auto w = world();
    LinkFaults faults(w->topology, spec, w->network->spec(), 8, false);
    w->network->set_faults(&faults);
    Ledger ledger(6);
    Dpsgd algorithm(w->world, DpsgdParams{}, &ledger);
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_until(algorithm, 60.0);
    algorithm.stop_computing();
    simulator.run(algorithm);
    ASSERT_GT(algorithm.lost_contributions(), 0u);
    EXPECT_EQ(ledger.errors_, 0u);
    EXPECT_EQ(ledger.dropped_, algorithm.lost_contributions());
    EXPECT_EQ(ledger.merged_ + ledger.dropped_, 12 * algorithm.rounds_completed());
  }
}

}  // namespace
}  // namespace dasgd
