// Comparison of algorithms on one world; see comparison.hpp.
#include "sim/run/comparison.hpp"

#include <cmath>
#include <fstream>
#include <map>

#include "sim/config/json_file.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/csv_writer.hpp"
#include "sim/output/table.hpp"

namespace dasgd {

std::vector<ComparisonEntry> parse_comparison(nlohmann::json document, const std::string& source_path) {
  if (!document.is_object()) throw ConfigError("", "expected a JSON object at the top level");
  if (!document.contains("algorithms"))
    throw ConfigError("/algorithms", "missing required key, expected a list of algorithm sections");
  const nlohmann::json algorithms = document["algorithms"];
  if (!algorithms.is_array() || algorithms.empty())
    throw ConfigError("/algorithms", "expected a non-empty list of algorithm sections, got " + algorithms.dump());
  if (document.contains("algorithm"))
    throw ConfigError("/algorithm", "expected either \"algorithm\" (dasgd run) or \"algorithms\" (dasgd compare), not both");
  document.erase("algorithms");
  std::vector<ComparisonEntry> entries;
  std::map<std::string, int> seen;
  for (std::size_t k = 0; k < algorithms.size(); ++k) {
    const std::string path = std::string("/algorithms/").append(std::to_string(k));
    nlohmann::json section = algorithms[k];
    if (!section.is_object()) throw ConfigError(path, "expected an algorithm section (object), got " + section.dump());
    std::string label = section.value("name", std::string("dasgd"));
    std::string label_path = path + "/name";
    if (section.contains("label")) {
      label_path = path + "/label";
      if (!section["label"].is_string() || section["label"].get<std::string>().empty())
        throw ConfigError(path + "/label", "expected a non-empty string, got " + section["label"].dump());
      label = section["label"].get<std::string>();
      section.erase("label");
    }
    // The label names the algorithm's run directory inside the comparison's.
    if (label.empty() || label.find_first_of("/\\") != std::string::npos || label.front() == '.')
      throw ConfigError(label_path,
                        "expected a name usable as a directory (no '/', not starting with '.'), got \"" + label + "\"");
    if (++seen[label] > 1) label.append("_").append(std::to_string(seen[label]));
    nlohmann::json single = document;
    single["algorithm"] = section;
    try {
      ComparisonEntry entry;
      entry.label = label;
      entry.config = parse_run_config(std::move(single), source_path);
      entry.config.resolved["algorithm"]["label"] = label;
      entries.push_back(std::move(entry));
    } catch (const ConfigError& error) {
      // Errors inside the algorithm section point at its place in the list.
      const std::string& where = error.path();
      if (where.rfind("/algorithm", 0) == 0) {
        const std::string message = std::string(error.what()).substr(where.size() + 2);
        throw ConfigError(path + where.substr(std::string("/algorithm").size()), message);
      }
      throw;
    }
  }
  return entries;
}

std::vector<ComparisonEntry> load_comparison(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json document = read_json_file(path);
  for (const std::string& assignment : overrides) apply_override(document, assignment);
  return parse_comparison(std::move(document), path);
}

std::vector<std::string> comparison_file_names(const std::vector<ComparisonEntry>& entries) {
  std::vector<std::string> names{"comparison.csv", "comparison_summary.csv", "comparison_staleness.csv",
                                 "comparison_figures.csv"};
  for (const ComparisonEntry& entry : entries) names.push_back(entry.label);
  return names;
}

void write_comparison(const std::vector<ComparisonOutcome>& outcomes, const std::filesystem::path& directory) {
  ensure_directory(directory);
  build_comparison_tables(outcomes, csv_opener(directory));
}

void build_comparison_tables(const std::vector<ComparisonOutcome>& outcomes, const TableOpener& open) {
  {
    const auto csv = open("comparison.csv",
                          {"algorithm", "time", "gradients", "f_average_model", "grad_sq_average_model",
                           "consensus_distance", "messages", "bytes"});
    for (const ComparisonOutcome& o : outcomes)
      for (const ConvergenceSample& s : o.result.samples)
        csv->row({o.label, s.time, s.gradients, s.f_average, s.grad_sq_average, s.consensus, s.messages, s.bytes});
    csv->commit();
  }
  {
    const auto csv = open("comparison_summary.csv",
                          {"algorithm", "name", "status", "reason", "end_time", "gradients", "S_avg", "S_max",
                           "S_hat_avg", "S_hat_max", "B_squared_mean", "final_f_average_model",
                           "final_grad_sq_average_model", "gradients_to_epsilon_virtual",
                           "gradients_to_epsilon_node_average", "messages", "bytes"});
    const double nan = std::nan("");
    for (const ComparisonOutcome& o : outcomes) {
      const RunResult& r = o.result;
      if (o.status == RunStatus::failed || !r.recorder || r.samples.empty()) {
        csv->row({o.label, o.config->algorithm.name, to_string(o.status), o.reason, nan, std::uint64_t{0}, nan, nan, nan, nan, nan,
                 nan, nan, nan, nan, std::uint64_t{0}, std::uint64_t{0}});
        continue;
      }
      const StalenessStatistics& st = r.recorder->statistics();
      const ConvergenceSample& last = r.samples.back();
      const auto count_or_nan = [&](const std::optional<std::uint64_t>& v) {
        return v ? static_cast<double>(*v) : nan;
      };
      csv->row({o.label, o.config->algorithm.name, to_string(o.status), o.reason, r.end_time, r.gradients, st.s().mean(),
               static_cast<double>(st.s().max()), st.s_hat().mean(), static_cast<double>(st.s_hat().max()),
               r.recorder->mean_b_squared(), last.f_average, last.grad_sq_average,
               count_or_nan(r.recorder->first_below_epsilon_virtual()),
               count_or_nan(r.first_below_epsilon_average), r.traffic.messages, r.traffic.bytes});
    }
    csv->commit();
  }
  {
    const auto csv = open("comparison_staleness.csv", {"algorithm", "quantity", "value", "count"});
    for (const ComparisonOutcome& o : outcomes) {
      if (!o.result.recorder) continue;
      const StalenessStatistics& st = o.result.recorder->statistics();
      for (const HistogramBin& bin : st.s().bins()) csv->row({o.label, "S", bin.value, bin.count});
      for (const HistogramBin& bin : st.s_hat().bins()) csv->row({o.label, "S_hat", bin.value, bin.count});
    }
    csv->commit();
  }
  {
    const auto csv = open("comparison_figures.csv", {"algorithm", "figure", "value", "definition"});
    for (const ComparisonOutcome& o : outcomes)
      for (const AlgorithmFigure& f : o.result.figures) csv->row({o.label, f.name, f.value, f.definition});
    csv->commit();
  }
}

}  // namespace dasgd
