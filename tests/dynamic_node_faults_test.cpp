// Node crashes on a time-varying graph (graph.dynamic with faults.nodes, DASGD and gossip SGD):
// a hand-worked 3-node gossip schedule where recovery from a neighbour looks at the snapshot live
// at the recovery, and a push to a down node is held or dropped as on a static graph.
#include <gtest/gtest.h>

#include <memory>

#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/faults/node_availability.hpp"
#include "tests/dynamic_run.hpp"
#include "tests/test_world.hpp"
#include "topologies/generators.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

// Base complete(3); edges {0, 1} until t = 1.5, then {1, 2}. η = 0, x = (0, 8, 16), constant
// compute 1 and latency 0.25. Node 2 is down over [0.5, up_at] (its first computation is lost). At
// t = 1 nodes 0 and 1 swap pushes (both 4 at 1.25); at t = 2 node 0 is alone (skipped) and node 1
// pushes 4 to node 2, arriving at 2.25.
struct GossipWithCrash {
  GossipWithCrash(SimTime up_at, Recovery recovery, DownMessages messages)
      : w(make_world(generate::complete(3), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                     link_law(law::Constant{0.25}))),
        run(*w, schedule()),
        availability(spec(up_at, recovery, messages), 3, 1, &run.log) {
    w->world.availability = &availability;
    GossipSgdParams params;
    params.eta = 0;
    algorithm = std::make_unique<GossipSgd>(w->world, params, nullptr);
    for (NodeId i = 0; i < 3; ++i) algorithm->set_model(i, Vector::Constant(1, 8.0 * i));
    run.changes = std::make_unique<WithTopologyChanges>(*algorithm, run.live);
    run.changes->start(run.simulator);
    availability.start(run.simulator);
    algorithm->start(run.simulator);
  }
  static DynamicTopologySpec schedule() {
    DynamicTopologySpec s;
    s.kind = "schedule";
    s.snapshots.resize(2);
    s.snapshots[0].at = 0;
    s.snapshots[0].edges = {{0, 1}};
    s.snapshots[1].at = 1.5;
    s.snapshots[1].edges = {{1, 2}};
    return s;
  }
  static NodeFaultSpec spec(SimTime up_at, Recovery recovery, DownMessages messages) {
    NodeFaultSpec s;
    s.schedule = {{2, 0.5, up_at}};
    s.recovery = recovery;
    s.messages = messages;
    return s;
  }
  double x(NodeId i) const { return algorithm->model(i)(0); }
  void until(SimTime t) { run.simulator.run_until(*run.changes, t); }

  std::unique_ptr<testing::TestWorld> w;
  testing::DynamicRun run;
  NodeAvailability availability;
  std::unique_ptr<GossipSgd> algorithm;
};

TEST(GossipWithNodeFaultsOnADynamicGraph, RecoveryFromANeighbourCopiesALiveNeighbourOfTheSnapshot) {
  // Back at 1.2: node 2 is alone in {0, 1}, so it keeps its own model (on the static complete graph
  // it would have copied node 0's 0 or node 1's 8).
  GossipWithCrash alone(1.2, Recovery::neighbour, DownMessages::drop);
  alone.until(1.3);
  EXPECT_EQ(alone.x(0), 4.0);
  EXPECT_EQ(alone.x(1), 4.0);
  EXPECT_EQ(alone.x(2), 16.0);
  // Back at 1.7: its one live neighbour in {1, 2} is node 1 (model 4): copied.
  GossipWithCrash copied(1.7, Recovery::neighbour, DownMessages::drop);
  copied.until(1.8);
  EXPECT_EQ(copied.x(2), 4.0);
}

TEST(GossipWithNodeFaultsOnADynamicGraph, APushToADownNodeIsHeldOrDroppedAsOnAStaticGraph) {
  // Node 2 back at 2.4: node 1's push of 4 (arriving 2.25) is held and merged at the recovery,
  // (16 + 4)/2 = 10, or dropped (x_2 stays 16).
  GossipWithCrash held(2.4, Recovery::keep, DownMessages::hold);
  held.until(2.35);
  EXPECT_EQ(held.x(2), 16.0);
  held.until(2.45);
  EXPECT_EQ(held.x(2), 10.0);
  EXPECT_EQ(held.availability.counters(2.45)[2].held, 1u);
  GossipWithCrash dropped(2.4, Recovery::keep, DownMessages::drop);
  dropped.until(2.45);
  EXPECT_EQ(dropped.x(2), 16.0);
  EXPECT_EQ(dropped.availability.counters(2.45)[2].dropped, 1u);
  EXPECT_EQ(dropped.algorithm->pushes_skipped(), 1u);  // node 0 alone at t = 2
}

}  // namespace
}  // namespace dasgd
