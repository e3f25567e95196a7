// The run's tables against numbers known independently. staleness_windows.csv's steady_state row
// carries exactly summary.json's steady_state figures.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace dasgd
