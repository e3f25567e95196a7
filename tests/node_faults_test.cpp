// Node crash / recover / join / leave (faults.nodes): the availability process against closed forms,
// hand-worked schedules for each crash and recovery rule, the parameter server's delay with workers
// gone, and every fault-capable algorithm running to completion under every node fault process
// (sparsified ASGD's own crash tests: tests/sparsified_asgd_faults_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "sim/algorithms/adpsgd.hpp"
#include "sim/algorithms/dasgd.hpp"
#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/algorithms/parameter_server.hpp"
#include "sim/config/run_config.hpp"
#include "sim/faults/node_availability.hpp"
#include "sim/run/experiment.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

constexpr double kInf = std::numeric_limits<double>::infinity();

// An algorithm that does nothing but forward availability events: the process alone.
class Idle final : public Algorithm {
 public:
  explicit Idle(NodeAvailability& a) : availability_(a) {}
  std::string name() const override { return "idle"; }
  void start(Simulator&) override {}
  void stop_computing() override {}
  void handle(Simulator& simulator, const Event& event) override { availability_.handle(simulator, event, *this); }
  std::size_t num_nodes() const override { return availability_.num_nodes(); }
  ConstVectorRef model(NodeId) const override { return empty_; }
  std::uint64_t gradients_completed() const override { return 0; }
  std::uint64_t gradients_of(NodeId) const override { return 0; }
  const TrafficCounters& traffic() const override { return traffic_; }
  double virtual_step() const override { return 1; }
  void node_down(Simulator&, NodeId) override { ++downs; }
  void node_up(Simulator&, NodeId) override { ++ups; }
  void node_resume(Simulator&, NodeId) override {}
  int downs = 0, ups = 0;

 private:
  NodeAvailability& availability_;
  Vector empty_ = Vector::Zero(1);
  TrafficCounters traffic_;
};

double mean_up_fraction(const NodeFaultSpec& spec, std::size_t n, double end, std::uint64_t seed = 3) {
  NodeAvailability availability(spec, n, seed, nullptr);
  Idle idle(availability);
  Simulator simulator;
  availability.start(simulator);
  simulator.run_until(idle, end);
  double up = 0;
  for (const NodeFaultCounters& c : availability.counters(end)) up += c.up_time;
  return up / (static_cast<double>(n) * end);
}

NodeFaultSpec renewal(Distribution up, Distribution down) {
  NodeFaultSpec spec;
  spec.renewal = NodeRenewalSpec{up, down, std::nullopt, {}};
  return spec;
}

// Alternating renewal process: the long-run up-time fraction is E[U] / (E[U] + E[D]). Exponential
// up (mean 3) and down (mean 1) times: 0.75; 400 nodes over 200 time units are about 2·10^4 cycles,
// so the estimate's standard error is about 0.002.
TEST(NodeAvailability, UpFractionOfAnAlternatingRenewalIsMeanUpOverMeanCycle) {
  EXPECT_NEAR(mean_up_fraction(renewal(law::Exponential{3.0}, law::Exponential{1.0}), 400, 200.0), 0.75, 0.01);
  // Heavier laws, same means ratio 2 : 1 (E[U] = 2, E[D] = 1): 2/3.
  EXPECT_NEAR(mean_up_fraction(renewal(law::Gamma{4.0, 0.5}, law::Uniform{0.5, 1.5}), 400, 200.0), 2.0 / 3.0, 0.01);
}

// Constant up 2 and down 1: every node is up on [3k, 3k + 2): over 300 units exactly 2/3.
TEST(NodeAvailability, ConstantUpAndDownTimesArePeriodic) {
  EXPECT_DOUBLE_EQ(mean_up_fraction(renewal(law::Constant{2.0}, law::Constant{1.0}), 5, 300.0), 2.0 / 3.0);
}

TEST(NodeAvailability, FractionChurnsExactlyRoundedShareOfNodes) {
  NodeFaultSpec spec = renewal(law::Constant{1.0}, law::Constant{1.0});
  spec.renewal->fraction = 0.1;
  NodeAvailability availability(spec, 95, 1, nullptr);
  Idle idle(availability);
  Simulator simulator;
  availability.start(simulator);
  simulator.run_until(idle, 1.5);
  EXPECT_EQ(availability.live(), 95u - 10u);  // round(9.5) = 10 nodes down over [1, 2)
  EXPECT_EQ(idle.downs, 10);
}

TEST(NodeAvailability, ScheduleJoinsLateAndLeavesForGoodThenAllGone) {
  NodeFaultSpec spec;
  spec.schedule = {{0, 0.0, 2.0}, {1, 1.0, kInf}, {0, 3.0, kInf}};
  FaultLog log;
  NodeAvailability availability(spec, 2, 1, &log);
  Idle idle(availability);
  Simulator simulator;
  availability.start(simulator);
  EXPECT_FALSE(availability.up(0));
  EXPECT_TRUE(availability.up(1));
  simulator.run_until(idle, 2.5);
  EXPECT_TRUE(availability.up(0));
  EXPECT_FALSE(availability.up(1));
  EXPECT_FALSE(availability.all_gone());
  simulator.run(idle);
  EXPECT_TRUE(availability.all_gone());
  ASSERT_EQ(log.records().size(), 4u);
  EXPECT_EQ(log.records()[0].kind, FaultKind::node_down);  // node 0 at 0: joins late
  EXPECT_EQ(log.records()[1].time, 1.0);
  EXPECT_EQ(log.records()[2].kind, FaultKind::node_up);
  EXPECT_EQ(log.records()[3].time, 3.0);
  const auto counters = availability.counters(4.0);
  EXPECT_DOUBLE_EQ(counters[0].up_time, 1.0);  // up over [2, 3)
  EXPECT_DOUBLE_EQ(counters[1].up_time, 1.0);  // up over [0, 1)
  EXPECT_EQ(counters[0].crashes, 1u);          // the late join is no crash
}

TEST(NodeAvailability, TraceRowsNameFileAndLine) {
  const std::string path = ::testing::TempDir() + "node_trace_" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out(path);
    out << "node,down_at,up_at\n1,0.5,2\n0,1,\n3,1,inf\n";
  }
  const auto rows = read_node_trace(path, 4);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].up_at, kInf);
  EXPECT_EQ(rows[2].up_at, kInf);
  try {
    read_node_trace(path, 3);
    FAIL() << "node 3 of 3 accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(path + ":4: node 3 is not in the graph"), std::string::npos) << error.what();
  }
  std::remove(path.c_str());
}

// --- Hand-worked schedules ------------------------------------------------------------------------
// Two nodes, compute time 1, latency 0.1, exact gradients g(x) = ∇f(x). Node 1 is down over
// [1.5, 2.5). Both compute on x0 over [0, 1] (g = ∇f(x0)), apply their own at 1 and each other's at
// 1.1: x1 = x0 − 2ηg. Node 0's second gradient was read at 1.0 on x0 − ηg: g2 = ∇f(x0 − ηg), applied
// at node 0 at 2.0 and reaching node 1 at 2.1, while it is down. Node 1's second computation (started
// at 1.0) is lost at 1.5. At 2.6 (node 1 recovered at 2.5, computing since):
//   keep + drop:     x_1 = x1               initial + drop: x_1 = x0
//   keep + hold:     x_1 = x1 − ηg2 = x_0   initial + hold: x_1 = x0 − ηg2
struct DasgdCase {
  Recovery recovery;
  DownMessages messages;
  Delivery delivery;
};

class DasgdCrash : public ::testing::TestWithParam<DasgdCase> {};

TEST_P(DasgdCrash, HandWorkedTwoNodeScheduleGivesTheExpectedModels) {
  const DasgdCase c = GetParam();
  const double eta = 0.1;
  auto w = make_world(generate::complete(2), cosine_objective(3, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  NodeFaultSpec spec;
  spec.schedule = {{1, 1.5, 2.5}};
  spec.recovery = c.recovery;
  spec.messages = c.messages;
  NodeAvailability availability(spec, 2, 1, nullptr);
  w->world.availability = &availability;
  DasgdParams params;
  params.eta = eta;
  params.delivery = c.delivery;
  Dasgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  availability.start(simulator);
  algorithm.start(simulator);
  simulator.run_until(algorithm, 2.6);

  const Vector x0 = w->objective->initial_point();
  Vector g(3), g2(3);
  w->objective->gradient(x0, g);
  w->objective->gradient(x0 - eta * g, g2);
  const Vector x1 = x0 - eta * g - eta * g;
  Vector expected = c.recovery == Recovery::keep ? x1 : x0;
  if (c.messages == DownMessages::hold) expected -= eta * g2;
  EXPECT_LT((algorithm.model(1) - expected).norm(), 1e-14);
  EXPECT_LT((algorithm.model(0) - (x1 - eta * g2)).norm(), 1e-14);
  // Node 0: 2 gradients, node 1: 1 (its second computation was lost and got no index).
  EXPECT_EQ(algorithm.gradients_completed(), 3u);
  EXPECT_EQ(algorithm.gradients_of(1), 1u);
  const NodeFaultCounters f = availability.counters(2.6)[1];
  EXPECT_EQ(f.crashes, 1u);
  EXPECT_EQ(f.dropped, c.messages == DownMessages::drop ? 1u : 0u);
  EXPECT_EQ(f.held, c.messages == DownMessages::hold ? 1u : 0u);
  EXPECT_NEAR(f.up_time, 1.6, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, DasgdCrash,
    ::testing::Values(DasgdCase{Recovery::keep, DownMessages::drop, Delivery::routed},
                      DasgdCase{Recovery::keep, DownMessages::hold, Delivery::routed},
                      DasgdCase{Recovery::initial, DownMessages::drop, Delivery::routed},
                      DasgdCase{Recovery::initial, DownMessages::hold, Delivery::routed},
                      DasgdCase{Recovery::keep, DownMessages::hold, Delivery::flooding},
                      DasgdCase{Recovery::keep, DownMessages::drop, Delivery::neighbours}));

// Gossip, η = 0 (averaging only), two nodes starting at a and b; node 1 down over [0.5, 2.5). Node 0
// pushes a at 1 and 2 (arrivals 1.1, 2.1: node 1 is down); node 1 never pushes before 2.5. At 2.6:
//   keep: b   initial: x0   neighbour: a (node 0's model, which never changed)
//   with hold, the two held copies of a are merged at 2.5: keep (((b + a)/2 + a)/2), neighbour a.
struct GossipCase {
  Recovery recovery;
  DownMessages messages;
};
class GossipCrash : public ::testing::TestWithParam<GossipCase> {};

TEST_P(GossipCrash, HandWorkedRecoveryRulesAndTokenAccounting) {
  const GossipCase c = GetParam();
  auto w = make_world(generate::complete(2), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  NodeFaultSpec spec;
  spec.schedule = {{1, 0.5, 2.5}};
  spec.recovery = c.recovery;
  spec.messages = c.messages;
  NodeAvailability availability(spec, 2, 1, nullptr);
  w->world.availability = &availability;
  auto recorder = testing::make_recorder(*w, 0.1);
  GossipSgd algorithm(w->world, GossipSgdParams{0.0, 32}, recorder.get());
  const Vector a = Vector::Constant(2, 1.0), b = Vector::Constant(2, -3.0);
  algorithm.set_model(0, a);
  algorithm.set_model(1, b);
  Simulator simulator;
  availability.start(simulator);
  algorithm.start(simulator);
  simulator.run_until(algorithm, 2.6);
  Vector expected = c.recovery == Recovery::keep ? b : c.recovery == Recovery::initial ? w->objective->initial_point() : a;
  if (c.messages == DownMessages::hold) expected = 0.5 * (0.5 * (expected + a) + a);
  EXPECT_LT((algorithm.model(1) - expected).norm(), 1e-15);
  EXPECT_EQ(availability.counters(2.6)[1].dropped, c.messages == DownMessages::drop ? 2u : 0u);
  EXPECT_EQ(availability.counters(2.6)[1].held, c.messages == DownMessages::hold ? 2u : 0u);
  // Every pushed snapshot is merged or dropped once the world drains.
  algorithm.stop_computing();
  simulator.run(algorithm);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Rules, GossipCrash,
                         ::testing::Values(GossipCase{Recovery::keep, DownMessages::drop},
                                           GossipCase{Recovery::keep, DownMessages::hold},
                                           GossipCase{Recovery::initial, DownMessages::drop},
                                           GossipCase{Recovery::neighbour, DownMessages::drop},
                                           GossipCase{Recovery::neighbour, DownMessages::hold}));

// AD-PSGD, two nodes, node 1 gone for good at 0.5, timeout 0.4: node 0 completes at 1, locks itself
// and sends x_0 to node 1 (arrives 1.1, dropped: exchange aborted); at 1.5 it gives up, applies its
// gradient unaveraged, and computes again (done at 2.5).
TEST(AdpsgdCrash, InitiatorGivesUpAfterTheTimeoutAndAppliesItsGradientAlone) {
  const double eta = 0.1;
  auto w = make_world(generate::complete(2), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  NodeFaultSpec spec;
  spec.schedule = {{1, 0.5, kInf}};
  spec.timeout = 0.4;
  NodeAvailability availability(spec, 2, 1, nullptr);
  w->world.availability = &availability;
  auto recorder = testing::make_recorder(*w, eta);
  Adpsgd algorithm(w->world, AdpsgdParams{eta, 32}, recorder.get());
  Simulator simulator;
  availability.start(simulator);
  algorithm.start(simulator);
  const Vector x0 = w->objective->initial_point();
  simulator.run_until(algorithm, 1.45);
  EXPECT_EQ(algorithm.model(0), x0);  // frozen: its gradient waits for the exchange
  EXPECT_EQ(algorithm.exchanges_aborted(), 1u);
  simulator.run_until(algorithm, 1.55);
  Vector g(2);
  w->objective->gradient(x0, g);
  EXPECT_LT((algorithm.model(0) - (x0 - eta * g)).norm(), 1e-15);
  EXPECT_EQ(algorithm.locks_held(), 0u);
  simulator.run_until(algorithm, 2.55);
  EXPECT_EQ(algorithm.gradients_of(0), 2u);
  EXPECT_EQ(algorithm.gradients_of(1), 0u);  // its first computation was lost at 0.5
  algorithm.stop_computing();
  simulator.run(algorithm);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
}

// Parameter server, 1 worker, compute 1, latency 0.1: pull lands at 0.1, push at 1.2, while the
// server is down over [1.15, 2.0). Drop: the push is lost, the server owes the worker a model and
// sends it at 2.0. Hold: the push is applied at 2.0 and answered. Either way the worker computes
// again over [2.1, 3.1] and its second push lands at 3.2.
TEST(ParameterServerCrash, ServerCrashLosesOrHoldsThePushAndRepliesAtRecovery) {
  for (const DownMessages rule : {DownMessages::drop, DownMessages::hold}) {
    auto w = make_world(generate::star(2), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.1}));
    NodeFaultSpec spec;
    spec.schedule = {{0, 1.15, 2.0}};
    spec.messages = rule;
    FaultLog log;
    NodeAvailability availability(spec, 2, 1, &log);
    w->world.availability = &availability;
    ParameterServerParams params;
    params.eta = 0.1;
    ParameterServer algorithm(w->world, params, nullptr);
    Simulator simulator;
    availability.start(simulator);
    algorithm.start(simulator);
    simulator.run_until(algorithm, 2.05);
    EXPECT_EQ(algorithm.server_version(), rule == DownMessages::hold ? 1u : 0u);
    simulator.run_until(algorithm, 3.25);
    EXPECT_EQ(algorithm.gradients_completed(), 2u);
    EXPECT_EQ(algorithm.server_version(), rule == DownMessages::hold ? 2u : 1u);
    ASSERT_GE(log.records().size(), 2u);
    EXPECT_EQ(log.records()[0].kind, FaultKind::server_down);
    EXPECT_EQ(log.records()[1].kind, FaultKind::server_up);
  }
}

// n_w workers of which k are gone from t = 0: the n_w − k live ones, always busy with zero latency,
// see τ_avg → n_w − k − 1 (the fault-free closed form on the survivors; same slack as there).
TEST(ParameterServerCrash, MeanDelayWithKWorkersDownIsLiveWorkersMinusOne) {
  const std::size_t workers = 8, down = 3;
  auto w = make_world(generate::star(workers + 1), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.0}), 7);
  NodeFaultSpec spec;
  for (NodeId i = 1; i <= down; ++i) spec.schedule.push_back({i, 0.0, kInf});
  NodeAvailability availability(spec, workers + 1, 1, nullptr);
  w->world.availability = &availability;
  ParameterServerParams params;
  params.eta = 0.01;
  ParameterServer algorithm(w->world, params, nullptr);
  Simulator simulator;
  availability.start(simulator);
  testing::run_gradients(algorithm, simulator, 20000);
  algorithm.stop_computing();
  simulator.run(algorithm);
  const double live = static_cast<double>(workers - down);
  const double slack = live * live / (2.0 * static_cast<double>(algorithm.server_version()));
  EXPECT_NEAR(algorithm.delay_mean(), live - 1.0, slack + 1e-12);
  for (NodeId i = 1; i <= down; ++i) EXPECT_EQ(algorithm.gradients_of(i), 0u);
}

// --- Whole runs ----------------------------------------------------------------------------------
nlohmann::json small_run(const std::string& algorithm, const nlohmann::json& nodes_faults) {
  nlohmann::json config = {
      {"name", "faults"},
      {"seed", 5},
      {"graph", {{"kind", algorithm == "parameter_server" ? "star" : "ring"}, {"nodes", 6}}},
      {"compute", {{"time", {{"law", "exponential"}, {"mean", 1.0}}}}},
      {"link", {{"latency", 0.1}}},
      {"objective", {{"kind", "separable_cosine"}, {"dimension", 3}}},
      {"algorithm", {{"name", algorithm}, {"eta", 0.05}}},
      {"stop", {{"time", 30.0}, {"drain", true}}},
      {"faults", {{"nodes", nodes_faults}}}};
  return config;
}

TEST(NodeFaultRuns, EveryAlgorithmAndProcessRunsToCompletion) {
  const std::string trace = ::testing::TempDir() + "faults_run_" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out(trace);
    out << "node,down_at,up_at\n0,2,5\n2,0,3\n3,4,\n";
  }
  const std::vector<nlohmann::json> processes = {
      {{"renewal", {{"up", {{"law", "exponential"}, {"mean", 3.0}}}, {"down", 1.0}}}},
      {{"renewal", {{"up", 4.0}, {"down", {{"law", "uniform"}, {"low", 0.5}, {"high", 2}}}, {"fraction", 0.5}}}},
      {{"schedule", {{{"node", 1}, {"down_at", 0.0}, {"up_at", 4.0}}, {{"node", 0}, {"down_at", 3.0}, {"up_at", 6.0}},
                     {{"node", 4}, {"down_at", 5.0}}}}},
      {{"trace", trace}}};
  for (const std::string algorithm :
       {"dasgd", "sparsified_asgd", "gossip_sgd", "parameter_server", "adpsgd", "minibatch_sgd", "local_sgd", "dpsgd"}) {
    for (const std::string messages : {"drop", "hold"}) {
      if (algorithm == "adpsgd" && messages == "hold") continue;
      for (nlohmann::json process : processes) {
        process["messages"] = messages;
        if (algorithm == "adpsgd" || algorithm == "minibatch_sgd") process["timeout"] = 0.5;
        if (algorithm == "gossip_sgd" || algorithm == "adpsgd" || algorithm == "local_sgd" || algorithm == "dpsgd")
          process["recovery"] = "neighbour";
        nlohmann::json run = small_run(algorithm, process);
        if (algorithm == "local_sgd") run["algorithm"]["local_steps"] = 3;
        if (algorithm == "sparsified_asgd") {
          run["algorithm"]["k"] = 1;
          run["algorithm"]["error_feedback"] = true;
        }
        const RunConfig config = parse_run_config(run, "x.json");
        const RunResult result = run_experiment(config);
        EXPECT_EQ(result.status, RunStatus::completed) << algorithm << " " << process.dump();
        EXPECT_GT(result.gradients, 0u) << algorithm << " " << process.dump();
        EXPECT_FALSE(result.fault_log.empty()) << algorithm << " " << process.dump();
        EXPECT_EQ(result.live_nodes.size(), result.samples.size());
        if (algorithm != "dasgd" && algorithm != "gossip_sgd") continue;
        // The same process on a time-varying graph (a matching re-drawn every 0.5 s).
        run["graph"]["dynamic"] = {{"kind", "random_matching"}, {"period", 0.5}};
        const RunResult dynamic = run_experiment(parse_run_config(run, "x.json"));
        EXPECT_EQ(dynamic.status, RunStatus::completed) << algorithm << " dynamic " << process.dump();
        EXPECT_GT(dynamic.gradients, 0u) << algorithm << " dynamic " << process.dump();
      }
    }
  }
  std::remove(trace.c_str());
}

// graph.dynamic with node faults: refused at /faults/nodes for the algorithms whose timeout or round
// rules are defined on the static graph (AD-PSGD and sparsified ASGD here), under every generated dynamic kind
// (docs/FAULTS.md); DASGD and gossip SGD take both (tests/dynamic_node_faults_test.cpp).
TEST(NodeFaultRuns, TimeVaryingGraphWithNodeFaultsIsRefusedWithThePath) {
  const nlohmann::json process = {{"renewal", {{"up", 3.0}, {"down", 1.0}}}, {"timeout", 0.5}};
  for (const std::string algorithm : {"adpsgd", "sparsified_asgd"}) {
    for (const char* dynamic : {R"({"kind": "random_matching", "period": 1})", R"({"kind": "one_peer_exponential", "period": 1})",
                                R"({"kind": "markov", "on_rate": 1, "off_rate": 1, "period": 1})"}) {
      nlohmann::json config = small_run(algorithm, process);
      if (algorithm == "sparsified_asgd") config["algorithm"]["k"] = 1;
      config["graph"]["dynamic"] = nlohmann::json::parse(dynamic);
      try {
        parse_run_config(config, "x.json");
        ADD_FAILURE() << algorithm << " accepted node faults on " << dynamic;
      } catch (const ConfigError& e) {
        EXPECT_EQ(e.path(), "/faults/nodes") << algorithm << " " << dynamic;
        EXPECT_NE(std::string(e.what()).find("graph.dynamic"), std::string::npos) << e.what();
      }
    }
  }
}

// Under common_random_numbers (the default) the crash timeline depends on the seed alone: every
// algorithm sees the same crashes at the same times.
TEST(NodeFaultRuns, CommonRandomNumbersGiveEveryAlgorithmTheSameCrashes) {
  const nlohmann::json process = {{"renewal", {{"up", {{"law", "exponential"}, {"mean", 3.0}}}, {"down", 1.0}}},
                                  {"timeout", 0.5}};
  std::vector<std::vector<FaultRecord>> timelines;
  for (const std::string algorithm : {"dasgd", "gossip_sgd", "adpsgd"}) {
    nlohmann::json config = small_run(algorithm, process);
    config["stop"] = {{"time", 30.0}};
    timelines.push_back(run_experiment(parse_run_config(config, "x.json")).fault_log.records());
  }
  ASSERT_GT(timelines[0].size(), 10u);
  for (std::size_t a = 1; a < timelines.size(); ++a) {
    ASSERT_EQ(timelines[a].size(), timelines[0].size());
    for (std::size_t k = 0; k < timelines[0].size(); ++k) {
      EXPECT_EQ(timelines[a][k].time, timelines[0][k].time);
      EXPECT_EQ(timelines[a][k].node, timelines[0][k].node);
      EXPECT_EQ(timelines[a][k].kind, timelines[0][k].kind);
    }
  }
}

TEST(NodeFaultRuns, EveryNodeGoneForGoodEndsWithNoLiveNodes) {
  nlohmann::json process = {{"schedule", nlohmann::json::array()}};
  for (int i = 0; i < 6; ++i) process["schedule"].push_back({{"node", i}, {"down_at", 1.0 + i}});
  nlohmann::json config = small_run("dasgd", process);
  config["stop"] = {{"gradients", 1000000}};
  const RunResult result = run_experiment(parse_run_config(config, "x.json"));
  EXPECT_EQ(result.status, RunStatus::no_live_nodes);
  EXPECT_EQ(result.stop_reason, RunStopReason::no_live_nodes);
  EXPECT_DOUBLE_EQ(result.end_time, 6.0);
  EXPECT_EQ(result.live_nodes.back(), 0u);
}

// Faults on move no compute or latency draw: a schedule whose only outage starts after the run's end
// gives the same run as no faults at all.
TEST(NodeFaultRuns, AnOutageAfterTheEndChangesNothing) {
  nlohmann::json config = small_run("gossip_sgd", {{"schedule", {{{"node", 1}, {"down_at", 1000.0}}}}});
  const RunResult with = run_experiment(parse_run_config(config, "x.json"));
  config.erase("faults");
  const RunResult without = run_experiment(parse_run_config(config, "x.json"));
  EXPECT_EQ(with.gradients, without.gradients);
  EXPECT_EQ(with.events, without.events);
  EXPECT_EQ(with.samples.back().f_average, without.samples.back().f_average);
}

}  // namespace
}  // namespace dasgd
