// The recovery rule of `faults.nodes` for algorithms that keep one model per node in a matrix and
// merge models (gossip SGD, AD-PSGD): keep; initial (x_0); neighbour (a copy of a live neighbour's
// model, its gradient set merged in with weight 1 through on_model_sent / on_model_merged at this
// instant). Semantics: ../shared/spec/faults.md and docs/FAULTS.md.
#pragma once

#include <Eigen/Dense>

#include "sim/algorithms/algorithm.hpp"

namespace dasgd {

// Sets column `node` of `models` by the run's recovery rule; `world.availability` must be set.
void recover_model(const World& world, GradientObserver* observer, Eigen::MatrixXd& models, NodeId node,
                   SimTime now);

}  // namespace dasgd
