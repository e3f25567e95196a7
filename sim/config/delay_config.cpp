// Parsing of delay laws, the compute model and the link model from JSON (config stage); every
// error goes through the JsonReader so it names the JSON path of the offending value.
#include "sim/config/delay_config.hpp"

#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

namespace dasgd {
namespace {

const std::vector<std::string> kLaws = {"constant", "exponential", "shifted_exponential", "uniform",
                                        "lognormal", "gamma", "pareto"};

std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

Distribution parse_law_object(JsonReader& reader) {
  const std::string law = reader.choice("law", kLaws);
  Distribution result;
  if (law == "constant") {
    result = law::Constant{reader.non_negative("value")};
  } else if (law == "exponential") {
    result = law::Exponential{reader.positive("mean")};
  } else if (law == "shifted_exponential") {
    const double shift = reader.non_negative("shift");
    result = law::ShiftedExponential{shift, reader.positive("mean")};
  } else if (law == "uniform") {
    const double low = reader.non_negative("low");
    const double high = reader.number("high");
    if (!(high > low)) reader.fail("high", "a number greater than low = " + number_text(low));
    result = law::Uniform{low, high};
  } else if (law == "lognormal") {
    const bool by_moments = reader.has("mean") || reader.has("cv");
    const bool by_normal = reader.has("mu") || reader.has("sigma");
    if (by_moments && by_normal)
      reader.fail(reader.has("mu") ? "mu" : "sigma",
                  "either mu and sigma or mean and cv, not both");
    if (by_moments) {
      const double m = reader.positive("mean");
      result = lognormal_from_mean_cv(m, reader.non_negative("cv"));
    } else {
      const double mu = reader.number("mu");
      result = law::LogNormal{mu, reader.non_negative("sigma")};
    }
  } else if (law == "gamma") {
    const double shape = reader.positive("shape");
    result = law::Gamma{shape, reader.positive("scale")};
  } else {  // pareto
    const double scale = reader.positive("scale");
    const double shape = reader.number("shape");
    if (!(shape > 1.0))
      reader.fail("shape", "a number greater than 1 (the mean is infinite otherwise)");
    result = law::Pareto{scale, shape};
  }
  reader.finish();
  // Each key can be fine and the law still unusable (a lognormal whose mean overflows).
  if (auto reason = invalid_reason(result))
    throw ConfigError(reader.path(), "expected a usable law: " + *reason);
  return result;
}

}  // namespace

Distribution parse_distribution(JsonReader& reader) {
  const nlohmann::json& node = reader.node();
  const std::string where = reader.path().empty() ? "/" : reader.path();
  if (node.is_number()) {
    const double value = node.get<double>();
    if (!(std::isfinite(value) && value >= 0.0))
      throw ConfigError(where, "expected a non-negative number (a constant), got " + node.dump());
    return law::Constant{value};
  }
  if (!node.is_object())
    throw ConfigError(where,
                      "expected a number or an object with a \"law\" (one of constant, exponential, "
                      "shifted_exponential, uniform, lognormal, gamma, pareto), got " + node.dump());
  return parse_law_object(reader);
}

Distribution parse_distribution(JsonReader& parent, const std::string& key) {
  if (!parent.has(key)) parent.fail(key, "a number or an object with a \"law\"");
  parent.accept(key);
  JsonReader child(parent.node()[key], parent.path() + "/" + key);
  return parse_distribution(child);
}

ComputeModelSpec parse_compute_model(JsonReader& reader) {
  ComputeModelSpec spec;
  if (reader.has("trace")) {
    // Trace durations are final: anything that would modify them is refused rather than ignored.
    for (const char* key : {"time", "speeds", "stragglers", "slowdowns"}) {
      if (reader.has(key)) reader.fail(key, std::string("no \"") + key + "\" beside a trace");
    }
    ComputeTraceSpec trace;
    trace.path = reader.string("trace");
    if (trace.path.empty()) reader.fail("trace", "a trace file path");
    const std::string exhausted = reader.choice_or("trace_exhausted", {"cycle", "error"}, "cycle");
    trace.when_exhausted = exhausted == "cycle" ? TraceExhausted::cycle : TraceExhausted::error;
    spec.trace = std::move(trace);
    reader.finish();
    return spec;
  }
  if (reader.has("trace_exhausted"))
    reader.fail("trace_exhausted", "no trace_exhausted without a \"trace\" file");
  spec.base = parse_distribution(reader, "time");

  if (reader.has("speeds")) {
    if (reader.node()["speeds"].is_array()) {
      const std::vector<double> speeds = reader.number_list("speeds");
      for (std::size_t i = 0; i < speeds.size(); ++i) {
        if (!(speeds[i] > 0.0))
          throw ConfigError(reader.path() + "/speeds/" + std::to_string(i),
                            "expected a positive speed, got " + number_text(speeds[i]));
      }
      if (speeds.empty()) reader.fail("speeds", "a non-empty list of speeds, one per node");
      spec.speeds = speeds;
    } else {
      const Distribution law = parse_distribution(reader, "speeds");
      if (!(mean(law) > 0.0)) reader.fail("speeds", "a law of positive speeds");
      spec.speeds = law;
    }
  }
  if (reader.has("stragglers")) {
    JsonReader stragglers = reader.object("stragglers");
    spec.stragglers.fraction = stragglers.probability("fraction");
    spec.stragglers.slowdown = stragglers.number("slowdown");
    if (!(spec.stragglers.slowdown >= 1.0)) stragglers.fail("slowdown", "a slowdown factor >= 1");
    stragglers.finish();
  }
  if (reader.has("slowdowns")) {
    JsonReader slowdowns = reader.object("slowdowns");
    spec.slowdowns.probability = slowdowns.probability("probability");
    spec.slowdowns.factor = slowdowns.number("factor");
    if (!(spec.slowdowns.factor >= 1.0)) slowdowns.fail("factor", "a slowdown factor >= 1");
    slowdowns.finish();
  }
  reader.finish();
  return spec;
}

LinkModelSpec parse_link_model(JsonReader& reader) {
  LinkModelSpec spec;
  spec.latency = parse_distribution(reader, "latency");
  if (reader.has("bandwidth")) spec.bandwidth = reader.positive("bandwidth");
  spec.fifo = reader.boolean_or("fifo", false);
  reader.finish();
  return spec;
}

}  // namespace dasgd
