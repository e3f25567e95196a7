// Two of the run's tables against numbers known independently. staleness_windows.csv's
// steady_state row carries exactly summary.json's steady_state figures. models.csv (record.models)
// logs chosen node models at every metrics row: with η = 0 DASGD never moves a model, so each row
// holds the node's initial coordinates and their dot products with the given vectors; with η = 0
// local SGD (H = 1) every model is the average of the initial models after the first round's
// barrier. Bad node ids, coordinates and vector lengths are refused at their JSON path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <variant>
#include <vector>

#include "sim/config/run_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/output/table.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

double as_double(const CsvCell& cell) {
  return std::visit(
      [](const auto& v) -> double {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) return std::nan("");
        else return static_cast<double>(v);
      },
      cell.value());
}

const std::vector<CsvCell>& column(const ColumnTable& table, const std::string& name) {
  for (std::size_t k = 0; k < table.header().size(); ++k)
    if (table.header()[k] == name) return table.columns()[k];
  throw std::logic_error("no column " + name);
}

struct Ran {
  RunConfig config;
  RunResult result;
  TableSet tables;
};

std::unique_ptr<Ran> run(json document) {
  auto out = std::make_unique<Ran>();
  out->config = parse_run_config(std::move(document), "run_tables_test.json");
  out->result = run_experiment(out->config);
  build_run_tables(out->config, out->result, out->tables.opener(), true);
  return out;
}

TEST(SteadyStateRow, EqualsSummarySteadyState) {
  const auto ran = run(json::parse(R"({"seed": 5, "graph": {"kind": "ring", "nodes": 6},
      "compute": {"time": {"law": "exponential", "mean": 1.0}}, "link": {"latency": 0.05},
      "objective": {"kind": "quadratic", "dimension": 2}, "algorithm": {"name": "dasgd", "eta": 0.01},
      "stop": {"time": 200}, "record": {"per_gradient": false}})"));
  const json steady = run_summary(ran->config, ran->result)["steady_state"];
  ASSERT_GT(steady["count"].get<std::uint64_t>(), 0u);
  const ColumnTable* windows = ran->tables.find("staleness_windows.csv");
  ASSERT_NE(windows, nullptr);
  const std::vector<CsvCell>& kind = column(*windows, "kind");
  std::size_t found = 0, at = 0;
  for (std::size_t r = 0; r < kind.size(); ++r)
    if (std::get<std::string>(kind[r].value()) == "steady_state") ++found, at = r;
  ASSERT_EQ(found, 1u);
  EXPECT_EQ(as_double(column(*windows, "window_start")[at]), steady["warmup"].get<double>());
  EXPECT_EQ(as_double(column(*windows, "window_width")[at]), ran->result.end_time - steady["warmup"].get<double>());
  EXPECT_EQ(as_double(column(*windows, "count")[at]), steady["count"].get<double>());
  EXPECT_EQ(as_double(column(*windows, "mean")[at]), steady["S_avg"].get<double>());
  EXPECT_EQ(as_double(column(*windows, "max")[at]), steady["S_max"].get<double>());
  EXPECT_EQ(as_double(column(*windows, "mean_hat_or_delay")[at]), steady["S_hat_avg"].get<double>());
  EXPECT_EQ(as_double(column(*windows, "max_hat_or_delay")[at]), steady["S_hat_max"].get<double>());
}

// Ring of 4, d = 3, node i starts at (i + 1, 2i − 1, 0.5 i).
json consensus_world(const std::string& algorithm) {
  json values = json::array();
  for (int i = 0; i < 4; ++i) values.insert(values.end(), {i + 1.0, 2.0 * i - 1, 0.5 * i});
  return {{"seed", 2},
          {"graph", {{"kind", "ring"}, {"nodes", 4}}},
          {"compute", {{"time", 1.0}}},
          {"link", {{"latency", 0.1}}},
          {"objective", {{"kind", "quadratic"}, {"dimension", 3}}},
          {"initial_models", {{"values", values}}},
          {"algorithm", {{"name", algorithm}, {"eta", 0}}},
          {"stop", {{"time", 5}}},
          {"record", {{"interval", 0.75}, {"per_gradient", false}}}};
}

std::vector<double> start_of(int i) { return {i + 1.0, 2.0 * i - 1, 0.5 * i}; }

TEST(ModelRecord, LogsChosenCoordinatesAndProjectionsOfUnmovedModels) {
  json document = consensus_world("dasgd");
  document["record"]["models"] = {{"nodes", {3, 0}}, {"coordinates", {2, 0}},
                                  {"project", {{1, 1, 1}, {1, -2, 0.5}}}};
  const auto ran = run(document);
  const ColumnTable* models = ran->tables.find("models.csv");
  ASSERT_NE(models, nullptr);
  EXPECT_EQ(models->header(), (std::vector<std::string>{"time", "gradients", "node", "x2", "x0", "p0", "p1"}));
  const std::size_t rows = ran->result.samples.size();
  ASSERT_EQ(models->rows(), 2 * rows);
  for (std::size_t r = 0; r < models->rows(); ++r) {
    const int node = r % 2 == 0 ? 3 : 0;  // in the order given
    const std::vector<double> x = start_of(node);
    EXPECT_EQ(as_double(column(*models, "node")[r]), node);
    EXPECT_EQ(as_double(column(*models, "time")[r]), ran->result.samples[r / 2].time);
    EXPECT_EQ(as_double(column(*models, "gradients")[r]), static_cast<double>(ran->result.samples[r / 2].gradients));
    EXPECT_EQ(as_double(column(*models, "x2")[r]), x[2]);
    EXPECT_EQ(as_double(column(*models, "x0")[r]), x[0]);
    EXPECT_DOUBLE_EQ(as_double(column(*models, "p0")[r]), x[0] + x[1] + x[2]);
    EXPECT_DOUBLE_EQ(as_double(column(*models, "p1")[r]), x[0] - 2 * x[1] + 0.5 * x[2]);
  }
}

TEST(ModelRecord, LocalSgdModelsBecomeTheInitialAverageAfterTheFirstBarrier) {
  json document = consensus_world("local_sgd");
  document["algorithm"]["local_steps"] = 1;
  document["record"]["models"] = {{"nodes", "all"}};
  const auto ran = run(document);
  const ColumnTable* models = ran->tables.find("models.csv");
  ASSERT_NE(models, nullptr);
  EXPECT_EQ(models->header(), (std::vector<std::string>{"time", "gradients", "node", "x0", "x1", "x2"}));
  const std::vector<double> average{2.5, 2.0, 0.75};  // mean of (i + 1, 2i − 1, 0.5 i) over i = 0..3
  std::size_t before = 0, after = 0;
  for (std::size_t r = 0; r < models->rows(); ++r) {
    const double time = as_double(column(*models, "time")[r]);
    const int node = static_cast<int>(as_double(column(*models, "node")[r]));
    EXPECT_EQ(node, static_cast<int>(r % 4));
    const std::vector<double> expected = time < 1.0 ? start_of(node) : average;
    if (time > 1.0 && time < 2.0) continue;  // the first round's all-reduce ends in here
    (time < 1.0 ? before : after) += 1;
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(as_double(column(*models, std::array<const char*, 3>{"x0", "x1", "x2"}[k])[r]), expected[k], 1e-12)
          << "t = " << time << ", node " << node << ", x" << k;
  }
  EXPECT_EQ(before, 8u);  // rows at t = 0 and 0.75
  EXPECT_GE(after, 4u * 4u);
}

void expect_refused(json document, const std::string& path, const std::string& words) {
  try {
    parse_run_config(std::move(document), "run_tables_test.json");
    FAIL() << "accepted; expected a refusal at " << path;
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.path(), path) << error.what();
    EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
  }
}

TEST(ModelRecord, RefusesBadNodesCoordinatesAndVectorsAtTheirPath) {
  json document = consensus_world("dasgd");
  document["record"]["models"] = {{"nodes", {0, 4}}};
  expect_refused(document, "/record/models/nodes/1", "below 4");
  document["record"]["models"] = {{"nodes", {1, 1}}};
  expect_refused(document, "/record/models/nodes/1", "once");
  document["record"]["models"] = {{"nodes", json::array()}};
  expect_refused(document, "/record/models/nodes", "non-empty");
  document["record"]["models"] = {{"nodes", "some"}};
  expect_refused(document, "/record/models/nodes", "all");
  document["record"]["models"] = {{"nodes", {0}}, {"coordinates", {3}}};
  expect_refused(document, "/record/models/coordinates/0", "below 3");
  document["record"]["models"] = {{"nodes", {0}}, {"project", {{1, 2, 3}, {1, 2}}}};
  expect_refused(document, "/record/models/project/1", "length 3");
  document["record"]["models"] = {{"nodes", {0}}, {"project", {{1, "x", 3}}}};
  expect_refused(document, "/record/models/project/0/1", "a number");
  document["record"]["models"] = {{"node", {0}}};
  expect_refused(document, "/record/models/nodes", "missing required key");
  json large = consensus_world("dasgd");
  large["graph"]["nodes"] = 2000;
  large.erase("initial_models");
  large["record"]["models"] = {{"nodes", "all"}};
  expect_refused(large, "/record/models/nodes", "at most 1024 nodes");
}

TEST(ModelRecord, NodeIdsOfAGraphSizedOnlyWhenBuiltAreCheckedAtTheRun) {
  // check_model_record is what the run applies once n and d are known (a graph file, say).
  ModelRecordSpec spec;
  spec.nodes = {0, 7};
  try {
    check_model_record(spec, 5, 3);
    FAIL() << "accepted node 7 of 5";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).rfind("/record/models/nodes/1: expected a node id below 5", 0), 0u) << error.what();
  }
}

}  // namespace
}  // namespace dasgd
