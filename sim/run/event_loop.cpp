// The event loop of one run; see event_loop.hpp.
#include "sim/run/event_loop.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "sim/run/interrupt.hpp"
#include "sim/text/number_format.hpp"

namespace dasgd {

namespace {

constexpr std::uint64_t kNoGradientLimit = std::numeric_limits<std::uint64_t>::max();

// The pending-event set for about `pending` events: the calendar queue while its buckets and
// event nodes stay in the caches (O(1), 1.5x fewer cycles than the 4-ary heap at 10^3 to 10^4
// pending in the gossip pattern), the 4-ary heap above, whose top levels stay cached and whose
// pops prefetch (at 10^5 pending and more it was faster; docs/PERFORMANCE.md). Both pop the same
// events in the same order, so the choice never changes an output.
std::string queue_kind_for(std::size_t pending) {
  constexpr std::size_t calendar_max_pending = std::size_t{1} << 15;
  return pending <= calendar_max_pending ? "calendar" : "quaternary_heap";
}

void mark_diverged(RunResult& result, DivergenceEvent event) {
  result.status = RunStatus::diverged;
  result.stop_reason = RunStopReason::diverged;
  result.divergence = event.reason + " at t = " + format_number(event.time) + " s after " +
                      format_number(event.gradients) + " gradients";
  result.divergence_event = std::move(event);
}

void mark_interrupted(RunResult& result) {
  result.status = RunStatus::interrupted;
  result.stop_reason = RunStopReason::interrupted;
  result.interrupted_by = interrupt_signal_name();
}

}  // namespace

EventLoop::EventLoop(const RunConfig& config, RunWorld& world, Algorithm& algorithm, ConvergenceRecorder& convergence,
                     RunResult& result, ModelRecorder* models)
    : config_(config),
      world_(world),
      algorithm_(algorithm),
      convergence_(convergence),
      result_(result),
      models_(models),
      // One pending computation per node, plus messages in flight.
      simulator_(std::make_unique<Simulator>(make_event_queue(queue_kind_for(world.nodes() + world.nodes() / 4)))),
      handler_(&algorithm),
      stop_time_(config.stop.time.value_or(std::numeric_limits<double>::infinity())),
      stop_gradients_(config.stop.gradients.value_or(kNoGradientLimit)),
      next_time_mark_(config.record.interval > 0 ? 0.0 : std::numeric_limits<double>::infinity()),
      next_gradient_mark_(config.record.every_gradients > 0 ? 0 : kNoGradientLimit) {
  simulator_->reserve(world.nodes() + world.nodes() / 4);
}

void EventLoop::start() {
  if (world_.live) {
    changes_.emplace(algorithm_, *world_.live);
    changes_->start(*simulator_);
    handler_ = &*changes_;
  }
  if (world_.availability) world_.availability->start(*simulator_);  // nodes down at 0 are down before anyone starts
  if (config_.stop.gradients_per_node) algorithm_.set_gradient_budget(*config_.stop.gradients_per_node);
  algorithm_.start(*simulator_);
}

void EventLoop::run(bool progress) {
  start();
  const bool by_time = config_.stop.time.has_value();
  // Progress in simulated milliseconds for a timed run, in gradients otherwise.
  const std::uint64_t gradients_total =
      config_.stop.gradients_per_node
          ? std::min<std::uint64_t>(stop_gradients_, *config_.stop.gradients_per_node * world_.nodes())
          : stop_gradients_;
  ProgressBar bar(by_time ? static_cast<std::uint64_t>(std::ceil(stop_time_ * 1000.0)) : gradients_total,
                  by_time ? "run (simulated ms)" : "run (gradients)", !progress);
  take_sample(0.0);
  if (config_.record.interval > 0) next_time_mark_ = config_.record.interval;
  if (config_.record.every_gradients > 0) next_gradient_mark_ = config_.record.every_gradients;

  result_.status = RunStatus::completed;
  while (true) {
    const SimTime horizon = std::min(next_time_mark_, stop_time_);
    const StopReason why = advance(horizon);
    const SimTime now = why == StopReason::time_reached ? horizon : simulator_->now();
    const std::uint64_t gradients = algorithm_.gradients_completed();
    bar.update(by_time ? static_cast<std::uint64_t>(now * 1000.0) : gradients);
    const bool sampled = take_due_samples(why, now, gradients);
    if (stopping_rule_fired(why, now, gradients, sampled)) break;
  }
  bar.finish();
  result_.end_time = result_.stop_reason == RunStopReason::time ? stop_time_ : simulator_->now();
  if (config_.stop.drain && result_.status == RunStatus::completed) drain();
  take_final_sample();
}

StopReason EventLoop::advance(SimTime horizon) {
  // Without a gradient count to watch, run_until skips the per-event predicate; it runs in slices
  // of kInterruptSlice events so that a signal still stops the run within microseconds.
  const bool count_gradients = stop_gradients_ != kNoGradientLimit || next_gradient_mark_ != kNoGradientLimit ||
                               world_.availability != nullptr ||  // (stops at the instant the last node leaves)
                               config_.stop.gradients_per_node.has_value();
  if (count_gradients) {
    return simulator_->run_while(
        *handler_,
        [&] {
          const std::uint64_t g = algorithm_.gradients_completed();
          return g < stop_gradients_ && g < next_gradient_mark_ && !interrupt_requested() && !everyone_gone() &&
                 !algorithm_.budget_spent();
        },
        horizon);
  }
  constexpr std::uint64_t kInterruptSlice = 1024;
  StopReason why;
  do {
    // graph.dynamic: through the wrapper that runs topology changes; otherwise the algorithm's
    // own loop (on its final type).
    why = changes_ ? simulator_->run_until(*handler_, horizon, kInterruptSlice)
                   : algorithm_.run_until(*simulator_, horizon, kInterruptSlice);
  } while (why == StopReason::event_limit && !interrupt_requested() && !everyone_gone());
  return why == StopReason::event_limit ? StopReason::predicate : why;
}

bool EventLoop::take_due_samples(StopReason why, SimTime now, std::uint64_t gradients) {
  bool sampled = false;
  if (why == StopReason::time_reached && now >= next_time_mark_) {
    take_sample(next_time_mark_);
    sampled = true;
    next_time_mark_ += config_.record.interval;
  }
  if (gradients >= next_gradient_mark_) {
    if (!sampled) take_sample(now);
    sampled = true;
    while (next_gradient_mark_ <= gradients) next_gradient_mark_ += config_.record.every_gradients;
  }
  return sampled;
}

bool EventLoop::stopping_rule_fired(StopReason why, SimTime now, std::uint64_t gradients, bool sampled) {
  const ConvergenceSample& last = convergence_.samples().back();
  if (sampled) {
    if (std::optional<DivergenceEvent> event = check_divergence(result_.divergence_rule, last)) {
      mark_diverged(result_, std::move(*event));
      return true;
    }
  }
  if (interrupt_requested()) {
    mark_interrupted(result_);
    return true;
  }
  if (everyone_gone()) {
    result_.status = RunStatus::no_live_nodes;
    result_.stop_reason = RunStopReason::no_live_nodes;
    return true;
  }
  if (sampled && config_.stop.grad_norm_sq && last.grad_sq_average <= *config_.stop.grad_norm_sq) {
    result_.stop_reason = RunStopReason::grad_norm_sq;
    return true;
  }
  if (algorithm_.budget_spent()) {
    result_.stop_reason = RunStopReason::gradients_per_node;
    return true;
  }
  if (why == StopReason::queue_empty) {
    result_.stop_reason = RunStopReason::queue_empty;
    return true;
  }
  if (gradients >= stop_gradients_) {
    result_.stop_reason = RunStopReason::gradients;
    return true;
  }
  if (now >= stop_time_) {
    result_.stop_reason = RunStopReason::time;
    return true;
  }
  return false;
}

// Delivers what is in flight; computations already started still complete (and are counted).
void EventLoop::drain() {
  algorithm_.stop_computing();
  if (world_.availability) world_.availability->stop(*simulator_);  // no new crashes: the queue can empty
  simulator_->run_while(*handler_, [] { return !interrupt_requested(); });
  if (interrupt_requested()) mark_interrupted(result_);
  result_.end_time = std::max(result_.end_time, simulator_->now());
}

// A final row at the end of the run, unless one was just taken there.
void EventLoop::take_final_sample() {
  if (convergence_.samples().back().time == result_.end_time &&
      convergence_.samples().back().gradients == algorithm_.gradients_completed())
    return;
  const ConvergenceSample& last = take_sample(result_.end_time);
  if (result_.status == RunStatus::diverged) return;
  if (std::optional<DivergenceEvent> event = check_divergence(result_.divergence_rule, last))
    mark_diverged(result_, std::move(*event));
}

const ConvergenceSample& EventLoop::take_sample(SimTime at) {
  const ConvergenceSample& s = convergence_.sample(algorithm_, at, simulator_->events_processed());
  if (models_ != nullptr) models_->sample(algorithm_, at, s.gradients);
  if (world_.live) result_.live_edges.push_back(world_.live->current().live_edges());
  if (world_.availability) result_.live_nodes.push_back(world_.availability->live());
  if (!result_.first_below_epsilon_average && s.grad_sq_average <= config_.epsilon)
    result_.first_below_epsilon_average = s.gradients;
  return s;
}

}  // namespace dasgd
