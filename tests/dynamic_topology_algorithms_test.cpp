// The algorithms that became able to run on a time-varying graph, against independently known
// runs: sparsified ASGD with k = d is DASGD step for step on the same dynamic graph (both route on
// the snapshot live at the send), local async SGD's ring and local SGD's tree all-reduce average
// each component of a disconnected snapshot on its own (hand-worked schedules), minibatch SGD's
// round time follows the all-reduce depth of the snapshot live at each round's start, and the
// per-component all-reduce is TreeAllReduce exactly on a connected graph.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/algorithms/dasgd.hpp"
#include "sim/algorithms/forest_all_reduce.hpp"
#include "sim/algorithms/local_async_sgd.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/minibatch_sgd.hpp"
#include "sim/algorithms/parameter_server.hpp"
#include "sim/algorithms/sparsified_asgd.hpp"
#include "sim/algorithms/synchronous_round.hpp"
#include "tests/dynamic_run.hpp"
#include "tests/test_world.hpp"
#include "topologies/generators.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::DynamicRun;
using testing::link_law;
using testing::make_world;
using testing::periodic;

double figure(const Algorithm& algorithm, const std::string& name) {
  for (const AlgorithmFigure& f : algorithm.figures())
    if (f.name == name) return f.value;
  ADD_FAILURE() << "no figure " << name;
  return -1;
}

// Edges {0, 1} and {2, 3} from t = 0 (two components), the complete graph on the 4 nodes from 1.5.
DynamicTopologySpec pairs_then_complete() {
  DynamicTopologySpec spec;
  spec.kind = "schedule";
  spec.snapshots.resize(2);
  spec.snapshots[0].at = 0;
  spec.snapshots[0].edges = {{0, 1}, {2, 3}};
  spec.snapshots[1].at = 1.5;
  spec.snapshots[1].edges = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
  return spec;
}

TEST(SparsifiedAsgdOnADynamicGraph, WithKEqualToDimensionIsDasgdStepForStep) {
  const Eigen::Index d = 5;
  for (const char* kind : {"random_matching", "one_peer_exponential", "markov"}) {
    DynamicTopologySpec spec = periodic(kind, 0.6);
    spec.on_rate = 1;
    spec.off_rate = 1;
    auto wd = make_world(generate::torus(4, 4), cosine_objective(d, 0.4), compute_law(law::Exponential{1.0}),
                         link_law(law::Exponential{0.3}), 5);
    auto ws = make_world(generate::torus(4, 4), cosine_objective(d, 0.4), compute_law(law::Exponential{1.0}),
                         link_law(law::Exponential{0.3}), 5);
    DynamicRun run_d(*wd, spec, 5), run_s(*ws, spec, 5);
    DasgdParams dp;
    dp.eta = 0.05;
    Dasgd dense(wd->world, dp, nullptr);
    SparsifiedAsgdParams sp;
    sp.eta = 0.05;
    sp.k = d;
    SparsifiedAsgd sparse(ws->world, sp, nullptr);
    run_d.start(dense);
    run_s.start(sparse);
    for (std::uint64_t checkpoint = 1; checkpoint <= 300; ++checkpoint) {
      run_d.simulator.run_while(*run_d.changes, [&] { return dense.gradients_completed() < checkpoint; });
      run_s.simulator.run_while(*run_s.changes, [&] { return sparse.gradients_completed() < checkpoint; });
      ASSERT_EQ(run_d.simulator.now(), run_s.simulator.now()) << kind << " " << checkpoint;
      for (NodeId i = 0; i < 16; ++i)
        for (Eigen::Index j = 0; j < d; ++j)
          ASSERT_EQ(dense.model(i)(j), sparse.model(i)(j)) << kind << " gradient " << checkpoint << " node " << i;
    }
    EXPECT_GT(run_s.live.changes(), 20u) << kind;
    // Drained, every copy has arrived or was unreachable: the same counts.
    dense.stop_computing();
    sparse.stop_computing();
    run_d.simulator.run(*run_d.changes);
    run_s.simulator.run(*run_s.changes);
    for (NodeId i = 0; i < 16; ++i)
      for (Eigen::Index j = 0; j < d; ++j) ASSERT_EQ(dense.model(i)(j), sparse.model(i)(j)) << kind << " drained";
    EXPECT_EQ(sparse.traffic().deliveries, dense.traffic().deliveries) << kind;
    EXPECT_EQ(figure(sparse, "deliveries_unreachable"), figure(dense, "deliveries_unreachable")) << kind;
    EXPECT_GT(figure(sparse, "deliveries_unreachable"), 0) << kind;
  }
}

TEST(SparsifiedAsgdOnADynamicGraph, RoutedDeliveryOnAMatchingReachesOnlyThePartner) {
  auto w = make_world(generate::ring(8), cosine_objective(4, 0.1), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  DynamicRun run(*w, periodic("random_matching", 1.0));
  SparsifiedAsgdParams params;
  params.k = 2;
  SparsifiedAsgd algorithm(w->world, params, nullptr);
  run.start(algorithm);
  run.simulator.run_while(*run.changes, [&] { return algorithm.gradients_completed() < 400; });
  algorithm.stop_computing();
  run.simulator.run(*run.changes);  // drain
  // Each gradient reaches its sender's partner of the moment; the 6 other nodes are unreachable.
  EXPECT_EQ(algorithm.traffic().deliveries, algorithm.gradients_completed());
  EXPECT_EQ(figure(algorithm, "deliveries_unreachable"), 6.0 * static_cast<double>(algorithm.gradients_completed()));
}

// 4 nodes, η = 0, H = 1, constant compute 1 and latency 0.1, x = (0, 4, 10, 20). At t = 1 every
// node joins; the snapshot is two pairs, so each pair runs a 2-node ring (2 steps of one hop): at
// 1.2 x = (2, 2, 15, 15). At t = 2 they join again on the complete graph (live from 1.5): one ring
// of 4, 6 steps, so at 2.6 every x is the mean 8.5. Messages: 2 pairs x 2 nodes x 2 steps, then
// 4 nodes x 6 steps.
TEST(LocalAsyncSgdOnADynamicGraph, EachComponentOfTheSnapshotAveragesOnItsOwn) {
  auto w = make_world(generate::ring(4), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  DynamicRun run(*w, pairs_then_complete());
  LocalAsyncSgdParams params;
  params.eta = 0;
  params.local_steps = 1;
  LocalAsyncSgd algorithm(w->world, params, nullptr);
  const double x0[] = {0, 4, 10, 20};
  for (NodeId i = 0; i < 4; ++i) algorithm.set_model(i, Vector::Constant(1, x0[i]));
  run.start(algorithm);
  run.simulator.run_until(*run.changes, 1.19);
  EXPECT_EQ(algorithm.averages_done(), 0u);
  run.simulator.run_until(*run.changes, 1.25);
  ASSERT_EQ(algorithm.averages_done(), 1u);
  const double after_pairs[] = {2, 2, 15, 15};
  for (NodeId i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(algorithm.model(i)(0), after_pairs[i]) << i;
  EXPECT_EQ(algorithm.traffic().messages, 8u);
  run.simulator.run_until(*run.changes, 2.59);
  EXPECT_EQ(algorithm.averages_done(), 1u);
  run.simulator.run_until(*run.changes, 2.65);
  ASSERT_EQ(algorithm.averages_done(), 2u);
  for (NodeId i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(algorithm.model(i)(0), 8.5) << i;
  EXPECT_EQ(algorithm.traffic().messages, 8u + 24u);
  EXPECT_EQ(figure(algorithm, "partitioned_collectives"), 1.0);
}

// The same schedule for local SGD (H = 1, η = 0). Round 1 [0, 1.2]: the pairs' trees (root 0 and
// root 2, one arc each) reduce and broadcast in 0.2: x = (2, 2, 15, 15). Round 2 opens at 1.2, still
// on the pairs (the complete graph comes at 1.5): nothing changes, barrier 2.4. Round 3 opens at
// 2.4 on the complete graph (a star tree of depth 1): barrier 3.6, every x = 8.5.
TEST(LocalSgdOnADynamicGraph, EachRoundAveragesTheComponentsOfTheSnapshotLiveAtItsStart) {
  auto w = make_world(generate::ring(4), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  Eigen::MatrixXd initial(1, 4);
  initial << 0, 4, 10, 20;
  w->world.initial_models = &initial;
  DynamicRun run(*w, pairs_then_complete());
  LocalSgdParams params;
  params.eta = 0;
  params.local_steps = 1;
  LocalSgd algorithm(w->world, params, nullptr);
  run.start(algorithm);
  run.simulator.run_until(*run.changes, 1.25);
  ASSERT_EQ(algorithm.rounds_completed(), 1u);
  const double after_pairs[] = {2, 2, 15, 15};
  for (NodeId i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(algorithm.model(i)(0), after_pairs[i]) << i;
  run.simulator.run_until(*run.changes, 3.55);
  ASSERT_EQ(algorithm.rounds_completed(), 2u);
  for (NodeId i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(algorithm.model(i)(0), after_pairs[i]) << i;
  run.simulator.run_until(*run.changes, 3.65);
  ASSERT_EQ(algorithm.rounds_completed(), 3u);
  for (NodeId i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(algorithm.model(i)(0), 8.5) << i;
  EXPECT_NEAR(algorithm.mean_round_time(), 1.2, 1e-12);
  // 2 (4 − 2) messages per round on the pairs, 2 (4 − 1) on the complete graph.
  EXPECT_EQ(algorithm.traffic().messages, 4u + 4u + 6u);
  EXPECT_EQ(algorithm.traffic().deliveries, 2u + 2u + 3u);
  EXPECT_EQ(figure(algorithm, "partitioned_rounds"), 2.0);
}

// Minibatch SGD on a ring of 8 (the all-reduce tree from node 2 has depth 4) until t = 2.5, then
// the complete graph (depth 1); constant compute 1, latency 0.1. Rounds: [0, 1.8] and [1.8, 3.6]
// on the ring (opened before 2.5), [3.6, 4.8] on the complete graph.
TEST(MinibatchSgdOnADynamicGraph, EachRoundsAllReduceRunsOnTheSnapshotLiveAtItsStart) {
  auto w = make_world(generate::ring(8), cosine_objective(2, 0.1), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  DynamicTopologySpec spec;
  spec.kind = "schedule";
  spec.snapshots.resize(1);
  spec.snapshots[0].at = 2.5;
  TopologySpec complete;
  complete.kind = "complete";
  complete.nodes = 8;
  spec.snapshots[0].graph = complete;
  DynamicRun run(*w, spec);
  EXPECT_EQ(run.live.disconnected_snapshot(), "");
  MinibatchSgd algorithm(w->world, MinibatchSgdParams{}, nullptr);
  run.start(algorithm);
  run.simulator.run_until(*run.changes, 3.55);
  EXPECT_EQ(algorithm.rounds_completed(), 1u);
  run.simulator.run_until(*run.changes, 3.65);
  EXPECT_EQ(algorithm.rounds_completed(), 2u);
  run.simulator.run_until(*run.changes, 4.75);
  EXPECT_EQ(algorithm.rounds_completed(), 2u);
  run.simulator.run_until(*run.changes, 4.85);
  ASSERT_EQ(algorithm.rounds_completed(), 3u);
  EXPECT_NEAR(algorithm.mean_round_time(), (1.8 + 1.8 + 1.2) / 3, 1e-12);
  EXPECT_EQ(algorithm.traffic().messages, 3u * 2u * 7u);
}

// Star of 3 (server 0, workers 1 and 2), constant compute 1 and latency 0.25. Links: {0-1} from 0,
// both from 2, {0-2} from 3.1. Worker 2's first pull finds its link off: held, sent at 2 (the
// version-0 model), computed 2.25-3.25, applied at 3.5 with delay 2 (worker 1's pushes were applied
// at 1.5 and 3.0). Worker 1's reply sent at 3.0 arrives at 3.25 although its link goes off at 3.1
// (it travels on its snapshot); its push at 4.25 finds the link off for good: stranded. Worker 2
// goes on: applied at 5.0. By t = 6: 4 updates, 5 gradients, 6 models and 4 pushes sent.
TEST(ParameterServerOnADynamicGraph, HoldsAMessageWhoseLinkIsOffUntilTheLinkIsBack) {
  auto w = make_world(generate::star(3), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.25}));
  DynamicTopologySpec spec;
  spec.kind = "schedule";
  spec.snapshots.resize(3);
  spec.snapshots[0].at = 0;
  spec.snapshots[0].edges = {{0, 1}};
  spec.snapshots[1].at = 2;
  spec.snapshots[1].edges = {{0, 1}, {0, 2}};
  spec.snapshots[2].at = 3.1;
  spec.snapshots[2].edges = {{0, 2}};
  DynamicRun run(*w, spec);
  EXPECT_EQ(run.live.snapshot_outside_base(), "");
  ParameterServer algorithm(w->world, ParameterServerParams{}, nullptr);
  run.start(algorithm);
  run.simulator.run_until(*run.changes, 3.6);
  ASSERT_EQ(algorithm.server_version(), 3u);
  EXPECT_EQ(algorithm.last_update().worker, 2u);
  EXPECT_EQ(algorithm.last_update().delay, 2u);
  EXPECT_EQ(figure(algorithm, "mean_link_wait"), 2.0);
  run.simulator.run_until(*run.changes, 6.0);
  EXPECT_EQ(algorithm.server_version(), 4u);
  EXPECT_EQ(algorithm.gradients_completed(), 5u);
  EXPECT_EQ(algorithm.gradients_of(1), 3u);
  EXPECT_EQ(figure(algorithm, "held_for_link"), 2.0);
  EXPECT_EQ(figure(algorithm, "stranded"), 1.0);
  EXPECT_EQ(algorithm.traffic().messages, 10u);
}

TEST(ParameterServerOnADynamicGraph, GeneratorsThatMakeGraphsOfTheirOwnAreNamedAsTheCulprit) {
  auto w = make_world(generate::star(6), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.25}));
  for (const char* kind : {"random_matching", "one_peer_exponential", "random_regular"}) {
    DynamicTopologySpec spec = periodic(kind, 1.0);
    spec.degree = 3;
    DynamicRun run(*w, spec);
    EXPECT_EQ(run.live.snapshot_outside_base(), "/graph/dynamic/kind") << kind;
  }
  DynamicTopologySpec markov = periodic("markov", 1.0);
  markov.on_rate = markov.off_rate = 1;
  DynamicRun run(*w, markov);
  EXPECT_EQ(run.live.snapshot_outside_base(), "");
}

TEST(ForestAllReduce, IsTreeAllReduceExactlyOnAConnectedGraph) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Topology topology = generate::random_regular(30, 3, seed);
    LinkModelSpec link = link_law(law::Exponential{0.2});
    Network a(topology, link, seed), b(topology, link, seed);
    TreeAllReduce tree(topology);
    ForestAllReduce forest(topology);
    ASSERT_EQ(forest.components(), 1u);
    EXPECT_EQ(forest.depth(), tree.depth());
    std::vector<SimTime> ready(30);
    for (std::size_t i = 0; i < 30; ++i) ready[i] = 0.1 * static_cast<double>((i * 7) % 11);
    TrafficCounters ta, tb;
    for (int round = 0; round < 3; ++round)
      EXPECT_EQ(tree.run(ready, a, 100, ta), forest.run(ready, b, 100, tb)) << seed << " " << round;
    EXPECT_EQ(ta.messages, tb.messages);
  }
}

TEST(ForestAllReduce, ReducesEachComponentOnItsOwn) {
  // Components {0, 1, 2} (a path), {3} and {4, 5}; constant latency 1.
  const Topology topology(6, EdgeList(std::vector<EdgeEnds>{{0, 1}, {1, 2}, {4, 5}}), "forest",
                          Topology::MayBeDisconnected{});
  Network network(topology, link_law(law::Constant{1.0}), 1);
  ForestAllReduce forest(topology);
  ASSERT_EQ(forest.components(), 3u);
  EXPECT_EQ(forest.component(2), 0u);
  EXPECT_EQ(forest.component(3), 1u);
  EXPECT_EQ(forest.component(5), 2u);
  EXPECT_EQ(forest.depth(), 1u);  // the path's tree is rooted at its middle, node 1
  const std::vector<SimTime> ready = {0, 0, 5, 7, 0, 1};
  TrafficCounters traffic;
  // Path: 2 reports to 1 at 6, result back at 0 and 2 at 7. {4, 5}: 5 (ready 1) reaches root 4 at
  // 2, the result reaches 5 at 3. Node 3 alone holds its own at 7.
  EXPECT_EQ(forest.run(ready, network, 10, traffic), 7.0);
  EXPECT_EQ(traffic.messages, 2u * (6u - 3u));
}

}  // namespace
}  // namespace dasgd
