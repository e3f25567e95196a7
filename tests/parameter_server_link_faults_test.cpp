// The parameter server under link faults (docs/FAULTS.md "Links", parameter server) against closed
// forms: under Bernoulli(p) loss the server applies a fraction 1 − p of the gradients and the mean
// delay becomes (n_w − 1 + p)/(1 − p); under retransmission over a constant-latency link every message takes
// L + K·T with K geometric; a hand-worked schedule of one lost push and one lost reply gives the
// exact models, delays and staleness split.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/algorithms/parameter_server.hpp"
#include "sim/faults/link_faults.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_world;

LinkFaultSpec bernoulli(double p, double reply_timeout) {
  LinkFaultSpec spec;
  spec.links = true;
  spec.loss = BernoulliLoss{p};
  spec.reply_timeout = reply_timeout;
  return spec;
}

ParameterServerParams step(double eta) {
  ParameterServerParams params;
  params.eta = eta;
  return params;
}

// Each push is lost independently with probability p, and a lost push is never applied (nothing
// retransmits it), so after a drain applied + lost = completed exactly and applied / completed is
// 1 − p within the binomial's spread. Replies are lost at the same rate; each lost message makes
// its worker resume once, and no worker is left waiting.
TEST(ParameterServerLinkFaults, AppliedFractionUnderBernoulliLossIsOneMinusP) {
  const std::size_t workers = 8;
  const std::uint64_t gradients = 20000;
  const double p = 0.1;
  auto w = make_world(generate::star(workers + 1), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.05}), 3);
  LinkFaults faults(w->topology, bernoulli(p, 0.5), w->network->spec(), 3, false);
  w->network->set_faults(&faults);
  ParameterServer algorithm(w->world, step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, gradients);
  algorithm.stop_computing();
  simulator.run(algorithm);
  const auto completed = static_cast<double>(algorithm.gradients_completed());
  EXPECT_EQ(algorithm.server_version() + algorithm.pushes_lost(), algorithm.gradients_completed());
  const double sigma = std::sqrt(p * (1 - p) / completed);
  EXPECT_NEAR(static_cast<double>(algorithm.server_version()) / completed, 1 - p, 5 * sigma);
  // Replies: one per applied update made before the stop, plus the n_w first pulls.
  const double replies = static_cast<double>(faults.totals().sends) - completed;
  EXPECT_NEAR(static_cast<double>(algorithm.replies_lost()) / replies, p, 5 * std::sqrt(p * (1 - p) / replies));
  // Every loss but those whose timeout came after the stop (at most one per worker) resumed a worker.
  EXPECT_LE(algorithm.resumes(), algorithm.pushes_lost() + algorithm.replies_lost());
  EXPECT_GE(algorithm.resumes() + workers, algorithm.pushes_lost() + algorithm.replies_lost());
  EXPECT_EQ(faults.totals().dropped, algorithm.pushes_lost() + algorithm.replies_lost());
}

// Zero latency, always-busy workers, Bernoulli(p) loss both ways. Take an update u by worker w_u.
// Every other worker computes on a model read before u until one of its pushes is applied (a lost
// push resumes it on the same model), so u lies in the window (read → application) of its next
// applied push; if that push's reply is lost, the worker resumes on the same old model and u lies
// in the next window too, and so on: 1 + p + p² + ... = 1/(1 − p) windows. For w_u itself u lies in
// its next window only if u's reply is lost: p/(1 − p). So τ_avg → (n_w − 1 + p)/(1 − p) (9.0 for
// n_w = 8, p = 0.2; fault-free n_w − 1 = 7), whatever the compute law and the reply timeout.
// Spread: the standard deviation of τ_avg over 20 seeds at U = 2·10^4 updates was 0.045 (the chains
// of lost replies make it larger than the binomial's); 4 runs of 3.2·10^5 gave 8.999.
TEST(ParameterServerLinkFaults, MeanDelayUnderLossIsWorkersMinusOnePlusPOverOneMinusP) {
  const std::size_t workers = 8;
  const double p = 0.2;
  auto w = make_world(generate::star(workers + 1), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.0}), 5);
  LinkFaults faults(w->topology, bernoulli(p, 0.3), w->network->spec(), 5, false);
  w->network->set_faults(&faults);
  ParameterServer algorithm(w->world, step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 100000);
  algorithm.stop_computing();
  simulator.run(algorithm);
  const auto updates = static_cast<double>(algorithm.server_version());
  const double n = static_cast<double>(workers);
  const double sd = 0.045 * std::sqrt(2e4 / updates);
  EXPECT_NEAR(algorithm.delay_mean(), (n - 1 + p) / (1 - p), 5 * sd);
}

// Reliable transport over constant latency L with Bernoulli(p) loss on data and acknowledgements,
// timeout T > 2L: try j leaves at j·T until one gets through (an acknowledgement, back at 2L < T
// after a success, only stops further tries), so each message takes L + K·T with
// P(K = k) = p^k (1 − p): E = L + T·p/(1 − p), Var = T² p/(1 − p)². One worker with constant compute
// C completes its N-th gradient at D_0 + C + (N − 1)(D_push + D_reply + C): 2N − 1 such delays.
TEST(ParameterServerLinkFaults, RetransmittedMessagesTakeLatencyPlusGeometricTimeouts) {
  const double L = 0.1, T = 0.5, C = 1.0, p = 0.3;
  const std::uint64_t N = 4000;
  auto w = make_world(generate::star(2), cosine_objective(2, 0.1), compute_law(law::Constant{C}),
                      link_law(law::Constant{L}), 8);
  LinkFaultSpec spec = bernoulli(p, 0.0);
  spec.reply_timeout.reset();
  spec.transport = {true, T, 60, {}};  // p^61: no give-up in this run
  LinkFaults faults(w->topology, spec, w->network->spec(), 8, true);
  w->network->set_faults(&faults);
  ParameterServer algorithm(w->world, step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, N);
  ASSERT_EQ(faults.totals().give_ups, 0u);
  EXPECT_EQ(algorithm.pushes_lost() + algorithm.replies_lost(), 0u);
  const double delays = 2.0 * static_cast<double>(N) - 1;
  const double expected = C * static_cast<double>(N) + delays * (L + T * p / (1 - p));
  const double sigma = T * std::sqrt(delays * p) / (1 - p);
  EXPECT_NEAR(simulator.now(), expected, 5 * sigma);
  EXPECT_EQ(algorithm.server_version() + 1, N);  // the N-th push is still on its way
}

// One worker, compute 1, latency 0.1, reply_timeout 0.5, exact gradients. Fault-free the cycle is
// pull 0 → 0.1, compute → 1.1, push → 1.2 (applied), reply → 1.3, compute → 2.3, ... Outage A
// [3.45, 3.55) catches the push of gradient 2 at its send (3.5): lost, the worker resumes at
// 3.5 + 0.5 = 4.0 on its model of version 2 (received at 2.5), pushes gradient 3 at 5.0 (τ = 0).
// Gradient 4 is pushed at 6.2, applied at 6.3; its reply (6.3 → 6.4) is caught by outage B
// [6.35, 6.36): the worker resumes at 6.2 + 0.5 = 6.7 on the version-3 model, so gradient 5 (pushed
// 7.7, applied 7.8) has τ = 4 − 3 = 1 and the server ends at x5 = x4 − η∇f(x3).
TEST(ParameterServerLinkFaults, HandWorkedLostPushAndLostReply) {
  const double eta = 0.1;
  auto w = make_world(generate::star(2), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}), 2);
  LinkFaultSpec spec;
  spec.links = true;
  spec.reply_timeout = 0.5;
  spec.outages.kind = OutageSpec::Kind::schedule;
  spec.outages.schedule = {{0, 1, 3.45, 3.55, "A"}, {0, 1, 6.35, 6.36, "B"}};
  LinkFaults faults(w->topology, spec, w->network->spec(), 2, false);
  w->network->set_faults(&faults);
  GradientRecorderOptions options;
  options.eta = eta;
  options.gradient_norms = false;
  options.lost_split = true;
  GradientRecorder recorder(*w->objective, 2, options);
  ParameterServer algorithm(w->world, step(eta), &recorder);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 8.0);

  EXPECT_EQ(algorithm.gradients_completed(), 6u);
  EXPECT_EQ(algorithm.server_version(), 5u);
  EXPECT_EQ(algorithm.pushes_lost(), 1u);
  EXPECT_EQ(algorithm.replies_lost(), 1u);
  EXPECT_EQ(algorithm.resumes(), 2u);
  EXPECT_EQ(algorithm.delay_histogram(), (std::vector<std::uint64_t>{4, 1}));
  EXPECT_EQ(algorithm.last_update().gradient, 5u);

  Vector g(2);
  Rng unused(0);
  auto grad = [&](const Vector& x) {
    w->objective->stochastic_gradient(1, x, unused, g);
    return Vector(g);
  };
  const Vector x0 = w->objective->initial_point();
  const Vector x1 = x0 - eta * grad(x0);
  const Vector x2 = x1 - eta * grad(x1);  // gradient 2 (at x2) is lost
  const Vector x3 = x2 - eta * grad(x2);  // gradient 3: resumed on x2
  const Vector x4 = x3 - eta * grad(x3);
  const Vector x5 = x4 - eta * grad(x3);  // gradient 5: resumed on x3
  for (Eigen::Index j = 0; j < 2; ++j) {
    EXPECT_DOUBLE_EQ(algorithm.model(ParameterServer::server)(j), x5(j));
    EXPECT_DOUBLE_EQ(algorithm.model(1)(j), x5(j));  // gradient 5's reply arrived at 7.9
  }
  // S and S^lost per gradient: gradient 2 is lost for everyone from 3.5 on.
  const std::vector<std::uint64_t> s{0, 0, 0, 1, 1, 2}, s_lost{0, 0, 0, 1, 1, 1};
  ASSERT_EQ(recorder.log().size(), 6u);
  for (std::size_t t = 0; t < 6; ++t) {
    EXPECT_EQ(recorder.log()[t].s, s[t]) << "gradient " << t;
    EXPECT_EQ(recorder.log()[t].s_lost, s_lost[t]) << "gradient " << t;
  }
  EXPECT_EQ(recorder.lost_at(0), 1u);
  EXPECT_EQ(recorder.lost_at(1), 1u);
}

}  // namespace
}  // namespace dasgd
