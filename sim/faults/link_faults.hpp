// Link faults (faults → run, ../shared/spec/faults.md "Links"): message loss per arc (Bernoulli, or a
// Gilbert–Elliott good/bad chain per arc), link outages per edge (an alternating up/down process
// with delay laws, a schedule, or a trace), and the optional reliable transport (timeout,
// retransmission, acknowledgements over the reverse link that can be lost too, duplicates dropped
// at the receiver). Algorithms ask one question per message on one link, hop(): does it get
// through, and when (or when is it gone)? Every draw is counter-based on its own named stream, so
// turning a fault process on moves no latency, compute or noise draw.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "sim/delay/distribution.hpp"
#include "sim/delay/link_model.hpp"
#include "sim/engine/event.hpp"
#include "sim/faults/fault_log.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

// Each message on a link is lost with probability p, independently.
struct BernoulliLoss {
  double p = 0;
};

// Gilbert–Elliott (Gilbert 1960, Elliott 1963): per arc, a two-state Markov chain advanced once per
// message handed to the arc. The m-th message is lost with probability loss_good or loss_bad after
// the chain's state for m; the state then moves good → bad with good_to_bad, bad → good with
// bad_to_good. The chain starts in its stationary law, so every message's loss probability is the
// stationary rate π_G·loss_good + π_B·loss_bad, π_B = good_to_bad / (good_to_bad + bad_to_good).
struct GilbertElliottLoss {
  double good_to_bad = 0;
  double bad_to_good = 1;
  double loss_good = 0;
  double loss_bad = 1;
  double stationary_bad() const noexcept {
    const double sum = good_to_bad + bad_to_good;
    return sum > 0 ? good_to_bad / sum : 0.0;
  }
  double stationary_loss() const noexcept {
    const double bad = stationary_bad();
    return (1.0 - bad) * loss_good + bad * loss_bad;
  }
};

using LossModel = std::variant<std::monostate, BernoulliLoss, GilbertElliottLoss>;

// One outage of the edge {u, v} over [down_at, up_at) (up_at = +inf: it never comes back), as a
// schedule entry or a trace row names it; `source` says where ("/faults/links/outages/schedule/2",
// "outages.csv:5") for errors found once the graph is known (no such edge, overlapping outages).
struct ScheduledOutage {
  NodeId u = 0;
  NodeId v = 0;
  SimTime down_at = 0;
  SimTime up_at = std::numeric_limits<SimTime>::infinity();
  std::string source;
};

struct OutageSpec {
  enum class Kind : std::uint8_t { none, law, schedule };
  Kind kind = Kind::none;
  // law: every edge alternates up-time, down-time, up-time, ... from t = 0 (up), edge e's k-th
  // period keyed (seed, link_availability, e, k): k even an up-time, k odd a down-time.
  Distribution up_time = law::Constant{1.0};
  Distribution down_time = law::Constant{1.0};
  std::vector<ScheduledOutage> schedule;  // schedule or trace
};

// Reliable transport: the sender retransmits every `timeout` seconds until an acknowledgement
// arrives or `max_retries` retransmissions were made (then it gives up). Acknowledgements take the
// reverse arc's latency and are subject to its loss and outages; the receiver drops duplicates.
struct TransportSpec {
  bool reliable = false;
  double timeout = 0;
  std::uint32_t max_retries = 0;
  std::vector<std::string> algorithms;  // empty: every algorithm; else only these
  bool applies_to(const std::string& algorithm) const;
};

struct LinkFaultSpec {
  bool links = false;  // faults.links was given (its processes may still be trivial, p = 0)
  LossModel loss;
  OutageSpec outages;
  TransportSpec transport;
  // faults.links.reply_timeout: seconds a parameter-server worker waits, from its push (or pull
  // request), for the server's model before it computes again on the model it holds (needed by
  // parameter_server when messages can be lost without a reliable transport; docs/FAULTS.md).
  std::optional<double> reply_timeout;
  // faults.links.round_timeout: seconds after a message's send at which a synchronous algorithm
  // (minibatch_sgd, local_sgd, dpsgd) declares it lost when no reliable transport serves it (needed
  // by them when messages can be lost; synchronous_round.hpp, docs/FAULTS.md).
  std::optional<double> round_timeout;
  bool loss_on() const noexcept { return !std::holds_alternative<std::monostate>(loss); }
  bool outages_on() const noexcept { return outages.kind != OutageSpec::Kind::none; }
  // A link fault process or the reliable transport for `algorithm` is on: the run then reports
  // S^transit / S^lost and the transport counters (outputs without it stay as they were).
  bool active_for(const std::string& algorithm) const {
    return links || (transport.reliable && transport.applies_to(algorithm));
  }
};

// What became of one message handed to one arc.
struct HopOutcome {
  bool delivered = true;
  SimTime at = 0;  // delivered: its (first) arrival; lost: the moment the last copy was gone
};

// Counters per node (the arc's tail for what it sent, the head for duplicates it dropped).
struct LinkFaultCounters {
  std::uint64_t sends = 0;            // messages handed to a link (first tries)
  std::uint64_t losses = 0;           // tries (first or retransmitted) lost on a link
  std::uint64_t retransmissions = 0;  // tries after the first
  std::uint64_t duplicates = 0;       // extra copies that reached the receiver and were dropped
  std::uint64_t give_ups = 0;         // retry limit reached without an acknowledgement
  std::uint64_t acks_lost = 0;        // acknowledgements lost on the reverse arc
  std::uint64_t dropped = 0;          // messages that never got through (loss, or give-up)
  LinkFaultCounters& operator+=(const LinkFaultCounters& o) noexcept;
};

class LinkFaults {
 public:
  // `topology` must outlive this. Throws std::invalid_argument for a schedule entry naming no
  // edge of the graph, or overlapping outages of one edge (naming the entry's source).
  LinkFaults(const Topology& topology, const LinkFaultSpec& spec, const LinkModelSpec& link,
             std::uint64_t seed, bool reliable);

  // A message of `bytes` handed to `arc` at `send`, whose first try would arrive at `arrival` (the
  // caller's latency draw). Without the transport: lost if the loss draw says so (gone at `send`),
  // or if the edge is down at some instant of [send, arrival) (gone at the first such instant).
  // With it: tries at send + j·timeout, j = 0..max_retries, while no acknowledgement has come back;
  // delivered at the first try that gets through, lost (gone at send + (max_retries + 1)·timeout)
  // when none does. Expected O(1) per call (O(tries)); O(log k) in an edge's k outages so far.
  HopOutcome hop(ArcId arc, SimTime send, SimTime arrival, double bytes);

  // The live graph: is edge e up at time t? (queries at any time; the process is drawn forward.)
  bool edge_up(EdgeId e, SimTime t);
  bool arc_up(ArcId a, SimTime t) { return edge_up(topology_->arc_edge(a), t); }

  bool loss_on() const noexcept { return spec_.loss_on(); }
  bool outages_on() const noexcept { return spec_.outages_on(); }
  bool reliable() const noexcept { return reliable_; }
  const LinkFaultSpec& spec() const noexcept { return spec_; }

  LinkFaultCounters totals() const noexcept;
  std::span<const LinkFaultCounters> per_node() const noexcept { return per_node_; }

  // Appends every link_down / link_up up to `end` to `log`, merged with its rows in time order
  // (its own rows first at equal times; link rows at one instant by edge id). O(E + outages).
  void record_timeline(SimTime end, FaultLog& log);

 private:
  bool loss_draw(ArcId arc);  // the arc's next message lost? (advances its counter)
  // First instant in [a, b) at which edge e is down; +inf if it is up throughout.
  SimTime down_moment(EdgeId e, SimTime a, SimTime b);
  void extend(EdgeId e, SimTime t);  // draws edge e's changes until one lies beyond t
  bool lost_try(ArcId arc, SimTime send, SimTime arrival, SimTime& gone);
  SimTime retry_latency(ArcId arc, double bytes);

  const Topology* topology_;
  LinkFaultSpec spec_;
  LinkModelSpec link_;
  std::uint64_t seed_;
  bool reliable_;
  EdgeAttributes no_attributes_{};
  std::vector<std::uint32_t> messages_;  // per arc: loss draws so far (the m of the key)
  std::vector<std::uint8_t> state_;      // Gilbert–Elliott per arc: 0 not started, 1 good, 2 bad
  std::vector<NodeId> tail_;             // per arc
  std::vector<ArcId> reverse_;           // per arc (reliable transport: the acknowledgement's arc)
  // Per edge: the times its state changes, alternating down, up, down, ... (t = 0 is up).
  std::vector<std::vector<SimTime>> changes_;
  std::vector<LinkFaultCounters> per_node_;
  std::uint32_t extra_draws_ = 0;
};

std::string describe(const LinkFaultSpec& spec);

}  // namespace dasgd
