// Every runnable example in configs/ is run and its outputs checked, like SimGrid's pinned examples:
// the files are all there with their headers, the run completed, staleness is consistent, and the
// headline figures equal the pinned ones in tests/data/config_expectations.json (same seed, same
// config: same numbers). After a deliberate change, re-pin with:
//   build/dasgd run configs/X.json -q --out /tmp/X && read S_avg, S_max, gradients from summary.json
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

#include "tests/cli_support.hpp"

namespace dasgd {
namespace {

using testing::fresh_directory;
using testing::read_file;
using testing::run_cli;

// configs/*.json and the fault study's base configs configs/study/*.json (named "study/X").
std::vector<std::string> example_configs() {
  std::vector<std::string> names;
  const auto configs = std::filesystem::path(DASGD_SOURCE_DIR) / "configs";
  for (const auto& entry : std::filesystem::directory_iterator(configs))
    if (entry.is_regular_file() && entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  for (const auto& entry : std::filesystem::directory_iterator(configs / "study"))
    if (entry.is_regular_file() && entry.path().extension() == ".json") names.push_back("study/" + entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

nlohmann::json expectations() {
  return nlohmann::json::parse(read_file(std::filesystem::path(DASGD_SOURCE_DIR) / "tests/data/config_expectations.json"));
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

class ExampleConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleConfig, RunsAndWritesCompleteConsistentPinnedResults) {
  const std::string name = GetParam();
  std::string flat = name;
  std::replace(flat.begin(), flat.end(), '/', '_');
  const auto dir = fresh_directory("config-" + flat);
  const auto r = run_cli("run configs/" + name + ".json -q --out " + dir.string(), flat);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"config.json", "summary.json", "timing.json", "metrics.csv", "staleness_hist.csv",
                           "staleness_windows.csv", "nodes.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir / file)) << file;
  EXPECT_EQ(first_line(read_file(dir / "metrics.csv")).substr(0, 22), "time,gradients,events,");
  EXPECT_EQ(first_line(read_file(dir / "staleness_hist.csv")), "quantity,value,count");
  EXPECT_EQ(first_line(read_file(dir / "nodes.csv")).substr(0, 12), "node,degree,");
  const auto summary = nlohmann::json::parse(read_file(dir / "summary.json"));
  EXPECT_EQ(summary["status"], "completed");
  const auto& st = summary["staleness"];
  ASSERT_TRUE(st["S_avg"].is_number());
  EXPECT_LE(st["S_avg"].get<double>(), st["S_hat_avg"].get<double>() + 1e-12);  // S_t <= S_hat_t
  EXPECT_LE(st["S_max"].get<std::int64_t>(), st["S_hat_max"].get<std::int64_t>());
  EXPECT_TRUE(st["definitions"].contains("S_t"));
  // The envelopes bound an expectation. ef_study_no_ef (Top-k without error feedback) sits on its
  // Q-form envelope: over 40 seeds the measured mean ||grad f(x_t)||^2 is 33.1 +- 0.3 against a
  // bound of about 32.9 (32.1 +- 0.4 with the Box-Muller noise before the ziggurat), so a single
  // seed may exceed it. Whether the Q form covers compression error is open (docs/BENCHMARKS.md).
  if (name != "ef_study_no_ef") {
    EXPECT_TRUE(summary["bound_violations"].empty()) << summary["bound_violations"].dump();
  }
  const auto pinned = expectations();
  ASSERT_TRUE(pinned.contains(name)) << "configs/" << name << ".json has no pinned figures in "
                                     << "tests/data/config_expectations.json: got gradients "
                                     << summary["run"]["gradients"] << ", S_max " << st["S_max"]
                                     << ", S_avg " << st["S_avg"];
  EXPECT_EQ(summary["run"]["gradients"], pinned[name]["gradients"]);
  EXPECT_EQ(st["S_max"], pinned[name]["S_max"]);
  EXPECT_NEAR(st["S_avg"].get<double>(), pinned[name]["S_avg"].get<double>(), 1e-9);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Configs, ExampleConfig, ::testing::ValuesIn(example_configs()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '/', '_');
                           return name;
                         });

}  // namespace
}  // namespace dasgd
