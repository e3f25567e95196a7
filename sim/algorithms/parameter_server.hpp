// Parameter-server asynchronous SGD (PS-ASGD), the centralised baseline: on a star, node 0 (the hub)
// is the server and nodes 1..n−1 are workers that pull the server's model, compute a gradient on it,
// and push it back; the server applies whichever gradient arrives (spec "Baselines"). Sits beside
// dasgd.hpp: an event handler over the engine, configured by sim/config/asynchronous_algorithms_config.cpp.
//
// One worker's cycle (every step is a message on a real arc, so link delays apply both ways):
//   pull   server → worker: the server's model x_s and its version (updates applied so far); the
//          first pull, at time 0, costs a message too;
//   compute on arrival the worker reads the pulled model and computes for duration(worker, k);
//   push   worker → server: the gradient; applied on arrival, x_s ← x_s − η_t g;
//   reply  the server at once sends its current model back (the next pull), and so on.
// Delay τ_t = server updates between the version the worker pulled and this update (Lian et al. 2015,
// arXiv 1506.08272; Mishchenko et al. 2022, arXiv 2206.07638). With n_w always-busy workers and zero
// latency every server update falls inside exactly n_w − 1 other workers' read-to-write windows, so
// τ_avg → n_w − 1 whatever the compute law (spec, "Independent numbers").
// Step: constant η, or the delay-adaptive η_t = η n_w / max(n_w, τ_t) (Mishchenko et al. 2022, as the
// spec states it): full step for delays up to the number of workers, shrinking like 1/τ beyond.
//
// Gradient sets (spec "Staleness"): the server applies each gradient once, on_apply(server, t,
// own = false); a worker's model is the server model it pulled, so each pull is on_model_sent(server,
// uses = 1), merged at the worker on arrival. A worker never applies its own gradient to its own copy:
// it sees it in its next pull. With zero latency S_t equals τ_t exactly, gradient by gradient.
// Models: model(0) is the server's model; model(w) is worker w's last pulled model. The run's node
// average x̄ therefore mixes the server with stale copies of it; the server's model is the iterate.
// virtual_step() = η: every gradient is applied once (with the adaptive step the virtual sequence
// stays the constant-η one, an upper envelope of the steps taken; the figure step_avg reports them).
//
// Link faults (docs/FAULTS.md "Links"): every push, reply and pull request is one LinkFaults::hop.
// A lost push loses its gradient: never applied, so it is lost for every node (on_gradient_lost at
// the server and at every worker, at the moment the copy is gone: the server model is the only way
// a gradient reaches anyone), it counts in every later S_t as S^lost and in no τ (τ counts applied
// updates). A worker whose push, reply or request was lost resumes at max(loss instant, its send +
// faults.links.reply_timeout): it computes again on the model it holds (read version unchanged, so
// that push's τ spans both cycles), and that push asks for the next model as every push does.
// Under the reliable transport a message is lost only when it gives up; reply_timeout then
// defaults to 0 (resume at the give-up).
//
// graph.dynamic (docs/FAULTS.md "Time-varying topology"): the base star's worker-server links go on
// and off (a schedule of star subgraphs, or markov on the star's edges). A pull or push whose link
// is off at its send is held at the sender and sent, unchanged, at the first later change that
// has the link on, on that snapshot's links; one already on the wire when its link goes off still
// arrives (it travels on the snapshot it was sent on). So every wait ends at a link's return; a
// link that never returns (a schedule ending without it) leaves its worker idle, and the run ends
// when the queue empties. A held model is discarded if computing stopped meanwhile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/algorithms/asynchronous_algorithm.hpp"

namespace dasgd {

class LinkFaults;

enum class ServerStep {
  constant,        // η_t = η
  delay_adaptive,  // η_t = η n_w / max(n_w, τ_t)
};

std::string to_string(ServerStep step);

struct ParameterServerParams {
  double eta = 0.01;              // step size η
  ServerStep step = ServerStep::constant;
  double header_bytes = 32;       // every message carries d·8 bytes (model or gradient) + header
};

// One update the server has applied (the latest one, for observers and tests).
struct ServerUpdate {
  std::uint64_t gradient = 0;  // t (completion order)
  NodeId worker = 0;
  std::uint64_t delay = 0;     // τ_t
  double step = 0;             // η_t
};

class ParameterServer final : public WaitFreeAlgorithm {
 public:
  // pull_request: a recovered worker asks the server for its model (header-only, node faults only).
  // message_lost: a push, reply or request of worker `target` is gone (payload: Lost); reply_timeout:
  // the worker's wait is over (payload: its wait generation). Link faults only.
  enum EventType : std::uint32_t {
    compute_done = compute_done_event, gradient_arrival = 2, model_arrival = 3, pull_request = 4, message_lost = 5, reply_timeout = 6,
    link_retry = 7  // graph.dynamic: a held message (payload: its arrival type) tries its link again
  };
  enum Lost : std::uint64_t { lost_push = 0, lost_reply = 1, lost_request = 2 };
  static constexpr NodeId server = 0;

  // Throws std::invalid_argument naming /graph/kind unless the topology is a star with hub 0 and at
  // least one worker, and for a negative or non-finite η (the config requires η > 0).
  ParameterServer(const World& world, const ParameterServerParams& params, GradientObserver* observer);

  std::string name() const override { return "parameter_server"; }
  void start(Simulator& simulator) override;
  // After stop_computing(), workers start no new computations; in-flight gradients still reach the
  // server and are applied, but the server sends no more models.
  // The budget is per worker: node 0, the server, computes nothing.
  void set_gradient_budget(std::uint64_t per_node) override { computations_.set_budget(per_node, num_nodes() - 1); }
  void handle(Simulator& simulator, const Event& event) override;


  double virtual_step() const override { return params_.eta; }
  std::vector<AlgorithmFigure> figures() const override;
  // Node faults (docs/FAULTS.md). A worker's crash loses its computation; back, it sends a pull
  // request unless a model or its push is still on the way. A push or request reaching the down
  // server is held (applied at recovery) or dropped, and then the server owes that worker a model,
  // sent when it recovers. A model reaching a down worker is held or dropped (token accounted).
  void node_down(Simulator& simulator, NodeId node) override;
  void node_up(Simulator& simulator, NodeId node) override;
  void node_resume(Simulator& simulator, NodeId node) override;

  std::size_t num_workers() const noexcept { return n_ - 1; }
  // Link faults: pushes (gradients) lost, replies lost, pull requests lost, and resumes (a worker
  // computing again on its old model after a lost message).
  std::uint64_t pushes_lost() const noexcept { return pushes_lost_; }
  std::uint64_t replies_lost() const noexcept { return replies_lost_; }
  std::uint64_t requests_lost() const noexcept { return requests_lost_; }
  std::uint64_t resumes() const noexcept { return resumes_; }
  // Updates the server has applied (its model's version).
  std::uint64_t server_version() const noexcept { return version_; }
  const ServerUpdate& last_update() const noexcept { return last_update_; }
  double delay_mean() const noexcept;
  std::uint64_t delay_max() const noexcept { return delay_max_; }
  // Nearest-rank quantile of τ over the applied updates (0 before any), p in (0, 1].
  std::uint64_t delay_quantile(double p) const;
  // histogram[τ] = updates applied with delay τ.
  const std::vector<std::uint64_t>& delay_histogram() const noexcept { return delay_histogram_; }

 private:
  void send_model(Simulator& simulator, NodeId worker);
  void receive_model(Simulator& simulator, NodeId worker);
  void complete_compute(Simulator& simulator, NodeId worker);
  void apply_gradient(Simulator& simulator, NodeId worker);
  void count_message();
  // graph.dynamic: sends the model (type model_arrival) or push (gradient_arrival) of `worker` on
  // the live snapshot's worker-server link, or holds it at the sender until the next change.
  void transmit_live(Simulator& simulator, NodeId worker, EventType type, bool retry);
  // The arrival time of a message on `arc` sent now whose first try arrives at `at`, or, when link
  // faults lose it, schedules message_lost for `worker` and returns nullopt.
  std::optional<SimTime> over_link(Simulator& simulator, ArcId arc, double bytes, SimTime at, NodeId worker, Lost kind);
  void lose(Simulator& simulator, NodeId worker, Lost kind);
  void resume(Simulator& simulator, NodeId worker, std::uint64_t generation);
  void start_wait(SimTime now, NodeId worker);
  // Node or link faults: the per-worker in-flight flags are kept.
  bool faults_on() const noexcept { return world_.availability != nullptr || links_ != nullptr; }
  bool down(NodeId node) const;

  LinkFaults* links_;  // null: a perfect network
  double reply_timeout_ = 0;
  ParameterServerParams params_;
  double message_bytes_;

  // models_: column 0 the server's x_s, column w worker w's last pulled model.
  Eigen::MatrixXd inbox_;      // column w: the model on its way to worker w (one pull in flight each)
  std::vector<ArcId> to_worker_;  // arc server → w
  std::vector<ArcId> to_server_;  // arc w → server
  std::vector<std::uint64_t> inbox_version_;  // server version of the model in flight to w
  std::vector<std::uint64_t> read_version_;   // server version of the model worker w computes on
  std::vector<std::uint64_t> inbox_token_;    // observer token of the pull in flight to w
  std::vector<std::uint64_t> gradient_index_; // t of worker w's gradient in flight
  // Node faults only: a model / push / pull request of worker w on the way; the server owes w a model.
  std::vector<std::uint8_t> model_in_flight_, push_in_flight_, owed_;
  // Link faults only: when worker w's wait for a model began (its last push or request), and a
  // generation counter so that a stale reply_timeout is ignored.
  std::vector<SimTime> waiting_since_;
  std::vector<std::uint64_t> wait_generation_;
  std::uint64_t pushes_lost_ = 0, replies_lost_ = 0, requests_lost_ = 0, resumes_ = 0;

  std::uint64_t version_ = 0;
  ServerUpdate last_update_{};
  std::vector<std::uint64_t> delay_histogram_;
  long double delay_sum_ = 0;
  std::uint64_t delay_max_ = 0;
  double step_sum_ = 0;
  // graph.dynamic: messages that found their link off at the send (each counted once), their waits
  // (send to actual transmission, summed over those transmitted), when each worker's held message
  // was sent, and messages still held when the changes ran out (a link off for good).
  std::uint64_t held_for_link_ = 0, stranded_ = 0, held_sent_ = 0;
  double held_wait_ = 0;
  std::vector<SimTime> held_since_;
};

}  // namespace dasgd
