// faults.links / faults.transport end to end (config → run): every algorithm that honours link
// faults runs to completion under every link fault process on a small world, reporting the
// S^transit / S^lost split; every other algorithm is refused with the config path; and the keys
// resolve to the processes they name.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/config/algorithm_config.hpp"
#include "sim/config/run_config.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

json small_run(const json& algorithm, const json& faults) {
  json config = json::parse(R"({
    "name": "link-faults", "seed": 3,
    "graph": {"kind": "torus", "rows": 2, "cols": 3},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": {"law": "exponential", "mean": 0.2}},
    "objective": {"kind": "separable_cosine", "dimension": 4},
    "stop": {"gradients": 120, "drain": true},
    "record": {"per_gradient": true}
  })");
  config["algorithm"] = algorithm;
  config["faults"] = faults;
  return config;
}

std::vector<std::pair<std::string, json>> fault_processes() {
  return {
      {"bernoulli", json::parse(R"({"links": {"loss": {"model": "bernoulli", "p": 0.2}}})")},
      {"gilbert_elliott", json::parse(R"({"links": {"loss": {"model": "gilbert_elliott", "good_to_bad": 0.1,
          "bad_to_good": 0.3, "loss_bad": 0.8}}})")},
      {"outage_law", json::parse(R"({"links": {"outages": {"up_time": {"law": "exponential", "mean": 2},
          "down_time": {"law": "exponential", "mean": 0.5}}}})")},
      {"outage_schedule", json::parse(R"({"links": {"outages": {"schedule": [
          {"u": 0, "v": 1, "down_at": 1, "up_at": 4}, {"u": 1, "v": 2, "down_at": 2, "up_at": null}]}}})")},
      {"reliable_bernoulli", json::parse(R"({"links": {"loss": {"model": "bernoulli", "p": 0.3}},
          "transport": {"reliable": true, "timeout": 0.6, "max_retries": 2}})")},
      {"reliable_outages", json::parse(R"({"links": {"outages": {"up_time": {"law": "exponential", "mean": 2},
          "down_time": {"law": "exponential", "mean": 0.5}}},
          "transport": {"reliable": true, "timeout": 0.6, "max_retries": 4}})")},
      {"transport_only", json::parse(R"({"transport": {"reliable": true, "timeout": 0.1, "max_retries": 1}})")},
  };
}

TEST(LinkFaultRuns, EveryHonouringAlgorithmRunsToCompletionUnderEveryLinkFaultProcess) {
  const std::vector<json> algorithms{
      json::parse(R"({"name": "dasgd", "eta": 0.01, "delivery": "routed"})"),
      json::parse(R"({"name": "dasgd", "eta": 0.01, "delivery": "flooding"})"),
      json::parse(R"({"name": "dasgd", "eta": 0.01, "delivery": "neighbours"})"),
      json::parse(R"({"name": "dasgd", "eta": 0.01, "batch": 3})"),
      json::parse(R"({"name": "gossip_sgd", "eta": 0.01})"),
      json::parse(R"({"name": "adpsgd", "eta": 0.01})")};
  for (const json& algorithm : algorithms) {
    for (const auto& [name, faults] : fault_processes()) {
      const std::string where = algorithm.dump() + " under " + name;
      const RunConfig config = parse_run_config(small_run(algorithm, faults), "c.json");
      const RunResult result = run_experiment(config);
      EXPECT_EQ(result.status, RunStatus::completed) << where;
      EXPECT_GE(result.gradients, 120u) << where;
      ASSERT_TRUE(result.link_faults) << where;
      const StalenessStatistics& stats = result.recorder->statistics();
      EXPECT_EQ(stats.s_lost().count(), stats.s().count()) << where;
      EXPECT_NEAR(stats.s_lost().mean() + stats.s_transit().mean(), stats.s().mean(), 1e-9) << where;
      EXPECT_GT(result.link_totals.sends, 0u) << where;
      if (name.find("outage") != std::string::npos) {
        EXPECT_FALSE(result.fault_log.empty()) << where << ": no link_down / link_up rows";
      }
      if (name == "transport_only") EXPECT_EQ(result.link_totals.losses, 0u) << where;
    }
  }
}

TEST(LinkFaultRuns, AlgorithmsThatCannotHonourLinkFaultsAreRefusedWithThePath) {
  for (const std::string& name : algorithm_names()) {
    if (name == "dasgd" || name == "gossip_sgd" || name == "adpsgd") continue;
    json algorithm{{"name", name}, {"eta", 0.01}};
    if (name == "local_sgd") algorithm["local_steps"] = 2;
    if (name == "sparsified_asgd") algorithm["k"] = 2;
    try {
      parse_run_config(small_run(algorithm, fault_processes()[0].second), "c.json");
      ADD_FAILURE() << name << " accepted faults.links";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.path(), "/faults/links") << name;
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

// graph.dynamic with link faults: refused at the fault key, for every algorithm that honours both
// and every link fault process (a snapshot's edges are not the base graph's, where faults live).
TEST(LinkFaultRuns, TimeVaryingGraphWithLinkFaultsIsRefusedWithThePath) {
  for (const std::string name : {"dasgd", "gossip_sgd", "adpsgd"}) {
    for (const auto& [process, faults] : fault_processes()) {
      json config = small_run(json{{"name", name}, {"eta", 0.01}}, faults);
      config["graph"] = json::parse(R"({"kind": "ring", "nodes": 6, "dynamic": {"kind": "random_matching", "period": 1}})");
      try {
        parse_run_config(config, "c.json");
        ADD_FAILURE() << name << " accepted graph.dynamic with " << process;
      } catch (const ConfigError& e) {
        EXPECT_EQ(e.path(), faults.contains("links") ? "/faults/links" : "/faults/transport") << name << " " << process;
        EXPECT_NE(std::string(e.what()).find("graph.dynamic"), std::string::npos) << e.what();
      }
    }
  }
}

// The transport can be limited to some algorithms: others run on the plain network (and, with
// no faults.links, report nothing about faults at all).
TEST(LinkFaultRuns, TransportForOtherAlgorithmsLeavesThisOneOnThePerfectNetwork) {
  const json faults = json::parse(R"({"transport": {"reliable": true, "timeout": 0.5, "algorithms": ["gossip_sgd"]}})");
  const RunConfig config = parse_run_config(small_run(json::parse(R"({"name": "minibatch_sgd", "eta": 0.01})"), faults), "c.json");
  EXPECT_FALSE(config.link_faults.active_for("minibatch_sgd"));
  EXPECT_TRUE(config.link_faults.active_for("gossip_sgd"));
  EXPECT_EQ(config.link_faults.transport.max_retries, 5u);  // the documented default
}

}  // namespace
}  // namespace dasgd
