// Per-node initial models (config "initial_models") against independently known numbers: with
// η = 0, D-PSGD's models after k rounds are X0 Wᵏ, so the consensus distance is
// (1/n)‖X0 (Wᵏ − J/n)‖²_F (Wᵏ by Eigen here); pairwise averaging (AD-PSGD) and full averaging
// (local SGD) keep the node average once no exchange is half done; DASGD with η = 0 never moves a model; the parameter server
// hands node 0's model to every worker; a law's draws are keyed by (node, coordinate), so a larger
// graph keeps the smaller one's models; n·d lists, d lists and CSV files give the same matrices.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "sim/algorithms/adpsgd.hpp"
#include "sim/algorithms/dpsgd.hpp"
#include "sim/config/run_config.hpp"
#include "sim/metrics/convergence_recorder.hpp"
#include "sim/run/experiment.hpp"
#include "tests/test_world.hpp"
#include "topologies/mixing.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

json base(const std::string& algorithm, const std::string& graph, int nodes) {
  return json::parse(R"({"seed": 7, "graph": {"kind": ")" + graph + R"(", "nodes": )" + std::to_string(nodes) + R"(},
    "compute": {"time": 1.0}, "link": {"latency": 0.1},
    "objective": {"kind": "separable_cosine", "dimension": 3},
    "algorithm": {"name": ")" + algorithm + R"(", "eta": 0},
    "initial_models": {"law": "normal", "mean": 1, "std": 2},
    "stop": {"gradients": 400}, "record": {"per_gradient": false}})");
}

RunConfig parse(json document) { return parse_run_config(std::move(document), "initial_models_test.json"); }

struct Built {
  RunConfig config;
  std::unique_ptr<testing::TestWorld> w;
  Eigen::MatrixXd start;
  std::unique_ptr<Algorithm> algorithm;
};

Built build(json document) {
  Built b;
  b.config = parse(std::move(document));
  b.w = testing::make_world(build_topology(b.config.graph, b.config.seed), b.config.objective, b.config.compute,
                            b.config.link, b.config.seed);
  b.start = build_initial_models(*b.config.initial_models, b.w->topology.num_nodes(), b.config.objective.dimension,
                                 b.config.seed);
  b.w->world.initial_models = &b.start;
  b.algorithm = b.config.algorithm.build(b.w->world, nullptr);
  return b;
}

Eigen::MatrixXd models_of(const Algorithm& algorithm) {
  Eigen::MatrixXd X(algorithm.model(0).size(), static_cast<Eigen::Index>(algorithm.num_nodes()));
  for (NodeId i = 0; i < algorithm.num_nodes(); ++i) X.col(i) = algorithm.model(i);
  return X;
}

double consensus(const Eigen::MatrixXd& X) {
  const Vector mean = X.rowwise().mean();
  return (X.colwise() - mean).squaredNorm() / static_cast<double>(X.cols());
}

TEST(InitialModels, DpsgdWithZeroStepHasConsensusOfX0TimesWToTheKMinusJOverN) {
  Built b = build(base("dpsgd", "ring", 8));
  auto& dpsgd = dynamic_cast<Dpsgd&>(*b.algorithm);
  const Eigen::MatrixXd W = Eigen::MatrixXd(mixing_matrix(b.w->topology, MixingRule::metropolis_hastings));
  const Eigen::MatrixXd J = Eigen::MatrixXd::Constant(8, 8, 1.0 / 8.0);
  Simulator simulator;
  dpsgd.start(simulator);
  EXPECT_EQ(models_of(dpsgd), b.start);
  Eigen::MatrixXd Wk = Eigen::MatrixXd::Identity(8, 8);
  for (std::uint64_t k = 1; k <= 12; ++k) {
    simulator.run_while(dpsgd, [&] { return dpsgd.rounds_completed() < k; });
    Wk = (Wk * W).eval();
    const double expected = (b.start * (Wk - J)).squaredNorm() / 8.0;
    EXPECT_NEAR(consensus(models_of(dpsgd)), expected, 1e-12 * consensus(b.start)) << "round " << k;
  }
  EXPECT_GT(consensus(b.start), 1.0);  // normal(1, 2) starts: there is disagreement to average
}

TEST(InitialModels, PairwiseAndFullAveragingKeepTheNodeAverage) {
  for (const char* name : {"adpsgd", "local_sgd"}) {
    json document = base(name, "ring", 8);
    if (std::string(name) == "local_sgd") document["algorithm"]["local_steps"] = 3;
    Built b = build(document);
    Simulator simulator;
    testing::run_gradients(*b.algorithm, simulator, 400);
    // Drained: an AD-PSGD exchange whose reply is in flight has moved only one endpoint so far
    // (the pair's sum is restored when the reply lands).
    b.algorithm->stop_computing();
    simulator.run_while(*b.algorithm, [] { return true; });
    const Vector before = b.start.rowwise().mean();
    const Vector after = models_of(*b.algorithm).rowwise().mean();
    EXPECT_LT((after - before).norm(), 1e-13 * before.norm()) << name;
    EXPECT_LT(consensus(models_of(*b.algorithm)), 1e-3 * consensus(b.start)) << name << ": averaging averaged";
  }
}

TEST(InitialModels, DasgdWithZeroStepNeverMovesAModel) {
  Built b = build(base("dasgd", "ring", 6));
  Simulator simulator;
  testing::run_gradients(*b.algorithm, simulator, 300);
  EXPECT_EQ(models_of(*b.algorithm), b.start);
}

TEST(InitialModels, ParameterServerStartsFromNodeZerosModelAndHandsItToEveryWorker) {
  Built b = build(base("parameter_server", "star", 5));
  Simulator simulator;
  testing::run_gradients(*b.algorithm, simulator, 100);
  for (NodeId i = 0; i < 5; ++i) EXPECT_EQ(b.algorithm->model(i), b.start.col(0)) << "node " << i;
}

TEST(InitialModels, MinibatchSgdStartsFromTheirMean) {
  Built b = build(base("minibatch_sgd", "ring", 4));
  const Vector mean = b.start.rowwise().mean();
  for (NodeId i = 0; i < 4; ++i) EXPECT_EQ(b.algorithm->model(i), mean);
}

TEST(InitialModels, LawDrawsAreKeyedByNodeAndCoordinate) {
  const RunConfig config = parse(base("dasgd", "ring", 8));
  const Eigen::MatrixXd small = build_initial_models(*config.initial_models, 5, 3, 7);
  const Eigen::MatrixXd large = build_initial_models(*config.initial_models, 9, 3, 7);
  EXPECT_EQ(large.leftCols(5), small);
  EXPECT_NE(build_initial_models(*config.initial_models, 5, 3, 8), small);  // another seed, other draws
  InitialModelSpec uniform;
  uniform.law = CoordinateLaw{CoordinateLaw::Kind::uniform, -1.0, 3.0};
  const Eigen::MatrixXd u = build_initial_models(uniform, 200, 5, 1);
  EXPECT_GE(u.minCoeff(), -1.0);
  EXPECT_LT(u.maxCoeff(), 3.0);
  EXPECT_NEAR(u.mean(), 1.0, 0.15);  // 1000 draws of U(-1, 3): s.d. of the mean 0.037
}

TEST(InitialModels, ListsOfEveryModelOneModelAndCsvFilesGiveTheSameMatrix) {
  json per_node = base("dasgd", "ring", 3);
  per_node["initial_models"] = json::parse(R"({"values": [1, 2, 3, 4, 5, 6, 7, 8, 9.5]})");
  const RunConfig listed = parse(per_node);
  Eigen::MatrixXd expected(3, 3);
  expected << 1, 4, 7, 2, 5, 8, 3, 6, 9.5;
  EXPECT_EQ(build_initial_models(*listed.initial_models, 3, 3, 1), expected);

  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "dasgd_initial_models_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "x0.csv") << "# one line per node\n1,2,3\n\n4, 5, 6\n7,8,9.5\n";
  json filed = per_node;
  filed["initial_models"] = json{{"file", "x0.csv"}};
  const RunConfig from_file = parse_run_config(filed, (dir / "c.json").string());
  EXPECT_EQ(build_initial_models(*from_file.initial_models, 3, 3, 1), expected);
  std::filesystem::remove_all(dir);

  json all = per_node;
  all["initial_models"] = json::parse(R"({"values": [1, 2, 3]})");  // one model for every node
  const Eigen::MatrixXd m = build_initial_models(*parse(all).initial_models, 4, 3, 1);
  for (Eigen::Index i = 0; i < 4; ++i) EXPECT_EQ(m.col(i), (Vector(3) << 1, 2, 3).finished());
}

TEST(InitialModels, ARunStartsItsVirtualSequenceAndGapAtTheirMean) {
  json document = base("dpsgd", "ring", 8);
  document["output"] = json{{"directory", "unused"}};
  const RunConfig config = parse(document);
  const RunResult result = run_experiment(config);
  auto w = testing::make_world(build_topology(config.graph, config.seed), config.objective, config.compute,
                               config.link, config.seed);
  const Eigen::MatrixXd start = build_initial_models(*config.initial_models, 8, 3, config.seed);
  EXPECT_DOUBLE_EQ(result.initial_f, w->objective->value(start.rowwise().mean()));
  ASSERT_FALSE(result.samples.empty());
  EXPECT_NEAR(result.samples.front().consensus, consensus(start), 1e-12 * consensus(start));
  EXPECT_LT(result.samples.back().consensus, 1e-6 * consensus(start));  // 50 rounds of mixing
}

}  // namespace
}  // namespace dasgd
