// Run ↔ output directory glue; see run_files.hpp.
#include "sim/run/run_files.hpp"

#include <iostream>

#include "sim/output/atomic_file.hpp"
#include "sim/run/interrupt.hpp"

namespace dasgd {

OutputClaimOptions claim_options(std::vector<std::string> names, bool force) {
  OutputClaimOptions options;
  options.force = force;
  options.names = std::move(names);
  options.abandon = [] { return abandon_requested(); };
  return options;
}

std::unique_ptr<GradientLogStream> open_gradient_log(const RunConfig& config, const std::filesystem::path& directory) {
  if (!config.record.per_gradient) return nullptr;
  ensure_directory(directory);
  return std::make_unique<GradientLogStream>(directory / "gradients.csv",
                                             config.link_faults.active_for(config.algorithm.name),
                                             config.algorithm.name == "parameter_server");
}

RunOptions with_gradient_log(RunOptions options, GradientLogStream* stream) {
  if (stream != nullptr) options.gradient_log = [stream](const GradientLogRow& row) { stream->append(row); };
  return options;
}

RunOptions with_trace(RunOptions options, const RunConfig& config, const std::filesystem::path& directory,
                      std::unique_ptr<TraceWriter>& trace) {
  if (!config.record.trace) return options;
  options.observe = [&trace, spec = *config.record.trace, directory](GradientObserver* inner, std::size_t nodes) {
    ensure_directory(directory);
    trace = std::make_unique<TraceWriter>(directory / "trace.json", spec, nodes, inner);
    return static_cast<GradientObserver*>(trace.get());
  };
  return options;
}

void commit_trace(TraceWriter& trace, const RunResult& result) {
  trace.add_faults(result.fault_log, result.end_time);
  trace.commit();
}

void finish_gradient_log(RunResult& result, const GradientLogStream* stream) {
  if (stream != nullptr) result.b_squared_quantiles = stream->b_squared_quantiles();
}

std::optional<int> write_and_commit(OutputDirectory& output, const std::string& directory,
                                    const std::function<nlohmann::json()>& write) {
  try {
    output.commit(write());
  } catch (const WriteAbandoned&) {
    std::cerr << "dasgd: interrupted again while writing: the new results were dropped, " << directory
              << " is as it was\n";
    return exit_code_for(RunStatus::interrupted, interrupt_signal());
  } catch (const std::exception& error) {
    std::cerr << "dasgd: cannot write results: " << error.what() << "\n";
    return exit_codes::failed;
  }
  return std::nullopt;
}

}  // namespace dasgd
