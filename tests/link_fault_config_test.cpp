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
  const std::string name = algorithm["name"];
  if ((name == "minibatch_sgd" || name == "local_sgd" || name == "dpsgd") && faults.contains("links"))
    config["faults"]["links"]["round_timeout"] = 0.5;  // required without the reliable transport
  if (algorithm["name"] == "parameter_server") {
    // A star (node 0 the server); the outage schedule on the server's edges; a worker's wait.
    config["graph"] = {{"kind", "star"}, {"nodes", 6}};
    if (faults.contains("links")) {
      config["faults"]["links"]["reply_timeout"] = 0.5;
      if (faults["links"].contains("outages") && faults["links"]["outages"].contains("schedule"))
        config["faults"]["links"]["outages"]["schedule"][1]["u"] = 0;
    }
  }
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
      json::parse(R"({"name": "sparsified_asgd", "eta": 0.01, "k": 1, "error_feedback": true})"),
      json::parse(R"({"name": "gossip_sgd", "eta": 0.01})"),
      json::parse(R"({"name": "adpsgd", "eta": 0.01})"),
      json::parse(R"({"name": "parameter_server", "eta": 0.01})"),
      json::parse(R"({"name": "minibatch_sgd", "eta": 0.01})"),
      json::parse(R"({"name": "local_sgd", "eta": 0.01, "local_steps": 2})"),
      json::parse(R"({"name": "dpsgd", "eta": 0.01})"),
      json::parse(R"({"name": "dpsgd", "eta": 0.01, "variant": "adapt_then_combine", "overlap": false})")};
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
    if (name == "dasgd" || name == "sparsified_asgd" || name == "gossip_sgd" || name == "adpsgd" ||
        name == "parameter_server" || name == "minibatch_sgd" || name == "local_sgd" || name == "dpsgd")
      continue;
    json algorithm{{"name", name}, {"eta", 0.01}};
    if (name == "local_sgd") algorithm["local_steps"] = 2;
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
  for (const std::string name : {"dasgd", "sparsified_asgd", "gossip_sgd", "adpsgd"}) {
    for (const auto& [process, faults] : fault_processes()) {
      json algorithm{{"name", name}, {"eta", 0.01}};
      if (name == "sparsified_asgd") algorithm["k"] = 1;
      json config = small_run(algorithm, faults);
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

// The parameter server under a server crash and link loss at once: the crash rule (pushes to the
// down server dropped, models owed at recovery) and the loss rule (a lost message resumes its
// worker after reply_timeout) compose, the run drains, and every completed gradient was applied
// or counted as a lost push.
TEST(LinkFaultRuns, ParameterServerTakesNodeAndLinkFaultsTogether) {
  for (const std::string messages : {"drop", "hold"}) {
    json faults = json::parse(R"({"links": {"loss": {"model": "bernoulli", "p": 0.15}, "reply_timeout": 0.4},
        "nodes": {"schedule": [{"node": 2, "down_at": 3, "up_at": 12}, {"node": 0, "down_at": 5, "up_at": 9}]}})");
    faults["nodes"]["messages"] = messages;
    const RunConfig config =
        parse_run_config(small_run(json::parse(R"({"name": "parameter_server", "eta": 0.01})"), faults), "c.json");
    const RunResult result = run_experiment(config);
    EXPECT_EQ(result.status, RunStatus::completed) << messages;
    EXPECT_GE(result.gradients, 120u) << messages;
    double applied = 0, lost = 0;
    for (const AlgorithmFigure& f : result.figures) {
      if (f.name == "server_updates") applied = f.value;
      if (f.name == "pushes_lost") lost = f.value;
    }
    EXPECT_GT(lost, 0) << messages;
    // drop: pushes reaching the down server are neither applied nor lost on a link.
    if (messages == "hold") EXPECT_EQ(applied + lost, static_cast<double>(result.gradients));
    else EXPECT_LE(applied + lost, static_cast<double>(result.gradients));
    EXPECT_FALSE(result.fault_log.empty());
  }
}

// Without a reliable transport a lost push or reply would leave its worker waiting forever: the
// parameter server needs faults.links.reply_timeout (the transport's give-up is its signal instead).
TEST(LinkFaultRuns, ParameterServerNeedsAReplyTimeoutUnlessTheTransportIsReliable) {
  json faults = json::parse(R"({"links": {"loss": {"model": "bernoulli", "p": 0.1}}})");
  json config = small_run(json::parse(R"({"name": "parameter_server", "eta": 0.01})"), faults);
  config["faults"]["links"].erase("reply_timeout");
  try {
    parse_run_config(config, "c.json");
    ADD_FAILURE() << "accepted a lossy parameter server without reply_timeout";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "/faults/links");
    EXPECT_NE(std::string(e.what()).find("reply_timeout"), std::string::npos) << e.what();
  }
  config["faults"]["transport"] = {{"reliable", true}, {"timeout", 0.3}};
  EXPECT_FALSE(parse_run_config(config, "c.json").link_faults.reply_timeout.has_value());
}

// The transport can be limited to some algorithms: others run on the plain network (and, with
// no faults.links, report nothing about faults at all).
TEST(LinkFaultRuns, SynchronousAlgorithmsNeedARoundTimeoutUnlessTheTransportIsReliable) {
  for (const std::string name : {"minibatch_sgd", "local_sgd", "dpsgd"}) {
    json algorithm{{"name", name}, {"eta", 0.01}};
    if (name == "local_sgd") algorithm["local_steps"] = 2;
    json config = small_run(algorithm, fault_processes()[0].second);
    config["faults"]["links"].erase("round_timeout");
    try {
      parse_run_config(config, "c.json");
      ADD_FAILURE() << name << " accepted loss without round_timeout";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.path(), "/faults/links") << name;
      EXPECT_NE(std::string(e.what()).find("round_timeout"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
    config["faults"]["transport"] = {{"reliable", true}, {"timeout", 0.3}};
    EXPECT_FALSE(parse_run_config(config, "c.json").link_faults.round_timeout.has_value()) << name;
    // Node faults and link faults together: refused at /faults.
    config["faults"]["nodes"] = json::parse(R"({"renewal": {"up": 3, "down": 1}})");
    try {
      parse_run_config(config, "c.json");
      ADD_FAILURE() << name << " accepted node and link faults together";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.path(), "/faults") << name << ": " << e.what();
    }
  }
}

TEST(LinkFaultRuns, TransportForOtherAlgorithmsLeavesThisOneOnThePerfectNetwork) {
  const json faults = json::parse(R"({"transport": {"reliable": true, "timeout": 0.5, "algorithms": ["gossip_sgd"]}})");
  const RunConfig config = parse_run_config(small_run(json::parse(R"({"name": "minibatch_sgd", "eta": 0.01})"), faults), "c.json");
  EXPECT_FALSE(config.link_faults.active_for("minibatch_sgd"));
  EXPECT_TRUE(config.link_faults.active_for("gossip_sgd"));
  EXPECT_EQ(config.link_faults.transport.max_retries, 5u);  // the documented default
}

}  // namespace
}  // namespace dasgd
