// Chosen node models over time; see model_recorder.hpp.
#include "sim/metrics/model_recorder.hpp"

namespace dasgd {

ModelRecorder::ModelRecorder(std::vector<std::uint64_t> nodes, std::vector<std::uint64_t> coordinates,
                             Eigen::MatrixXd projections)
    : nodes_(std::move(nodes)), coordinates_(std::move(coordinates)), projections_(std::move(projections)),
      scratch_(projections_.rows()) {
  // (name built by append: GCC 12's -Wrestrict misfires on "x" + std::to_string(k))
  for (const std::uint64_t k : coordinates_) log_.columns.push_back(std::string("x").append(std::to_string(k)));
  for (Eigen::Index j = 0; j < projections_.rows(); ++j)
    log_.columns.push_back(std::string("p").append(std::to_string(j)));
}

void ModelRecorder::sample(const Algorithm& algorithm, SimTime time, std::uint64_t gradients) {
  for (const std::uint64_t i : nodes_) {
    const ConstVectorRef x = algorithm.model(static_cast<NodeId>(i));
    log_.time.push_back(time);
    log_.gradients.push_back(gradients);
    log_.node.push_back(i);
    for (const std::uint64_t k : coordinates_) log_.values.push_back(x[static_cast<Eigen::Index>(k)]);
    if (projections_.rows() > 0) {
      scratch_.noalias() = projections_ * x;
      log_.values.insert(log_.values.end(), scratch_.data(), scratch_.data() + scratch_.size());
    }
  }
}

}  // namespace dasgd
