// Time-varying graphs against closed forms and hand-worked runs: the one-peer exponential graph
// averages exactly after log2 n rounds for n a power of two (its mixing-matrix product is J/n, and
// D-PSGD with η = 0 reaches the mean), a random perfect matching is perfect every period and each
// pair is matched with frequency 1/(n − 1), Markov on/off edges are live a fraction
// on/(on + off) of the time, gossip never picks a neighbour that is not live, a hand-worked gossip
// schedule, DASGD routing reaches only the live component, and every algorithm that honours a
// dynamic graph runs to completion on every generator.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <set>

#include "sim/algorithms/adpsgd.hpp"
#include "sim/algorithms/dasgd.hpp"
#include "sim/algorithms/dpsgd.hpp"
#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/config/run_config.hpp"
#include "sim/faults/live_topology.hpp"
#include "sim/faults/live_topology_report.hpp"
#include "sim/run/experiment.hpp"
#include "tests/dynamic_run.hpp"
#include "tests/test_world.hpp"
#include "topologies/dynamic_graphs.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::DynamicRun;
using testing::make_world;
using testing::periodic;

TEST(OnePeerExponential, ProductOverLog2nRoundsIsExactlyTheAverageForPowersOfTwo) {
  for (const std::size_t n : {2u, 4u, 8u, 16u, 32u, 64u}) {
    const std::size_t tau = dynamic::one_peer_rounds(n);
    ASSERT_EQ(std::size_t{1} << tau, n);
    Eigen::MatrixXd product = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (std::uint64_t k = 0; k < tau; ++k)
      product = dynamic::one_peer_mixing_matrix(dynamic::one_peer_exponential_peers(n, k)) * product;
    const Eigen::MatrixXd average = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n),
                                                              1.0 / static_cast<double>(n));
    EXPECT_LT((product - average).cwiseAbs().maxCoeff(), 1e-12) << "n = " << n;
  }
  // Not a power of two: tau = 3 rounds of n = 6 do not average exactly.
  Eigen::MatrixXd product = Eigen::MatrixXd::Identity(6, 6);
  for (std::uint64_t k = 0; k < 3; ++k)
    product = dynamic::one_peer_mixing_matrix(dynamic::one_peer_exponential_peers(6, k)) * product;
  EXPECT_GT((product - Eigen::MatrixXd::Constant(6, 6, 1.0 / 6)).cwiseAbs().maxCoeff(), 0.01);
}

TEST(OnePeerExponential, PeerOfNodeIIsIPlusTwoToTheKModTau) {
  const auto peers = dynamic::one_peer_exponential_peers(10, 5);  // tau = 4, 5 mod 4 = 1: hop 2
  for (NodeId i = 0; i < 10; ++i) EXPECT_EQ(peers[i], (i + 2) % 10);
  const GraphSnapshot half = dynamic::one_peer_exponential_snapshot(8, 2);  // hop 4 = n/2: a matching
  EXPECT_EQ(half.topology.num_edges(), 4u);
}

TEST(OnePeerExponential, DpsgdWithZeroStepReachesTheExactMeanAfterLog2nRounds) {
  const std::size_t n = 16;
  auto w = make_world(generate::ring(n), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.0}));
  DynamicRun run(*w, periodic("one_peer_exponential", 1.0));
  DpsgdParams params;
  params.eta = 0;
  params.initial_models = Eigen::MatrixXd(1, static_cast<Eigen::Index>(n));
  double mean = 0;
  for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(n); ++i) {
    params.initial_models(0, i) = static_cast<double>(i * i) - 3.0 * static_cast<double>(i);
    mean += params.initial_models(0, i) / static_cast<double>(n);
  }
  Dpsgd algorithm(w->world, params, nullptr);
  run.start(algorithm);
  run.simulator.run_while(*run.changes,
                          [&] { return algorithm.rounds_completed() < 4; });
  ASSERT_EQ(algorithm.rounds_completed(), 4u);  // log2 16 = 4 rounds, one graph each
  for (NodeId i = 0; i < n; ++i) EXPECT_NEAR(algorithm.model(i)(0), mean, 1e-12) << "node " << i;
}

TEST(OnePeerExponential, GraphReportGivesPeriodGapOneThoughEverySnapshotAfterTheFirstIsDisconnected) {
  const std::string report =
      describe_dynamic_topology(generate::ring(16), periodic("one_peer_exponential", 1.0), 1);
  EXPECT_NE(report.find("||P - J/n|| = 0, period gap 1"), std::string::npos) << report;
  // Hop 2^k splits the 16 nodes into 2^k cycles: 2, 4 and 8 components for k = 1, 2, 3.
  for (const char* part : {"disconnected (2 components)", "disconnected (4 components)", "disconnected (8 components)"})
    EXPECT_NE(report.find(part), std::string::npos) << report;
  // W_0 = (I + S)/2 alone contracts by cos(pi/16).
  EXPECT_NE(report.find("||W_k - J/n|| = 0.980785"), std::string::npos) << report;
}

TEST(RandomMatching, IsPerfectEveryPeriodAndMatchesEachPairWithFrequencyOneOverNMinusOne) {
  const std::size_t n = 8, periods = 20000;
  std::map<std::pair<NodeId, NodeId>, std::size_t> count;
  for (std::uint64_t k = 0; k < periods; ++k) {
    const GraphSnapshot s = dynamic::random_matching_snapshot(n, mix_key(7, Stream::topology_schedule, k, 0));
    ASSERT_EQ(s.topology.num_edges(), n / 2);
    for (NodeId i = 0; i < n; ++i) ASSERT_EQ(s.topology.degree(i), 1u);
    for (const Edge& e : s.topology.edges()) ++count[{e.u, e.v}];
  }
  ASSERT_EQ(count.size(), n * (n - 1) / 2);
  const double p = 1.0 / static_cast<double>(n - 1);
  const double sd = std::sqrt(p * (1 - p) / static_cast<double>(periods));
  for (const auto& [pair, c] : count)
    EXPECT_NEAR(static_cast<double>(c) / static_cast<double>(periods), p, 5 * sd) << pair.first << "-" << pair.second;
}

TEST(RandomMatching, OddNodeCountLeavesEachNodeOutWithProbabilityOneOverN) {
  const std::size_t n = 5, periods = 20000;
  std::vector<std::size_t> alone(n, 0);
  for (std::uint64_t k = 0; k < periods; ++k) {
    const GraphSnapshot s = dynamic::random_matching_snapshot(n, mix_key(3, Stream::topology_schedule, k, 0));
    ASSERT_EQ(s.topology.num_edges(), 2u);
    for (NodeId i = 0; i < n; ++i) alone[i] += s.topology.degree(i) == 0 ? 1 : 0;
  }
  const double sd = std::sqrt(0.2 * 0.8 / static_cast<double>(periods));
  for (NodeId i = 0; i < n; ++i) EXPECT_NEAR(static_cast<double>(alone[i]) / periods, 0.2, 5 * sd);
}

TEST(MarkovEdges, FractionOfLiveEdgesIsOnRateOverTotalRate) {
  const Topology base = generate::complete(20);  // 190 edges
  const double on = 2, off = 1, period = 0.5;
  dynamic::MarkovEdges edges(base, on, off, period, 11);
  double live = 0, on_to_off = 0, on_before = 0;
  const int periods = 4000;
  for (int k = 0; k < periods; ++k) {
    live += static_cast<double>(edges.live_edges());
    std::vector<std::uint8_t> before(base.num_edges());
    for (EdgeId e = 0; e < base.num_edges(); ++e) before[e] = edges.on(e) ? 1 : 0;
    edges.advance();
    for (EdgeId e = 0; e < base.num_edges(); ++e) {
      on_before += before[e];
      on_to_off += before[e] != 0 && !edges.on(e) ? 1 : 0;
    }
  }
  const double fraction = live / (periods * static_cast<double>(base.num_edges()));
  EXPECT_NEAR(fraction, on / (on + off), 0.005);  // sd about 0.0006 (edges nearly independent)
  // P(off at the next boundary | on) = off/(on + off) * (1 - exp(-(on + off) period)).
  EXPECT_NEAR(on_to_off / on_before, (off / (on + off)) * (1 - std::exp(-(on + off) * period)), 0.005);
}

// Records, for each model pushed, the snapshot live at the push; checks at the merge that the
// sender and the receiver were neighbours on it.
class LiveEdgeChecker final : public GradientObserver {
 public:
  explicit LiveEdgeChecker(const LiveTopology& live) : live_(&live) {}
  std::uint64_t on_compute_start(NodeId, SimTime, ConstVectorRef) override { return 0; }
  void on_compute_complete(NodeId, std::uint64_t, SimTime, SimTime, ConstVectorRef, std::uint64_t) override {}
  void on_apply(NodeId, std::uint64_t, SimTime, bool) override {}
  std::uint64_t on_model_sent(NodeId source, SimTime, std::uint32_t) override {
    sent_.push_back({source, live_->share()});
    return sent_.size() - 1;
  }
  void on_model_merged(NodeId node, std::uint64_t token, SimTime) override {
    const auto& [source, snapshot] = sent_[token];
    ++merges;
    if (!snapshot->topology().find_arc(source, node)) ++not_live;
  }
  void on_model_dropped(std::uint64_t) override {}
  std::size_t merges = 0, not_live = 0;

 private:
  const LiveTopology* live_;
  std::vector<std::pair<NodeId, std::shared_ptr<LiveSnapshot>>> sent_;
};

TEST(GossipOnADynamicGraph, NeverPicksANeighbourThatIsNotLive) {
  for (const char* kind : {"random_matching", "one_peer_exponential", "markov"}) {
    auto w = make_world(generate::torus(4, 4), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.2}));
    DynamicTopologySpec spec = periodic(kind, 0.7);
    spec.on_rate = 1;
    spec.off_rate = 1;
    DynamicRun run(*w, spec);
    LiveEdgeChecker checker(run.live);
    GossipSgd algorithm(w->world, GossipSgdParams{}, &checker);
    run.start(algorithm);
    run.simulator.run_until(*run.changes, 50.0);
    EXPECT_GT(checker.merges, 300u) << kind;
    EXPECT_EQ(checker.not_live, 0u) << kind;
    EXPECT_GT(run.live.changes(), 60u) << kind;
  }
}

// Three nodes, constant compute 1 and latency 0.25, η = 0, x = (0, 8, 16). Edges {0, 1} until
// t = 1.5, then {1, 2}. At t = 1 nodes 0 and 1 swap pushes (both become 4) and node 2 has no live
// neighbour (skipped); at t = 2 node 0 is alone (skipped), 1 and 2 push 4 and 16: x_2 = 10 at 2.25
// (node 1's push was scheduled first), then x_1 = (4 + 16)/2 = 10.
TEST(GossipOnADynamicGraph, FollowsAHandWorkedSnapshotSchedule) {
  auto w = make_world(generate::complete(3), cosine_objective(1, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.25}));
  DynamicTopologySpec spec;
  spec.kind = "schedule";
  spec.snapshots.resize(2);
  spec.snapshots[0].at = 0;
  spec.snapshots[0].edges = {{0, 1}};
  spec.snapshots[1].at = 1.5;
  spec.snapshots[1].edges = {{1, 2}};
  DynamicRun run(*w, spec);
  GossipSgdParams params;
  params.eta = 0;
  GossipSgd algorithm(w->world, params, nullptr);
  for (NodeId i = 0; i < 3; ++i) algorithm.set_model(i, Vector::Constant(1, 8.0 * i));
  run.start(algorithm);
  run.simulator.run_until(*run.changes, 1.3);
  EXPECT_DOUBLE_EQ(algorithm.model(0)(0), 4.0);
  EXPECT_DOUBLE_EQ(algorithm.model(1)(0), 4.0);
  EXPECT_DOUBLE_EQ(algorithm.model(2)(0), 16.0);
  run.simulator.run_until(*run.changes, 2.5);
  EXPECT_DOUBLE_EQ(algorithm.model(0)(0), 4.0);
  EXPECT_DOUBLE_EQ(algorithm.model(1)(0), 10.0);
  EXPECT_DOUBLE_EQ(algorithm.model(2)(0), 10.0);
  EXPECT_EQ(algorithm.pushes_skipped(), 2u);
  // faults.csv rows: one topology_change per snapshot taking effect (t = 0 and t = 1.5).
  ASSERT_EQ(run.log.records().size(), 2u);
  EXPECT_EQ(run.log.records()[1].kind, FaultKind::topology_change);
  EXPECT_EQ(run.log.records()[1].time, 1.5);
}

TEST(DasgdOnADynamicGraph, RoutedDeliveryOnAMatchingReachesOnlyThePartner) {
  for (const bool per_hop : {false, true}) {
    auto w = make_world(generate::ring(8), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                        link_law(law::Constant{0.1}));
    DynamicRun run(*w, periodic("random_matching", 1.0));
    DasgdParams params;
    params.per_hop_routing = per_hop;
    Dasgd algorithm(w->world, params, nullptr);
    run.start(algorithm);
    run.simulator.run_while(*run.changes, [&] { return algorithm.gradients_completed() < 400; });
    algorithm.stop_computing();
    run.simulator.run(*run.changes);  // drain: the queue empties although the graph keeps changing
    const auto figures = algorithm.figures();
    double unreachable = -1;
    for (const auto& f : figures)
      if (f.name == "deliveries_unreachable") unreachable = f.value;
    // Every gradient reaches exactly its partner of the moment; the 6 others are unreachable.
    EXPECT_EQ(algorithm.traffic().deliveries, algorithm.gradients_completed()) << per_hop;
    EXPECT_EQ(unreachable, 6.0 * static_cast<double>(algorithm.gradients_completed())) << per_hop;
  }
}

nlohmann::json small_run(const std::string& algorithm, const nlohmann::json& dynamic) {
  return {{"name", "dyn"},
          {"seed", 3},
          {"graph", {{"kind", "ring"}, {"nodes", 8}, {"dynamic", dynamic}}},
          {"compute", {{"time", {{"law", "exponential"}, {"mean", 1.0}}}}},
          {"link", {{"latency", 0.1}}},
          {"objective", {{"kind", "separable_cosine"}, {"dimension", 4}}},
          {"algorithm", {{"name", algorithm}, {"eta", 0.01}}},
          {"stop", {{"gradients", 160}}}};
}

TEST(EveryAlgorithmOnEveryDynamicGraph, RunsToCompletionOnASmallWorld) {
  const std::vector<nlohmann::json> dynamics = {
      nlohmann::json::parse(R"({"kind": "schedule", "snapshots": [{"at": 1, "edges": [[0, 1], [2, 3]]},
                               {"at": 3, "graph": {"kind": "complete", "nodes": 8}}]})"),
      nlohmann::json::parse(R"({"kind": "random_matching", "period": 0.5})"),
      nlohmann::json::parse(R"({"kind": "one_peer_exponential", "period": 0.5})"),
      nlohmann::json::parse(R"({"kind": "random_regular", "degree": 3, "period": 0.5})"),
      nlohmann::json::parse(R"({"kind": "markov", "on_rate": 1, "off_rate": 2, "period": 0.5})")};
  for (const std::string algorithm : {"dasgd", "gossip_sgd", "adpsgd", "dpsgd", "sparsified_asgd", "local_async_sgd",
                                      "local_sgd", "minibatch_sgd"}) {
    for (const auto& dynamic : dynamics) {
      nlohmann::json document = small_run(algorithm, dynamic);
      if (algorithm == "local_sgd") document["algorithm"]["local_steps"] = 2;
      if (algorithm == "sparsified_asgd") document["algorithm"]["k"] = 2;
      if (algorithm == "local_async_sgd") document["algorithm"]["local_steps"] = 2;
      RunConfig config = parse_run_config(document, "dyn.json");
      if (algorithm == "minibatch_sgd" && dynamic["kind"] != "random_regular") {
        // Every other kind here can be disconnected on 8 nodes (the schedule's first snapshot is).
        try {
          run_experiment(config);
          ADD_FAILURE() << "minibatch_sgd ran on " << dynamic.dump();
        } catch (const std::invalid_argument& error) {
          const std::string where = dynamic["kind"] == "schedule" ? "/graph/dynamic/snapshots/0:" : "/graph/dynamic/kind:";
          EXPECT_EQ(std::string(error.what()).rfind(where, 0), 0u) << error.what();
        }
        continue;
      }
      const RunResult result = run_experiment(config);
      EXPECT_EQ(result.status, RunStatus::completed) << algorithm << " " << dynamic.dump();
      EXPECT_GE(result.gradients, 160u) << algorithm << " " << dynamic.dump();
      EXPECT_TRUE(result.faults_on) << algorithm << " " << dynamic.dump();  // faults.csv is written
      EXPECT_FALSE(result.fault_log.empty()) << algorithm << " " << dynamic.dump();
      EXPECT_TRUE(std::is_sorted(result.fault_log.records().begin(), result.fault_log.records().end(),
                                 [](const FaultRecord& a, const FaultRecord& b) { return a.time < b.time; }));
      EXPECT_EQ(result.live_edges.size(), result.samples.size());
    }
  }
  // The parameter server on a star whose worker-server links switch on and off (markov, or a
  // schedule of star subgraphs); generators that make graphs of their own are refused.
  for (const auto& dynamic : dynamics) {
    nlohmann::json document = small_run("parameter_server", dynamic);
    document["graph"]["kind"] = "star";
    if (dynamic["kind"] == "schedule")
      document["graph"]["dynamic"] = nlohmann::json::parse(R"({"kind": "schedule", "snapshots": [
          {"at": 1, "edges": [[0, 1], [0, 2]]}, {"at": 3, "graph": {"kind": "star", "nodes": 8}}]})");
    RunConfig config = parse_run_config(document, "dyn.json");
    if (dynamic["kind"] != "schedule" && dynamic["kind"] != "markov") {
      try {
        run_experiment(config);
        ADD_FAILURE() << "parameter_server ran on " << dynamic.dump();
      } catch (const std::invalid_argument& error) {
        EXPECT_EQ(std::string(error.what()).rfind("/graph/dynamic/kind:", 0), 0u) << error.what();
      }
      continue;
    }
    const RunResult result = run_experiment(config);
    EXPECT_EQ(result.status, RunStatus::completed) << dynamic.dump();
    EXPECT_GE(result.gradients, 160u) << dynamic.dump();
  }
  for (const std::string delivery : {"flooding", "neighbours"}) {
    nlohmann::json document = small_run("dasgd", dynamics[1]);
    document["algorithm"]["delivery"] = delivery;
    const RunResult result = run_experiment(parse_run_config(document, "dyn.json"));
    EXPECT_EQ(result.status, RunStatus::completed) << delivery;
  }
}

}  // namespace
}  // namespace dasgd
