// gradients.csv's tau column (the parameter server's τ_t, server updates between the worker's pull
// and the gradient's application) against independently known numbers: on a hand-worked schedule
// (constant compute times, zero latency, no ties) τ of worker i's k-th gradient is the number of
// other workers' completions strictly inside ((k−1)c_i, k c_i); with exponential compute times the
// others' completions are Poisson, so τ_i is geometric with mean m_i = E[c_i] Σ_{j≠i} μ_j and
// variance m_i(1 + m_i), and the measured mean must lie within 4 standard errors of m_i. Only the
// parameter server has the column.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/config/run_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/output/table.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

json star(const json& speeds, const json& law, const json& stop) {
  return {{"seed", 11},
          {"graph", {{"kind", "star"}, {"nodes", speeds.size()}}},
          {"compute", {{"time", law}, {"speeds", speeds}}},
          {"link", {{"latency", {{"law", "constant"}, {"value", 0.0}}}}},
          {"objective", {{"kind", "quadratic"}, {"dimension", 2}}},
          {"algorithm", {{"name", "parameter_server"}, {"eta", 0.01}}},
          {"stop", stop}};
}

RunResult run(const json& document, RunConfig* parsed = nullptr) {
  RunConfig config = parse_run_config(document, "parameter_server_tau_test.json");
  RunResult result = run_experiment(config);
  if (parsed != nullptr) *parsed = std::move(config);
  return result;
}

TEST(ParameterServerTau, IsTheOtherWorkersCompletionsInsideTheReadToWriteWindow) {
  // Workers 1, 2, 3 at c = 1, 1/1.7, 1/2.9; 12 gradients each: no two completions coincide
  // (k/1.7 = l/2.9 needs k = 17), so every window's count is unambiguous.
  const std::vector<double> c{0, 1.0, 1.0 / 1.7, 1.0 / 2.9};
  const std::uint64_t budget = 12;
  const RunResult r = run(star(json::array({1.0, 1.0, 1.7, 2.9}), {{"law", "constant"}, {"value", 1.0}},
                               {{"gradients_per_node", budget}, {"drain", true}}));
  ASSERT_EQ(r.recorder->log().size(), 3 * budget);
  std::vector<std::uint64_t> k(4, 0);
  for (const GradientLogRow& row : r.recorder->log()) {
    const NodeId i = row.node;
    const std::uint64_t kth = ++k[i];
    const double s = static_cast<double>(kth - 1) * c[i], e = static_cast<double>(kth) * c[i];
    std::uint64_t expected = 0;
    for (NodeId j = 1; j < 4; ++j) {
      if (j == i) continue;
      for (std::uint64_t m = 1; m <= budget; ++m) {
        const double at = static_cast<double>(m) * c[j];
        ASSERT_GT(std::abs(at - s), 1e-9);
        ASSERT_GT(std::abs(at - e), 1e-9);
        expected += at > s && at < e ? 1 : 0;
      }
    }
    ASSERT_TRUE(row.tau.has_value()) << "t = " << row.t;
    EXPECT_EQ(*row.tau, expected) << "t = " << row.t << ", worker " << i << "'s gradient " << kth;
    EXPECT_EQ(row.s, *row.tau) << "t = " << row.t;  // zero latency: S_t = τ_t (spec)
  }
}

TEST(ParameterServerTau, MeanPerWorkerIsItsComputeTimeTimesTheOthersRates) {
  // Workers at rates μ = 1, 2, 3, 4 (exponential, mean 1 / speed): m = 9, 4, 7/3, 3/2.
  const std::vector<double> mu{0, 1, 2, 3, 4};
  const double total = 10;
  const RunResult r = run(star(json::array({1, 1, 2, 3, 4}), {{"law", "exponential"}, {"mean", 1.0}},
                               {{"time", 5000}, {"drain", true}}));
  std::vector<double> sum(5, 0), count(5, 0);
  for (const GradientLogRow& row : r.recorder->log()) {
    ASSERT_TRUE(row.tau.has_value());
    sum[row.node] += static_cast<double>(*row.tau);
    count[row.node] += 1;
  }
  for (NodeId i = 1; i <= 4; ++i) {
    const double m = (total - mu[i]) / mu[i];
    const double standard_error = std::sqrt(m * (1 + m) / count[i]);
    EXPECT_NEAR(sum[i] / count[i], m, 4 * standard_error) << "worker " << i << " (" << count[i] << " gradients)";
  }
}

// The column as the run's tables write it: last, empty for the push the run stopped before applying.
TEST(ParameterServerTau, IsTheLastGradientsColumnOfTheParameterServerOnly) {
  RunConfig config;
  const RunResult r = run(star(json::array({1, 1, 2}), {{"law", "constant"}, {"value", 1.0}}, {{"gradients_per_node", 3}}),
                          &config);
  TableSet tables;
  build_run_tables(config, r, tables.opener(), true);
  const ColumnTable* gradients = tables.find("gradients.csv");
  ASSERT_NE(gradients, nullptr);
  ASSERT_EQ(gradients->header().back(), "tau");
  const std::vector<CsvCell>& tau = gradients->columns().back();
  ASSERT_EQ(tau.size(), 6u);
  // Worker 2 (c = 0.5) completes at 0.5, 1, 1.5; worker 1 (c = 1) at 1, 2, 3. Worker 1's last push
  // is never applied (the run stops at its completion): an empty cell.
  EXPECT_EQ(std::get<std::string>(tau.back().value()), "");
  for (std::size_t k = 0; k + 1 < tau.size(); ++k) EXPECT_FALSE(std::holds_alternative<std::string>(tau[k].value()));

  json dasgd = star(json::array({1, 1, 2}), {{"law", "constant"}, {"value", 1.0}}, {{"gradients_per_node", 3}});
  dasgd["algorithm"]["name"] = "dasgd";
  RunConfig dasgd_config;
  const RunResult d = run(dasgd, &dasgd_config);
  TableSet dasgd_tables;
  build_run_tables(dasgd_config, d, dasgd_tables.opener(), true);
  const std::vector<std::string>& header = dasgd_tables.find("gradients.csv")->header();
  EXPECT_EQ(std::find(header.begin(), header.end(), "tau"), header.end());
}

}  // namespace
}  // namespace dasgd
