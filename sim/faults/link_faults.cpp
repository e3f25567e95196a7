// Link faults: loss draws, outage timelines and the reliable transport; see link_faults.hpp.
#include "sim/faults/link_faults.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "sim/random/rng.hpp"

namespace dasgd {

namespace {

constexpr SimTime infinity = std::numeric_limits<SimTime>::infinity();
// Key families inside Stream::link_loss, apart from the per-message loss draws (arc, m).
constexpr std::uint64_t kInitialStateBit = std::uint64_t{1} << 63;  // Gilbert–Elliott start state
constexpr std::uint64_t kRetryLatencyBit = std::uint64_t{1} << 62;  // latency of a retry or an ack

}  // namespace

bool TransportSpec::applies_to(const std::string& algorithm) const {
  return algorithms.empty() || std::find(algorithms.begin(), algorithms.end(), algorithm) != algorithms.end();
}

LinkFaultCounters& LinkFaultCounters::operator+=(const LinkFaultCounters& o) noexcept {
  sends += o.sends;
  losses += o.losses;
  retransmissions += o.retransmissions;
  duplicates += o.duplicates;
  give_ups += o.give_ups;
  acks_lost += o.acks_lost;
  dropped += o.dropped;
  return *this;
}

LinkFaults::LinkFaults(const Topology& topology, const LinkFaultSpec& spec, const LinkModelSpec& link,
                       std::uint64_t seed, bool reliable)
    : topology_(&topology), spec_(spec), link_(link), seed_(seed), reliable_(reliable) {
  const std::size_t arcs = topology.num_arcs();
  if (spec.loss_on() || reliable) messages_.assign(arcs, 0);
  if (std::holds_alternative<GilbertElliottLoss>(spec.loss)) state_.assign(arcs, 0);
  tail_.resize(arcs);
  for (NodeId u = 0; u < topology.num_nodes(); ++u)
    for (ArcId a = topology.arc_begin(u); a < topology.arc_begin(u) + topology.degree(u); ++a) tail_[a] = u;
  if (reliable) {
    reverse_.resize(arcs);
    for (ArcId a = 0; a < arcs; ++a) reverse_[a] = *topology.find_arc(topology.arc_target(a), tail_[a]);
  }
  per_node_.resize(topology.num_nodes());
  if (spec.outages_on()) {
    changes_.resize(topology.num_edges());
    if (spec.outages.kind == OutageSpec::Kind::schedule) {
      for (const ScheduledOutage& outage : spec.outages.schedule) {
        const std::optional<ArcId> arc = topology.find_arc(outage.u, outage.v);
        if (outage.u >= topology.num_nodes() || outage.v >= topology.num_nodes() || !arc)
          throw std::invalid_argument(outage.source + ": no edge (" + std::to_string(outage.u) + ", " +
                                      std::to_string(outage.v) + ") in the graph");
        std::vector<SimTime>& changes = changes_[topology.arc_edge(*arc)];
        if (!changes.empty() && outage.down_at < changes.back())
          throw std::invalid_argument(outage.source + ": outage of edge (" + std::to_string(outage.u) + ", " +
                                      std::to_string(outage.v) + ") starts before its previous one ends");
        if (!(outage.up_at > outage.down_at)) continue;  // empty interval
        if (!changes.empty() && outage.down_at == changes.back()) {
          changes.back() = outage.up_at;  // back to back: one longer outage
        } else {
          changes.push_back(outage.down_at);
          changes.push_back(outage.up_at);
        }
      }
    }
  }
}

bool LinkFaults::loss_draw(ArcId arc) {
  if (messages_.empty()) return false;
  const std::uint32_t m = messages_[arc]++;
  Rng rng(mix_key(seed_, Stream::link_loss, arc, m));
  if (const auto* bernoulli = std::get_if<BernoulliLoss>(&spec_.loss)) return rng.uniform() < bernoulli->p;
  if (const auto* ge = std::get_if<GilbertElliottLoss>(&spec_.loss)) {
    std::uint8_t& state = state_[arc];
    if (state == 0) {
      Rng start(mix_key(seed_, Stream::link_loss, arc | kInitialStateBit, 0));
      state = start.uniform() < ge->stationary_bad() ? 2 : 1;
    }
    const bool bad = state == 2;
    const bool lost = rng.uniform() < (bad ? ge->loss_bad : ge->loss_good);
    if (rng.uniform() < (bad ? ge->bad_to_good : ge->good_to_bad)) state = bad ? 1 : 2;
    return lost;
  }
  return false;
}

void LinkFaults::extend(EdgeId e, SimTime t) {
  if (spec_.outages.kind != OutageSpec::Kind::law) return;  // a schedule is known in full
  std::vector<SimTime>& changes = changes_[e];
  while (changes.empty() || changes.back() <= t) {
    const std::size_t k = changes.size();
    const SimTime last = k == 0 ? 0.0 : changes.back();
    Rng rng(mix_key(seed_, Stream::link_availability, e, k));
    const double period = sample(k % 2 == 0 ? spec_.outages.up_time : spec_.outages.down_time, rng);
    changes.push_back(last + period);
  }
}

SimTime LinkFaults::down_moment(EdgeId e, SimTime a, SimTime b) {
  if (changes_.empty()) return infinity;
  extend(e, std::isfinite(b) ? b : a);
  const std::vector<SimTime>& changes = changes_[e];
  // Changes at or before a have happened: an odd count means down at a.
  const auto next = std::upper_bound(changes.begin(), changes.end(), a);
  const auto index = static_cast<std::size_t>(next - changes.begin());
  if (index % 2 == 1) return a;
  if (next != changes.end() && *next < b) return *next;
  return infinity;
}

bool LinkFaults::edge_up(EdgeId e, SimTime t) {
  if (changes_.empty()) return true;
  return !std::isfinite(down_moment(e, t, t));  // [t, t): finite only when down at t
}

// One try of a message on `arc` over [send, arrival): lost by a loss draw (gone at send) or by an
// outage (gone when the edge goes down). `gone` receives the moment.
bool LinkFaults::lost_try(ArcId arc, SimTime send, SimTime arrival, SimTime& gone) {
  const bool drawn = loss_draw(arc);
  const SimTime down = down_moment(topology_->arc_edge(arc), send, arrival > send ? arrival : send);
  if (std::isfinite(down)) {
    gone = down;
    return true;
  }
  if (drawn) {
    gone = send;
    return true;
  }
  return false;
}

SimTime LinkFaults::retry_latency(ArcId arc, double bytes) {
  const EdgeAttributes& attributes =
      topology_->has_edge_attributes() ? topology_->edge_attributes(topology_->arc_edge(arc)) : no_attributes_;
  const std::uint64_t key = mix_key(seed_, Stream::link_loss, arc | kRetryLatencyBit, extra_draws_++);
  return transfer_time(link_, attributes, bytes, key);
}

HopOutcome LinkFaults::hop(ArcId arc, SimTime send, SimTime arrival, double bytes) {
  LinkFaultCounters& sender = per_node_[tail_[arc]];
  ++sender.sends;
  SimTime gone = send;
  if (!reliable_) {
    if (lost_try(arc, send, arrival, gone)) {
      ++sender.losses;
      ++sender.dropped;
      return {false, gone};
    }
    return {true, arrival};
  }
  const double timeout = spec_.transport.timeout;
  const ArcId back = reverse_[arc];
  SimTime delivered = infinity;
  SimTime acknowledged = infinity;  // earliest acknowledgement back at the sender
  for (std::uint32_t j = 0; j <= spec_.transport.max_retries; ++j) {
    const SimTime try_send = send + static_cast<double>(j) * timeout;
    if (j > 0) {
      if (acknowledged <= try_send) break;
      ++sender.retransmissions;
    }
    const SimTime try_arrival = j == 0 ? arrival : try_send + retry_latency(arc, bytes);
    if (lost_try(arc, try_send, try_arrival, gone)) {
      ++sender.losses;
      continue;
    }
    if (std::isfinite(delivered)) {
      ++per_node_[topology_->arc_target(arc)].duplicates;
    } else {
      delivered = try_arrival;
    }
    const SimTime ack_arrival = try_arrival + retry_latency(back, 0.0);
    SimTime ack_gone = try_arrival;
    if (lost_try(back, try_arrival, ack_arrival, ack_gone)) {
      ++sender.acks_lost;
    } else {
      acknowledged = std::min(acknowledged, ack_arrival);
    }
  }
  const SimTime last_timer = send + static_cast<double>(spec_.transport.max_retries + 1) * timeout;
  if (!(acknowledged <= last_timer)) ++sender.give_ups;
  if (!std::isfinite(delivered)) {
    ++sender.dropped;
    return {false, last_timer};
  }
  return {true, delivered};
}

LinkFaultCounters LinkFaults::totals() const noexcept {
  LinkFaultCounters total;
  for (const LinkFaultCounters& c : per_node_) total += c;
  return total;
}

void LinkFaults::record_timeline(SimTime end, FaultLog& log) {
  if (changes_.empty()) return;
  std::vector<FaultRecord> mine;
  for (EdgeId e = 0; e < changes_.size(); ++e) {
    extend(e, end);
    const std::vector<SimTime>& changes = changes_[e];
    for (std::size_t k = 0; k < changes.size() && changes[k] <= end; ++k)
      mine.push_back({changes[k], k % 2 == 0 ? FaultKind::link_down : FaultKind::link_up, -1,
                      static_cast<std::int64_t>(e)});
  }
  std::sort(mine.begin(), mine.end(), [](const FaultRecord& a, const FaultRecord& b) {
    return a.time < b.time || (a.time == b.time && a.edge < b.edge);
  });
  std::vector<FaultRecord> merged;
  merged.reserve(log.records().size() + mine.size());
  std::merge(log.records().begin(), log.records().end(), mine.begin(), mine.end(), std::back_inserter(merged),
             [](const FaultRecord& a, const FaultRecord& b) { return a.time < b.time; });
  FaultLog out;
  for (const FaultRecord& r : merged) out.append(r.time, r.kind, r.node, r.edge);
  log = std::move(out);
}

std::string describe(const LinkFaultSpec& spec) {
  std::ostringstream out;
  if (const auto* b = std::get_if<BernoulliLoss>(&spec.loss)) out << "Bernoulli loss p = " << b->p;
  if (const auto* g = std::get_if<GilbertElliottLoss>(&spec.loss))
    out << "Gilbert-Elliott loss (good->bad " << g->good_to_bad << ", bad->good " << g->bad_to_good
        << ", loss good " << g->loss_good << ", bad " << g->loss_bad << "; stationary " << g->stationary_loss() << ")";
  if (spec.outages_on()) {
    if (out.tellp() > 0) out << "; ";
    if (spec.outages.kind == OutageSpec::Kind::law)
      out << "outages: up " << dasgd::describe(spec.outages.up_time) << ", down " << dasgd::describe(spec.outages.down_time);
    else
      out << "outages: " << spec.outages.schedule.size() << " scheduled";
  }
  if (spec.transport.reliable) {
    if (out.tellp() > 0) out << "; ";
    out << "reliable transport: timeout " << spec.transport.timeout << " s, " << spec.transport.max_retries
        << " retries";
  }
  if (spec.reply_timeout) {
    if (out.tellp() > 0) out << "; ";
    out << "reply timeout " << *spec.reply_timeout << " s";
  }
  if (spec.round_timeout) {
    if (out.tellp() > 0) out << "; ";
    out << "round timeout " << *spec.round_timeout << " s";
  }
  return out.str();
}

}  // namespace dasgd
