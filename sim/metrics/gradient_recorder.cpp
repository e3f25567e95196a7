// The run's gradient observer; see gradient_recorder.hpp.
#include "sim/metrics/gradient_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dasgd {

namespace {
// Prefix sums (16 bytes per gradient) only beside the per-gradient log: without it a run's memory
// does not grow with its gradients.
StalenessStatisticsOptions statistics_options(const GradientRecorderOptions& options) {
  StalenessStatisticsOptions statistics = options.statistics;
  statistics.keep_prefix = statistics.keep_prefix && options.keep_log;
  return statistics;
}
}  // namespace

GradientRecorder::GradientRecorder(const Objective& objective, std::size_t num_nodes,
                                   GradientRecorderOptions options)
    : objective_(&objective),
      options_(options),
      tracker_(num_nodes, options.staleness),
      statistics_(num_nodes, statistics_options(options)),
      latest_(num_nodes, latest_computation),
      virtual_model_(options.initial_model.size() > 0 ? options.initial_model : objective.initial_point()),
      scratch_(objective.dimension()),
      virtual_step_(options.eta) {
  if (!(options.eta >= 0)) throw std::invalid_argument("GradientRecorder: eta must be >= 0 (0: no gradient steps)");
}

std::uint64_t GradientRecorder::on_compute_start(NodeId node, SimTime s, ConstVectorRef v) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  OpenComputation& open = slots_[slot];
  ++open.generation;
  open.open = true;
  open.ticket = tracker_.on_compute_start(node, s);
  open.read_model = v;  // the slot's buffer, reused
  if (options_.gradient_norms) {
    objective_->gradient(v, scratch_);
    open.grad_sq_read = scratch_.squaredNorm();
  }
  const std::uint64_t id = (static_cast<std::uint64_t>(open.generation) << 32) | slot;
  latest_[node] = id;
  return id;
}

GradientRecorder::OpenComputation* GradientRecorder::find_open(NodeId node, std::uint64_t computation) {
  const std::uint64_t id = computation == latest_computation ? latest_[node] : computation;
  if (id == latest_computation) return nullptr;  // the node never started one
  const std::size_t slot = static_cast<std::uint32_t>(id);
  if (slot >= slots_.size()) return nullptr;
  OpenComputation& open = slots_[slot];
  return open.open && open.generation == static_cast<std::uint32_t>(id >> 32) ? &open : nullptr;
}

void GradientRecorder::close(OpenComputation& open) {
  open.open = false;
  free_slots_.push_back(static_cast<std::uint32_t>(&open - slots_.data()));
}

void GradientRecorder::on_compute_lost(NodeId node, std::uint64_t computation) {
  OpenComputation* open = find_open(node, computation);
  if (open == nullptr) return;
  tracker_.abandon(open->ticket);
  close(*open);
}

void GradientRecorder::on_compute_complete(NodeId node, std::uint64_t t, SimTime /*s*/, SimTime c,
                                           ConstVectorRef gradient, std::uint64_t computation) {
  OpenComputation* found = find_open(node, computation);
  if (found == nullptr)
    throw std::logic_error("GradientRecorder: completion of node " + std::to_string(node) +
                           " matches no open computation");
  OpenComputation& open = *found;
  const GradientRecord record = tracker_.on_compute_complete(node, open.ticket, c);
  if (record.t != t)
    throw std::logic_error("GradientRecorder: algorithm and tracker disagree on gradient numbering");
  statistics_.add(record);
  GradientLogRow row;
  // Every gradient lost for this node so far is older than t and missing from G_t: exactly the
  // lost part of M_t at completion (the moment t's index and S_t are fixed).
  row.s_lost = lost_at(node);
  if (options_.lost_split) statistics_.add_lost_split(record, row.s_lost);
  row.t = t;
  row.node = node;
  row.start = record.start;
  row.end = c;
  row.s = record.s;
  row.s_hat = record.s_hat;
  // x_t − v_t = −c Σ_{k ∈ M_t} g_k (c = η for DASGD), so B_t² = ‖x_t − v_t‖²/c² is the
  // elastic-consistency quantity, normalised by the virtual sequence's own step.
  // With η = 0 (no gradient steps) every model stays x_0, so x_t = v_t: B_t² = 0, not 0/0.
  row.b_squared = virtual_step_ == 0 ? 0.0
                                     : (virtual_model_ - open.read_model).squaredNorm() / (virtual_step_ * virtual_step_);
  row.gradient_norm = gradient.norm();
  if (options_.gradient_norms) {
    objective_->gradient(virtual_model_, scratch_);
    row.grad_sq_virtual = scratch_.squaredNorm();
    row.grad_sq_read = open.grad_sq_read;
    sum_grad_sq_virtual_ += row.grad_sq_virtual;
    if (!first_virtual_ && row.grad_sq_virtual <= options_.epsilon) first_virtual_ = t;
    if (!first_read_ && row.grad_sq_read <= options_.epsilon) first_read_ = t;
  } else {
    row.grad_sq_virtual = row.grad_sq_read = std::nan("");
  }
  sum_b_squared_ += row.b_squared;
  max_b_squared_ = std::max(max_b_squared_, row.b_squared);
  sum_s_squared_ += static_cast<long double>(record.s) * static_cast<long double>(record.s);
  ++gradients_;
  if (options_.keep_log) {
    if (options_.server_delays) {
      if (held_rows_.empty()) first_held_ = t;
      held_rows_.push_back(row);
      held_settled_.push_back(false);
    } else {
      log_row(row);
    }
  }
  // The virtual sequence: x_{t+1} = x_t − c g_t in completion order (c = η, or η/n for averaging).
  virtual_model_.noalias() -= virtual_step_ * gradient;
  close(open);
}

void GradientRecorder::log_row(const GradientLogRow& row) {
  if (log_sink_) log_sink_(row);
  else log_.push_back(row);
}

void GradientRecorder::on_server_delay(std::uint64_t t, std::optional<std::uint64_t> tau) {
  if (!options_.server_delays || !options_.keep_log) return;
  if (t < first_held_ || t - first_held_ >= held_rows_.size())
    throw std::logic_error("GradientRecorder: delay of gradient " + std::to_string(t) + ", which is not waiting for one");
  const std::size_t k = static_cast<std::size_t>(t - first_held_);
  held_rows_[k].tau = tau;
  held_settled_[k] = true;
  release_rows(false);
}

// Rows leave in t order: the front ones whose τ is settled (all: every one, at the end).
void GradientRecorder::release_rows(bool all) {
  while (!held_rows_.empty() && (all || held_settled_.front())) {
    log_row(held_rows_.front());
    held_rows_.pop_front();
    held_settled_.pop_front();
    ++first_held_;
  }
}

void GradientRecorder::finish() { release_rows(true); }

void GradientRecorder::on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) {
  statistics_.add(tracker_.on_apply(node, t, r, own));
}

std::uint64_t GradientRecorder::on_model_sent(NodeId source, SimTime /*when*/, std::uint32_t uses) {
  const std::uint64_t token = next_token_++;
  SentModel model;
  model.uses_left = uses;
  if (uses != 0) {
    model.set = tracker_.snapshot_set(source);
    ++open_models_;
  }
  sent_models_.push_back(std::move(model));
  while (!sent_models_.empty() && sent_models_.front().uses_left == 0) {
    sent_models_.pop_front();
    ++first_token_;
  }
  return token;
}

GradientRecorder::SentModel& GradientRecorder::sent_model(std::uint64_t token) {
  if (token < first_token_ || token >= next_token_ || sent_models_[token - first_token_].uses_left == 0)
    throw std::logic_error("GradientRecorder: model token " + std::to_string(token) + " used up or unknown");
  return sent_models_[token - first_token_];
}

void GradientRecorder::use_model(SentModel& model) {
  if (--model.uses_left != 0) return;
  tracker_.release_snapshot(model.set);
  --open_models_;
  while (!sent_models_.empty() && sent_models_.front().uses_left == 0) {
    sent_models_.pop_front();
    ++first_token_;
  }
}

void GradientRecorder::on_model_merged(NodeId node, std::uint64_t token, SimTime /*when*/) {
  SentModel& model = sent_model(token);
  tracker_.merge(node, model.set);
  use_model(model);
}

void GradientRecorder::on_model_dropped(std::uint64_t token) { use_model(sent_model(token)); }

void GradientRecorder::on_gradient_lost(NodeId node, std::uint64_t t, SimTime /*when*/) {
  tracker_.on_lost(node, t);
  if (lost_.empty()) lost_.assign(tracker_.num_nodes(), 0);
  ++lost_[node];
}

std::string GradientRecorder::tracking_note() const {
  if (!tracker_.deliveries_cut()) return "";
  return "per-delivery set figures (receiver_only, symmetric_difference) stopped from gradient " +
         std::to_string(tracker_.deliveries_cut_at()) + " on: delivery snapshots would exceed " +
         std::to_string(tracker_.options().snapshot_budget_bytes >> 20) +
         " MiB; they cover the deliveries of earlier gradients only (S, S_hat, delays and version "
         "differences stay exact for every gradient)";
}

double GradientRecorder::mean_grad_sq_virtual() const noexcept {
  return gradients_ == 0 ? 0.0 : sum_grad_sq_virtual_ / static_cast<double>(gradients_);
}
double GradientRecorder::mean_b_squared() const noexcept {
  return gradients_ == 0 ? 0.0 : sum_b_squared_ / static_cast<double>(gradients_);
}
double GradientRecorder::mean_s_squared() const noexcept {
  return gradients_ == 0 ? 0.0 : static_cast<double>(sum_s_squared_ / static_cast<long double>(gradients_));
}

std::vector<double> GradientRecorder::b_squared_quantiles() const {
  if (log_.empty()) return {};
  std::vector<double> values;
  values.reserve(log_.size());
  for (const GradientLogRow& row : log_) values.push_back(row.b_squared);
  std::sort(values.begin(), values.end());
  auto nearest_rank = [&](double p) {
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::max<std::size_t>(rank, 1) - 1];
  };
  return {nearest_rank(0.5), nearest_rank(0.9), nearest_rank(0.99)};
}

}  // namespace dasgd
