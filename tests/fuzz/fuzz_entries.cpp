// The fuzz entry points; see fuzz_entries.hpp. Refusals the tool reports to users
// (ConfigError, std::invalid_argument, std::runtime_error with a message) while reading, sizing or
// running are expected outcomes; anything else escapes, as does any exception from summarising a
// run that ended, so that libFuzzer records it (std::bad_alloc, std::out_of_range,
// std::length_error, nlohmann exceptions, ...).
#include "tests/fuzz/fuzz_entries.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "sim/config/json_file.hpp"
#include "sim/config/run_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/experiment.hpp"
#include "topologies/readers.hpp"

namespace dasgd::fuzz {

namespace {

// The budget of one fuzzed run: small enough for thousands of executions a second.
constexpr double kMaxNodes = 64;
constexpr double kMaxDimension = 64;
constexpr std::uint64_t kMaxGradients = 100;
constexpr double kMaxWallSeconds = 0.1;  // estimated; the estimate leans high for small worlds
constexpr double kMaxBytes = 32.0 * (1 << 20);

bool expected_refusal(const std::exception& error) {
  return dynamic_cast<const ConfigError*>(&error) != nullptr ||
         dynamic_cast<const std::invalid_argument*>(&error) != nullptr ||
         dynamic_cast<const std::runtime_error*>(&error) != nullptr;
}

}  // namespace

bool config_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  RunConfig config;
  RunResult result;
  try {
    // Relative graph and trace paths resolve against a directory that does not exist.
    config = parse_run_config(parse_json_text(text), "/nonexistent-dasgd-fuzz/fuzz.json");
    if (config.stop.gradients.value_or(kMaxGradients) > kMaxGradients) config.stop.gradients = kMaxGradients;
    if (!config.stop.gradients) config.stop.gradients = kMaxGradients;
    const CostEstimate cost = estimate_cost(config);
    refuse_if_too_costly(cost, 1e18, "fuzz");
    if (cost.nodes > kMaxNodes || cost.dimension > kMaxDimension || cost.wall_seconds > kMaxWallSeconds ||
        cost.total_bytes() > kMaxBytes || cost.metrics_rows > 2000 ||
        (is_finite_sum(config.objective.kind) && config.objective.samples > 500))
      return false;  // accepted, but beyond the fuzzing budget
    result = run_experiment(config);  // a world the generators refuse (a disconnected draw) is a refusal
  } catch (const std::exception& error) {
    if (!expected_refusal(error)) throw;
    return false;
  }
  // A run that was accepted and ended must summarise: any exception here is a finding (the CLI
  // would fail writing its results).
  (void)run_summary(config, result);
  return true;
}

void graph_file_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  static const char* const extensions[] = {".csv", ".graphml", ".dot"};
  const char* extension = extensions[data[0] % 3];
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("dasgd-fuzz-" + std::to_string(::getpid()) + extension);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  try {
    const Topology topology = read_topology_file(path.string());
    (void)topology.num_arcs();
  } catch (const std::exception& error) {
    std::filesystem::remove(path);
    if (!expected_refusal(error)) throw;
    return;
  }
  std::filesystem::remove(path);
}

}  // namespace dasgd::fuzz
