// Parameter-server ASGD: what the server and each worker do on each event; see parameter_server.hpp.
#include "sim/algorithms/parameter_server.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/faults/link_faults.hpp"
#include "sim/faults/live_topology.hpp"
#include "sim/faults/node_availability.hpp"

namespace dasgd {

namespace {

// Hub 0 linked to every other node, every other node linked to the hub only.
void require_star(const Topology& topology) {
  const std::size_t n = topology.num_nodes();
  const std::string got = "got " + topology.name();
  if (n < 2)
    throw std::invalid_argument("/graph/kind: parameter_server needs a star with at least one worker "
                                "(/graph/nodes >= 2); " + got);
  bool star = topology.degree(0) == n - 1;
  for (NodeId w = 1; star && w < n; ++w) star = topology.degree(w) == 1;
  if (!star)
    throw std::invalid_argument("/graph/kind: parameter_server needs \"star\" (node 0 the server, linked to "
                                "every worker; workers linked to the server only); " + got);
}

}  // namespace

std::string to_string(ServerStep step) {
  switch (step) {
    case ServerStep::constant: return "constant";
    case ServerStep::delay_adaptive: return "delay_adaptive";
  }
  return "?";
}

ParameterServer::ParameterServer(const World& world, const ParameterServerParams& params,
                                 GradientObserver* observer)
    : WaitFreeAlgorithm(world, observer),
      links_(world.network->faults()),
      params_(params),
      message_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + params.header_bytes) {
  require_star(*world.topology);
  if (!(params.eta >= 0) || !std::isfinite(params.eta))
    throw std::invalid_argument("parameter_server: expected a step size eta >= 0, got " + std::to_string(params.eta));
  inbox_ = models_;
  to_worker_.assign(n_, 0);
  to_server_.assign(n_, 0);
  for (NodeId w = 1; w < n_; ++w) {
    to_worker_[w] = *world.topology->find_arc(server, w);
    to_server_[w] = *world.topology->find_arc(w, server);
  }
  inbox_version_.assign(n_, 0);
  read_version_.assign(n_, 0);
  inbox_token_.assign(n_, 0);
  gradient_index_.assign(n_, 0);
  if (faults_on()) {
    model_in_flight_.assign(n_, 0);
    push_in_flight_.assign(n_, 0);
    owed_.assign(n_, 0);
  }
  if (world.availability != nullptr) world.availability->set_server(server);
  if (links_ != nullptr) {
    reply_timeout_ = links_->spec().reply_timeout.value_or(0.0);
    waiting_since_.assign(n_, 0.0);
    wait_generation_.assign(n_, 0);
  }
}

bool ParameterServer::down(NodeId node) const {
  return world_.availability != nullptr && !world_.availability->up(node);
}

double ParameterServer::delay_mean() const noexcept {
  return version_ == 0 ? 0.0 : static_cast<double>(delay_sum_ / static_cast<long double>(version_));
}

std::uint64_t ParameterServer::delay_quantile(double p) const {
  if (!(p > 0 && p <= 1)) throw std::invalid_argument("delay_quantile: expected p in (0, 1], got " + std::to_string(p));
  if (version_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(version_))));
  std::uint64_t seen = 0;
  for (std::size_t tau = 0; tau < delay_histogram_.size(); ++tau) {
    seen += delay_histogram_[tau];
    if (seen >= rank) return tau;
  }
  return delay_max_;
}

std::vector<AlgorithmFigure> ParameterServer::figures() const {
  const double updates = static_cast<double>(version_);
  std::vector<AlgorithmFigure> figures{
      {"tau_avg", delay_mean(), "mean server delay: updates between a worker's pull and its push's application"},
      {"tau_max", static_cast<double>(delay_max_), "largest server delay tau"},
      {"tau_p50", static_cast<double>(delay_quantile(0.5)), "median server delay (nearest rank)"},
      {"tau_p90", static_cast<double>(delay_quantile(0.9)), "90th percentile of the server delay (nearest rank)"},
      {"tau_p99", static_cast<double>(delay_quantile(0.99)), "99th percentile of the server delay (nearest rank)"},
      {"server_updates", updates, "gradients applied at the server"},
      {"step_avg", updates == 0 ? params_.eta : step_sum_ / updates,
       "mean step eta_t the server applied (" + to_string(params_.step) + " step)"},
      {"message_bytes", message_bytes_, "bytes per pull or push: d*8 + header"}};
  if (world_.live != nullptr) {
    figures.push_back({"held_for_link", static_cast<double>(held_for_link_),
                       "pulls and pushes whose worker-server link was off at the send: held until it was back"});
    figures.push_back({"mean_link_wait", held_sent_ == 0 ? 0.0 : held_wait_ / static_cast<double>(held_sent_),
                       "mean time a held message waited for its link (over those sent)"});
    figures.push_back({"stranded", static_cast<double>(stranded_),
                       "messages still held when the graph stopped changing (their link never came back)"});
  }
  if (links_ == nullptr) return figures;
  figures.push_back({"pushes_lost", static_cast<double>(pushes_lost_), "pushes (gradients) lost on a link: never applied"});
  figures.push_back({"replies_lost", static_cast<double>(replies_lost_), "server models lost on the way to a worker"});
  figures.push_back({"requests_lost", static_cast<double>(requests_lost_), "pull requests (after a worker's recovery) lost"});
  figures.push_back({"resumes", static_cast<double>(resumes_),
                     "workers that computed again on their old model after a lost push, reply or request"});
  return figures;
}

void ParameterServer::start(Simulator& simulator) {
  // The first pull costs a message like every other.
  for (NodeId w = 1; w < n_; ++w) send_model(simulator, w);
}

void ParameterServer::handle(Simulator& simulator, const Event& event) {
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case gradient_arrival:
    case pull_request:
      if (down(server)) {
        // Held at the server (handled at its recovery) or dropped: the server then owes a model.
        if (!world_.availability->hold_or_drop(server, event)) {
          push_in_flight_[event.target] = 0;
          owed_[event.target] = 1;
          // Under link faults (S split into transit and lost) a push dropped at the down server is
          // lost for every node like one lost on its link.
          if (event.type == gradient_arrival && observer_ != nullptr) {
            if (links_ != nullptr)
              for (NodeId node = 0; node < n_; ++node)
                observer_->on_gradient_lost(node, gradient_index_[event.target], simulator.now());
            observer_->on_server_delay(gradient_index_[event.target], std::nullopt);  // never applied
          }
        }
      } else if (event.type == gradient_arrival) {
        apply_gradient(simulator, event.target);
      } else {
        push_in_flight_[event.target] = 0;
        if (!computations_.stopped()) send_model(simulator, event.target);
      }
      break;
    case model_arrival:
      if (down(event.target)) {
        if (!world_.availability->hold_or_drop(event.target, event)) {
          model_in_flight_[event.target] = 0;
          if (observer_ != nullptr) observer_->on_model_dropped(inbox_token_[event.target]);
        }
        break;
      }
      receive_model(simulator, event.target);
      break;
    case message_lost: lose(simulator, event.target, static_cast<Lost>(event.payload)); break;
    case reply_timeout: resume(simulator, event.target, event.payload); break;
    case link_retry: transmit_live(simulator, event.target, static_cast<EventType>(event.payload), true); break;
    case NodeAvailability::event_type: world_.availability->handle(simulator, event, *this); break;
    default: throw std::logic_error("parameter_server: unknown event type");
  }
}

void ParameterServer::count_message() {
  ++traffic_.messages;
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
}

void ParameterServer::send_model(Simulator& simulator, NodeId worker) {
  const SimTime now = simulator.now();
  inbox_.col(worker) = models_.col(server);
  inbox_version_[worker] = version_;
  if (observer_ != nullptr) inbox_token_[worker] = observer_->on_model_sent(server, now, 1);
  if (world_.live != nullptr) {
    transmit_live(simulator, worker, model_arrival, false);
    return;
  }
  const SimTime first = world_.network->transmit(to_worker_[worker], message_bytes_, now);
  count_message();
  if (faults_on()) model_in_flight_[worker] = 1;
  const std::optional<SimTime> at = over_link(simulator, to_worker_[worker], message_bytes_, first, worker, lost_reply);
  if (at) simulator.schedule_at(*at, model_arrival, worker);
}

void ParameterServer::receive_model(Simulator& simulator, NodeId worker) {
  if (faults_on()) model_in_flight_[worker] = 0;
  if (links_ != nullptr) ++wait_generation_[worker];  // the wait is over
  models_.col(worker) = inbox_.col(worker);
  read_version_[worker] = inbox_version_[worker];
  if (observer_ != nullptr) observer_->on_model_merged(worker, inbox_token_[worker], simulator.now());
  begin_compute(simulator, worker);
}

void ParameterServer::complete_compute(Simulator& simulator, NodeId worker) {
  const SimTime now = simulator.now();
  const std::uint64_t t = computations_.complete(worker, now);
  gradient_index_[worker] = t;
  if (world_.live != nullptr) {
    transmit_live(simulator, worker, gradient_arrival, false);
    return;
  }
  const SimTime first = world_.network->transmit(to_server_[worker], message_bytes_, now);
  count_message();
  if (faults_on()) push_in_flight_[worker] = 1;
  start_wait(now, worker);
  const std::optional<SimTime> at = over_link(simulator, to_server_[worker], message_bytes_, first, worker, lost_push);
  if (at) simulator.schedule_at(*at, gradient_arrival, worker);
}

void ParameterServer::apply_gradient(Simulator& simulator, NodeId worker) {
  const SimTime now = simulator.now();
  if (faults_on()) push_in_flight_[worker] = 0;
  const std::uint64_t tau = version_ - read_version_[worker];
  const double workers = static_cast<double>(n_ - 1);
  const double step = params_.step == ServerStep::constant
                          ? params_.eta
                          : params_.eta * workers / std::max(workers, static_cast<double>(tau));
  models_.col(server).noalias() -= step * computations_.gradient(worker);
  ++version_;
  ++traffic_.deliveries;
  if (observer_ != nullptr) {
    observer_->on_apply(server, gradient_index_[worker], now, false);
    observer_->on_server_delay(gradient_index_[worker], tau);
  }
  last_update_ = {gradient_index_[worker], worker, tau, step};
  if (tau >= delay_histogram_.size()) delay_histogram_.resize(tau + 1, 0);
  ++delay_histogram_[tau];
  delay_sum_ += static_cast<long double>(tau);
  delay_max_ = std::max(delay_max_, tau);
  step_sum_ += step;
  // The reply is the worker's next pull.
  if (!computations_.stopped()) send_model(simulator, worker);
}

}  // namespace dasgd

namespace dasgd {

void ParameterServer::node_down(Simulator& simulator, NodeId node) {
  if (node != server) computations_.abort(simulator, node);
}

void ParameterServer::node_up(Simulator& /*simulator*/, NodeId node) {
  // initial: the server restarts from x_0 (a worker's model is only its last pull). neighbour is
  // refused for the parameter server by the config.
  if (world_.availability->recovery() != Recovery::initial) return;
  // The server's starting model (node 0's when initial_models are given), for a worker too: x_0 is
  // the server's version-0 model.
  models_.col(node) = world_.initial_model(server);
  if (node != server) read_version_[node] = 0;  // x_0 is the server's version-0 model
}

void ParameterServer::node_resume(Simulator& simulator, NodeId node) {
  if (computations_.stopped()) return;
  if (node == server) {
    for (NodeId w = 1; w < n_; ++w) {
      if (!owed_[w]) continue;
      owed_[w] = 0;
      send_model(simulator, w);
    }
    return;
  }
  if (model_in_flight_[node] || push_in_flight_[node] || computations_.busy(node)) return;
  const SimTime first = world_.network->transmit(to_server_[node], params_.header_bytes, simulator.now());
  count_message();  // (counted at the full message size in traffic bytes)
  push_in_flight_[node] = 1;  // the request stands for the worker's outstanding push
  start_wait(simulator.now(), node);
  const std::optional<SimTime> at = over_link(simulator, to_server_[node], params_.header_bytes, first, node, lost_request);
  if (at) simulator.schedule_at(*at, pull_request, node);
}

}  // namespace dasgd

namespace dasgd {

void ParameterServer::start_wait(SimTime now, NodeId worker) {
  if (links_ == nullptr) return;
  waiting_since_[worker] = now;
  ++wait_generation_[worker];
}

std::optional<SimTime> ParameterServer::over_link(Simulator& simulator, ArcId arc, double bytes, SimTime at,
                                                  NodeId worker, Lost kind) {
  if (links_ == nullptr) return at;
  const HopOutcome outcome = links_->hop(arc, simulator.now(), at, bytes);
  if (outcome.delivered) return outcome.at;
  simulator.schedule_at(outcome.at, message_lost, worker, kind);
  return std::nullopt;
}

// The copy is gone (now): account for it, then the worker waits out its reply timeout.
void ParameterServer::lose(Simulator& simulator, NodeId worker, Lost kind) {
  const SimTime now = simulator.now();
  switch (kind) {
    case lost_push:
      ++pushes_lost_;
      push_in_flight_[worker] = 0;
      // Only the server's model carries gradients to anyone: this one reaches no node, ever.
      if (observer_ != nullptr) {
        for (NodeId node = 0; node < n_; ++node) observer_->on_gradient_lost(node, gradient_index_[worker], now);
        observer_->on_server_delay(gradient_index_[worker], std::nullopt);
      }
      break;
    case lost_request:
      ++requests_lost_;
      push_in_flight_[worker] = 0;
      break;
    case lost_reply:
      ++replies_lost_;
      model_in_flight_[worker] = 0;
      if (observer_ != nullptr) observer_->on_model_dropped(inbox_token_[worker]);
      break;
  }
  const SimTime at = std::max(now, waiting_since_[worker] + reply_timeout_);
  simulator.schedule_at(at, reply_timeout, worker, wait_generation_[worker]);
}

// The wait begun at waiting_since_ is over with no model: compute again on the model held. A newer
// push or request since (a recovery's) makes this timer stale; a down worker resumes at recovery.
void ParameterServer::resume(Simulator& simulator, NodeId worker, std::uint64_t generation) {
  if (generation != wait_generation_[worker] || computations_.stopped() || down(worker)) return;
  if (model_in_flight_[worker] || push_in_flight_[worker] || computations_.busy(worker)) return;
  ++resumes_;
  begin_compute(simulator, worker);
}

}  // namespace dasgd

namespace dasgd {

// graph.dynamic: one worker has at most one message outstanding (its pull or its push), so a held
// message needs no queue: it is the worker's inbox model or its last gradient, kept as they are.
void ParameterServer::transmit_live(Simulator& simulator, NodeId worker, EventType type, bool retry) {
  const SimTime now = simulator.now();
  if (retry && type == model_arrival && computations_.stopped()) {
    if (observer_ != nullptr) observer_->on_model_dropped(inbox_token_[worker]);  // never sent
    return;
  }
  LiveSnapshot& live = world_.live->current();
  const NodeId from = type == model_arrival ? server : worker, to = type == model_arrival ? worker : server;
  if (const std::optional<ArcId> arc = live.topology().find_arc(from, to)) {
    if (retry) {
      held_wait_ += now - held_since_[worker];
      ++held_sent_;
    }
    count_message();
    simulator.schedule_at(live.network().transmit(*arc, message_bytes_, now), type, worker);
    return;
  }
  if (!retry) {
    ++held_for_link_;
    if (held_since_.empty()) held_since_.assign(n_, 0.0);
    held_since_[worker] = now;
  }
  const SimTime next = world_.live->next_change();
  if (std::isfinite(next)) simulator.schedule_at(next, link_retry, worker, type);
  else ++stranded_;
}

}  // namespace dasgd
