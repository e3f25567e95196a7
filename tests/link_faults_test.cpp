// Link faults (sim/faults/link_faults.hpp) against closed forms: the delivery delay of a reliable
// transport over a constant-latency Bernoulli link, the Gilbert–Elliott stationary loss rate, the
// up-time fraction of an alternating renewal outage process, hand-worked outage schedules; and the
// exact S = S^transit + S^lost split against literal sets on random small worlds.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "sim/algorithms/adpsgd.hpp"
#include "sim/algorithms/dasgd.hpp"
#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/faults/link_faults.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

LinkFaultSpec bernoulli(double p) {
  LinkFaultSpec spec;
  spec.links = true;
  spec.loss = BernoulliLoss{p};
  return spec;
}

// Reliable transport over one constant-latency link with Bernoulli(p) loss on data and acks:
// try j leaves at j·T and gets through with probability 1 − p, so the delivery delay is L + k·T
// with P(k) = p^k (1 − p) for k = 0..R, and the message is given up with probability p^(R+1).
// (Acknowledgements only decide whether more tries follow after a success: with L + L < T an
// acknowledged success stops the tries, so they do not move the first success.)
TEST(LinkFaults, RetransmissionDelayIsLatencyPlusGeometricNumberOfTimeouts) {
  const double p = 0.3, L = 0.1, T = 0.5;
  const std::uint32_t R = 3;
  const Topology graph = generate::complete(2);
  LinkFaultSpec spec = bernoulli(p);
  spec.transport = {true, T, R, {}};
  LinkFaults faults(graph, spec, link_law(law::Constant{L}), 7, true);
  const int messages = 200000;
  std::vector<int> tries(R + 2, 0);
  double delay_sum = 0;
  int delivered = 0;
  for (int m = 0; m < messages; ++m) {
    const SimTime send = 10.0 * m;
    const HopOutcome out = faults.hop(0, send, send + L, 8);
    if (!out.delivered) {
      ++tries[R + 1];
      EXPECT_DOUBLE_EQ(out.at, send + (R + 1) * T);  // given up when the last timer expires
      continue;
    }
    const double k = std::round((out.at - send - L) / T);
    ASSERT_NEAR(out.at - send, L + k * T, 1e-9);
    ++tries[static_cast<std::size_t>(k)];
    delay_sum += out.at - send;
    ++delivered;
  }
  for (std::uint32_t k = 0; k <= R + 1; ++k) {
    const double expected = k <= R ? std::pow(p, k) * (1 - p) : std::pow(p, R + 1);
    const double sd = std::sqrt(expected * (1 - expected) / messages);
    EXPECT_NEAR(tries[k] / static_cast<double>(messages), expected, 5 * sd) << "k = " << k;
  }
  // E[delay | delivered] = L + T Σ_k k p^k (1 − p) / (1 − p^(R+1)).
  double mean_k = 0;
  for (std::uint32_t k = 0; k <= R; ++k) mean_k += k * std::pow(p, k) * (1 - p);
  mean_k /= 1 - std::pow(p, R + 1);
  EXPECT_NEAR(delay_sum / delivered, L + T * mean_k, 0.005);
  const LinkFaultCounters c = faults.totals();
  EXPECT_EQ(c.sends, static_cast<std::uint64_t>(messages));
  EXPECT_EQ(c.dropped, static_cast<std::uint64_t>(tries[R + 1]));
  // A duplicate is a success after a success: its acknowledgement was lost. Every try after the
  // first is a retransmission.
  EXPECT_GT(c.duplicates, 0u);
  EXPECT_GT(c.retransmissions, 0u);
}

TEST(LinkFaults, BernoulliLossWithoutTransportLosesAFractionPAtTheSend) {
  const Topology graph = generate::ring(10);
  LinkFaults faults(graph, bernoulli(0.2), link_law(law::Constant{0.1}), 3, false);
  int lost = 0;
  const int messages = 100000;
  for (int m = 0; m < messages; ++m) {
    const ArcId arc = static_cast<ArcId>(m % graph.num_arcs());
    const HopOutcome out = faults.hop(arc, m, m + 0.1, 8);
    if (!out.delivered) {
      ++lost;
      EXPECT_EQ(out.at, m);
    } else {
      EXPECT_EQ(out.at, m + 0.1);  // the latency draw is the caller's, untouched
    }
  }
  EXPECT_NEAR(lost / static_cast<double>(messages), 0.2, 5 * std::sqrt(0.2 * 0.8 / messages));
}

// π_B = g / (g + b); loss rate (1 − π_B)·loss_good + π_B·loss_bad = 0.8·0.01 + 0.2·0.6 = 0.128.
// Losses come in bursts: after a loss, the next message is in the bad state with probability
// P(bad | lost)·(1 − b) + P(good | lost)·g, so losses cluster (P(loss | loss) > rate).
TEST(LinkFaults, GilbertElliottLosesAtItsStationaryRateInBursts) {
  GilbertElliottLoss ge{0.05, 0.2, 0.01, 0.6};
  ASSERT_DOUBLE_EQ(ge.stationary_loss(), 0.128);
  LinkFaultSpec spec;
  spec.links = true;
  spec.loss = ge;
  const Topology graph = generate::complete(40);
  LinkFaults faults(graph, spec, link_law(law::Constant{0.1}), 11, false);
  std::uint64_t lost = 0, pairs = 0, lost_after_lost = 0, total = 0;
  for (ArcId arc = 0; arc < graph.num_arcs(); ++arc) {
    bool previous = false;
    for (int m = 0; m < 200; ++m) {
      const bool now = !faults.hop(arc, m, m + 0.1, 0).delivered;
      lost += now;
      ++total;
      if (m > 0 && previous) {
        ++pairs;
        lost_after_lost += now;
      }
      previous = now;
    }
  }
  // Correlated samples: the chain mixes in about 1 / (g + b) = 4 messages; 5 σ of that.
  const double rate = static_cast<double>(lost) / static_cast<double>(total);
  EXPECT_NEAR(rate, 0.128, 5 * std::sqrt(0.128 * 0.872 * 8 / static_cast<double>(total)));
  // P(loss | loss) = Σ_s P(s | lost) Σ_s' P(s' | s) loss(s').
  const double bad_given_lost = 0.2 * 0.6 / 0.128;
  const double next_bad = bad_given_lost * (1 - 0.2) + (1 - bad_given_lost) * 0.05;
  const double expected = next_bad * 0.6 + (1 - next_bad) * 0.01;
  EXPECT_NEAR(static_cast<double>(lost_after_lost) / static_cast<double>(pairs), expected, 0.02);
  EXPECT_GT(expected, 2 * 0.128);
}

// Alternating renewal process: the long-run fraction of time up is E[U] / (E[U] + E[D]).
TEST(LinkFaults, OutageLawGivesTheAlternatingRenewalUpTimeFraction) {
  LinkFaultSpec spec;
  spec.links = true;
  spec.outages.kind = OutageSpec::Kind::law;
  spec.outages.up_time = law::Exponential{3.0};
  spec.outages.down_time = law::Uniform{0.5, 1.5};
  const Topology graph = generate::ring(200);
  LinkFaults faults(graph, spec, link_law(law::Constant{0.1}), 5, false);
  int up = 0, samples = 0;
  for (EdgeId e = 0; e < graph.num_edges(); ++e)
    for (double t = 50; t < 1050; t += 5.0) {
      up += faults.edge_up(e, t);
      ++samples;
    }
  EXPECT_NEAR(up / static_cast<double>(samples), 3.0 / 4.0, 0.01);
  FaultLog log;
  faults.record_timeline(100.0, log);
  ASSERT_FALSE(log.empty());
  for (std::size_t k = 1; k < log.records().size(); ++k)
    EXPECT_LE(log.records()[k - 1].time, log.records()[k].time);
}

// Edge (0, 1) of a 3-node path is down over [2, 3) and from 5 on. Latency 0.5.
TEST(LinkFaults, ScheduledOutageLosesMessagesSentOnItOrCaughtOnTheWire) {
  const Topology graph(3, std::vector<Edge>{{0, 1, {}}, {1, 2, {}}}, "path");
  LinkFaultSpec spec;
  spec.links = true;
  spec.outages.kind = OutageSpec::Kind::schedule;
  spec.outages.schedule = {{0, 1, 2.0, 3.0, "row 0"}, {1, 0, 5.0, INFINITY, "row 1"}};
  LinkFaults faults(graph, spec, link_law(law::Constant{0.5}), 1, false);
  const ArcId a01 = *graph.find_arc(0, 1);
  const ArcId a12 = *graph.find_arc(1, 2);
  EXPECT_TRUE(faults.hop(a01, 1.0, 1.5, 0).delivered);
  const HopOutcome caught = faults.hop(a01, 1.75, 2.25, 0);  // on the wire when the link goes down
  EXPECT_FALSE(caught.delivered);
  EXPECT_EQ(caught.at, 2.0);
  const HopOutcome sent_down = faults.hop(a01, 2.5, 3.0, 0);  // sent while down
  EXPECT_FALSE(sent_down.delivered);
  EXPECT_EQ(sent_down.at, 2.5);
  EXPECT_TRUE(faults.hop(a01, 3.0, 3.5, 0).delivered);  // back up at 3 exactly
  EXPECT_TRUE(faults.hop(a01, 4.5, 5.0, 0).delivered);  // arrives as the link goes down
  EXPECT_FALSE(faults.hop(*graph.find_arc(1, 0), 7.0, 7.5, 0).delivered);  // never back
  EXPECT_TRUE(faults.hop(a12, 2.5, 3.0, 0).delivered);  // the other edge is unaffected
  EXPECT_FALSE(faults.edge_up(0, 2.0));
  EXPECT_TRUE(faults.edge_up(0, 3.0));
  FaultLog log;
  log.append(2.0, FaultKind::node_down, 2);  // another process's row at the same instant
  faults.record_timeline(10.0, log);
  ASSERT_EQ(log.records().size(), 4u);
  EXPECT_EQ(log.records()[0].kind, FaultKind::node_down);
  EXPECT_EQ(log.records()[1].kind, FaultKind::link_down);
  EXPECT_EQ(log.records()[1].edge, 0);
  EXPECT_EQ(log.records()[2].kind, FaultKind::link_up);
  EXPECT_EQ(log.records()[2].time, 3.0);
  EXPECT_EQ(log.records()[3].time, 5.0);
}

TEST(LinkFaults, ScheduleNamingNoEdgeIsRefusedWithItsSource) {
  const Topology graph = generate::ring(4);
  LinkFaultSpec spec;
  spec.links = true;
  spec.outages.kind = OutageSpec::Kind::schedule;
  spec.outages.schedule = {{0, 2, 1.0, 2.0, "outages.csv:3"}};
  try {
    LinkFaults faults(graph, spec, link_law(law::Constant{0.1}), 1, false);
    FAIL() << "accepted an outage of a non-edge";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("outages.csv:3: no edge (0, 2)"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// S = S^transit + S^lost, exact, against literal sets.

// Forwards every call to a GradientRecorder and keeps the definitions literally: per node the set
// of applied gradients and of gradients declared lost (with when), and each gradient's expected
// S and S^lost at its completion.
class LiteralSplit final : public GradientObserver {
 public:
  LiteralSplit(const Objective& objective, std::size_t n, GradientRecorderOptions options)
      : recorder(objective, n, options), applied(n), lost(n), latest(n) {}

  std::uint64_t on_compute_start(NodeId node, SimTime s, ConstVectorRef v) override {
    const std::uint64_t id = recorder.on_compute_start(node, s, v);
    read[id] = applied[node];
    latest[node] = id;
    return id;
  }
  void on_compute_complete(NodeId node, std::uint64_t t, SimTime s, SimTime c, ConstVectorRef g,
                           std::uint64_t computation) override {
    const std::uint64_t id = computation == latest_computation ? latest[node] : computation;
    recorder.on_compute_complete(node, t, s, c, g, computation);
    Expected e{node, c, 0, 0, {}};
    for (std::uint64_t k = 0; k < t; ++k) {
      if (read[id].count(k) != 0) continue;
      ++e.s;
      if (lost[node].count(k) != 0) ++e.s_lost;
      else e.transit.push_back(k);
    }
    read.erase(id);
    expected.push_back(std::move(e));
  }
  void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) override {
    recorder.on_apply(node, t, r, own);
    EXPECT_EQ(lost[node].count(t), 0u) << "gradient " << t << " applied at " << node << " after it was lost";
    applied[node].insert(t);
  }
  std::uint64_t on_model_sent(NodeId source, SimTime when, std::uint32_t uses) override {
    return recorder.on_model_sent(source, when, uses);
  }
  void on_model_merged(NodeId node, std::uint64_t token, SimTime when) override {
    recorder.on_model_merged(node, token, when);
  }
  void on_model_dropped(std::uint64_t token) override { recorder.on_model_dropped(token); }
  void on_gradient_lost(NodeId node, std::uint64_t t, SimTime when) override {
    recorder.on_gradient_lost(node, t, when);
    EXPECT_EQ(applied[node].count(t), 0u);
    EXPECT_TRUE(lost[node].emplace(t, when).second) << "lost twice";
  }

  // Gradient k reached or was lost for some node other than its origin (it left in a message).
  bool sent(std::uint64_t k, std::size_t n) const {
    int seen = 0;
    for (std::size_t j = 0; j < n; ++j) seen += applied[j].count(k) != 0 || lost[j].count(k) != 0;
    return seen > 1;
  }

  struct Expected {
    NodeId node;
    SimTime end;
    std::uint64_t s, s_lost;
    std::vector<std::uint64_t> transit;  // missing, not lost at completion
  };
  GradientRecorder recorder;
  std::vector<std::set<std::uint64_t>> applied;
  std::vector<std::map<std::uint64_t, SimTime>> lost;
  std::vector<std::uint64_t> latest;
  std::unordered_map<std::uint64_t, std::set<std::uint64_t>> read;
  std::vector<Expected> expected;
};

GradientRecorderOptions split_options() {
  GradientRecorderOptions options;
  options.eta = 0.01;
  options.gradient_norms = false;
  options.lost_split = true;
  return options;
}

Topology random_graph(Rng& rng) {
  switch (rng.below(5)) {
    case 0: return generate::ring(4 + rng.below(8));
    case 1: return generate::complete(3 + rng.below(6));
    case 2: return generate::torus(3, 3 + rng.below(2));
    case 3: return generate::random_regular(8 + 2 * rng.below(3), 3, rng());
    default: return generate::hypercube(3);
  }
}

LinkFaultSpec random_faults(Rng& rng) {
  LinkFaultSpec spec;
  spec.links = true;
  if (rng.below(2) == 0) spec.loss = BernoulliLoss{0.05 + 0.35 * rng.uniform()};
  else spec.loss = GilbertElliottLoss{0.1, 0.3, 0.02, 0.7};
  if (rng.below(3) == 0) {
    spec.outages.kind = OutageSpec::Kind::law;
    spec.outages.up_time = law::Exponential{3.0};
    spec.outages.down_time = law::Exponential{0.5};
  }
  if (rng.below(2) == 0) spec.transport = {true, 0.3, static_cast<std::uint32_t>(rng.below(4)), {}};
  return spec;
}

// Random small worlds, every DASGD delivery, every link fault process: each gradient's S and
// S^lost equal the literal sets' at completion; after a drain, every (node, gradient) is applied
// or lost, never both; and every missing gradient counted as in transit at a completion was
// applied there later or lost only after that completion (it still had a copy on the way).
TEST(LinkFaultStaleness, SplitEqualsLiteralSetsForDasgdOnRandomWorlds) {
  Rng rng(2026);
  for (int world = 0; world < 36; ++world) {
    auto w = make_world(random_graph(rng), cosine_objective(2, 0.0), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.15}), 100 + world);
    const LinkFaultSpec spec = random_faults(rng);
    LinkFaults faults(w->topology, spec, w->network->spec(), 100 + world, spec.transport.reliable);
    w->network->set_faults(&faults);
    const std::size_t n = w->topology.num_nodes();
    LiteralSplit observer(*w->objective, n, split_options());
    DasgdParams params;
    params.eta = 0.01;
    params.delivery = static_cast<Delivery>(world % 3);
    params.batch = world % 4 == 3 ? 2 : 1;
    Dasgd algorithm(w->world, params, &observer);
    Simulator simulator;
    testing::run_gradients(algorithm, simulator, 25 * n);
    algorithm.stop_computing();
    simulator.run(algorithm);
    const std::string where = "world " + std::to_string(world) + " (" + w->topology.name() + ", delivery " +
                              to_string(params.delivery) + ", " + describe(spec) + ")";
    const auto& log = observer.recorder.log();
    ASSERT_EQ(log.size(), observer.expected.size()) << where;
    std::uint64_t lost_total = 0;
    for (std::size_t t = 0; t < log.size(); ++t) {
      const auto& e = observer.expected[t];
      ASSERT_EQ(log[t].s, e.s) << where << ", t = " << t;
      ASSERT_EQ(log[t].s_lost, e.s_lost) << where << ", t = " << t;
      lost_total += e.s_lost;
      for (const std::uint64_t k : e.transit) {
        if (!observer.sent(k, n)) continue;  // still in its origin's unsent batch (b > 1) at the end
        const auto it = observer.lost[e.node].find(k);
        ASSERT_TRUE(observer.applied[e.node].count(k) != 0 || (it != observer.lost[e.node].end() && it->second >= e.end))
            << where << ": gradient " << k << " counted in transit at t = " << t << " but never arrived";
      }
    }
    if (params.delivery != Delivery::neighbours) {
      // Exhaustive: with the batch's unsent tail (b = 2) aside, each node ends with every gradient
      // applied or lost.
      for (NodeId j = 0; j < n; ++j) {
        const std::size_t both = observer.applied[j].size() + observer.lost[j].size();
        EXPECT_GE(both + n * (params.batch - 1), log.size()) << where << ", node " << j;
        EXPECT_LE(both, log.size()) << where;
      }
    }
    EXPECT_EQ(observer.recorder.statistics().s_lost().count(), log.size()) << where;
    EXPECT_NEAR(observer.recorder.statistics().s_lost().mean() * static_cast<double>(log.size()),
                static_cast<double>(lost_total), 1e-6 * static_cast<double>(lost_total + 1)) << where;
  }
}

// Gossip loses models, not gradients: each gradient stays in its origin's model, so S^lost = 0
// however much is lost; every lost push is accounted (on_model_dropped) and merges stay exact.
TEST(LinkFaultStaleness, GossipLosesModelsButNoGradientAndAccountsEveryDroppedModel) {
  Rng rng(7);
  for (int world = 0; world < 8; ++world) {
    auto w = make_world(random_graph(rng), cosine_objective(2, 0.0), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.15}), 300 + world);
    const LinkFaultSpec spec = random_faults(rng);
    LinkFaults faults(w->topology, spec, w->network->spec(), 300 + world, spec.transport.reliable);
    w->network->set_faults(&faults);
    GradientRecorderOptions options = split_options();
    options.staleness.layout = SetLayout::origin_prefixes;
    LiteralSplit observer(*w->objective, w->topology.num_nodes(), options);
    GossipSgdParams params;
    params.eta = 0.01;
    GossipSgd algorithm(w->world, params, &observer);
    Simulator simulator;
    testing::run_gradients(algorithm, simulator, 30 * w->topology.num_nodes());
    algorithm.stop_computing();
    simulator.run(algorithm);
    EXPECT_EQ(observer.recorder.open_model_snapshots(), 0u);
    EXPECT_EQ(algorithm.merges() + static_cast<std::uint64_t>(algorithm.figures().back().value),
              algorithm.traffic().messages);
    EXPECT_GT(faults.totals().losses, 0u) << "no try was lost";
    EXPECT_EQ(observer.recorder.statistics().s_lost().max(), 0);
  }
}

// AD-PSGD: a lost message abandons its exchange (no lock is held forever, every node computes on),
// every lost model is accounted, and no gradient is lost for anyone.
TEST(LinkFaultStaleness, AdpsgdAbandonsExchangesWithALostMessageAndNeverHangs) {
  Rng rng(11);
  for (int world = 0; world < 8; ++world) {
    auto w = make_world(random_graph(rng), cosine_objective(2, 0.0), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.15}), 500 + world);
    const LinkFaultSpec spec = random_faults(rng);
    LinkFaults faults(w->topology, spec, w->network->spec(), 500 + world, spec.transport.reliable);
    w->network->set_faults(&faults);
    GradientRecorderOptions options = split_options();
    options.staleness.layout = SetLayout::origin_prefixes;
    LiteralSplit observer(*w->objective, w->topology.num_nodes(), options);
    AdpsgdParams params;
    params.eta = 0.01;
    Adpsgd algorithm(w->world, params, &observer);
    Simulator simulator;
    const std::uint64_t target = 30 * w->topology.num_nodes();
    testing::run_gradients(algorithm, simulator, target);
    ASSERT_EQ(algorithm.gradients_completed(), target) << "stalled: " << describe(spec);
    algorithm.stop_computing();
    simulator.run(algorithm);
    EXPECT_EQ(algorithm.locks_held(), 0u);
    EXPECT_EQ(observer.recorder.open_model_snapshots(), 0u);
    EXPECT_EQ(observer.recorder.statistics().s_lost().max(), 0);
    // Every gradient that completed was applied by its node (after an exchange or its abandon).
    EXPECT_EQ(observer.recorder.statistics().own_applications(), algorithm.gradients_completed());
    if (faults.totals().dropped > 0) {
      EXPECT_GT(algorithm.figures().back().value, 0) << describe(spec);
    }
  }
}

// Complete graph, constant compute 1 and latency 0.5, Bernoulli(p) loss, no retransmission: every
// node completes its k-th gradient at time k, read at k − 1. Gradients of rounds ≤ k − 2 that got
// through are in the read model; round k − 1's arrive at k − 0.5 (in transit at completion); a
// copy lost is lost at its send (round ≤ k − 1, before the completion at k; round k's losses are
// handed out after every round-k completion, by the tie rule). So S^lost of a round-k gradient is
// the number of lost copies towards its node among (n − 1)(k − 1): Binomial((n − 1)(k − 1), p).
// Averaged over n nodes and K rounds: E = p (n − 1)(K − 1)/2, and with independent rounds,
// Var = n (n − 1) p (1 − p) Σ_{m<K} m² / (nK)² (each round's losses count in every later round).
TEST(LinkFaultStaleness, LostStalenessOnACompleteGraphFollowsTheBinomialClosedForm) {
  const std::size_t n = 16;
  const std::uint64_t K = 40;
  const double p = 0.2;
  auto w = make_world(generate::complete(n), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}), 9);
  LinkFaults faults(w->topology, bernoulli(p), w->network->spec(), 9, false);
  w->network->set_faults(&faults);
  GradientRecorder recorder(*w->objective, n, split_options());
  DasgdParams params;
  params.eta = 0.01;
  Dasgd algorithm(w->world, params, &recorder);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, n * K);
  ASSERT_EQ(recorder.log().size(), n * K);
  const double mean = p * (n - 1) * (K - 1) / 2.0;
  double squares = 0;
  for (std::uint64_t m = 1; m < K; ++m) squares += static_cast<double>(m * m);
  const double sd = std::sqrt(n * (n - 1) * p * (1 - p) * squares) / static_cast<double>(n * K);
  EXPECT_NEAR(recorder.statistics().s_lost().mean(), mean, 4 * sd);
  // Hand-checkable identity: S^lost of node i's round-k gradient is node i's losses so far.
  for (const GradientLogRow& row : recorder.log()) {
    const std::uint64_t k = row.t / n + 1;
    EXPECT_LE(row.s_lost, (n - 1) * (k - 1));
    // In transit: round k − 1's copies that got through, plus round k's completed earlier.
    EXPECT_GE(row.s - row.s_lost, row.t % n);
  }
}

// A loss process with p = 0 is on (extra columns) but changes no draw and no arrival: the same
// run, gradient for gradient.
TEST(LinkFaultStaleness, ZeroLossProcessReproducesThePerfectNetworkRun) {
  for (const Delivery delivery : {Delivery::routed, Delivery::flooding}) {
    std::vector<GradientLogRow> runs[2];
    for (int faulty = 0; faulty < 2; ++faulty) {
      auto w = make_world(generate::torus(3, 4), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                          link_law(law::Exponential{0.2}), 4);
      LinkFaults faults(w->topology, bernoulli(0.0), w->network->spec(), 4, false);
      if (faulty == 1) w->network->set_faults(&faults);
      auto recorder = testing::make_recorder(*w, 0.01);
      DasgdParams params;
      params.eta = 0.01;
      params.delivery = delivery;
      Dasgd algorithm(w->world, params, recorder.get());
      Simulator simulator;
      testing::run_gradients(algorithm, simulator, 400);
      runs[faulty] = recorder->log();
    }
    ASSERT_EQ(runs[0].size(), runs[1].size());
    for (std::size_t t = 0; t < runs[0].size(); ++t) {
      EXPECT_EQ(runs[0][t].end, runs[1][t].end) << t;
      EXPECT_EQ(runs[0][t].s, runs[1][t].s) << t;
      EXPECT_EQ(runs[1][t].s_lost, 0u);
    }
  }
}

}  // namespace
}  // namespace dasgd
