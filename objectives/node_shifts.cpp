// Centred, scaled per-node linear shifts; see node_shifts.hpp.
#include "objectives/node_shifts.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "objectives/gradient_noise.hpp"

namespace dasgd {

NodeShifts::NodeShifts(std::uint32_t num_nodes, Eigen::Index dimension, double zeta2,
                       std::uint64_t seed) {
  if (num_nodes == 0) throw std::invalid_argument("node shifts: expected at least 1 node, got 0");
  if (!(zeta2 >= 0.0) || !std::isfinite(zeta2))
    throw std::invalid_argument("node shifts: expected heterogeneity zeta2 >= 0, got " +
                                std::to_string(zeta2));
  shifts_.resize(num_nodes, dimension);
  Rng rng = objective_stream(seed, ObjectiveDraw::node_shifts);
  for (Eigen::Index i = 0; i < shifts_.rows(); ++i)
    for (Eigen::Index j = 0; j < dimension; ++j) shifts_(i, j) = rng.normal();
  // Centre: the shifts must cancel so that the node average is f itself.
  const Eigen::RowVectorXd mean = shifts_.colwise().mean();
  shifts_.rowwise() -= mean;
  const double raw = shifts_.squaredNorm() / static_cast<double>(num_nodes);
  if (raw > 0.0) shifts_ *= std::sqrt(zeta2 / raw);
  else shifts_.setZero();
  dissimilarity_ = shifts_.squaredNorm() / static_cast<double>(num_nodes);
  max_norm_ = shifts_.rowwise().norm().maxCoeff();
}

}  // namespace dasgd
