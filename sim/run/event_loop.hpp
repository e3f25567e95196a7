// The event loop of one run (run → metrics): starts the world's fault processes and the algorithm,
// drives the engine in slices up to each metrics mark, takes the convergence samples, and stops at
// the first rule that fires (divergence, a signal, every node gone, grad_norm_sq, every node's
// gradient budget, an empty queue, the gradient count, the time), then drains what is in flight when stop.drain asks for it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "sim/algorithms/algorithm.hpp"
#include "sim/config/run_config.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/metrics/convergence_recorder.hpp"
#include "sim/metrics/model_recorder.hpp"
#include "sim/output/progress_bar.hpp"
#include "sim/result/run_result.hpp"
#include "sim/run/run_world.hpp"

namespace dasgd {

class EventLoop {
 public:
  // Builds the engine (its pending-event set sized for the world); nothing runs before run().
  // `models` (record.models, may be null) samples the chosen models beside every metrics row.
  EventLoop(const RunConfig& config, RunWorld& world, Algorithm& algorithm, ConvergenceRecorder& convergence,
            RunResult& result, ModelRecorder* models = nullptr);

  // Runs to the stopping rule and sets result's status, stop_reason, end_time and divergence, its
  // samples' companions (live_edges, live_nodes, first_below_epsilon_average); the last sample is
  // taken at the end of the run. `progress`: a progress bar on stderr (only on a terminal).
  void run(bool progress);

  std::uint64_t events_processed() const noexcept { return simulator_->events_processed(); }

 private:
  void start();
  // One slice of events up to `horizon`, the next gradient mark, a signal or the last node leaving.
  StopReason advance(SimTime horizon);
  // The samples due at `now` after a slice that stopped for `why`; true when one was taken.
  bool take_due_samples(StopReason why, SimTime now, std::uint64_t gradients);
  // Sets the outcome of the first stopping rule that fires; true when one did.
  bool stopping_rule_fired(StopReason why, SimTime now, std::uint64_t gradients, bool sampled);
  void drain();
  void take_final_sample();
  const ConvergenceSample& take_sample(SimTime at);
  // Every node down for good: nothing can advance (RunStatus::no_live_nodes).
  bool everyone_gone() const { return world_.availability && world_.availability->all_gone(); }

  const RunConfig& config_;
  RunWorld& world_;
  Algorithm& algorithm_;
  ConvergenceRecorder& convergence_;
  RunResult& result_;
  ModelRecorder* models_;
  std::unique_ptr<Simulator> simulator_;
  std::optional<WithTopologyChanges> changes_;  // graph.dynamic
  EventHandler* handler_;                       // changes_ when the graph is dynamic, else the algorithm
  const SimTime stop_time_;
  const std::uint64_t stop_gradients_;
  SimTime next_time_mark_;
  std::uint64_t next_gradient_mark_;
};

}  // namespace dasgd
