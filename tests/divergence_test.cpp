// Divergence as a defined outcome (docs/OUTCOMES.md): the rule against hand-worked numbers, and a
// diverging run of every registered algorithm (a big step on a noiseless quadratic), each ending
// with status "diverged", exit code 3, a consistent set of files in which the rule is re-checked
// independently from metrics.csv, and no gradients-to-epsilon figure or bound verdict.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/config/algorithm_config.hpp"
#include "sim/metrics/divergence.hpp"
#include "sim/result/run_status.hpp"
#include "tests/cli_support.hpp"
#include "tests/run_directory_support.hpp"

namespace dasgd {
namespace {

using nlohmann::json;
using testing::expect_consistent_run_directory;
using testing::fresh_directory;
using testing::read_json;
using testing::run_cli;

ConvergenceSample sample_with_f(double f) {
  ConvergenceSample s;
  s.time = 2.5;
  s.gradients = 40;
  s.f_average = f;
  s.grad_sq_average = 1;
  return s;
}

TEST(DivergenceRule, GapAboveFactorTimesStartGapWithKnownOptimum) {
  // f* = -2, f(x_0) = 3: start gap 5, factor 1e6, threshold gap 5e6, so f = 5e6 - 2 is the edge.
  const DivergenceRule rule = make_divergence_rule(1e6, -2.0, 3.0);
  EXPECT_DOUBLE_EQ(rule.initial_gap, 5.0);
  EXPECT_DOUBLE_EQ(rule.threshold(), 5e6);
  EXPECT_FALSE(check_divergence(rule, sample_with_f(5e6 - 2.0)));
  const auto event = check_divergence(rule, sample_with_f(5e6 - 1.0));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->time, 2.5);
  EXPECT_EQ(event->gradients, 40u);
  EXPECT_EQ(event->f_average, 5e6 - 1.0);
  EXPECT_NE(event->reason.find("5000001"), std::string::npos) << event->reason;
}

TEST(DivergenceRule, UnknownOptimumUsesFItself) {
  const DivergenceRule rule = make_divergence_rule(10, std::nullopt, 4.0);
  EXPECT_DOUBLE_EQ(rule.threshold(), 40.0);
  EXPECT_FALSE(check_divergence(rule, sample_with_f(40.0)));
  EXPECT_TRUE(check_divergence(rule, sample_with_f(40.5)));
  EXPECT_NE(rule.describe().find("f* unknown"), std::string::npos);
}

TEST(DivergenceRule, StartAtTheOptimumUsesAUnitGap) {
  // x_0 = x*: a zero start gap would make every rounding error "divergence".
  const DivergenceRule rule = make_divergence_rule(100, 1.0, 1.0);
  EXPECT_DOUBLE_EQ(rule.initial_gap, 1.0);
  EXPECT_FALSE(check_divergence(rule, sample_with_f(1.0 + 100.0)));
  EXPECT_TRUE(check_divergence(rule, sample_with_f(1.0 + 100.5)));
}

TEST(DivergenceRule, AnythingNotFiniteDiverges) {
  const DivergenceRule rule = make_divergence_rule(1e6, 0.0, 1.0);
  ConvergenceSample s = sample_with_f(0.5);
  s.consensus = std::nan("");
  const auto event = check_divergence(rule, s);
  ASSERT_TRUE(event);
  EXPECT_NE(event->reason.find("not finite"), std::string::npos);
  EXPECT_TRUE(check_divergence(rule, sample_with_f(INFINITY)));
  EXPECT_FALSE(check_divergence(rule, sample_with_f(0.5)));
}

// metrics.csv as rows of named doubles.
std::vector<std::map<std::string, double>> read_metrics(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream h(line);
  for (std::string cell; std::getline(h, cell, ',');) header.push_back(cell);
  std::vector<std::map<std::string, double>> rows;
  while (std::getline(in, line)) {
    std::stringstream r(line);
    std::map<std::string, double> row;
    std::size_t k = 0;
    for (std::string cell; std::getline(r, cell, ',') && k < header.size(); ++k) row[header[k]] = std::stod(cell);
    rows.push_back(row);
  }
  return rows;
}

struct DivergingCase {
  std::string label;
  json algorithm;
  json graph;
};

// One case per registered algorithm (and the single-node and one-worker shapes the writer used
// to crash on): eta far above 2/L = 2 on a noiseless quadratic with L = 1.
std::vector<DivergingCase> diverging_cases() {
  const json ring = {{"kind", "ring"}, {"nodes", 4}};
  return {
      {"dasgd", {{"name", "dasgd"}, {"eta", 40}}, ring},
      {"dasgd_flooding", {{"name", "dasgd"}, {"eta", 40}, {"delivery", "flooding"}}, ring},
      {"dasgd_single_node", {{"name", "dasgd"}, {"eta", 40}}, {{"kind", "complete"}, {"nodes", 1}}},
      {"parameter_server", {{"name", "parameter_server"}, {"eta", 40}}, {{"kind", "star"}, {"nodes", 5}}},
      {"parameter_server_one_worker", {{"name", "parameter_server"}, {"eta", 40}}, {{"kind", "star"}, {"nodes", 2}}},
      {"adpsgd", {{"name", "adpsgd"}, {"eta", 40}}, ring},
      {"gossip_sgd", {{"name", "gossip_sgd"}, {"eta", 40}}, ring},
      {"minibatch_sgd", {{"name", "minibatch_sgd"}, {"eta", 40}}, ring},
      {"dpsgd", {{"name", "dpsgd"}, {"eta", 40}}, ring},
      {"local_sgd", {{"name", "local_sgd"}, {"eta", 40}, {"local_steps", 2}}, ring},
      {"local_async_sgd", {{"name", "local_async_sgd"}, {"eta", 40}, {"workers", 2}, {"local_steps", 2}}, ring},
      {"sparsified_asgd", {{"name", "sparsified_asgd"}, {"eta", 40}, {"sparsifier", "top_k"}, {"k", 2}}, ring},
  };
}

TEST(DivergingRun, EveryRegisteredAlgorithmHasACase) {
  std::set<std::string> covered;
  for (const DivergingCase& c : diverging_cases()) covered.insert(c.algorithm["name"].get<std::string>());
  for (const std::string& name : algorithm_names()) EXPECT_TRUE(covered.count(name)) << name;
}

TEST(DivergingRun, EveryAlgorithmStopsAsDivergedWithExitThreeAndConsistentFiles) {
  const auto root = fresh_directory("diverging");
  for (const DivergingCase& c : diverging_cases()) {
    SCOPED_TRACE(c.label);
    const json config = {
        {"name", "diverge_" + c.label},
        {"seed", 3},
        {"graph", c.graph},
        {"compute", {{"time", {{"law", "exponential"}, {"mean", 1.0}}}}},
        {"link", {{"latency", {{"law", "constant"}, {"value", 0.1}}}}},
        {"objective", {{"kind", "quadratic"}, {"dimension", 4}, {"noise", {{"kind", "gaussian"}, {"sigma2", 0.0}}}}},
        {"algorithm", c.algorithm},
        {"stop", {{"time", 1000}}},
        {"record", {{"interval", 0.5}}},
        {"epsilon", 0.05}};
    const auto config_path = root / (c.label + ".json");
    std::ofstream(config_path) << config.dump(2);
    const auto out = root / c.label;
    const auto r = run_cli("run -q " + config_path.string() + " --out " + out.string(), c.label);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("dasgd: run diverged: "), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("BOUND VIOLATED"), std::string::npos) << r.err;

    const json manifest = expect_consistent_run_directory(out);
    EXPECT_EQ(manifest["status"], "diverged");
    const json summary = read_json(out / "summary.json");
    ASSERT_TRUE(summary.is_object());
    EXPECT_EQ(summary["status"], "diverged");
    EXPECT_EQ(summary["stop_reason"], "diverged");
    const json& d = summary["divergence"];
    ASSERT_TRUE(d.is_object()) << summary.dump();
    EXPECT_LT(d["time"].get<double>(), 1000.0);
    EXPECT_EQ(summary["run"]["end_time"], d["time"]);
    // Nothing that would pretend the run converged or met a bound.
    for (const char* key : {"virtual_sequence", "computed_at_models", "node_average"})
      EXPECT_TRUE(summary["convergence"]["gradients_to_epsilon"][key].is_null()) << key;
    EXPECT_TRUE(summary["convergence"]["mean_grad_sq_virtual"].is_null());
    EXPECT_TRUE(summary["bounds"].empty());
    EXPECT_TRUE(summary.contains("bounds_not_evaluated"));
    EXPECT_TRUE(summary["bound_violations"].empty());

    // The rule, re-checked from the files: the last metrics row is the first that breaks it.
    const auto rows = read_metrics(out / "metrics.csv");
    ASSERT_GE(rows.size(), 2u);
    const double f_star = summary["objective"]["f_star"].get<double>();
    const double threshold = 1e6 * (summary["objective"]["f_x0"].get<double>() - f_star);
    EXPECT_DOUBLE_EQ(d["threshold_gap"].get<double>(), threshold);
    for (std::size_t k = 0; k + 1 < rows.size(); ++k) {
      EXPECT_TRUE(std::isfinite(rows[k].at("f_average_model"))) << "row " << k;
      EXPECT_LE(rows[k].at("f_average_model") - f_star, threshold) << "row " << k;
    }
    const auto& last = rows.back();
    EXPECT_EQ(last.at("time"), d["time"].get<double>());
    EXPECT_EQ(last.at("gradients"), d["gradients"].get<double>());
    EXPECT_TRUE(!std::isfinite(last.at("f_average_model")) || last.at("f_average_model") - f_star > threshold);
  }
  std::filesystem::remove_all(root);
}

TEST(DivergingRun, FactorIsConfigurableAndStopsAtTheFirstRowAboveIt) {
  const auto out = fresh_directory("diverge-factor");
  const auto r = run_cli("run -q configs/quickstart.json --set objective.kind=quadratic --set algorithm.eta=2.2 "
                         "--set objective.noise.sigma2=0 --set stop.divergence_factor=10 --set stop.time=200 "
                         "--out " + out.string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const json summary = read_json(out / "summary.json");
  EXPECT_EQ(summary["divergence"]["factor"], 10.0);
  const double f_star = summary["objective"]["f_star"].get<double>();
  const double threshold = 10 * (summary["objective"]["f_x0"].get<double>() - f_star);
  const auto rows = read_metrics(out / "metrics.csv");
  ASSERT_GE(rows.size(), 2u);
  for (std::size_t k = 0; k + 1 < rows.size(); ++k) EXPECT_LE(rows[k].at("f_average_model") - f_star, threshold);
  EXPECT_GT(rows.back().at("f_average_model") - f_star, threshold);
  EXPECT_LT(rows.back().at("f_average_model") - f_star, 1e6 * threshold);  // caught long before overflow
  std::filesystem::remove_all(out);
}

TEST(DivergingRun, FactorMustExceedOne) {
  const auto out = fresh_directory("diverge-bad-factor");
  std::filesystem::remove_all(out);
  const auto r = run_cli("run -q configs/quickstart.json --set stop.divergence_factor=1 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/stop/divergence_factor: expected a number > 1, got 1"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace dasgd
