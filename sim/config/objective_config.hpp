// Reads the "objective" block of a run config into an ObjectiveSpec (config layer). Every value is
// checked here with a JSON-pointer error; make_objective (objectives/objective_factory.hpp) builds
// the objective later, once the graph's node count and the run's seed are known.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "objectives/objective_factory.hpp"
#include "sim/config/json_reader.hpp"

namespace dasgd {

// Example: {"kind": "separable_cosine", "dimension": 32, "noise": {"kind": "gaussian",
// "sigma2": 0.1}, "amplitude": 2, "mu": 0.5}. Keys per kind:
//   common:             kind, dimension, noise {kind: gaussian, sigma2 | kind: minibatch,
//                       batch_size}, heterogeneous
//   separable_cosine:   amplitude, amplitude_min (default = amplitude), mu, initial_value,
//                       heterogeneity (ζ² of the node shifts)
//   quadratic:          min_eigenvalue, max_eigenvalue, spectrum (log | linear), reflections,
//                       minimiser_scale | minimiser (a number, d numbers or a law), heterogeneity
//   nonconvex_logistic: samples, lambda, label_noise, initial_scale
//   two_layer_network:  samples, hidden, output_scale, label_noise, initial_scale
//   welsch_regression:  samples, scale, noise_std, outlier_fraction, initial_scale
// Defaults are written back into the document. Throws ConfigError on the first wrong value or
// unknown key. num_nodes is left at 1: the caller sets it from the graph.
ObjectiveSpec parse_objective(JsonReader& reader);

// An objective added by a program that links the library (docs/LIBRARY.md). A config names it in
// "objective": {"kind": <kind>, "dimension": d, <its own keys>}: the reader checks kind and
// dimension as for every objective, then `parse` reads the entry's own keys (with the same located
// errors), calls reader.finish(), and returns the function that builds the objective once the
// graph's node count and the run's seed are known. Its kind is what config.json and summary.json
// say.
struct ObjectiveEntry {
  std::string kind;
  std::string description;  // one line
  std::function<std::function<std::unique_ptr<Objective>(std::size_t num_nodes, std::uint64_t seed)>(
      JsonReader& reader, Eigen::Index dimension)>
      parse;
};

// Call before any config is parsed. Throws std::invalid_argument for an empty kind, characters
// other than [a-z0-9_], a kind already taken (a built-in's included), or an entry without parse.
void register_objective(ObjectiveEntry entry);
// The built-in kinds, then the registered ones in the order they were added.
std::vector<std::string> objective_kind_names();

}  // namespace dasgd
