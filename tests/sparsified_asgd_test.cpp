// Sparsified asynchronous SGD and its sparsifiers against independent numbers: brute-force Top-k,
// Random-k inclusion frequencies and unbiasedness, the error-feedback identity bit for bit, DASGD
// step for step when k = d, a hand loop on one node, and bytes on the wire counted by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/algorithms/dasgd.hpp"
#include "sim/algorithms/sparsified_asgd.hpp"
#include "sim/config/algorithm_config.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

TEST(TopK, PicksLargestMagnitudesWithLowerIndexFirstOnTies) {
  Vector v(6);
  v << 1.0, -3.0, 3.0, 2.0, -2.0, 0.5;
  std::vector<Eigen::Index> indices;
  select_top_k(v, 3, indices);
  EXPECT_EQ(indices, (std::vector<Eigen::Index>{1, 2, 3}));  // |2| at 3 and 4: index 3 wins
  select_top_k(v, 1, indices);
  EXPECT_EQ(indices, (std::vector<Eigen::Index>{1}));        // |3| at 1 and 2: index 1 wins
  select_top_k(v, 6, indices);
  EXPECT_EQ(indices, (std::vector<Eigen::Index>{0, 1, 2, 3, 4, 5}));
  EXPECT_THROW(select_top_k(v, 7, indices), std::invalid_argument);
}

TEST(TopK, MatchesBruteForceSortOnVectorsFullOfTies) {
  Rng rng(11);
  std::vector<Eigen::Index> indices;
  for (int trial = 0; trial < 200; ++trial) {
    const auto d = static_cast<Eigen::Index>(1 + rng.below(30));
    Vector v(d);
    for (Eigen::Index j = 0; j < d; ++j) v(j) = static_cast<double>(static_cast<int>(rng.below(7)) - 3);
    const auto k = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(d) + 1));
    std::vector<Eigen::Index> order(static_cast<std::size_t>(d));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return std::abs(v(a)) > std::abs(v(b)); });
    order.resize(static_cast<std::size_t>(k));
    std::sort(order.begin(), order.end());
    select_top_k(v, k, indices);
    EXPECT_EQ(indices, order) << "trial " << trial;
  }
}

// Each coordinate is in a uniform k-subset with probability k/d; 10^5 draws: sd of a frequency
// sqrt(p(1-p)/N) ≈ 1.5e-3, so 0.01 is > 6 sd.
TEST(RandomK, IncludesEachCoordinateWithProbabilityKOverD) {
  const Eigen::Index d = 10, k = 3;
  Rng rng = RandomStreams(5).stream(Stream::algorithm, 0);
  auto permutation = identity_permutation(d);
  std::vector<Eigen::Index> indices;
  std::vector<double> hits(d, 0.0);
  const int draws = 100000;
  for (int s = 0; s < draws; ++s) {
    select_random_k(k, rng, permutation, indices);
    ASSERT_EQ(indices.size(), 3u);
    ASSERT_TRUE(std::is_sorted(indices.begin(), indices.end()));
    ASSERT_TRUE(std::adjacent_find(indices.begin(), indices.end()) == indices.end());
    for (const Eigen::Index j : indices) hits[static_cast<std::size_t>(j)] += 1;
  }
  for (Eigen::Index j = 0; j < d; ++j) EXPECT_NEAR(hits[j] / draws, 0.3, 0.01) << j;
}

// Rescaled Random-k: E[(d/k) C(g)] = g. Each coordinate's sample variance is g_j²(d/k − 1), so with
// N = 10^5 the standard error is |g_j| sqrt((d/k − 1)/N); allow 5 of them.
TEST(RandomK, RescaledUpdateIsUnbiased) {
  const Eigen::Index d = 8, k = 2;
  Vector g(d);
  g << 1.0, -2.0, 0.5, 3.0, -1.5, 0.25, 2.0, -0.75;
  Rng rng = RandomStreams(9).stream(Stream::algorithm, 3);
  auto permutation = identity_permutation(d);
  SparseUpdate update;
  Vector sum = Vector::Zero(d);
  const int draws = 100000;
  const double scale = static_cast<double>(d) / static_cast<double>(k);
  for (int s = 0; s < draws; ++s) {
    select_random_k(k, rng, permutation, update.indices);
    gather(g, scale, update);
    for (std::size_t r = 0; r < update.indices.size(); ++r) sum(update.indices[r]) += update.values[r];
  }
  for (Eigen::Index j = 0; j < d; ++j) {
    const double standard_error = std::abs(g(j)) * std::sqrt((scale - 1.0) / draws);
    EXPECT_NEAR(sum(j) / draws, g(j), 5 * standard_error) << j;
  }
}

// e_new + Δ == e_old + η g exactly, per coordinate, over many steps (Top-k and Random-k).
TEST(ErrorFeedback, KeptMemoryIsExactlyWhatWasNotSent) {
  const Eigen::Index d = 12, k = 4;
  const double eta = 0.1;
  Rng rng(3);
  auto permutation = identity_permutation(d);
  for (const SparsifierKind kind : {SparsifierKind::top_k, SparsifierKind::random_k}) {
    Vector memory = Vector::Zero(d);
    SparseUpdate update;
    for (int step = 0; step < 50; ++step) {
      Vector g(d);
      for (Eigen::Index j = 0; j < d; ++j) g(j) = rng.normal();
      const Vector old_memory = memory;
      error_feedback_step(memory, g, eta, 1.0,
                          [&](ConstVectorRef p, std::vector<Eigen::Index>& indices) {
                            if (kind == SparsifierKind::top_k) select_top_k(p, k, indices);
                            else select_random_k(k, rng, permutation, indices);
                          },
                          update);
      ASSERT_EQ(update.indices.size(), static_cast<std::size_t>(k));
      Vector delta = Vector::Zero(d);
      for (std::size_t r = 0; r < update.indices.size(); ++r) delta(update.indices[r]) = update.values[r];
      for (Eigen::Index j = 0; j < d; ++j) {
        const double kept = old_memory(j) + eta * g(j);
        EXPECT_EQ(memory(j) + delta(j), kept) << to_string(kind) << " step " << step << " j " << j;
      }
      if (kind == SparsifierKind::top_k) {
        // What is sent is the k largest of p: no kept coordinate exceeds a sent one.
        const double smallest_sent = std::abs(*std::min_element(update.values.begin(), update.values.end(),
                                                                [](double a, double b) { return std::abs(a) < std::abs(b); }));
        EXPECT_LE(memory.cwiseAbs().maxCoeff(), smallest_sent);
      }
    }
  }
}

// With k = d Top-k sends the whole update: iterates equal DASGD's at every node, step for step, on
// the same world (same compute and link draws), with and without error feedback (e stays 0).
TEST(SparsifiedAsgd, TopKWithKEqualToDimensionIsDasgdStepForStep) {
  const Eigen::Index d = 6;
  const double eta = 0.05;
  for (const bool error_feedback : {false, true}) {
    auto wd = make_world(generate::ring(5), cosine_objective(d, 0.4), compute_law(law::Exponential{1.0}),
                         link_law(law::Exponential{0.3}), 7);
    auto ws = make_world(generate::ring(5), cosine_objective(d, 0.4), compute_law(law::Exponential{1.0}),
                         link_law(law::Exponential{0.3}), 7);
    DasgdParams dp;
    dp.eta = eta;
    Dasgd dense(wd->world, dp, nullptr);
    SparsifiedAsgdParams sp;
    sp.eta = eta;
    sp.k = d;
    sp.error_feedback = error_feedback;
    SparsifiedAsgd sparse(ws->world, sp, nullptr);
    Simulator sim_d, sim_s;
    dense.start(sim_d);
    sparse.start(sim_s);
    for (std::uint64_t checkpoint = 1; checkpoint <= 150; ++checkpoint) {
      sim_d.run_while(dense, [&] { return dense.gradients_completed() < checkpoint; });
      sim_s.run_while(sparse, [&] { return sparse.gradients_completed() < checkpoint; });
      ASSERT_EQ(sim_d.now(), sim_s.now()) << checkpoint;
      for (NodeId i = 0; i < 5; ++i)
        for (Eigen::Index j = 0; j < d; ++j)
          ASSERT_EQ(dense.model(i)(j), sparse.model(i)(j)) << "EF " << error_feedback << " gradient " << checkpoint
                                                           << " node " << i << " coordinate " << j;
    }
    EXPECT_EQ(sparse.memory(0).norm(), 0.0);
  }
}

// One node: sparsified SGD by hand, drawing noise from Stream::gradient_noise and Random-k
// coordinates from Stream::algorithm of node 0 (rescaled, with error feedback).
TEST(SparsifiedAsgd, OneNodeIsHandWrittenSparsifiedSgdWithErrorFeedback) {
  const Eigen::Index d = 7, k = 2;
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(d, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  SparsifiedAsgdParams p;
  p.eta = eta;
  p.sparsifier = SparsifierKind::random_k;
  p.k = k;
  p.rescale = true;
  p.error_feedback = true;
  SparsifiedAsgd algorithm(w->world, p, nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 60);
  Vector x = w->objective->initial_point(), e = Vector::Zero(d), g(d);
  Rng noise = w->world.streams.stream(Stream::gradient_noise, 0);
  Rng choice = w->world.streams.stream(Stream::algorithm, 0);
  std::vector<Eigen::Index> perm(d);
  std::iota(perm.begin(), perm.end(), Eigen::Index{0});
  const double scale = static_cast<double>(d) / static_cast<double>(k);
  for (int step = 0; step < 60; ++step) {
    w->objective->stochastic_gradient(0, x, noise, g);
    e += eta * g;
    for (Eigen::Index r = 0; r < k; ++r) std::swap(perm[r], perm[r + static_cast<Eigen::Index>(choice.below(d - r))]);
    for (Eigen::Index r = 0; r < k; ++r) {
      const double sent = scale * e(perm[r]);
      x(perm[r]) -= sent;
      e(perm[r]) -= sent;
    }
  }
  EXPECT_EQ(algorithm.gradients_completed(), 60u);
  for (Eigen::Index j = 0; j < d; ++j) {
    EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j)) << j;
    EXPECT_NEAR(algorithm.memory(0)(j), e(j), 1e-15) << j;
  }
}

// Complete graph K4: each update crosses 3 links; ring C6: distances 1,1,2,2,3 = 9 hops.
// Bytes per transmission 12k + 32.
TEST(SparsifiedAsgd, CountsMessagesAndBytesOnTheWireExactly) {
  for (const auto& [topology, hops] : {std::pair{generate::complete(4), 3u}, std::pair{generate::ring(6), 9u}}) {
    auto w = make_world(topology, cosine_objective(10, 0.2), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.2}));
    SparsifiedAsgdParams p;
    p.eta = 0.02;
    p.k = 3;
    SparsifiedAsgd algorithm(w->world, p, nullptr);
    Simulator simulator;
    testing::run_gradients(algorithm, simulator, 100);
    algorithm.stop_computing();
    simulator.run(algorithm);
    const std::uint64_t g = algorithm.gradients_completed();
    const std::size_t n = w->topology.num_nodes();
    EXPECT_EQ(algorithm.traffic().messages, g * hops);
    EXPECT_EQ(algorithm.traffic().bytes, g * hops * (12 * 3 + 32));
    EXPECT_EQ(algorithm.traffic().deliveries, g * (n - 1));
    EXPECT_EQ(algorithm.message_bytes(), 68.0);
    EXPECT_EQ(algorithm.dense_message_bytes(), 112.0);
    const auto figures = algorithm.figures();
    const auto saved = std::find_if(figures.begin(), figures.end(), [](const auto& f) { return f.name == "bytes_saved_vs_dense"; });
    ASSERT_NE(saved, figures.end());
    EXPECT_EQ(saved->value, static_cast<double>(g * hops * (112 - 68)));
  }
}

// Every update is applied once everywhere: after the network drains all models are equal, and with
// the "sent" virtual sequence they equal the recorder's virtual model. With the "full" sequence
// and no error feedback, the virtual model keeps the dropped coordinates, so B_t² grows.
TEST(SparsifiedAsgd, DrainedModelsAgreeWithTheSentVirtualSequence) {
  for (const VirtualGradient virtual_gradient : {VirtualGradient::sent, VirtualGradient::full}) {
    const double eta = 0.03;
    auto w = make_world(generate::torus(3, 3), cosine_objective(8, 0.3), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.3}));
    auto recorder = make_recorder(*w, eta);
    SparsifiedAsgdParams p;
    p.eta = eta;
    p.k = 2;
    p.virtual_gradient = virtual_gradient;
    SparsifiedAsgd algorithm(w->world, p, recorder.get());
    recorder->set_virtual_step(algorithm.virtual_step());
    Simulator simulator;
    testing::run_gradients(algorithm, simulator, 400);
    algorithm.stop_computing();
    simulator.run(algorithm);
    EXPECT_EQ(recorder->tracker().live_gradients(), 0u);
    for (NodeId i = 1; i < 9; ++i) EXPECT_LT((algorithm.model(i) - algorithm.model(0)).norm(), 1e-12);
    const double gap = (algorithm.model(0) - recorder->virtual_model()).norm();
    if (virtual_gradient == VirtualGradient::sent) {
      EXPECT_LT(gap, 1e-12);
    } else {
      EXPECT_GT(gap, 0.1);
      EXPECT_GT(recorder->log().back().b_squared, recorder->log()[50].b_squared);
    }
  }
}

nlohmann::json algorithm_section(const std::string& text) { return nlohmann::json::parse(text); }

TEST(SparsifiedAsgdConfig, ParsesKeysAndRefusesContradictions) {
  auto ok = algorithm_section(R"({"name": "sparsified_asgd", "eta": 0.1, "sparsifier": "random_k", "k": 3,
                                  "rescale": true, "error_feedback": true})");
  JsonReader reader(ok, "/algorithm");
  const AlgorithmSpec spec = parse_algorithm(reader);
  EXPECT_EQ(spec.name, "sparsified_asgd");
  EXPECT_EQ(spec.eta, 0.1);
  for (const char* bad : {R"({"name": "sparsified_asgd", "eta": 0.1, "k": 3, "gamma": 0.5})",
                          R"({"name": "sparsified_asgd", "eta": 0.1, "rescale": true})",
                          R"({"name": "sparsified_asgd", "eta": 0.1, "gamma": 1.5})",
                          R"({"name": "sparsified_asgd", "eta": 0.1, "k": 0})",
                          R"({"name": "sparsified_asgd", "eta": 0.1, "sparsifier": "top_q"})",
                          R"({"name": "sparsified_asgd", "eta": 0.1, "errorfeedback": true})"}) {
    auto doc = algorithm_section(bad);
    JsonReader r(doc, "/algorithm");
    EXPECT_THROW(parse_algorithm(r), ConfigError) << bad;
  }
  // k larger than the objective's dimension is refused when the world is known.
  auto big = algorithm_section(R"({"name": "sparsified_asgd", "eta": 0.1, "k": 40})");
  JsonReader r(big, "/algorithm");
  const AlgorithmSpec too_big = parse_algorithm(r);
  auto w = make_world(generate::complete(2), cosine_objective(8, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  try {
    too_big.build(w->world, nullptr);
    FAIL() << "k = 40 > d = 8 accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("/algorithm/k"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace dasgd
