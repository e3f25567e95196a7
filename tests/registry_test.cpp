// The registries (sim/config/algorithm_config.hpp, objective_config.hpp): an algorithm and an
// objective added by name, as an out-of-tree program adds its own, are chosen by a config, read
// with the same located errors as the built-ins, run, and named in config.json and summary.json.
// examples/extension/ does the same from outside the tree (the Library.* CTest checks).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "objectives/separable_cosine.hpp"
#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/config/algorithm_config.hpp"
#include "sim/config/objective_config.hpp"
#include "sim/config/run_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {
namespace {

// "push_gossip_again": push-gossip SGD under a new name. "flat_cosine": the separable cosine with
// every a_j = "amplitude" and x_0 = (1, ..., 1), so f(x_0) = d · a · (1 − cos 1).
void register_once() {
  static const bool done = [] {
    register_algorithm({"push_gossip_again", "gossip SGD under another name (test)",
                        [](JsonReader& reader) {
                          GossipSgdParams p;
                          p.eta = reader.positive("eta");
                          reader.finish();
                          return algorithm_spec<GossipSgd>(p);
                        },
                        true});
    register_objective({"flat_cosine", "separable cosine, one amplitude (test)",
                        [](JsonReader& reader, Eigen::Index dimension) {
                          SeparableCosineParameters p;
                          p.amplitude = p.amplitude_min = reader.positive("amplitude");
                          p.initial_value = 1.0;
                          reader.finish();
                          return [=](std::size_t, std::uint64_t) -> std::unique_ptr<Objective> {
                            return std::make_unique<SeparableCosine>(dimension, p, 0.0);
                          };
                        }});
    return true;
  }();
  (void)done;
}

nlohmann::json config() {
  return nlohmann::json::parse(R"({
    "name": "registered", "seed": 1,
    "graph": {"kind": "ring", "nodes": 4},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": 0.1},
    "objective": {"kind": "flat_cosine", "dimension": 3, "amplitude": 2},
    "algorithm": {"name": "push_gossip_again", "eta": 0.05},
    "stop": {"gradients": 200}
  })");
}

std::string refusal(nlohmann::json document) {
  try {
    parse_run_config(std::move(document), "registered.json");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(Registry, RegisteredAlgorithmAndObjectiveRunAndAreNamedInConfigAndSummary) {
  register_once();
  const RunConfig c = parse_run_config(config(), "registered.json");
  EXPECT_EQ(c.resolved["algorithm"]["name"], "push_gossip_again");
  EXPECT_EQ(c.resolved["objective"]["kind"], "flat_cosine");
  const RunResult r = run_experiment(c);
  EXPECT_EQ(r.gradients, 200u);
  EXPECT_DOUBLE_EQ(r.initial_f, 3 * 2 * (1 - std::cos(1.0)));  // d · a · (1 − cos 1)
  EXPECT_DOUBLE_EQ(r.constants.smoothness_L, 2.0);              // μ + max a_j
  const nlohmann::json summary = run_summary(c, r);
  EXPECT_EQ(summary["algorithm"], "push_gossip_again");
  EXPECT_EQ(summary["objective"]["kind"], "flat_cosine");
  EXPECT_TRUE(averaging_algorithm("push_gossip_again"));  // its entry says so
}

TEST(Registry, RegisteredKeysGetTheSameLocatedErrorsAsBuiltIns) {
  register_once();
  nlohmann::json bad = config();
  bad["objective"]["amplitude"] = -1;
  EXPECT_EQ(refusal(bad), "/objective/amplitude: expected a positive number, got -1");
  bad = config();
  bad["objective"]["amplitud"] = 1;
  EXPECT_EQ(refusal(bad), "/objective/amplitud: unknown key (did you mean \"amplitude\"?)");
  bad = config();
  bad["algorithm"]["name"] = "push_gossip_agian";
  EXPECT_NE(refusal(bad).find("push_gossip_again, got \"push_gossip_agian\" (did you mean \"push_gossip_again\"?)"),
            std::string::npos)
      << refusal(bad);
}

TEST(Registry, RefusesTakenEmptyAndUnspellableNames) {
  register_once();
  const auto parse = [](JsonReader&) { return AlgorithmSpec{}; };
  EXPECT_THROW(register_algorithm({"dasgd", "", parse}), std::invalid_argument);
  EXPECT_THROW(register_algorithm({"push_gossip_again", "", parse}), std::invalid_argument);
  EXPECT_THROW(register_algorithm({"", "", parse}), std::invalid_argument);
  EXPECT_THROW(register_algorithm({"Has Space", "", parse}), std::invalid_argument);
  EXPECT_THROW(register_algorithm({"no_parse", "", nullptr}), std::invalid_argument);
  const auto objective = [](JsonReader&, Eigen::Index) {
    return std::function<std::unique_ptr<Objective>(std::size_t, std::uint64_t)>{};
  };
  EXPECT_THROW(register_objective({"quadratic", "", objective}), std::invalid_argument);
  EXPECT_THROW(register_objective({"flat_cosine", "", objective}), std::invalid_argument);
}

}  // namespace
}  // namespace dasgd
