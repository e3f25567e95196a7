// Local-only SGD and its registration ("algorithm": {"name": "local_only_sgd", "eta": η}).
#include "local_only_sgd.hpp"

#include <dasgd/sim/config/algorithm_config.hpp>

namespace extension {

namespace {
constexpr std::uint32_t kComputeDone = 1;
}

LocalOnlySgd::LocalOnlySgd(const dasgd::World& world, const LocalOnlySgdParams& params,
                           dasgd::GradientObserver* observer)
    : eta_(params.eta), observer_(observer), computations_(world, observer),
      models_(world.objective->dimension(), static_cast<Eigen::Index>(world.topology->num_nodes())) {
  models_.colwise() = world.objective->initial_point();
}

void LocalOnlySgd::start(dasgd::Simulator& simulator) {
  for (dasgd::NodeId i = 0; i < num_nodes(); ++i) computations_.begin(simulator, i, models_.col(i), kComputeDone);
}

void LocalOnlySgd::handle(dasgd::Simulator& simulator, const dasgd::Event& event) {
  const dasgd::NodeId i = event.target;
  const std::uint64_t t = computations_.complete(i, simulator.now());
  models_.col(i) -= eta_ * computations_.gradient(i);
  if (observer_ != nullptr) observer_->on_apply(i, t, simulator.now(), true);
  computations_.begin(simulator, i, models_.col(i), kComputeDone);
}

void register_local_only_sgd() {
  dasgd::register_algorithm(
      {"local_only_sgd", "every node runs SGD on its own model and never communicates (example extension)",
       [](dasgd::JsonReader& reader) {
         LocalOnlySgdParams p;
         p.eta = reader.positive("eta");
         reader.finish();
         return dasgd::algorithm_spec<LocalOnlySgd>(p);
       }});
}

}  // namespace extension
