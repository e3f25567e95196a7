// The live snapshot of a time-varying graph and the engine events that change it; see
// live_topology.hpp.
#include "sim/faults/live_topology.hpp"

#include "sim/config/topology_config.hpp"
#include "sim/random/rng.hpp"
#include "topologies/generators.hpp"
#include "topologies/properties.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace dasgd {

LiveSnapshot::LiveSnapshot(std::uint64_t index, SimTime from, GraphSnapshot graph, const LinkModelSpec& link,
                           std::uint64_t network_seed)
    : index_(index), from_(from), graph_(std::move(graph)), network_(graph_.topology, link, network_seed) {
  peer_arc_.reserve(graph_.peer.size());
  for (NodeId i = 0; i < graph_.peer.size(); ++i) peer_arc_.push_back(arc(i, graph_.peer[i]));
}

namespace {

std::string nodes_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " node" : " nodes"); }

GraphSnapshot schedule_snapshot(const Topology& base, const SnapshotSpec& snapshot, std::uint64_t seed,
                                std::size_t index) {
  const std::size_t n = base.num_nodes();
  if (snapshot.graph) {
    Topology topology = [&] {
      try {
        return build_topology(*snapshot.graph, mix_key(seed, Stream::topology_schedule, index, 0));
      } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(snapshot.where + "/graph: " + error.what());
      }
    }();
    if (topology.num_nodes() != n)
      throw std::invalid_argument(snapshot.where + "/graph: expected a graph on the same node set as /graph (" +
                                  nodes_text(n) + "), got " + nodes_text(topology.num_nodes()));
    return {std::move(topology), {}};
  }
  for (std::size_t k = 0; k < snapshot.edges.size(); ++k) {
    const EdgeEnds e = snapshot.edges[k];
    if (e.u >= n || e.v >= n)
      throw std::invalid_argument(snapshot.where + "/edges/" + std::to_string(k) + ": expected node ids below " +
                                  std::to_string(n) + " (the node set of /graph), got [" + std::to_string(e.u) +
                                  ", " + std::to_string(e.v) + "]");
  }
  try {
    return {Topology(n, EdgeList(snapshot.edges), "snapshot at t = " + std::to_string(snapshot.at),
                     Topology::MayBeDisconnected{}),
            {}};
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(snapshot.where + "/edges: " + error.what());
  }
}

}  // namespace

LiveTopology::LiveTopology(const Topology& base, const DynamicTopologySpec& spec, std::uint64_t graph_seed,
                           std::uint64_t delay_seed, const LinkModelSpec& link, FaultLog* log)
    : base_(&base), spec_(spec), graph_seed_(graph_seed), delay_seed_(delay_seed), link_(link), log_(log) {
  const std::size_t n = base.num_nodes();
  if (spec.kind == "schedule") {
    schedule_.reserve(spec.snapshots.size());
    for (std::size_t s = 0; s < spec.snapshots.size(); ++s)
      schedule_.push_back(schedule_snapshot(base, spec.snapshots[s], graph_seed, s));
  } else if (spec.kind == "random_regular") {
    if (spec.degree >= n || (n * spec.degree) % 2 != 0)
      throw std::invalid_argument("/graph/dynamic/degree: expected a degree below n = " + std::to_string(n) +
                                  " with n x degree even, got " + std::to_string(spec.degree));
  } else if (spec.kind == "markov") {
    markov_.emplace(base, spec.on_rate, spec.off_rate, spec.period,
                    mix_key(graph_seed, Stream::topology_schedule));
  }
  // The graph live from t = 0: the base until a schedule's first snapshot, else period 0's draw.
  if (spec.kind == "schedule" && spec.snapshots.front().at > 0) {
    current_ = std::make_shared<LiveSnapshot>(next_index_, 0.0, GraphSnapshot{base, {}}, link_,
                                              mix_key(delay_seed_, Stream::topology_schedule, next_index_, 1));
    ++next_index_;
  } else {
    current_ = std::make_shared<LiveSnapshot>(next_index_, 0.0, build(0, 0.0), link_,
                                              mix_key(delay_seed_, Stream::topology_schedule, next_index_, 1));
    ++next_index_;
    log_change(0.0, {});
    period_ = 1;
  }
}

GraphSnapshot LiveTopology::build(std::uint64_t k, SimTime /*at*/) {
  const std::size_t n = base_->num_nodes();
  const std::string& kind = spec_.kind;
  if (kind == "schedule") return std::move(schedule_[k]);
  if (kind == "random_matching")
    return dynamic::random_matching_snapshot(n, mix_key(graph_seed_, Stream::topology_schedule, k, 0));
  if (kind == "one_peer_exponential") return dynamic::one_peer_exponential_snapshot(n, k);
  if (kind == "random_regular")
    return {generate::random_regular(n, spec_.degree, mix_key(graph_seed_, Stream::topology_schedule, k, 0)), {}};
  // markov: advanced by change()
  return markov_->snapshot();
}

SimTime LiveTopology::next_change() const noexcept {
  if (spec_.kind == "schedule")
    return period_ < spec_.snapshots.size() ? spec_.snapshots[period_].at : std::numeric_limits<SimTime>::infinity();
  return static_cast<double>(period_) * spec_.period;
}

void LiveTopology::change(SimTime now) {
  std::vector<EdgeId> switched;
  if (markov_) switched = markov_->advance();
  GraphSnapshot graph = build(period_, now);
  current_ = std::make_shared<LiveSnapshot>(next_index_, now, std::move(graph), link_,
                                            mix_key(delay_seed_, Stream::topology_schedule, next_index_, 1));
  ++next_index_;
  ++period_;
  ++changes_;
  log_change(now, switched);
}

void LiveTopology::log_change(SimTime at, const std::vector<EdgeId>& switched) {
  if (log_ == nullptr) return;
  log_->append(at, FaultKind::topology_change);
  if (!markov_) return;
  for (const EdgeId e : switched)
    log_->append(at, markov_->on(e) ? FaultKind::link_up : FaultKind::link_down, -1, static_cast<std::int64_t>(e));
}

bool LiveTopology::uniform_mixing_doubly_stochastic() const {
  const auto edge_regular = [](const Topology& t) {
    for (NodeId u = 0; u < t.num_nodes(); ++u)
      for (const NodeId v : t.neighbours(u))
        if (t.degree(u) != t.degree(v)) return false;
    return true;
  };
  if (spec_.kind == "random_matching" || spec_.kind == "random_regular" || spec_.kind == "one_peer_exponential")
    return true;
  if (spec_.kind == "markov") return false;
  // The live snapshot and those still to come (schedule_[period_..]; earlier ones were moved out).
  for (std::size_t s = period_; s < schedule_.size(); ++s)
    if (!edge_regular(schedule_[s].topology)) return false;
  return edge_regular(current_->topology());
}

std::string LiveTopology::disconnected_snapshot() const {
  const std::size_t n = base_->num_nodes();
  const std::string kind = "/graph/dynamic/kind";
  if (spec_.kind == "random_matching") return n > 2 ? kind : "";
  if (spec_.kind == "one_peer_exponential") return n > 2 && n % 2 == 0 ? kind : "";  // gcd(n, 2^k) components
  if (spec_.kind == "markov") return n > 1 ? kind : "";
  if (spec_.kind == "random_regular") return "";  // drawn conditioned on connectivity
  const auto connected = [&](const Topology& t) {
    const auto edges = t.edges();
    return count_components(n, std::span<const Edge>(edges)) == 1;
  };
  // The live snapshot (the base, or snapshot 0 from t = 0) and those still to come.
  if (period_ > 0 && !connected(current_->topology())) return spec_.snapshots[period_ - 1].where;
  for (std::size_t s = period_; s < schedule_.size(); ++s)
    if (!connected(schedule_[s].topology)) return spec_.snapshots[s].where;
  return "";
}

std::string LiveTopology::snapshot_outside_base() const {
  if (spec_.kind == "markov") return "";
  if (spec_.kind != "schedule") return "/graph/dynamic/kind";
  const auto outside = [&](const Topology& t, std::size_t s) -> std::string {
    const auto edges = t.edges();
    for (std::size_t k = 0; k < edges.size(); ++k) {
      if (base_->find_arc(edges[k].u, edges[k].v)) continue;
      const SnapshotSpec& snapshot = spec_.snapshots[s];
      if (snapshot.graph) return snapshot.where + "/graph";
      for (std::size_t e = 0; e < snapshot.edges.size(); ++e) {
        const EdgeEnds ends = snapshot.edges[e];
        if (!base_->find_arc(ends.u, ends.v)) return snapshot.where + "/edges/" + std::to_string(e);
      }
      return snapshot.where;
    }
    return "";
  };
  if (period_ > 0)
    if (std::string where = outside(current_->topology(), period_ - 1); !where.empty()) return where;
  for (std::size_t s = period_; s < schedule_.size(); ++s)
    if (std::string where = outside(schedule_[s].topology, s); !where.empty()) return where;
  return "";
}

void WithTopologyChanges::start(Simulator& simulator) {
  const SimTime at = live_->next_change();
  if (std::isfinite(at)) simulator.schedule_at(at, change_event, 0);
}

void WithTopologyChanges::handle(Simulator& simulator, const Event& event) {
  if (event.type != change_event) {
    algorithm_->handle(simulator, event);
    return;
  }
  live_->change(simulator.now());
  const SimTime at = live_->next_change();
  if (simulator.pending() > 0 && std::isfinite(at)) simulator.schedule_at(at, change_event, 0);
}

}  // namespace dasgd
