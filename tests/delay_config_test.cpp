// Tests for reading delay laws, the compute model and the link model from JSON: every law's keys,
// the defaults written back, and errors that name the JSON path of the offending value.
#include "sim/config/delay_config.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace dasgd {
namespace {

using nlohmann::json;

// Parses `text` as the value of key `key` of a root object, with `parse` on that key's reader.
template <class Parse>
auto parse_at(const std::string& key, const std::string& text, Parse parse,
              json* resolved = nullptr) {
  json document = {{key, json::parse(text)}};
  JsonReader root(document, "");
  JsonReader child = root.object(key);
  auto result = parse(child);
  if (resolved) *resolved = document[key];
  return result;
}

Distribution law_from(const std::string& text) {
  json document = {{"time", json::parse(text)}};
  JsonReader root(document, "");
  return parse_distribution(root, "time");
}

// The ConfigError message of parsing `text` with `parse` at /key, or "no error".
template <class Parse>
std::string error_of(const std::string& key, const std::string& text, Parse parse) {
  try {
    (void)parse_at(key, text, parse);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string law_error(const std::string& text) {
  try {
    (void)law_from(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

const auto compute = [](JsonReader& r) { return parse_compute_model(r); };
const auto link = [](JsonReader& r) { return parse_link_model(r); };

TEST(DelayConfig, EveryLawParsesWithItsKeys) {
  EXPECT_EQ(std::get<law::Constant>(law_from("0.1")).value, 0.1);
  EXPECT_EQ(std::get<law::Constant>(law_from(R"({"law": "constant", "value": 2})")).value, 2.0);
  EXPECT_EQ(std::get<law::Exponential>(law_from(R"({"law": "exponential", "mean": 1})")).mean, 1.0);
  const auto shifted = std::get<law::ShiftedExponential>(
      law_from(R"({"law": "shifted_exponential", "shift": 0.5, "mean": 2})"));
  EXPECT_EQ(shifted.shift, 0.5);
  EXPECT_EQ(shifted.mean, 2.0);
  const auto uniform =
      std::get<law::Uniform>(law_from(R"({"law": "uniform", "low": 1, "high": 3})"));
  EXPECT_EQ(uniform.low, 1.0);
  EXPECT_EQ(uniform.high, 3.0);
  const auto normal =
      std::get<law::LogNormal>(law_from(R"({"law": "lognormal", "mu": -1, "sigma": 0.5})"));
  EXPECT_EQ(normal.mu, -1.0);
  EXPECT_EQ(normal.sigma, 0.5);
  const Distribution by_moments = law_from(R"({"law": "lognormal", "mean": 2, "cv": 0.5})");
  EXPECT_NEAR(mean(by_moments), 2.0, 1e-12);
  EXPECT_NEAR(std::sqrt(variance(by_moments)), 1.0, 1e-12);
  const auto gamma =
      std::get<law::Gamma>(law_from(R"({"law": "gamma", "shape": 2, "scale": 0.5})"));
  EXPECT_EQ(gamma.shape, 2.0);
  EXPECT_EQ(gamma.scale, 0.5);
  const auto pareto =
      std::get<law::Pareto>(law_from(R"({"law": "pareto", "scale": 0.1, "shape": 2.5})"));
  EXPECT_EQ(pareto.scale, 0.1);
  EXPECT_EQ(pareto.shape, 2.5);
}

TEST(DelayConfig, BadLawsNameTheJsonPath) {
  EXPECT_EQ(law_error(R"({"law": "exponential", "mean": -1})"),
            "/time/mean: expected a positive number, got -1");
  EXPECT_EQ(law_error("-0.5"), "/time: expected a non-negative number (a constant), got -0.5");
  EXPECT_EQ(law_error(R"({"law": "exponentail", "mean": 1})"),
            "/time/law: expected one of constant, exponential, shifted_exponential, uniform, "
            "lognormal, gamma, pareto, got \"exponentail\" (did you mean \"exponential\"?)");
  EXPECT_EQ(law_error(R"({"law": "exponential", "mean": 1, "sd": 2})"), "/time/sd: unknown key");
  EXPECT_EQ(law_error(R"({"law": "uniform", "low": 2, "high": 1})"),
            "/time/high: expected a number greater than low = 2, got 1");
  EXPECT_EQ(law_error(R"({"law": "uniform", "low": -1, "high": 1})"),
            "/time/low: expected a non-negative number, got -1");
  EXPECT_EQ(
      law_error(R"({"law": "pareto", "scale": 1, "shape": 1})"),
      "/time/shape: expected a number greater than 1 (the mean is infinite otherwise), got 1");
  EXPECT_EQ(law_error(R"({"law": "gamma", "shape": 0, "scale": 1})"),
            "/time/shape: expected a positive number, got 0");
  EXPECT_EQ(law_error(R"({"law": "lognormal", "mu": 0, "cv": 1})"),
            "/time/mu: expected either mu and sigma or mean and cv, not both, got 0");
  EXPECT_EQ(law_error(R"({"law": "lognormal", "mu": 800, "sigma": 1})").substr(0, 34),
            "/time: expected a usable law: logn");
  EXPECT_EQ(law_error(R"({"law": "exponential"})"),
            "/time/mean: missing required key, expected a positive number");
  EXPECT_EQ(law_error(R"("fast")").substr(0, 44), "/time: expected a number or an object with a");
  json empty = json::object();
  JsonReader root(empty, "");
  try {
    (void)parse_distribution(root, "latency");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "/latency");
  }
}

TEST(DelayConfig, ComputeModelReadsEveryPart) {
  const ComputeModelSpec spec = parse_at("compute", R"({
      "time": {"law": "gamma", "shape": 2, "scale": 0.5},
      "speeds": [1, 2, 0.5],
      "stragglers": {"fraction": 0.1, "slowdown": 5},
      "slowdowns": {"probability": 0.01, "factor": 10}})",
                                         compute);
  EXPECT_EQ(std::get<law::Gamma>(spec.base).shape, 2.0);
  EXPECT_EQ(std::get<std::vector<double>>(spec.speeds), (std::vector<double>{1, 2, 0.5}));
  EXPECT_EQ(spec.stragglers.fraction, 0.1);
  EXPECT_EQ(spec.stragglers.slowdown, 5.0);
  EXPECT_EQ(spec.slowdowns.probability, 0.01);
  EXPECT_EQ(spec.slowdowns.factor, 10.0);
  EXPECT_FALSE(spec.trace.has_value());

  const ComputeModelSpec drawn = parse_at(
      "compute", R"({"time": 1, "speeds": {"law": "uniform", "low": 0.5, "high": 1.5}})", compute);
  EXPECT_EQ(std::get<law::Uniform>(std::get<Distribution>(drawn.speeds)).high, 1.5);
  EXPECT_EQ(drawn.stragglers.fraction, 0.0);
}

TEST(DelayConfig, ComputeTraceDefaultsToCycleAndWritesItBack) {
  json resolved;
  const ComputeModelSpec spec =
      parse_at("compute", R"({"trace": "times.csv"})", compute, &resolved);
  ASSERT_TRUE(spec.trace.has_value());
  EXPECT_EQ(spec.trace->path, "times.csv");
  EXPECT_EQ(spec.trace->when_exhausted, TraceExhausted::cycle);
  EXPECT_EQ(resolved["trace_exhausted"], "cycle");
  const ComputeModelSpec strict =
      parse_at("compute", R"({"trace": "t.csv", "trace_exhausted": "error"})", compute);
  EXPECT_EQ(strict.trace->when_exhausted, TraceExhausted::error);
}

TEST(DelayConfig, BadComputeModelsNameTheJsonPath) {
  EXPECT_EQ(error_of("compute", R"({"trace": "t.csv", "time": 1})", compute),
            "/compute/time: expected no \"time\" beside a trace, got 1");
  EXPECT_EQ(error_of("compute", R"({"trace": "t.csv", "trace_exhausted": "stop"})", compute),
            "/compute/trace_exhausted: expected one of cycle, error, got \"stop\"");
  EXPECT_EQ(error_of("compute", R"({"time": 1, "trace_exhausted": "cycle"})", compute),
            "/compute/trace_exhausted: expected no trace_exhausted without a \"trace\" file, got "
            "\"cycle\"");
  EXPECT_EQ(error_of("compute", R"({"speeds": [1]})", compute),
            "/compute/time: missing required key, expected a number or an object with a \"law\"");
  EXPECT_EQ(error_of("compute", R"({"time": 1, "speeds": [1, 0, 2]})", compute),
            "/compute/speeds/1: expected a positive speed, got 0");
  EXPECT_EQ(error_of("compute", R"({"time": 1, "speeds": 0})", compute),
            "/compute/speeds: expected a law of positive speeds, got 0");
  EXPECT_EQ(error_of("compute", R"({"time": 1, "stragglers": {"fraction": 0.1, "slowdown": 0.5}})",
                     compute),
            "/compute/stragglers/slowdown: expected a slowdown factor >= 1, got 0.5");
  EXPECT_EQ(error_of("compute", R"({"time": 1, "stragglers": {"fraction": 1.5, "slowdown": 2}})",
                     compute),
            "/compute/stragglers/fraction: expected a probability in [0, 1], got 1.5");
  EXPECT_EQ(
      error_of("compute", R"({"time": 1, "slowdowns": {"probability": 0.1, "factr": 2}})", compute),
      "/compute/slowdowns/factor: missing required key, expected a number");
  EXPECT_EQ(error_of("compute",
                     R"({"time": 1, "stragglers": {"fraction": 0.1, "slowdown": 2, "seed": 3}})",
                     compute),
            "/compute/stragglers/seed: unknown key");
  EXPECT_EQ(error_of("compute", R"({"time": 1, "stragglrs": {}})", compute),
            "/compute/stragglrs: unknown key (did you mean \"stragglers\"?)");
}

TEST(DelayConfig, LinkModelReadsLatencyBandwidthAndFifo) {
  json resolved;
  const LinkModelSpec spec = parse_at("link", R"({"latency": 0.01})", link, &resolved);
  EXPECT_EQ(std::get<law::Constant>(spec.latency).value, 0.01);
  EXPECT_FALSE(spec.bandwidth.has_value());
  EXPECT_FALSE(spec.fifo);
  EXPECT_EQ(resolved["fifo"], false);  // the default is recorded
  const LinkModelSpec full = parse_at(
      "link", R"({"latency": {"law": "exponential", "mean": 0.1}, "bandwidth": 1e9, "fifo": true})",
      link);
  EXPECT_EQ(std::get<law::Exponential>(full.latency).mean, 0.1);
  EXPECT_EQ(full.bandwidth, 1e9);
  EXPECT_TRUE(full.fifo);
}

TEST(DelayConfig, BadLinkModelsNameTheJsonPath) {
  EXPECT_EQ(error_of("link", R"({"latency": 0, "bandwidth": 0})", link),
            "/link/bandwidth: expected a positive number, got 0");
  EXPECT_EQ(error_of("link", R"({"latency": 0, "fifo": "yes"})", link),
            "/link/fifo: expected true or false, got \"yes\"");
  EXPECT_EQ(error_of("link", R"({"latency": {"law": "constant", "value": -1}})", link),
            "/link/latency/value: expected a non-negative number, got -1");
  EXPECT_EQ(error_of("link", R"({"bandwidth": 1})", link),
            "/link/latency: missing required key, expected a number or an object with a \"law\"");
}

}  // namespace
}  // namespace dasgd
