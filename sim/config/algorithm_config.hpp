// Parses the config's "algorithm" section (config → world): {"name": ..., "eta": ..., <the named
// algorithm's own parameters>}. Each algorithm family registers its entries in its own file
// (sim/config/*_algorithms_config.cpp); unknown names get a did-you-mean.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/config/json_reader.hpp"

namespace dasgd {

// A parsed algorithm section: enough to build the algorithm once the world exists.
struct AlgorithmSpec {
  std::string name = "dasgd";
  double eta = 0;  // step size η (every algorithm has one)
  std::function<std::unique_ptr<Algorithm>(const World&, GradientObserver*)> build;
};

// The spec of an algorithm built as AlgorithmType(world, params, observer); params.eta is η.
template <typename AlgorithmType, typename Params>
AlgorithmSpec algorithm_spec(const Params& params) {
  AlgorithmSpec spec;
  spec.eta = params.eta;
  spec.build = [params](const World& world, GradientObserver* observer) -> std::unique_ptr<Algorithm> {
    return std::make_unique<AlgorithmType>(world, params, observer);
  };
  return spec;
}

struct AlgorithmEntry {
  std::string name;
  std::string description;  // one line, shown in errors and --help
  // Reads every key of the section except "name" (already read) and calls reader.finish().
  std::function<AlgorithmSpec(JsonReader&)> parse;
  // The algorithm averages models (its gradient sets are unions at merges, kept as vector clocks:
  // docs/STALENESS_TRACKING.md) rather than applying single gradients. Built-ins: see
  // averaging_algorithm (sim/run/cost_estimate.hpp).
  bool averaging = false;
};

// Every registered algorithm: the built-ins in a fixed order, then those added by
// register_algorithm in the order they were added.
const std::vector<AlgorithmEntry>& algorithm_registry();
std::vector<std::string> algorithm_names();
// The entry of that name, or nullptr.
const AlgorithmEntry* find_algorithm(const std::string& name);

// Adds an algorithm under its own name, for a program that links the library (docs/LIBRARY.md):
// configs then name it in "algorithm": {"name": ...}, its parse reads its keys with the same
// located errors, and its name is what config.json and summary.json say. Call it before any config
// is parsed (the registry is not locked). Throws std::invalid_argument for an empty name, one
// with characters other than [a-z0-9_], a name already registered, or an entry without parse.
void register_algorithm(AlgorithmEntry entry);

AlgorithmSpec parse_algorithm(JsonReader& reader);

// Registration, one function per family (each in its own file).
void register_dasgd(std::vector<AlgorithmEntry>& entries);
void register_synchronous_algorithms(std::vector<AlgorithmEntry>& entries);   // minibatch, D-PSGD, local SGD
void register_asynchronous_baselines(std::vector<AlgorithmEntry>& entries);   // PS-ASGD, AD-PSGD, gossip
void register_seed_algorithms(std::vector<AlgorithmEntry>& entries);          // sparsified ASGD, local-async

}  // namespace dasgd
