// The observer a run attaches to its algorithm (run → metrics): exact staleness of every gradient
// and delivery (StalenessTracker + StalenessStatistics), the virtual sequence x_{t+1} = x_t − η g_t
// the proofs follow, B_t² = ‖x_t − v_t‖²/η², ‖∇f‖² on x_t and on the read model v_t, and the
// measured gradients until ‖∇f‖² first falls below ε. Observes; never changes the run.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "objectives/objective.hpp"
#include "sim/algorithms/algorithm.hpp"
#include "sim/metrics/staleness_statistics.hpp"
#include "sim/metrics/staleness_tracker.hpp"

namespace dasgd {

// One row of gradients.csv (the spec's per-gradient log).
struct GradientLogRow {
  std::uint64_t t = 0;
  NodeId node = 0;
  SimTime start = 0;
  SimTime end = 0;
  std::uint64_t s = 0;
  std::uint64_t s_hat = 0;
  double b_squared = 0;          // ‖x_t − v_t‖² / η²
  double grad_sq_virtual = 0;    // ‖∇f(x_t)‖²
  double grad_sq_read = 0;       // ‖∇f(v_t)‖²
  double gradient_norm = 0;      // ‖g_t‖
  // Link faults (GradientRecorderOptions::lost_split): the part of S_t none of whose copies can
  // still reach the node at completion (S_t^transit = s − s_lost).
  std::uint64_t s_lost = 0;
  // Parameter server (GradientRecorderOptions::server_delays): τ_t, server updates between the
  // worker's pull and this gradient's application; empty when it was never applied (a lost push,
  // or still in flight when the run stopped without stop.drain).
  std::optional<std::uint64_t> tau;
};

struct GradientRecorderOptions {
  double eta = 0;
  double epsilon = 0;
  bool keep_log = true;          // keep every GradientLogRow (gradients.csv)
  bool gradient_norms = true;    // evaluate ∇f on x_t and v_t for every gradient (2 full gradients)
  StalenessOptions staleness{};
  StalenessStatisticsOptions statistics{};
  // A link fault process is on: split every S_t into S^transit + S^lost (gradients.csv columns,
  // statistics); off, outputs are as without faults.
  bool lost_split = false;
  // The algorithm reports τ_t (on_server_delay; the parameter server): every row waits for its τ
  // and rows leave in t order (held rows: the gradients in flight, one per worker at most, and
  // those after them). finish() lets out the rows still waiting, with τ empty.
  bool server_delays = false;
  // Where the virtual sequence starts: x̄_0, the mean of the nodes' initial models (config
  // "initial_models"); empty: the objective's x_0. With unequal starts B_t² also holds the start's
  // disagreement, ‖x̄_0 − x_i(0) − η Σ_{M_t} g‖²/η² (docs/EXPERIMENTS.md).
  Vector initial_model;
};

class GradientRecorder final : public GradientObserver {
 public:
  GradientRecorder(const Objective& objective, std::size_t num_nodes, GradientRecorderOptions options);

  std::uint64_t on_compute_start(NodeId node, SimTime s, ConstVectorRef v) override;
  void on_compute_complete(NodeId node, std::uint64_t t, SimTime s, SimTime c, ConstVectorRef gradient,
                           std::uint64_t computation = latest_computation) override;
  void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) override;
  void on_compute_lost(NodeId node, std::uint64_t computation = latest_computation) override;
  std::uint64_t on_model_sent(NodeId source, SimTime when, std::uint32_t uses) override;
  void on_model_merged(NodeId node, std::uint64_t token, SimTime when) override;
  void on_model_dropped(std::uint64_t token) override;
  void on_gradient_lost(NodeId node, std::uint64_t t, SimTime when) override;
  void on_server_delay(std::uint64_t t, std::optional<std::uint64_t> tau) override;
  // End of the run: rows still waiting for τ (server_delays) are logged with τ empty.
  void finish();
  // Gradients declared lost for each node (never received there); empty if none was.
  std::uint64_t lost_at(NodeId node) const noexcept { return lost_.empty() ? 0 : lost_[node]; }

  // The virtual sequence's step c in x_{t+1} = x_t − c g_t (Algorithm::virtual_step()); η until set.
  void set_virtual_step(double step) { virtual_step_ = step; }
  // Model snapshots sent and not yet merged or dropped (a leak check for algorithms).
  std::size_t open_model_snapshots() const noexcept { return open_models_; }

  const StalenessStatistics& statistics() const noexcept { return statistics_; }
  const StalenessTracker& tracker() const noexcept { return tracker_; }
  // Empty, or one line saying which figures the memory budget switched off, and from where.
  std::string tracking_note() const;
  const std::vector<GradientLogRow>& log() const noexcept { return log_; }
  // With keep_log, rows go to `sink` as they are made instead of into log() (gradients.csv
  // streamed by the output layer: memory does not grow with the gradients).
  void set_log_sink(std::function<void(const GradientLogRow&)> sink) { log_sink_ = std::move(sink); }
  const GradientRecorderOptions& options() const noexcept { return options_; }

  // Sums over every completed gradient t (virtual sequence), for the bounds' envelope.
  std::uint64_t gradients() const noexcept { return gradients_; }
  double mean_grad_sq_virtual() const noexcept;   // (1/T) Σ ‖∇f(x_t)‖²
  double mean_b_squared() const noexcept;         // (1/T) Σ B_t²
  double max_b_squared() const noexcept { return max_b_squared_; }
  double mean_s_squared() const noexcept;         // (1/T) Σ S_t²
  // First t with ‖∇f(x_t)‖² ≤ ε (virtual sequence) and with ‖∇f(v_t)‖² ≤ ε (computed-at model);
  // the count of gradients until then is t (gradients 0..t−1 had been completed).
  std::optional<std::uint64_t> first_below_epsilon_virtual() const noexcept { return first_virtual_; }
  std::optional<std::uint64_t> first_below_epsilon_read() const noexcept { return first_read_; }
  const Vector& virtual_model() const noexcept { return virtual_model_; }
  // Quantiles of B_t² from the kept log (or empty when the log is off): p50, p90, p99.
  std::vector<double> b_squared_quantiles() const;

 private:
  const Objective* objective_;
  GradientRecorderOptions options_;
  StalenessTracker tracker_;
  StalenessStatistics statistics_;
  // Open computations in reusable slots: the tracker's ticket, the model read (v) and ‖∇f(v)‖² at
  // start. A computation's id is (the slot's generation << 32) | slot, so an id whose slot was
  // freed (and perhaps reused) since matches nothing. About one slot per node is open at a time;
  // a slot keeps its model buffer, so no computation allocates (a hash map allocated a node per
  // computation: about 10 % of a tracked 10^4-node gossip run).
  struct OpenComputation {
    ComputationTicket ticket;
    Vector read_model;
    double grad_sq_read = 0;
    std::uint32_t generation = 0;
    bool open = false;
  };
  std::vector<OpenComputation> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint64_t> latest_;    // per node: id of its most recently started computation
  // The open computation `id` names (`computation`, or node's latest), null when none is open.
  OpenComputation* find_open(NodeId node, std::uint64_t computation);
  void close(OpenComputation& open);
  Vector virtual_model_;                 // x_t
  Vector scratch_;
  std::vector<GradientLogRow> log_;
  std::function<void(const GradientLogRow&)> log_sink_;
  void log_row(const GradientLogRow& row);
  void release_rows(bool all);
  // server_delays: rows from t = first_held_ on, with whether their τ is settled.
  std::deque<GradientLogRow> held_rows_;
  std::deque<bool> held_settled_;
  std::uint64_t first_held_ = 0;
  std::uint64_t gradients_ = 0;
  double sum_grad_sq_virtual_ = 0;
  double sum_b_squared_ = 0;
  double max_b_squared_ = 0;
  long double sum_s_squared_ = 0;
  std::optional<std::uint64_t> first_virtual_;
  std::optional<std::uint64_t> first_read_;
  double virtual_step_ = 0;
  struct SentModel {
    GradientSetSnapshot set;
    std::uint32_t uses_left = 0;
  };
  SentModel& sent_model(std::uint64_t token);
  void use_model(SentModel& model);
  // Sent models by token: sent_models_[token − first_token_]; used-up ones leave from the front,
  // so memory follows the models in flight, not the run's length.
  std::deque<SentModel> sent_models_;
  std::uint64_t first_token_ = 0;
  std::uint64_t next_token_ = 0;
  std::size_t open_models_ = 0;
  std::vector<std::uint64_t> lost_;  // per node: gradients lost for it so far (link faults)
};

}  // namespace dasgd
