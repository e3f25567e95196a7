// See model_recovery.hpp.
#include "sim/algorithms/model_recovery.hpp"

#include "sim/faults/live_topology.hpp"
#include "sim/faults/node_availability.hpp"

namespace dasgd {

void recover_model(const World& world, GradientObserver* observer, Eigen::MatrixXd& models, NodeId node,
                   SimTime now) {
  switch (world.availability->recovery()) {
    case Recovery::keep: break;
    case Recovery::initial: models.col(node) = world.initial_model(node); break;
    case Recovery::neighbour: {
      // graph.dynamic: the neighbours on the snapshot live now (a node alone in it keeps its model).
      const auto neighbours =
          world.live != nullptr ? world.live->current().topology().neighbours(node) : world.topology->neighbours(node);
      const auto from = world.availability->live_pick(node, neighbours.data(), neighbours.size());
      if (!from) break;  // no live neighbour: keeps its own model
      models.col(node) = models.col(*from);
      if (observer != nullptr) observer->on_model_merged(node, observer->on_model_sent(*from, now, 1), now);
      break;
    }
  }
}

}  // namespace dasgd
