// Tests for the exact summaries of staleness records (sim/metrics/staleness_statistics): quantiles
// against a sorted-vector reference, time windows, per-node figures and prefix means worked by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/metrics/staleness_statistics.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

// Nearest rank with p = num/den in integers: rank = max(1, ⌈num·N/den⌉).
std::int64_t reference_quantile(const std::vector<std::int64_t>& sorted, std::uint64_t num,
                                std::uint64_t den) {
  const std::uint64_t rank = std::max<std::uint64_t>(1, (num * sorted.size() + den - 1) / den);
  return sorted[rank - 1];
}

TEST(CountingHistogram, QuantilesMatchSortedVectorIncludingNegativeAndFarValues) {
  Rng rng(mix_key(5, Stream::algorithm, 3));
  for (int trial = 0; trial < 200; ++trial) {
    CountingHistogram histogram(/*dense_limit=*/16);  // small: exercise the far-value map too
    std::vector<std::int64_t> values;
    const std::uint64_t count = 1 + rng.below(300);
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::int64_t value = rng.below(5) == 0 ? static_cast<std::int64_t>(rng.below(2000)) - 1000
                                                   : static_cast<std::int64_t>(rng.below(40)) - 20;
      values.push_back(value);
      histogram.add(value);
    }
    std::sort(values.begin(), values.end());
    ASSERT_EQ(histogram.count(), count);
    for (std::uint64_t rank = 1; rank <= count; ++rank) {
      ASSERT_EQ(histogram.value_at_rank(rank), values[rank - 1]) << "rank " << rank;
    }
    EXPECT_EQ(histogram.quantile(0.0), values.front());
    EXPECT_EQ(histogram.quantile(0.25), reference_quantile(values, 1, 4));
    EXPECT_EQ(histogram.quantile(0.5), reference_quantile(values, 1, 2));
    EXPECT_EQ(histogram.quantile(0.9), reference_quantile(values, 9, 10));
    EXPECT_EQ(histogram.quantile(0.99), reference_quantile(values, 99, 100));
    EXPECT_EQ(histogram.quantile(1.0), values.back());
    EXPECT_EQ(histogram.min(), values.front());
    EXPECT_EQ(histogram.max(), values.back());
    double sum = 0;
    double sum_squares = 0;
    for (std::int64_t v : values) {
      sum += static_cast<double>(v);
      sum_squares += static_cast<double>(v * v);
    }
    EXPECT_DOUBLE_EQ(histogram.mean(), sum / static_cast<double>(count));
    EXPECT_DOUBLE_EQ(histogram.rms(), std::sqrt(sum_squares / static_cast<double>(count)));
    std::map<std::int64_t, std::uint64_t> bins;
    for (std::int64_t v : values) ++bins[v];
    const std::vector<HistogramBin> exported = histogram.bins();
    ASSERT_EQ(exported.size(), bins.size());
    std::size_t i = 0;
    for (const auto& [value, n] : bins) {
      EXPECT_EQ(exported[i].value, value);
      EXPECT_EQ(exported[i].count, n);
      ++i;
    }
  }
}

TEST(CountingHistogram, TenValuesP90IsTheNinthNotTheTenth) {
  CountingHistogram histogram;
  for (std::int64_t v = 1; v <= 10; ++v) histogram.add(v);
  EXPECT_EQ(histogram.quantile(0.9), 9);  // ⌈0.9·10⌉ = 9 exactly, whatever 0.9's binary value
  EXPECT_EQ(histogram.quantile(0.5), 5);
  EXPECT_EQ(histogram.quantile(0.91), 10);
  EXPECT_THROW(histogram.quantile(1.5), std::invalid_argument);
  EXPECT_THROW(histogram.quantile(-0.1), std::invalid_argument);
  EXPECT_THROW(histogram.value_at_rank(11), std::out_of_range);
  EXPECT_EQ(CountingHistogram().quantile(0.5), 0);
  const QuantitySummary summary = summarize(histogram);
  EXPECT_EQ(summary.count, 10u);
  EXPECT_DOUBLE_EQ(summary.mean, 5.5);
  EXPECT_DOUBLE_EQ(summary.rms, std::sqrt(38.5));  // (1² + … + 10²)/10 = 385/10
  EXPECT_EQ(summary.p99, 10);
}

GradientRecord gradient_record(std::uint64_t t, NodeId node, SimTime end, std::uint64_t s,
                               std::uint64_t s_hat) {
  GradientRecord record;
  record.t = t;
  record.node = node;
  record.end = end;
  record.s = s;
  record.s_hat = s_hat;
  return record;
}

DeliveryRecord delivery_record(NodeId node, SimTime computed, SimTime applied, bool own,
                               std::uint64_t receiver_only, std::uint64_t symmetric_difference,
                               std::int64_t version_difference) {
  DeliveryRecord record;
  record.node = node;
  record.computed_at = computed;
  record.applied_at = applied;
  record.own = own;
  record.sets_measured = true;
  record.receiver_only = receiver_only;
  record.symmetric_difference = symmetric_difference;
  record.version_difference = version_difference;
  return record;
}

// Window width 1 s. Gradients (end, S, Ŝ): (0.2, 1, 1) (0.7, 3, 4) (1.0, 2, 2) (2.5, 5, 9):
// window 0 has two (mean S 2, max S 3, mean Ŝ 2.5, max Ŝ 4); the one ending at exactly 1.0 opens
// window 1; window 2 has the last. Deliveries (node, computed, applied, own, |A\G|, |AΔG|, Δv):
// an own application (ignored), (1, 0.2, 0.7, 1, 2, −1), (0, 0.7, 3.2, 4, 4, 4), and one at 0.9
// recorded late (out of time order) to window 0: (1, 0.5, 0.9, 0, 1, 0).
TEST(StalenessStatistics, WindowsPerNodeAndPrefixMatchHandWorkedValues) {
  StalenessStatistics statistics(2, {1.0, true});
  statistics.add(gradient_record(0, 0, 0.2, 1, 1));
  statistics.add(gradient_record(1, 1, 0.7, 3, 4));
  statistics.add(gradient_record(2, 1, 1.0, 2, 2));
  statistics.add(gradient_record(3, 0, 2.5, 5, 9));
  statistics.add(delivery_record(0, 0.2, 0.2, true, 7, 7, 7));
  statistics.add(delivery_record(1, 0.2, 0.7, false, 1, 2, -1));
  statistics.add(delivery_record(0, 0.7, 3.2, false, 4, 4, 4));
  statistics.add(delivery_record(1, 0.5, 0.9, false, 0, 1, 0));

  const auto windows = statistics.gradient_windows();
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].index, 0);
  EXPECT_EQ(windows[0].count, 2u);
  EXPECT_DOUBLE_EQ(windows[0].mean_s(), 2.0);
  EXPECT_EQ(windows[0].max_s, 3u);
  EXPECT_DOUBLE_EQ(windows[0].mean_s_hat(), 2.5);
  EXPECT_EQ(windows[0].max_s_hat, 4u);
  EXPECT_EQ(windows[1].index, 1);
  EXPECT_DOUBLE_EQ(windows[1].begin, 1.0);
  EXPECT_EQ(windows[1].count, 1u);
  EXPECT_EQ(windows[2].index, 2);
  EXPECT_EQ(windows[2].max_s_hat, 9u);

  const auto deliveries = statistics.delivery_windows();
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0].index, 0);
  EXPECT_EQ(deliveries[0].count, 2u);
  EXPECT_DOUBLE_EQ(deliveries[0].mean_delay(), (0.5 + 0.4) / 2);
  EXPECT_DOUBLE_EQ(deliveries[0].max_delay, 0.5);
  EXPECT_DOUBLE_EQ(deliveries[0].mean_receiver_only(), 0.5);
  EXPECT_EQ(deliveries[0].max_symmetric_difference, 2u);
  EXPECT_EQ(deliveries[1].index, 3);
  EXPECT_EQ(deliveries[1].max_receiver_only, 4u);

  EXPECT_EQ(statistics.own_applications(), 1u);
  EXPECT_EQ(statistics.deliveries(), 3u);
  EXPECT_EQ(statistics.version_difference().min(), -1);
  EXPECT_EQ(statistics.version_difference().max(), 4);
  EXPECT_DOUBLE_EQ(statistics.max_delay(), 2.5);

  const auto compute = statistics.per_node_compute();
  EXPECT_EQ(compute[0].count, 2u);
  EXPECT_DOUBLE_EQ(compute[0].mean_s(), 3.0);
  EXPECT_EQ(compute[0].max_s_hat, 9u);
  EXPECT_DOUBLE_EQ(compute[1].mean_s_hat(), 3.0);
  const auto received = statistics.per_node_delivery();
  EXPECT_EQ(received[0].count, 1u);
  EXPECT_DOUBLE_EQ(received[0].mean_delay(), 2.5);
  EXPECT_EQ(received[1].count, 2u);
  EXPECT_DOUBLE_EQ(received[1].max_delay, 0.5);

  EXPECT_DOUBLE_EQ(statistics.mean_s_first(0), 0.0);
  EXPECT_DOUBLE_EQ(statistics.mean_s_first(2), 2.0);
  EXPECT_DOUBLE_EQ(statistics.mean_s_first(4), 11.0 / 4);
  EXPECT_DOUBLE_EQ(statistics.mean_s_hat_first(3), 7.0 / 3);
  EXPECT_THROW(statistics.mean_s_first(5), std::invalid_argument);
}

TEST(StalenessStatistics, RefusesBadInput) {
  EXPECT_THROW(StalenessStatistics(0), std::invalid_argument);
  EXPECT_THROW(StalenessStatistics(2, {-1.0, true}), std::invalid_argument);
  EXPECT_THROW(StalenessStatistics(2, {NAN, true}), std::invalid_argument);
  StalenessStatistics statistics(2);
  EXPECT_THROW(statistics.add(gradient_record(1, 0, 0.0, 1, 1)), std::invalid_argument);  // order
  EXPECT_THROW(statistics.add(gradient_record(0, 2, 0.0, 1, 1)), std::invalid_argument);  // node
  EXPECT_THROW(statistics.add(delivery_record(3, 0, 1, false, 0, 0, 0)), std::invalid_argument);
  StalenessStatistics no_prefix(2, {0.0, false});
  no_prefix.add(gradient_record(4, 0, 0.0, 1, 1));  // order not required without prefix sums
  EXPECT_THROW(no_prefix.mean_s_first(1), std::logic_error);
  EXPECT_TRUE(no_prefix.gradient_windows().empty());
}

}  // namespace
}  // namespace dasgd
