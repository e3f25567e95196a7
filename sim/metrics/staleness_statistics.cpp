// Exact staleness summaries (run → metrics → files): counting histograms, per-node figures, time
// windows and prefix means. See staleness_statistics.hpp.
#include "sim/metrics/staleness_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dasgd {

// ---------------------------------------------------------------------------------------------
// CountingHistogram

CountingHistogram::CountingHistogram(std::uint64_t dense_limit) : dense_limit_(dense_limit) {}

// New size of a dense array that must hold `index`: doubling (amortized O(1) per value), capped.
std::size_t CountingHistogram::grown(std::size_t size, std::size_t index) const noexcept {
  const auto cap = static_cast<std::size_t>(std::min<std::uint64_t>(dense_limit_, SIZE_MAX));
  return std::min(std::max(index + 1, 2 * size), std::max(cap, index + 1));
}

void CountingHistogram::add(std::int64_t value, std::uint64_t times) {
  if (times == 0) return;
  const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(dense_limit_, INT64_MAX));
  if (value >= 0 && value < limit) {
    const auto index = static_cast<std::size_t>(value);
    if (index >= non_negative_.size()) non_negative_.resize(grown(non_negative_.size(), index), 0);
    non_negative_[index] += times;
  } else if (value < 0 && value >= -limit) {
    const auto index = static_cast<std::size_t>(-(value + 1));
    if (index >= negative_.size()) negative_.resize(grown(negative_.size(), index), 0);
    negative_[index] += times;
  } else {
    far_[value] += times;
  }
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += times;
  sum_ += static_cast<Int128>(value) * static_cast<Int128>(times);
  const UInt128 magnitude =
      value < 0 ? UInt128(0) - static_cast<UInt128>(static_cast<Int128>(value))
                : static_cast<UInt128>(value);
  sum_squares_ += magnitude * magnitude * times;
}

double CountingHistogram::mean() const noexcept {
  if (count_ == 0) return 0;
  return static_cast<double>(static_cast<long double>(sum_) / static_cast<long double>(count_));
}

double CountingHistogram::rms() const noexcept {
  if (count_ == 0) return 0;
  return static_cast<double>(
      std::sqrt(static_cast<long double>(sum_squares_) / static_cast<long double>(count_)));
}

std::int64_t CountingHistogram::value_at_rank(std::uint64_t rank) const {
  if (rank == 0 || rank > count_) {
    throw std::out_of_range("CountingHistogram::value_at_rank: expected a rank in [1, " +
                            std::to_string(count_) + "], got " + std::to_string(rank));
  }
  // Walk the bins in increasing value order: far negatives, dense negatives, dense non-negatives,
  // far non-negatives. `seen` counts observations strictly before the current bin.
  std::uint64_t seen = 0;
  auto far = far_.begin();
  for (; far != far_.end() && far->first < 0; ++far) {
    seen += far->second;
    if (seen >= rank) return far->first;
  }
  for (std::size_t i = negative_.size(); i-- > 0;) {
    seen += negative_[i];
    if (seen >= rank) return -static_cast<std::int64_t>(i) - 1;
  }
  for (std::size_t i = 0; i < non_negative_.size(); ++i) {
    seen += non_negative_[i];
    if (seen >= rank) return static_cast<std::int64_t>(i);
  }
  for (; far != far_.end(); ++far) {
    seen += far->second;
    if (seen >= rank) return far->first;
  }
  return max_;  // unreachable: the bins hold count_ observations
}

std::int64_t CountingHistogram::quantile(double p) const {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("CountingHistogram::quantile: expected p in [0, 1], got " +
                                std::to_string(p));
  }
  if (count_ == 0) return 0;
  constexpr std::uint64_t scale = 1'000'000;
  const auto parts = static_cast<std::uint64_t>(std::llround(p * static_cast<double>(scale)));
  // rank = ⌈parts·N / 10^6⌉ in 128-bit integers.
  const UInt128 product = static_cast<UInt128>(parts) * count_;
  auto rank = static_cast<std::uint64_t>((product + scale - 1) / scale);
  return value_at_rank(std::max<std::uint64_t>(rank, 1));
}

std::vector<HistogramBin> CountingHistogram::bins() const {
  std::vector<HistogramBin> out;
  auto far = far_.begin();
  for (; far != far_.end() && far->first < 0; ++far) out.push_back({far->first, far->second});
  for (std::size_t i = negative_.size(); i-- > 0;) {
    if (negative_[i] != 0) out.push_back({-static_cast<std::int64_t>(i) - 1, negative_[i]});
  }
  for (std::size_t i = 0; i < non_negative_.size(); ++i) {
    if (non_negative_[i] != 0) out.push_back({static_cast<std::int64_t>(i), non_negative_[i]});
  }
  for (; far != far_.end(); ++far) out.push_back({far->first, far->second});
  return out;
}

QuantitySummary summarize(const CountingHistogram& histogram) {
  QuantitySummary summary;
  summary.count = histogram.count();
  summary.mean = histogram.mean();
  summary.rms = histogram.rms();
  summary.min = histogram.min();
  summary.max = histogram.max();
  summary.p50 = histogram.quantile(0.5);
  summary.p90 = histogram.quantile(0.9);
  summary.p99 = histogram.quantile(0.99);
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Per-node and per-window means

namespace {
double ratio(double sum, std::uint64_t count) noexcept {
  return count == 0 ? 0.0 : sum / static_cast<double>(count);
}
double ratio(std::uint64_t sum, std::uint64_t count) noexcept {
  return ratio(static_cast<double>(sum), count);
}
}  // namespace

double NodeComputeStats::mean_s() const noexcept { return ratio(sum_s, count); }
double NodeComputeStats::mean_s_hat() const noexcept { return ratio(sum_s_hat, count); }
double NodeDeliveryStats::mean_delay() const noexcept { return ratio(sum_delay, count); }
double NodeDeliveryStats::mean_receiver_only() const noexcept {
  return ratio(sum_receiver_only, measured);
}
double NodeLostStats::mean_lost() const noexcept { return ratio(sum_lost, count); }
double NodeLostStats::mean_transit() const noexcept { return ratio(sum_transit, count); }
double LostWindow::mean_lost() const noexcept { return ratio(sum_lost, count); }
double LostWindow::mean_transit() const noexcept { return ratio(sum_transit, count); }
double GradientWindow::mean_s() const noexcept { return ratio(sum_s, count); }
double GradientWindow::mean_s_hat() const noexcept { return ratio(sum_s_hat, count); }
double DeliveryWindow::mean_delay() const noexcept { return ratio(sum_delay, count); }
double DeliveryWindow::mean_receiver_only() const noexcept {
  return ratio(sum_receiver_only, measured);
}
double DeliveryWindow::mean_symmetric_difference() const noexcept {
  return ratio(sum_symmetric_difference, measured);
}

// ---------------------------------------------------------------------------------------------
// StalenessStatistics

StalenessStatistics::StalenessStatistics(std::size_t num_nodes, StalenessStatisticsOptions options)
    : options_(options), per_node_compute_(num_nodes), per_node_delivery_(num_nodes) {
  if (num_nodes == 0) {
    throw std::invalid_argument("StalenessStatistics: expected at least one node, got 0");
  }
  if (!(std::isfinite(options.window_width) && options.window_width >= 0)) {
    throw std::invalid_argument(
        "StalenessStatistics: expected a window width >= 0 seconds (0 = no windows), got " +
        std::to_string(options.window_width));
  }
}

template <typename Window>
Window& StalenessStatistics::window_at(std::vector<Window>& windows, SimTime time) {
  if (!std::isfinite(time)) {
    throw std::invalid_argument("StalenessStatistics: expected a finite record time, got " +
                                std::to_string(time));
  }
  const auto index = static_cast<std::int64_t>(std::floor(time / options_.window_width));
  // Records come in time order in a simulation, so the last window is the usual answer.
  if (!windows.empty() && windows.back().index == index) return windows.back();
  auto at = windows.end();
  if (!windows.empty() && windows.back().index > index) {
    at = std::lower_bound(windows.begin(), windows.end(), index,
                          [](const Window& w, std::int64_t i) { return w.index < i; });
    if (at != windows.end() && at->index == index) return *at;
  }
  Window window;
  window.index = index;
  window.begin = static_cast<double>(index) * options_.window_width;
  return *windows.insert(at, window);
}

void StalenessStatistics::add(const GradientRecord& record) {
  if (record.node >= per_node_compute_.size()) {
    throw std::invalid_argument("StalenessStatistics::add: expected a node id below " +
                                std::to_string(per_node_compute_.size()) + ", got " +
                                std::to_string(record.node));
  }
  if (options_.keep_prefix && record.t != gradients()) {
    throw std::invalid_argument(
        "StalenessStatistics::add: expected gradient records in completion order, t = " +
        std::to_string(gradients()) + ", got t = " + std::to_string(record.t));
  }
  if (options_.window_width > 0) {
    GradientWindow& window = window_at(gradient_windows_, record.end);
    ++window.count;
    window.sum_s += record.s;
    window.max_s = std::max(window.max_s, record.s);
    window.sum_s_hat += record.s_hat;
    window.max_s_hat = std::max(window.max_s_hat, record.s_hat);
  }
  s_.add(static_cast<std::int64_t>(record.s));
  s_hat_.add(static_cast<std::int64_t>(record.s_hat));
  if (options_.keep_prefix) {
    prefix_s_.push_back(prefix_s_.back() + record.s);
    prefix_s_hat_.push_back(prefix_s_hat_.back() + record.s_hat);
  }
  NodeComputeStats& node = per_node_compute_[record.node];
  ++node.count;
  node.sum_s += record.s;
  node.max_s = std::max(node.max_s, record.s);
  node.sum_s_hat += record.s_hat;
  node.max_s_hat = std::max(node.max_s_hat, record.s_hat);
}

void StalenessStatistics::add_lost_split(const GradientRecord& record, std::uint64_t s_lost) {
  if (s_lost > record.s) {
    throw std::invalid_argument("StalenessStatistics::add_lost_split: S_lost = " + std::to_string(s_lost) +
                                " above S = " + std::to_string(record.s) + " for gradient " +
                                std::to_string(record.t));
  }
  if (per_node_lost_.empty()) per_node_lost_.resize(per_node_compute_.size());
  const std::uint64_t transit = record.s - s_lost;
  s_lost_.add(static_cast<std::int64_t>(s_lost));
  s_transit_.add(static_cast<std::int64_t>(transit));
  NodeLostStats& node = per_node_lost_.at(record.node);
  ++node.count;
  node.sum_lost += s_lost;
  node.max_lost = std::max(node.max_lost, s_lost);
  node.sum_transit += transit;
  if (options_.window_width > 0) {
    LostWindow& window = window_at(lost_windows_, record.end);
    ++window.count;
    window.sum_lost += s_lost;
    window.max_lost = std::max(window.max_lost, s_lost);
    window.sum_transit += transit;
    window.max_transit = std::max(window.max_transit, transit);
  }
}

void StalenessStatistics::add(const DeliveryRecord& record) {
  if (record.node >= per_node_delivery_.size()) {
    throw std::invalid_argument("StalenessStatistics::add: expected a node id below " +
                                std::to_string(per_node_delivery_.size()) + ", got " +
                                std::to_string(record.node));
  }
  if (record.own) {
    ++own_applications_;
    return;
  }
  const double delay = record.delay();
  if (options_.window_width > 0) {
    DeliveryWindow& window = window_at(delivery_windows_, record.applied_at);
    ++window.count;
    window.sum_delay += delay;
    window.max_delay = window.count == 1 ? delay : std::max(window.max_delay, delay);
    if (record.sets_measured) {
      ++window.measured;
      window.sum_receiver_only += record.receiver_only;
      window.max_receiver_only = std::max(window.max_receiver_only, record.receiver_only);
      window.sum_symmetric_difference += record.symmetric_difference;
      window.max_symmetric_difference =
          std::max(window.max_symmetric_difference, record.symmetric_difference);
    }
  }
  ++deliveries_;
  sum_delay_ += delay;
  max_delay_ = deliveries_ == 1 ? delay : std::max(max_delay_, delay);
  version_difference_.add(record.version_difference);
  NodeDeliveryStats& node = per_node_delivery_[record.node];
  ++node.count;
  node.sum_delay += delay;
  node.max_delay = node.count == 1 ? delay : std::max(node.max_delay, delay);
  if (record.sets_measured) {
    receiver_only_.add(static_cast<std::int64_t>(record.receiver_only));
    symmetric_difference_.add(static_cast<std::int64_t>(record.symmetric_difference));
    ++node.measured;
    node.sum_receiver_only += record.receiver_only;
    node.max_receiver_only = std::max(node.max_receiver_only, record.receiver_only);
  }
}

double StalenessStatistics::mean_delay() const noexcept { return ratio(sum_delay_, deliveries_); }

double StalenessStatistics::prefix_mean(const std::vector<std::uint64_t>& prefix, std::uint64_t T,
                                        const char* name) const {
  if (!options_.keep_prefix) {
    throw std::logic_error(std::string("StalenessStatistics::") + name +
                           ": prefix sums were not kept (options.keep_prefix = false)");
  }
  if (T >= prefix.size()) {
    throw std::invalid_argument(std::string("StalenessStatistics::") + name +
                                ": expected T in [0, " + std::to_string(prefix.size() - 1) +
                                "], got " + std::to_string(T));
  }
  return ratio(prefix[T], T);
}

double StalenessStatistics::mean_s_first(std::uint64_t T) const {
  return prefix_mean(prefix_s_, T, "mean_s_first");
}

double StalenessStatistics::mean_s_hat_first(std::uint64_t T) const {
  return prefix_mean(prefix_s_hat_, T, "mean_s_hat_first");
}

}  // namespace dasgd
