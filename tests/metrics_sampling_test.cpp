// Tests for the cost-bounded default spacing of metrics rows (RecordSpec in run_config.hpp) and the
// record.staleness switch: parsed from small JSON documents, checked against the rule's closed form.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/config/run_config.hpp"

namespace dasgd {
namespace {

nlohmann::json gossip_document(int nodes, int dimension, double stop_time) {
  return nlohmann::json::parse(R"({
    "seed": 1,
    "graph": {"kind": "ring", "nodes": )" + std::to_string(nodes) + R"(},
    "compute": {"time": {"law": "exponential", "mean": 2.0}},
    "link": {"latency": 0.1},
    "objective": {"kind": "quadratic", "dimension": )" + std::to_string(dimension) + R"(},
    "algorithm": {"name": "gossip_sgd", "eta": 0.05},
    "stop": {"time": )" + std::to_string(stop_time) + R"(}
  })");
}

TEST(MetricsSampling, SmallRunsKeepTwoHundredRows) {
  // 200 · 16 · 32 = 102400 coordinates, under the 2.5·10^5 floor: interval T / 200.
  const RunConfig c = parse_run_config(gossip_document(16, 32, 200), "x.json");
  EXPECT_DOUBLE_EQ(c.record.interval, 1.0);
  EXPECT_DOUBLE_EQ(c.resolved["record"]["interval"].get<double>(), 1.0);
}

TEST(MetricsSampling, LargeRunsSpaceRowsByFiveExpectedGradientsPerNode) {
  // 200 · 1000 · 32 > 2.5·10^5: interval = max(T/200 = 0.5, 5 · mean compute 2) = 10, recorded.
  const RunConfig c = parse_run_config(gossip_document(1000, 32, 100), "x.json");
  EXPECT_DOUBLE_EQ(c.record.interval, 10.0);
  EXPECT_DOUBLE_EQ(c.resolved["record"]["interval"].get<double>(), 10.0);
  // A long run keeps T/200 when that is already coarser.
  const RunConfig longer = parse_run_config(gossip_document(1000, 32, 10000), "x.json");
  EXPECT_DOUBLE_EQ(longer.record.interval, 50.0);
}

TEST(MetricsSampling, GradientStoppedRunsSpaceRowsByFiveGradientsPerNode) {
  nlohmann::json d = gossip_document(1000, 32, 100);
  d["stop"] = {{"gradients", 100000}};
  const RunConfig c = parse_run_config(d, "x.json");
  EXPECT_EQ(c.record.every_gradients, 5000u);  // max(100000 / 200, 5 · 1000)
}

TEST(MetricsSampling, ExplicitIntervalIsKept) {
  nlohmann::json d = gossip_document(1000, 32, 100);
  d["record"] = {{"interval", 0.5}};
  EXPECT_DOUBLE_EQ(parse_run_config(d, "x.json").record.interval, 0.5);
}

TEST(MetricsSampling, StalenessOffTurnsGradientLogOffAndRefusesItExplicitly) {
  nlohmann::json d = gossip_document(16, 32, 200);
  const RunConfig on = parse_run_config(d, "x.json");
  EXPECT_TRUE(on.record.staleness);
  EXPECT_TRUE(on.record.per_gradient);
  EXPECT_FALSE(on.resolved["record"].contains("staleness"));  // old configs resolve unchanged
  d["record"] = {{"staleness", false}};
  const RunConfig off = parse_run_config(d, "x.json");
  EXPECT_FALSE(off.record.staleness);
  EXPECT_FALSE(off.record.per_gradient);
  d["record"] = {{"staleness", false}, {"per_gradient", true}};
  EXPECT_THROW(parse_run_config(d, "x.json"), ConfigError);
  d["record"] = {{"staleness", "no"}};
  EXPECT_THROW(parse_run_config(d, "x.json"), ConfigError);
}

}  // namespace
}  // namespace dasgd
