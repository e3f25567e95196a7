// Local-only SGD and its registration ("algorithm": {"name": "local_only_sgd", "eta": η}).
#include "local_only_sgd.hpp"

#include <dasgd/sim/config/algorithm_config.hpp>

namespace extension {

LocalOnlySgd::LocalOnlySgd(const dasgd::World& world, const LocalOnlySgdParams& params,
                           dasgd::GradientObserver* observer)
    : WaitFreeAlgorithm(world, observer), eta_(params.eta) {}

void LocalOnlySgd::start(dasgd::Simulator& simulator) {
  for (dasgd::NodeId i = 0; i < num_nodes(); ++i) begin_compute(simulator, i);
}

// Every event is a completion (compute_done_event): apply the gradient, start the next one.
void LocalOnlySgd::handle(dasgd::Simulator& simulator, const dasgd::Event& event) {
  const dasgd::NodeId i = event.target;
  const std::uint64_t t = computations_.complete(i, simulator.now());
  models_.col(i) -= eta_ * computations_.gradient(i);
  if (observer_ != nullptr) observer_->on_apply(i, t, simulator.now(), true);
  begin_compute(simulator, i);
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
