// Parsing of the "objective" block; see objective_config.hpp.
#include "sim/config/objective_config.hpp"

#include "sim/config/initial_model_config.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace dasgd {

namespace {

NoiseSpec parse_noise(JsonReader& reader, bool finite_sum, const std::string& kind) {
  NoiseSpec noise;
  const std::string noise_kind = reader.choice_or("kind", {"gaussian", "minibatch"}, "gaussian");
  if (noise_kind == "gaussian") {
    noise.kind = NoiseKind::gaussian;
    noise.sigma2 = reader.non_negative_or("sigma2", 0.0);
  } else {
    if (!finite_sum)
      reader.fail("kind", "gaussian (minibatch noise needs a finite-sum objective: "
                          "nonconvex_logistic, two_layer_network or welsch_regression; this is " +
                              kind + ")");
    noise.kind = NoiseKind::minibatch;
    noise.batch_size = reader.positive_count_or("batch_size", 1);
  }
  reader.finish();
  return noise;
}

void parse_separable_cosine(JsonReader& reader, SeparableCosineParameters& p) {
  p.amplitude = reader.non_negative_or("amplitude", p.amplitude);
  p.amplitude_min = reader.non_negative_or("amplitude_min", p.amplitude);
  if (p.amplitude_min > p.amplitude)
    reader.fail("amplitude_min", "a number in [0, amplitude = " + std::to_string(p.amplitude) + "]");
  p.mu = reader.non_negative_or("mu", p.mu);
  if (p.mu + p.amplitude <= 0)
    reader.fail("amplitude", "amplitude > 0 or mu > 0 (else f is constant)");
  p.initial_value = reader.number_or("initial_value", p.initial_value);
}

void parse_quadratic(JsonReader& reader, QuadraticParameters& p, Eigen::Index dimension) {
  p.min_eigenvalue = reader.positive_or("min_eigenvalue", p.min_eigenvalue);
  p.max_eigenvalue = reader.positive_or("max_eigenvalue", std::max(p.max_eigenvalue, p.min_eigenvalue));
  if (p.max_eigenvalue < p.min_eigenvalue)
    reader.fail("max_eigenvalue",
                "a number >= min_eigenvalue = " + std::to_string(p.min_eigenvalue));
  p.spectrum = reader.choice_or("spectrum", {"log", "linear"}, "log") == "log" ? Spectrum::log
                                                                               : Spectrum::linear;
  p.reflections = reader.count_or("reflections", p.reflections);
  if (!reader.has("minimiser")) {
    p.minimiser_scale = reader.non_negative_or("minimiser_scale", p.minimiser_scale);
    return;
  }
  // "minimiser": a number (every coordinate), a list of d numbers, or a coordinate law
  // (initial_model_config.hpp). It replaces minimiser_scale, so the two together are refused.
  if (reader.has("minimiser_scale")) reader.fail("minimiser_scale", "no minimiser_scale beside \"minimiser\"");
  const nlohmann::json& value = reader.node()["minimiser"];
  if (value.is_number()) {
    const double x = reader.number("minimiser");
    p.minimiser_values.assign(static_cast<std::size_t>(dimension), x);
  } else if (value.is_array()) {
    p.minimiser_values = reader.number_list("minimiser");
    if (p.minimiser_values.size() != static_cast<std::size_t>(dimension))
      reader.fail("minimiser", "a list of d = " + std::to_string(dimension) + " numbers (the objective's dimension)");
  } else if (value.is_object()) {
    JsonReader law = reader.object("minimiser");
    p.minimiser_law = parse_coordinate_law(law);
  } else {
    reader.fail("minimiser", "a number, a list of d numbers, or an object with a \"law\"");
  }
}

std::vector<ObjectiveEntry>& registered() {
  static std::vector<ObjectiveEntry> entries;
  return entries;
}

const ObjectiveEntry* find_registered(const std::string& kind) {
  for (const ObjectiveEntry& entry : registered())
    if (entry.kind == kind) return &entry;
  return nullptr;
}

}  // namespace

void register_objective(ObjectiveEntry entry) {
  check_registered_name("objective", entry.kind);
  const auto& kinds = objective_kinds();
  if (find_registered(entry.kind) != nullptr || std::find(kinds.begin(), kinds.end(), entry.kind) != kinds.end())
    throw std::invalid_argument("register_objective: an objective of kind \"" + entry.kind + "\" already exists");
  if (!entry.parse) throw std::invalid_argument("register_objective: \"" + entry.kind + "\" has no parse function");
  registered().push_back(std::move(entry));
}

std::vector<std::string> objective_kind_names() {
  std::vector<std::string> names = objective_kinds();
  for (const ObjectiveEntry& entry : registered()) names.push_back(entry.kind);
  return names;
}

ObjectiveSpec parse_objective(JsonReader& reader) {
  ObjectiveSpec spec;
  spec.kind = reader.choice("kind", objective_kind_names());
  const bool finite_sum = is_finite_sum(spec.kind);
  const std::uint64_t dimension = reader.positive_count("dimension");
  if (dimension > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    reader.fail("dimension", "an integer from 1 to 2147483647");
  spec.dimension = static_cast<Eigen::Index>(dimension);
  if (const ObjectiveEntry* entry = find_registered(spec.kind)) {
    spec.build = entry->parse(reader, spec.dimension);
    if (!spec.build) throw std::logic_error("objective \"" + spec.kind + "\": its parse returned no build function");
    return spec;
  }
  {
    JsonReader noise = reader.object_or_empty("noise");
    spec.noise = parse_noise(noise, finite_sum, spec.kind);
  }
  spec.heterogeneous = reader.boolean_or("heterogeneous", false);
  if (finite_sum) spec.samples = reader.positive_count_or("samples", spec.samples);
  else spec.heterogeneity = reader.non_negative_or("heterogeneity", spec.heterogeneity);
  // Minibatches are drawn from the data set: more than its size is no minibatch.
  if (spec.noise.kind == NoiseKind::minibatch && spec.noise.batch_size > spec.samples) {
    throw ConfigError(reader.path() + "/noise/batch_size",
                      "expected a batch of at most samples = " + std::to_string(spec.samples) + ", got " +
                          std::to_string(spec.noise.batch_size));
  }

  if (spec.kind == "separable_cosine") {
    parse_separable_cosine(reader, spec.separable_cosine);
  } else if (spec.kind == "quadratic") {
    parse_quadratic(reader, spec.quadratic, spec.dimension);
  } else if (spec.kind == "nonconvex_logistic") {
    auto& p = spec.nonconvex_logistic;
    p.lambda = reader.non_negative_or("lambda", p.lambda);
    p.label_noise = reader.probability_or("label_noise", p.label_noise);
    p.initial_scale = reader.non_negative_or("initial_scale", p.initial_scale);
  } else if (spec.kind == "two_layer_network") {
    auto& p = spec.two_layer_network;
    p.hidden = reader.positive_count_or("hidden", p.hidden);
    if (dimension % p.hidden != 0 || dimension < p.hidden)
      reader.fail("dimension", "a multiple of hidden = " + std::to_string(p.hidden) +
                                   " (dimension = hidden * inputs)");
    p.output_scale = reader.positive_or("output_scale", p.output_scale);
    p.label_noise = reader.probability_or("label_noise", p.label_noise);
    p.initial_scale = reader.non_negative_or("initial_scale", p.initial_scale);
  } else {
    auto& p = spec.welsch_regression;
    p.scale = reader.positive_or("scale", p.scale);
    p.noise_std = reader.non_negative_or("noise_std", p.noise_std);
    p.outlier_fraction = reader.probability_or("outlier_fraction", p.outlier_fraction);
    p.initial_scale = reader.non_negative_or("initial_scale", p.initial_scale);
  }
  reader.finish();
  return spec;
}

}  // namespace dasgd
