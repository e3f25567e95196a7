// The predicted sweep table; see predicted_table.hpp.
#include "sim/sweep/predicted_table.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "sim/output/csv_writer.hpp"
#include "sim/text/number_format.hpp"
#include "sim/predict/staleness_prediction.hpp"

namespace dasgd {

namespace {

std::string text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return format_number(value.get<double>());
  return value.dump();
}

template <typename T>
std::string optional_text(const std::optional<T>& value) {
  if (!value) return "";
  if constexpr (std::is_floating_point_v<T>) return format_number(*value);
  else return std::to_string(*value);
}

}  // namespace

std::vector<std::string> predicted_header(const Sweep& sweep) {
  std::vector<std::string> header{"point"};
  header.insert(header.end(), sweep.axis_paths.begin(), sweep.axis_paths.end());
  for (const char* name : {"seed", "validity", "S_avg_predicted", "tau_avg_predicted", "S_p50", "S_p90", "S_p99",
                           "S_max_expected", "gradients_per_second", "expected_gradients", "reason"})
    header.emplace_back(name);
  return header;
}

std::size_t write_predicted_table(const Sweep& sweep) {
  std::filesystem::create_directories(sweep.directory);
  CsvWriter csv(sweep.directory / "predicted.csv", predicted_header(sweep));
  std::vector<CsvCell> row;
  for (std::size_t k = 0; k < sweep.point_count; ++k) {
    const SweepPoint point = sweep.point(k);
    row.clear();
    row.emplace_back(k);
    for (const PointOverride& o : point.overrides) row.emplace_back(text(o.value));
    try {
      const RunConfig config = point_config(sweep, k);
      const StalenessPrediction p = predict_staleness(config);
      std::string reason;
      for (const std::string& r : p.reasons) reason += (reason.empty() ? "" : "; ") + r;
      const bool none = p.validity == Validity::no_closed_form;
      row.emplace_back(config.seed);
      row.emplace_back(to_string(p.validity));
      row.emplace_back(none ? std::string() : format_number(p.s_avg));
      row.emplace_back(optional_text(p.tau_avg));
      row.emplace_back(optional_text(p.p50));
      row.emplace_back(optional_text(p.p90));
      row.emplace_back(optional_text(p.p99));
      row.emplace_back(optional_text(p.expected_s_max));
      row.emplace_back(none ? std::string() : format_number(p.total_rate));
      row.emplace_back(none ? std::string() : format_number(p.expected_gradients));
      row.emplace_back(reason);
    } catch (const std::exception& error) {
      row.emplace_back(point.seed ? std::to_string(*point.seed) : std::string());
      row.emplace_back("invalid");
      for (int i = 0; i < 8; ++i) row.emplace_back(std::string());
      row.emplace_back(std::string(error.what()));
    }
    csv.row(row);
  }
  csv.commit();
  return sweep.point_count;
}

}  // namespace dasgd
