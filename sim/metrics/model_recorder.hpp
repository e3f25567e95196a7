// Chosen node models over time (run → metrics): at every metrics row, for each chosen node, some
// coordinates of its model and its projections on given vectors (record.models → models.csv, one
// row per node and metrics row, in long format). Reads the algorithm's models; changes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "objectives/objective.hpp"
#include "sim/algorithms/algorithm.hpp"

namespace dasgd {

// What a run logged: row r is (time[r], gradients[r], node[r], values[r·C .. r·C + C−1]), C the
// number of columns; the columns are the coordinates "x<k>" then the projections "p<j>".
struct ModelLog {
  std::vector<std::string> columns;  // empty: record.models was off
  std::vector<double> time;
  std::vector<std::uint64_t> gradients;
  std::vector<std::uint64_t> node;
  std::vector<double> values;
  std::size_t rows() const noexcept { return time.size(); }
};

class ModelRecorder {
 public:
  // nodes: ids (< n) in the order rows are written; coordinates: indices (< d); projections: the
  // rows of a k × d matrix (k may be 0).
  ModelRecorder(std::vector<std::uint64_t> nodes, std::vector<std::uint64_t> coordinates, Eigen::MatrixXd projections);
  // One row per chosen node, of its model now.
  void sample(const Algorithm& algorithm, SimTime time, std::uint64_t gradients);
  const ModelLog& log() const noexcept { return log_; }
  ModelLog take() { return std::move(log_); }

 private:
  std::vector<std::uint64_t> nodes_;
  std::vector<std::uint64_t> coordinates_;
  Eigen::MatrixXd projections_;
  Vector scratch_;
  ModelLog log_;
};

}  // namespace dasgd
