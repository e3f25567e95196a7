// Tests for the delay models: the counter-based compute model (speeds, stragglers, slow-downs, trace
// replay) and the link model / Network (bandwidth, per-edge overrides, FIFO, per-arc message keys).
// The laws themselves are tested in distribution_test.cpp.
#include "sim/delay/compute_model.hpp"
#include "sim/delay/distribution.hpp"
#include "sim/delay/link_model.hpp"
#include "sim/delay/network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace dasgd {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Compute model

ComputeModelSpec exponential_compute(double mean_time) {
  ComputeModelSpec spec;
  spec.base = law::Exponential{mean_time};
  return spec;
}

TEST(ComputeModel, DurationIsTheCounterKeyedDrawWhateverTheCallOrder) {
  const ComputeModelSpec spec = exponential_compute(1.0);
  const ComputeModel forward(spec, 10, 42);
  std::vector<double> first;
  for (std::uint64_t k = 0; k < 20; ++k) first.push_back(forward.duration(3, k));
  // Another model on the same seed, drawing other nodes in between and node 3 backwards.
  const ComputeModel shuffled(spec, 10, 42);
  for (std::uint64_t k = 20; k-- > 0;) {
    for (NodeId other : {0u, 9u, 5u}) (void)shuffled.duration(other, k * 7 + 1);
    EXPECT_EQ(shuffled.duration(3, k), first[k]);
    Rng keyed(mix_key(42, Stream::compute_delay, 3, k));  // the documented key
    EXPECT_EQ(first[k], sample(spec.base, keyed));
  }
  EXPECT_NE(first[0], first[1]);
}

TEST(ComputeModel, LinkDrawsLeaveComputeDelaysUnchanged) {
  const ComputeModel model(exponential_compute(1.0), 4, 9);
  std::vector<double> before;
  for (NodeId i = 0; i < 4; ++i) before.push_back(model.duration(i, 0));
  const Topology ring(4, {{0, 1, {}}, {1, 2, {}}, {2, 3, {}}, {3, 0, {}}}, "ring");
  Network network(ring, LinkModelSpec{law::Exponential{0.1}, {}, false}, 9);
  for (ArcId a = 0; a < ring.num_arcs(); ++a) (void)network.transmit(a, 0.0, 0.0);
  for (NodeId i = 0; i < 4; ++i) EXPECT_EQ(model.duration(i, 0), before[i]);
}

TEST(ComputeModel, SameSeedIsBitIdenticalAndAnotherSeedDiffers) {
  ComputeModelSpec spec = exponential_compute(2.0);
  spec.speeds = Distribution{law::Uniform{0.5, 2.0}};
  spec.stragglers = {0.25, 4.0};
  spec.slowdowns = {0.2, 3.0};
  const ComputeModel a(spec, 40, 5), b(spec, 40, 5), c(spec, 40, 6);
  int differences = 0;
  for (NodeId i = 0; i < 40; ++i) {
    EXPECT_EQ(a.speed(i), b.speed(i));
    EXPECT_EQ(a.is_straggler(i), b.is_straggler(i));
    for (std::uint64_t k = 0; k < 5; ++k) {
      EXPECT_EQ(a.duration(i, k), b.duration(i, k));
      differences += a.duration(i, k) != c.duration(i, k);
    }
  }
  EXPECT_EQ(differences, 200);
}

TEST(ComputeModel, StragglerCountIsExactlyRoundedFractionAndSlowerByItsFactor) {
  for (const auto& [n, fraction, expected] :
       std::vector<std::tuple<std::size_t, double, std::size_t>>{
           {1000, 0.1, 100}, {7, 0.5, 4}, {10, 0.0, 0}, {10, 1.0, 10}, {3, 0.1, 0}}) {
    ComputeModelSpec spec = exponential_compute(1.0);
    spec.stragglers = {fraction, 5.0};
    const ComputeModel slow(spec, n, 11);
    const ComputeModel plain(exponential_compute(1.0), n, 11);
    std::size_t counted = 0;
    for (NodeId i = 0; i < n; ++i) {
      const double factor = slow.is_straggler(i) ? 5.0 : 1.0;
      counted += slow.is_straggler(i);
      EXPECT_DOUBLE_EQ(slow.duration(i, 3), factor * plain.duration(i, 3));
    }
    EXPECT_EQ(counted, expected) << "n=" << n << " fraction=" << fraction;
    EXPECT_EQ(slow.num_stragglers(), expected);
  }
  // The choice depends on the seed.
  ComputeModelSpec spec = exponential_compute(1.0);
  spec.stragglers = {0.5, 2.0};
  const ComputeModel a(spec, 64, 1), b(spec, 64, 2);
  int same = 0;
  for (NodeId i = 0; i < 64; ++i) same += a.is_straggler(i) == b.is_straggler(i);
  EXPECT_LT(same, 64);
}

TEST(ComputeModel, ExplicitSpeedsDivideDurations) {
  ComputeModelSpec spec = exponential_compute(1.0);
  spec.speeds = std::vector<double>{1.0, 2.0, 0.5};
  const ComputeModel fast(spec, 3, 4);
  const ComputeModel plain(exponential_compute(1.0), 3, 4);
  for (NodeId i = 0; i < 3; ++i) {
    EXPECT_EQ(fast.speed(i), std::get<std::vector<double>>(spec.speeds)[i]);
    EXPECT_DOUBLE_EQ(fast.duration(i, 2), plain.duration(i, 2) / fast.speed(i));
  }
  EXPECT_DOUBLE_EQ(fast.mean_duration(2), 2.0);
}

TEST(ComputeModel, DrawnSpeedsFollowTheirLaw) {
  ComputeModelSpec spec = exponential_compute(1.0);
  const Distribution speed_law = law::Gamma{4.0, 0.25};  // mean 1, variance 0.25
  spec.speeds = speed_law;
  constexpr std::size_t n = 100'000;
  const ComputeModel model(spec, n, 3);
  double sum = 0;
  for (NodeId i = 0; i < n; ++i) {
    ASSERT_GT(model.speed(i), 0.0);
    sum += model.speed(i);
  }
  EXPECT_NEAR(sum / n, 1.0, 5 * std::sqrt(0.25 / n));
}

// Exponential(2) at speed 4, a straggler slowed 3 times, and 10% of gradients slowed 10 times:
// mean = 2 / 4 * 3 * (0.9 + 0.1 * 10) = 2.85.
TEST(ComputeModel, MeanDurationIncludesEveryFactorAndMatchesTheEmpiricalMean) {
  ComputeModelSpec spec = exponential_compute(2.0);
  spec.speeds = std::vector<double>{4.0};
  spec.stragglers = {1.0, 3.0};
  spec.slowdowns = {0.1, 10.0};
  const ComputeModel model(spec, 1, 21);
  EXPECT_DOUBLE_EQ(model.mean_duration(0), 2.85);
  constexpr int n = 400'000;
  double sum = 0, sum_sq = 0;
  int hits = 0;
  for (int k = 0; k < n; ++k) {
    const double t = model.duration(0, static_cast<std::uint64_t>(k));
    sum += t;
    sum_sq += t * t;
    hits += model.is_slowed_down(0, static_cast<std::uint64_t>(k));
  }
  const double m = sum / n;
  const double sd = std::sqrt(sum_sq / n - m * m);
  EXPECT_NEAR(m, 2.85, 5 * sd / std::sqrt(n));
  EXPECT_NEAR(static_cast<double>(hits) / n, 0.1, 5 * std::sqrt(0.09 / n));
}

std::string trace_path() { return std::string(DASGD_SOURCE_DIR) + "/tests/data/compute_trace.csv"; }

ComputeModelSpec trace_spec(const std::string& path, TraceExhausted when) {
  ComputeModelSpec spec;
  spec.trace = ComputeTraceSpec{path, when};
  return spec;
}

TEST(ComputeModel, TraceReplaysEachNodesRowsInFileOrderAndCycles) {
  const ComputeModel model(trace_spec(trace_path(), TraceExhausted::cycle), 3, 1);
  const std::vector<double> node0 = {1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0};
  for (std::uint64_t k = 0; k < node0.size(); ++k) EXPECT_EQ(model.duration(0, k), node0[k]);
  EXPECT_EQ(model.duration(1, 0), 0.5);
  EXPECT_EQ(model.duration(1, 5), 0.5);
  EXPECT_EQ(model.duration(2, 1), 5.0);
  EXPECT_EQ(model.duration(2, 2), 4.0);
  EXPECT_DOUBLE_EQ(model.mean_duration(0), 2.0);
  EXPECT_DOUBLE_EQ(model.mean_duration(2), 4.5);
}

TEST(ComputeModel, TraceInErrorModeRefusesToRunPastItsEnd) {
  const ComputeModel model(trace_spec(trace_path(), TraceExhausted::error), 3, 1);
  EXPECT_EQ(model.duration(0, 2), 3.0);
  try {
    (void)model.duration(0, 3);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("node 0 has 3 durations"), std::string::npos) << e.what();
  }
}

// Writes `text` to a temporary file and returns the error message of reading it as a trace.
std::string trace_error(const std::string& text, std::size_t num_nodes = 2) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("dasgd_delay_test_" + std::to_string(std::hash<std::string>{}(text)) + ".csv");
  std::ofstream(path) << text;
  std::string message = "no error";
  try {
    (void)ComputeTrace::read(path.string(), num_nodes);
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  std::filesystem::remove(path);
  const auto file_end = message.find(".csv");  // drop the temporary file's name
  return file_end == std::string::npos ? message : message.substr(file_end + 4);
}

TEST(ComputeModel, BadTraceFilesAreRefusedNamingFileAndLine) {
  EXPECT_EQ(trace_error("id,time\n0,1\n"),
            ":1: expected the header \"node,duration\", got \"id,time\"");
  EXPECT_EQ(trace_error("node,duration\n0,1\n\n1,abc\n"),
            ":4: expected \"<node>,<duration>\", got \"1,abc\"");
  EXPECT_EQ(trace_error("node,duration\n0,1\n1,2\n2,1\n"), ":4: expected a node id below 2, got 2");
  EXPECT_EQ(trace_error("node,duration\n0,1\n1,-2\n"), ":3: expected a duration >= 0, got -2");
  EXPECT_EQ(trace_error("node,duration\n1,1\n"), ": node 0 has no duration");
  EXPECT_EQ(trace_error(""), ":0: expected the header \"node,duration\", got an empty file");
  EXPECT_EQ(trace_error("node,duration\r\n0, 1.5\r\n1,2\r\n"), "no error");  // CRLF and spaces
  EXPECT_THROW(ComputeModel(trace_spec("/nonexistent/trace.csv", TraceExhausted::cycle), 2, 1),
               std::invalid_argument);
}

TEST(ComputeModel, InvalidSpecsAreRefusedWithAClearMessage) {
  const auto message = [](const ComputeModelSpec& spec, std::size_t n) -> std::string {
    try {
      ComputeModel model(spec, n, 1);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  const auto with = [](auto change) {
    ComputeModelSpec spec = exponential_compute(1.0);
    change(spec);
    return spec;
  };
  EXPECT_NE(message(exponential_compute(1.0), 0).find("at least one node"), std::string::npos);
  EXPECT_NE(
      message(with([](auto& s) { s.base = law::Exponential{-1}; }), 3).find("time: exponential"),
      std::string::npos);
  EXPECT_NE(message(with([](auto& s) {
                      s.speeds = std::vector<double>{1, 2};
                    }),
                    3)
                .find("one speed per node (3), got 2"),
            std::string::npos);
  EXPECT_NE(message(with([](auto& s) {
                      s.speeds = std::vector<double>{1, 0, 2};
                    }),
                    3)
                .find("speeds[1]: expected a speed > 0, got 0"),
            std::string::npos);
  EXPECT_NE(message(with([](auto& s) { s.speeds = Distribution{law::Constant{0}}; }), 3)
                .find("positive speeds"),
            std::string::npos);
  EXPECT_NE(message(with([](auto& s) {
                      s.stragglers = {1.5, 2};
                    }),
                    3)
                .find("fraction in [0, 1]"),
            std::string::npos);
  EXPECT_NE(message(with([](auto& s) {
                      s.stragglers = {0.5, 0.5};
                    }),
                    3)
                .find("slowdown >= 1"),
            std::string::npos);
  EXPECT_NE(message(with([](auto& s) {
                      s.slowdowns = {-0.1, 2};
                    }),
                    3)
                .find("probability in [0, 1]"),
            std::string::npos);
  EXPECT_NE(message(with([](auto& s) {
                      s.slowdowns = {0.1, 0.9};
                    }),
                    3)
                .find("factor >= 1"),
            std::string::npos);
  ComputeModelSpec traced = trace_spec(trace_path(), TraceExhausted::cycle);
  traced.stragglers = {0.5, 2};
  EXPECT_NE(message(traced, 3).find("a trace gives final durations"), std::string::npos);
  const ComputeModel model(exponential_compute(1.0), 3, 1);
  EXPECT_THROW((void)model.duration(3, 0), std::out_of_range);
}

// ---------------------------------------------------------------------------------------------
// Link model and network

Topology path3(EdgeAttributes first = {}, EdgeAttributes second = {}) {
  return Topology(3, {{0, 1, first}, {1, 2, second}}, "path");
}

TEST(LinkModel, BandwidthAddsBytesOverBandwidthExactly) {
  const Topology graph = path3();
  Network network(graph, LinkModelSpec{law::Constant{0.25}, 1e6, false}, 1);
  EXPECT_EQ(network.transmit(0, 5e5, 1.0), 1.0 + 0.25 + 0.5);
  EXPECT_EQ(network.transmit(1, 0.0, 2.0), 2.25);
  Network infinite(graph, LinkModelSpec{law::Constant{0.25}, {}, false}, 1);
  EXPECT_EQ(infinite.transmit(0, 1e12, 1.0), 1.25);
}

TEST(LinkModel, EdgeAttributesOverrideLatencyMeanAndBandwidth) {
  // Edge 0-1 has latency 0.3 and bandwidth 100; edge 1-2 uses the defaults.
  const Topology graph = path3(EdgeAttributes{{}, 0.3, 100.0});
  const ArcId overridden = *graph.find_arc(0, 1), plain_arc = *graph.find_arc(1, 2);
  Network constant(graph, LinkModelSpec{law::Constant{0.1}, 1000.0, false}, 1);
  EXPECT_EQ(constant.transmit(overridden, 50.0, 0.0), 0.3 + 0.5);
  EXPECT_EQ(constant.transmit(plain_arc, 50.0, 0.0), 0.1 + 0.05);
  // A random law keeps its shape: every draw is the plain draw times L_e / mean = 3.
  const LinkModelSpec random{law::Exponential{0.1}, {}, false};
  const Topology bare = path3();
  Network scaled(graph, random, 8), unscaled(bare, random, 8);
  constexpr int n = 100'000;
  double sum = 0;
  for (int m = 0; m < n; ++m) {
    const double t = scaled.transmit(overridden, 0.0, 0.0);
    EXPECT_NEAR(t, 3.0 * unscaled.transmit(overridden, 0.0, 0.0), 1e-12);
    sum += t;
  }
  EXPECT_NEAR(sum / n, 0.3, 5 * 0.3 / std::sqrt(n));
}

TEST(Network, MthMessageOnAnArcTakesTheSameTimeWhateverTheInterleaving) {
  const Topology graph = path3();
  const LinkModelSpec spec{law::Gamma{2.0, 0.05}, {}, false};
  Network a(graph, spec, 77), b(graph, spec, 77);
  std::vector<double> on_arc0_a, on_arc0_b;
  for (int m = 0; m < 50; ++m) on_arc0_a.push_back(a.transmit(0, 0.0, 0.0));
  for (int m = 0; m < 50; ++m) {
    (void)b.transmit(2, 10.0, 1.0);  // other arcs' traffic in between
    (void)b.transmit(3, 10.0, 1.0);
    on_arc0_b.push_back(b.transmit(0, 0.0, 0.0));
  }
  EXPECT_EQ(on_arc0_a, on_arc0_b);
  Rng keyed(mix_key(77, Stream::link_latency, 0, 4));  // the documented key of message m = 4
  EXPECT_EQ(on_arc0_a[4], sample(spec.latency, keyed));
}

TEST(Network, FifoNeverLetsALaterMessageArriveEarlier) {
  const Topology graph = path3();
  LinkModelSpec spec{law::Exponential{1.0}, {}, false};
  Network free(graph, spec, 3);
  spec.fifo = true;
  Network fifo(graph, spec, 3);
  int overtakes = 0;
  double previous_free = -kInf, previous_fifo = -kInf;
  for (int m = 0; m < 10'000; ++m) {
    const double send = 0.01 * m;  // sent far faster than the mean latency
    const double t_free = free.transmit(1, 0.0, send);
    const double t_fifo = fifo.transmit(1, 0.0, send);
    overtakes += t_free < previous_free;
    EXPECT_GE(t_fifo, previous_fifo);
    EXPECT_EQ(t_fifo, std::max(t_free, previous_fifo));  // held back only behind its predecessor
    previous_free = t_free;
    previous_fifo = t_fifo;
  }
  EXPECT_GT(overtakes, 1000);  // without FIFO, messages do overtake
}

TEST(Network, CountsMessagesAndBytes) {
  const Topology graph = path3();
  Network network(graph, LinkModelSpec{law::Exponential{0.1}, 1e9, false}, 1);
  EXPECT_EQ(network.messages_sent(), 0u);
  (void)network.transmit(0, 100.0, 0.0);
  (void)network.transmit(3, 28.0, 0.5);
  EXPECT_EQ(network.messages_sent(), 2u);
  EXPECT_EQ(network.bytes_sent(), 128.0);
}

TEST(Network, InvalidSpecsEdgesAndMessagesAreRefused) {
  const Topology graph = path3();
  EXPECT_THROW(Network(graph, LinkModelSpec{law::Exponential{0}, {}, false}, 1),
               std::invalid_argument);
  try {
    Network(graph, LinkModelSpec{law::Constant{0.1}, -5.0, false}, 1);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "link model: bandwidth: expected bytes per second > 0, got -5");
  }
  try {
    Network(path3({}, EdgeAttributes{{}, -0.2, {}}), LinkModelSpec{}, 1);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "link model: edge 1 (1, 2): latency: expected seconds >= 0, got -0.2");
  }
  EXPECT_THROW(Network(path3(EdgeAttributes{{}, {}, 0.0}), LinkModelSpec{}, 1),
               std::invalid_argument);
  Network network(graph, LinkModelSpec{}, 1);
  EXPECT_THROW((void)network.transmit(4, 1.0, 0.0), std::out_of_range);
  EXPECT_THROW((void)network.transmit(0, -1.0, 0.0), std::invalid_argument);
  EXPECT_THROW((void)network.transmit(0, 1.0, kInf), std::invalid_argument);
}

}  // namespace
}  // namespace dasgd
