// Reads the "objective" block of a run config into an ObjectiveSpec (config layer). Every value is
// checked here with a JSON-pointer error; make_objective (objectives/objective_factory.hpp) builds
// the objective later, once the graph's node count and the run's seed are known.
#pragma once

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
//                       minimiser_scale, heterogeneity
//   nonconvex_logistic: samples, lambda, label_noise, initial_scale
//   two_layer_network:  samples, hidden, output_scale, label_noise, initial_scale
//   welsch_regression:  samples, scale, noise_std, outlier_fraction, initial_scale
// Defaults are written back into the document. Throws ConfigError on the first wrong value or
// unknown key. num_nodes is left at 1: the caller sets it from the graph.
ObjectiveSpec parse_objective(JsonReader& reader);

}  // namespace dasgd
