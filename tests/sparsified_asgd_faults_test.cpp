// Sparsified ASGD under node and link faults (docs/FAULTS.md): with k = d it is DASGD under the same
// crashes, losses, outages and retransmissions, gradient for gradient (same staleness, S^lost and
// models); a hand-worked three-node path schedule for every crash rule; the error-feedback memory
// across a crash (keep: persisted, initial: zero); S^lost on a complete graph under Bernoulli loss
// against the Binomial closed form DASGD's test uses.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/algorithms/dasgd.hpp"
#include "sim/algorithms/sparsified_asgd.hpp"
#include "sim/config/run_config.hpp"
#include "sim/faults/link_faults.hpp"
#include "sim/faults/node_availability.hpp"
#include "sim/run/experiment.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

// --- Hand-worked: a path 0 - 1 - 2, compute 1, latency 0.1, exact gradients, k = d --------------
// Node 1 is down over [1.5, 2.5). All three compute on x0 over [0, 1] (g = ∇f(x0)); each applies
// its own at 1.0, its neighbours' at 1.1 and (0 <-> 2, relayed by node 1) at 1.2: x = x0 − 3ηg
// everywhere. The second gradients were read at 1.0 on x0 − ηg: g' = ∇f(x0 − ηg). Node 1's is lost
// at its crash (no index); nodes 0 and 2 complete theirs at 2.0 and their copies reach node 1 at 2.1
// (down: both dropped, or both held) and each other at 2.2 (routed through the down relay, as DASGD's
// routed delivery: only an endpoint's state counts). At 2.6 (node 1 back at 2.5, computing since):
//   nodes 0, 2:  x0 − 3ηg − 2ηg'
//   node 1:      keep + drop x0 − 3ηg     keep + hold x0 − 3ηg − 2ηg'
//                initial + drop x0        initial + hold x0 − 2ηg'
struct CrashCase {
  Recovery recovery;
  DownMessages messages;
};

class SparsifiedAsgdCrash : public ::testing::TestWithParam<CrashCase> {};

TEST_P(SparsifiedAsgdCrash, HandWorkedPathScheduleDropsOrHoldsTheCopiesToTheDownNode) {
  const CrashCase c = GetParam();
  const double eta = 0.1;
  auto w = make_world(generate::grid(1, 3), cosine_objective(3, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  NodeFaultSpec spec;
  spec.schedule = {{1, 1.5, 2.5}};
  spec.recovery = c.recovery;
  spec.messages = c.messages;
  NodeAvailability availability(spec, 3, 1, nullptr);
  w->world.availability = &availability;
  SparsifiedAsgdParams params;
  params.eta = eta;
  params.k = 3;
  SparsifiedAsgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  availability.start(simulator);
  algorithm.start(simulator);
  simulator.run_until(algorithm, 2.6);

  const Vector x0 = w->objective->initial_point();
  Vector g(3), g2(3);
  w->objective->gradient(x0, g);
  w->objective->gradient(x0 - eta * g, g2);
  const Vector live = x0 - 3 * eta * g - 2 * eta * g2;
  Vector expected = c.recovery == Recovery::keep ? Vector(x0 - 3 * eta * g) : x0;
  if (c.messages == DownMessages::hold) expected -= 2 * eta * g2;
  EXPECT_LT((algorithm.model(1) - expected).norm(), 1e-14);
  EXPECT_LT((algorithm.model(0) - live).norm(), 1e-14);
  EXPECT_LT((algorithm.model(2) - live).norm(), 1e-14);
  // Nodes 0 and 2: two gradients each; node 1: one (its second computation was lost, no index).
  EXPECT_EQ(algorithm.gradients_completed(), 5u);
  EXPECT_EQ(algorithm.gradients_of(1), 1u);
  // Deliveries: 6 in the first round, 2 between nodes 0 and 2 in the second, and the 2 held ones.
  EXPECT_EQ(algorithm.traffic().deliveries, c.messages == DownMessages::hold ? 10u : 8u);
  const NodeFaultCounters f = availability.counters(2.6)[1];
  EXPECT_EQ(f.crashes, 1u);
  EXPECT_EQ(f.dropped, c.messages == DownMessages::drop ? 2u : 0u);
  EXPECT_EQ(f.held, c.messages == DownMessages::hold ? 2u : 0u);
  EXPECT_NEAR(f.up_time, 1.6, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Rules, SparsifiedAsgdCrash,
                         ::testing::Values(CrashCase{Recovery::keep, DownMessages::drop},
                                           CrashCase{Recovery::keep, DownMessages::hold},
                                           CrashCase{Recovery::initial, DownMessages::drop},
                                           CrashCase{Recovery::initial, DownMessages::hold}));

// Error feedback, Top-1 of d = 3, the same path and crash. Node 1's first update at 1.0 is
// p = e + ηg = ηg (e = 0), Δ = Top-1(p), so its memory is ηg with its largest-magnitude coordinate
// (lowest index on ties) zeroed. Node 1 completes nothing else before 2.6 (its second computation
// is lost at 1.5, the next one ends at 3.5), so with keep e_1 is still that vector at 2.6; with
// initial it is zero and the model is x0 (drop: nothing held to apply).
TEST(SparsifiedAsgdCrash, ErrorFeedbackMemoryPersistsWithKeepAndRestartsAtZeroWithInitial) {
  for (const Recovery recovery : {Recovery::keep, Recovery::initial}) {
    const double eta = 0.1;
    auto w = make_world(generate::grid(1, 3), cosine_objective(3, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.1}));
    NodeFaultSpec spec;
    spec.schedule = {{1, 1.5, 2.5}};
    spec.recovery = recovery;
    NodeAvailability availability(spec, 3, 1, nullptr);
    w->world.availability = &availability;
    SparsifiedAsgdParams params;
    params.eta = eta;
    params.k = 1;
    params.error_feedback = true;
    SparsifiedAsgd algorithm(w->world, params, nullptr);
    Simulator simulator;
    availability.start(simulator);
    algorithm.start(simulator);

    const Vector x0 = w->objective->initial_point();
    Vector g(3);
    w->objective->gradient(x0, g);
    Eigen::Index top = 0;
    for (Eigen::Index j = 1; j < 3; ++j)
      if (std::abs(g(j)) > std::abs(g(top))) top = j;
    Vector memory = eta * g;
    memory(top) = 0;
    ASSERT_GT(memory.norm(), 0.0);

    simulator.run_until(algorithm, 1.4);
    EXPECT_EQ(algorithm.memory(1), memory);
    simulator.run_until(algorithm, 2.6);
    EXPECT_EQ(algorithm.gradients_of(1), 1u);
    if (recovery == Recovery::keep) {
      EXPECT_EQ(algorithm.memory(1), memory);
    } else {
      EXPECT_EQ(algorithm.memory(1).norm(), 0.0);
      EXPECT_EQ(algorithm.model(1), x0);
    }
    // The live nodes' memories are their own business: untouched by node 1's crash rule.
    EXPECT_GT(algorithm.memory(0).norm(), 0.0);
  }
}

// Link outage, hand-worked: the same path, edge {0, 1} down over [1.05, 1.5). The three first
// updates (indices 0, 1, 2 for nodes 0, 1, 2, all at 1.0) start their tree broadcasts at 1.0, when
// every edge is up. Node 0's copy on 0 -> 1 is on the wire at 1.05: lost there, for node 1 and for
// node 2 below it (one send, no hop 1 -> 2 is ever made). Node 1's copy on 1 -> 0 is lost at 1.05,
// its copy on 1 -> 2 arrives at 1.1. Node 2's copy reaches node 1 at 1.1, whose hop 1 -> 0 starts
// on the down edge: lost at 1.1, for node 0. So 5 sends, 3 losses, lost pairs (node, gradient)
// (1, 0), (2, 0), (0, 1), (0, 2); at 1.5: x_0 = x0 − ηg, x_1 = x_2 = x0 − 2ηg. The second
// gradients complete at 2.0 in node order, indices 3, 4, 5, read at 1.0 on {0}, {1}, {2} (the first
// ones, read at 0 on x0, miss every earlier index: S = 0, 1, 2, none lost yet at 1.0):
//   t = 3: missing {1, 2}, both lost            S = 2, S^lost = 2
//   t = 4: missing {0, 2, 3}, 0 lost             S = 3, S^lost = 1
//   t = 5: missing {0, 1, 3, 4}, 0 lost          S = 4, S^lost = 1
TEST(SparsifiedAsgdLinkFaults, HandWorkedOutageLosesACopyForTheWholeSubtreeBelowTheArc) {
  const double eta = 0.1;
  auto w = make_world(generate::grid(1, 3), cosine_objective(3, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  LinkFaultSpec spec;
  spec.links = true;
  spec.outages.kind = OutageSpec::Kind::schedule;
  spec.outages.schedule = {{0, 1, 1.05, 1.5, "test"}};
  LinkFaults faults(w->topology, spec, w->network->spec(), 1, false);
  w->network->set_faults(&faults);
  GradientRecorderOptions options;
  options.eta = eta;
  options.gradient_norms = false;
  options.lost_split = true;
  GradientRecorder recorder(*w->objective, 3, options);
  SparsifiedAsgdParams params;
  params.eta = eta;
  params.k = 3;
  SparsifiedAsgd algorithm(w->world, params, &recorder);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 1.5);
  const Vector x0 = w->objective->initial_point();
  Vector g(3);
  w->objective->gradient(x0, g);
  EXPECT_LT((algorithm.model(0) - (x0 - eta * g)).norm(), 1e-15);
  EXPECT_LT((algorithm.model(1) - (x0 - 2 * eta * g)).norm(), 1e-15);
  EXPECT_LT((algorithm.model(2) - (x0 - 2 * eta * g)).norm(), 1e-15);
  EXPECT_EQ(algorithm.traffic().deliveries, 2u);
  EXPECT_EQ(faults.totals().sends, 5u);
  EXPECT_EQ(faults.totals().losses, 3u);
  simulator.run_until(algorithm, 2.05);
  ASSERT_EQ(recorder.log().size(), 6u);
  const std::uint64_t s[] = {0, 1, 2, 2, 3, 4}, s_lost[] = {0, 0, 0, 2, 1, 1};
  for (std::size_t t = 0; t < 6; ++t) {
    EXPECT_EQ(recorder.log()[t].node, t % 3) << t;
    EXPECT_EQ(recorder.log()[t].s, s[t]) << t;
    EXPECT_EQ(recorder.log()[t].s_lost, s_lost[t]) << t;
  }
}

// --- k = d is DASGD under the same faults ------------------------------------------------------

void expect_same_logs(const std::vector<GradientLogRow>& dense, const std::vector<GradientLogRow>& sparse,
                      const std::string& where) {
  ASSERT_EQ(dense.size(), sparse.size()) << where;
  for (std::size_t t = 0; t < dense.size(); ++t) {
    ASSERT_EQ(dense[t].node, sparse[t].node) << where << " gradient " << t;
    ASSERT_EQ(dense[t].start, sparse[t].start) << where << " gradient " << t;
    ASSERT_EQ(dense[t].end, sparse[t].end) << where << " gradient " << t;
    ASSERT_EQ(dense[t].s, sparse[t].s) << where << " gradient " << t;
    ASSERT_EQ(dense[t].s_hat, sparse[t].s_hat) << where << " gradient " << t;
    ASSERT_EQ(dense[t].s_lost, sparse[t].s_lost) << where << " gradient " << t;
    ASSERT_EQ(dense[t].b_squared, sparse[t].b_squared) << where << " gradient " << t;
  }
}

// One world per algorithm, built identically: the same seed gives the same compute, latency, noise
// and fault draws, so any difference is the algorithms'.
struct FaultyRun {
  std::unique_ptr<testing::TestWorld> w;
  std::unique_ptr<NodeAvailability> availability;
  std::unique_ptr<LinkFaults> links;
  std::unique_ptr<GradientRecorder> recorder;
  Simulator simulator;

  FaultyRun(const NodeFaultSpec* nodes, const LinkFaultSpec* link_spec, bool track, std::uint64_t seed) {
    w = make_world(generate::torus(3, 4), cosine_objective(4, 0.3), compute_law(law::Exponential{1.0}),
                   link_law(law::Exponential{0.25}), seed);
    if (nodes != nullptr) {
      availability = std::make_unique<NodeAvailability>(*nodes, w->topology.num_nodes(), seed, nullptr);
      w->world.availability = availability.get();
    }
    if (link_spec != nullptr) {
      links = std::make_unique<LinkFaults>(w->topology, *link_spec, w->network->spec(), seed,
                                           link_spec->transport.reliable);
      w->network->set_faults(links.get());
    }
    if (track) {
      GradientRecorderOptions options;
      options.eta = 0.05;
      options.epsilon = 1e-3;
      options.lost_split = link_spec != nullptr;
      recorder = std::make_unique<GradientRecorder>(*w->objective, w->topology.num_nodes(), options);
    }
  }
  // 600 gradients, then a drain: every copy arrives, is held and delivered, dropped or lost.
  void run(Algorithm& algorithm) {
    if (availability) availability->start(simulator);
    algorithm.start(simulator);
    simulator.run_while(algorithm, [&] { return algorithm.gradients_completed() < 600; });
    algorithm.stop_computing();
    if (availability) availability->stop(simulator);
    simulator.run(algorithm);
  }
};

void expect_sparsified_is_dasgd(const NodeFaultSpec* nodes, const LinkFaultSpec* links, bool track,
                                const std::string& where) {
  const std::uint64_t seed = 11;
  FaultyRun d(nodes, links, track, seed), s(nodes, links, track, seed);
  DasgdParams dp;
  dp.eta = 0.05;
  Dasgd dense(d.w->world, dp, d.recorder.get());
  SparsifiedAsgdParams sp;
  sp.eta = 0.05;
  sp.k = 4;
  SparsifiedAsgd sparse(s.w->world, sp, s.recorder.get());
  d.run(dense);
  s.run(sparse);
  ASSERT_EQ(dense.gradients_completed(), sparse.gradients_completed()) << where;
  EXPECT_EQ(d.simulator.now(), s.simulator.now()) << where;
  for (NodeId i = 0; i < 12; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) ASSERT_EQ(dense.model(i)(j), sparse.model(i)(j)) << where << " node " << i;
  EXPECT_EQ(dense.traffic().deliveries, sparse.traffic().deliveries) << where;
  EXPECT_EQ(dense.traffic().messages, sparse.traffic().messages) << where;
  if (nodes != nullptr) {
    EXPECT_EQ(d.availability->total_crashes(), s.availability->total_crashes()) << where;
    EXPECT_EQ(d.availability->total_dropped(), s.availability->total_dropped()) << where;
    EXPECT_EQ(d.availability->total_held(), s.availability->total_held()) << where;
    EXPECT_GT(s.availability->total_crashes(), 5u) << where;
    EXPECT_GT(s.availability->total_dropped() + s.availability->total_held(), 0u) << where;
  }
  if (links != nullptr) {
    const LinkFaultCounters a = d.links->totals(), b = s.links->totals();
    EXPECT_EQ(a.sends, b.sends) << where;
    EXPECT_EQ(a.losses, b.losses) << where;
    EXPECT_EQ(a.retransmissions, b.retransmissions) << where;
    EXPECT_EQ(a.duplicates, b.duplicates) << where;
    EXPECT_EQ(a.give_ups, b.give_ups) << where;
    EXPECT_GT(b.sends, 0u) << where;
  }
  if (!track) return;
  expect_same_logs(d.recorder->log(), s.recorder->log(), where);
  EXPECT_EQ(d.recorder->statistics().s().mean(), s.recorder->statistics().s().mean()) << where;
  EXPECT_EQ(d.recorder->statistics().s().max(), s.recorder->statistics().s().max()) << where;
  if (links != nullptr) {
    EXPECT_EQ(d.recorder->statistics().s_lost().mean(), s.recorder->statistics().s_lost().mean()) << where;
    EXPECT_EQ(d.recorder->statistics().s_transit().mean(), s.recorder->statistics().s_transit().mean()) << where;
    if (links->loss_on()) {
      EXPECT_GT(s.recorder->statistics().s_lost().mean(), 0.0) << where;
    }
  }
}

NodeFaultSpec churn(DownMessages messages, Recovery recovery) {
  NodeFaultSpec spec;
  spec.renewal = NodeRenewalSpec{law::Exponential{4.0}, law::Exponential{1.0}, std::nullopt, {}};
  spec.messages = messages;
  spec.recovery = recovery;
  return spec;
}

TEST(SparsifiedAsgdFaults, WithKEqualToDimensionIsDasgdUnderNodeFaults) {
  for (const DownMessages messages : {DownMessages::drop, DownMessages::hold}) {
    const NodeFaultSpec keep = churn(messages, Recovery::keep);
    expect_sparsified_is_dasgd(&keep, nullptr, true, "keep " + to_string(messages));
    // initial empties gradient sets (no staleness tracker): the models alone.
    const NodeFaultSpec initial = churn(messages, Recovery::initial);
    expect_sparsified_is_dasgd(&initial, nullptr, false, "initial " + to_string(messages));
  }
}

TEST(SparsifiedAsgdFaults, WithKEqualToDimensionIsDasgdUnderLinkFaults) {
  LinkFaultSpec bernoulli;
  bernoulli.links = true;
  bernoulli.loss = BernoulliLoss{0.15};
  LinkFaultSpec burst;
  burst.links = true;
  burst.loss = GilbertElliottLoss{0.1, 0.3, 0.02, 0.7};
  LinkFaultSpec outages;
  outages.links = true;
  outages.outages.kind = OutageSpec::Kind::law;
  outages.outages.up_time = law::Exponential{3.0};
  outages.outages.down_time = law::Exponential{0.5};
  LinkFaultSpec transport = bernoulli;
  transport.transport = {true, 0.4, 2, {}};
  LinkFaultSpec everything = burst;
  everything.outages = outages.outages;
  everything.transport = {true, 0.4, 3, {}};
  for (const auto& [name, spec] : {std::pair{"bernoulli", bernoulli}, std::pair{"gilbert_elliott", burst},
                                   std::pair{"outages", outages}, std::pair{"transport", transport},
                                   std::pair{"loss, outages and transport", everything}})
    expect_sparsified_is_dasgd(nullptr, &spec, true, name);
  // Node and link faults together (a copy can be lost on a link, or reach a down node).
  const NodeFaultSpec nodes = churn(DownMessages::hold, Recovery::keep);
  expect_sparsified_is_dasgd(&nodes, &bernoulli, true, "node faults and bernoulli");
}

// The same through the whole run (config → world → run → recorder): the run wires node and link
// faults to sparsified ASGD as to DASGD, so the summary's staleness figures (S, Ŝ, S^lost,
// S^transit), the fault totals, the per-gradient rows and the convergence samples agree exactly.
TEST(SparsifiedAsgdFaults, WholeRunWithKEqualToDimensionHasDasgdsStalenessFigures) {
  const nlohmann::json faults = nlohmann::json::parse(R"({
      "nodes": {"renewal": {"up": {"law": "exponential", "mean": 4}, "down": 1}, "messages": "hold"},
      "links": {"loss": {"model": "bernoulli", "p": 0.1},
                "outages": {"up_time": {"law": "exponential", "mean": 5}, "down_time": 0.5}}})");
  RunResult results[2];
  for (int sparse = 0; sparse < 2; ++sparse) {
    nlohmann::json config = {
        {"name", "faults"}, {"seed", 7},
        {"graph", {{"kind", "torus"}, {"rows", 3}, {"cols", 3}}},
        {"compute", {{"time", {{"law", "exponential"}, {"mean", 1.0}}}}},
        {"link", {{"latency", {{"law", "exponential"}, {"mean", 0.2}}}}},
        {"objective", {{"kind", "separable_cosine"}, {"dimension", 4}, {"noise", {{"kind", "gaussian"}, {"sigma2", 0.1}}}}},
        {"algorithm", {{"name", "dasgd"}, {"eta", 0.05}}},
        {"stop", {{"time", 40.0}, {"drain", true}}},
        {"record", {{"per_gradient", true}}},
        {"faults", faults}};
    if (sparse == 1) config["algorithm"] = {{"name", "sparsified_asgd"}, {"eta", 0.05}, {"k", 4}};
    results[sparse] = run_experiment(parse_run_config(config, "x.json"));
  }
  const RunResult& d = results[0];
  const RunResult& s = results[1];
  ASSERT_EQ(s.status, RunStatus::completed);
  ASSERT_TRUE(s.link_faults);
  ASSERT_TRUE(s.faults_on);
  EXPECT_EQ(d.gradients, s.gradients);
  EXPECT_GT(s.gradients, 200u);
  const StalenessStatistics& a = d.recorder->statistics();
  const StalenessStatistics& b = s.recorder->statistics();
  EXPECT_EQ(a.s().mean(), b.s().mean());
  EXPECT_EQ(a.s().max(), b.s().max());
  EXPECT_EQ(a.s_hat().mean(), b.s_hat().mean());
  EXPECT_EQ(a.s_lost().mean(), b.s_lost().mean());
  EXPECT_EQ(a.s_transit().mean(), b.s_transit().mean());
  EXPECT_GT(b.s_lost().mean(), 0.0);
  expect_same_logs(d.recorder->log(), s.recorder->log(), "whole run");
  EXPECT_EQ(d.link_totals.sends, s.link_totals.sends);
  EXPECT_EQ(d.link_totals.losses, s.link_totals.losses);
  ASSERT_EQ(d.node_faults.size(), s.node_faults.size());
  for (std::size_t i = 0; i < d.node_faults.size(); ++i) {
    EXPECT_EQ(d.node_faults[i].crashes, s.node_faults[i].crashes);
    EXPECT_EQ(d.node_faults[i].held, s.node_faults[i].held);
  }
  ASSERT_EQ(d.samples.size(), s.samples.size());
  for (std::size_t k = 0; k < d.samples.size(); ++k) {
    EXPECT_EQ(d.samples[k].f_average, s.samples[k].f_average) << k;
    EXPECT_EQ(d.samples[k].consensus, s.samples[k].consensus) << k;
  }
}

// S^lost on a complete graph under Bernoulli(p) loss, as for DASGD (tests/link_faults_test.cpp):
// compute 1, latency 0.5, so round k's gradients are read after every round-(k − 1) copy was
// delivered or lost and S^lost of a round-k gradient is Binomial((n − 1)(k − 1), p). Mean over all
// gradients p (n − 1)(K − 1)/2 = 58.5, standard deviation √(n(n − 1)p(1 − p) Σ_{m<K} m²)/(nK).
// Sparsification (Top-1 of 2 with error feedback) changes what a message carries, not whether it
// arrives: the same law.
TEST(SparsifiedAsgdFaults, LostStalenessOnACompleteGraphFollowsTheBinomialClosedForm) {
  const std::size_t n = 16;
  const std::uint64_t K = 40;
  const double p = 0.2;
  auto w = make_world(generate::complete(n), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}), 9);
  LinkFaultSpec spec;
  spec.links = true;
  spec.loss = BernoulliLoss{p};
  LinkFaults faults(w->topology, spec, w->network->spec(), 9, false);
  w->network->set_faults(&faults);
  GradientRecorderOptions options;
  options.eta = 0.01;
  options.gradient_norms = false;
  options.lost_split = true;
  GradientRecorder recorder(*w->objective, n, options);
  SparsifiedAsgdParams params;
  params.eta = 0.01;
  params.k = 1;
  params.error_feedback = true;
  SparsifiedAsgd algorithm(w->world, params, &recorder);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, n * K);
  ASSERT_EQ(recorder.log().size(), n * K);
  const double mean = p * (n - 1) * (K - 1) / 2.0;
  double squares = 0;
  for (std::uint64_t m = 1; m < K; ++m) squares += static_cast<double>(m * m);
  const double sd = std::sqrt(n * (n - 1) * p * (1 - p) * squares) / static_cast<double>(n * K);
  EXPECT_NEAR(recorder.statistics().s_lost().mean(), mean, 4 * sd);
  for (const GradientLogRow& row : recorder.log()) {
    const std::uint64_t k = row.t / n + 1;
    EXPECT_LE(row.s_lost, (n - 1) * (k - 1));
    EXPECT_GE(row.s - row.s_lost, row.t % n);
  }
  // Drained (the computations in progress when the run stopped complete too): one hop per copy on a
  // complete graph, so each gradient made n − 1 sends, and every copy was delivered or lost.
  algorithm.stop_computing();
  simulator.run(algorithm);
  const LinkFaultCounters totals = faults.totals();
  EXPECT_EQ(totals.sends, algorithm.gradients_completed() * (n - 1));
  EXPECT_EQ(totals.losses + algorithm.traffic().deliveries, totals.sends);
}

}  // namespace
}  // namespace dasgd
