// Exact summaries of the staleness records a StalenessTracker emits (run → metrics → files):
// counting histograms with exact quantiles, per-node figures, windows over simulated time and
// prefix means over the first T gradients. Integer sums, records folded in call order: identical
// across reruns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "sim/metrics/staleness_tracker.hpp"

namespace dasgd {

struct HistogramBin {
  std::int64_t value = 0;
  std::uint64_t count = 0;
  friend bool operator==(const HistogramBin&, const HistogramBin&) = default;
};

// Exact counts of integer observations. Values in [−dense_limit, dense_limit) are counted in two
// growable dense arrays (non-negative and negative side), rarer far values in an ordered map, so a
// single huge Ŝ (a gradient lost for the whole run) does not cost a huge array.
class CountingHistogram {
 public:
  explicit CountingHistogram(std::uint64_t dense_limit = std::uint64_t{1} << 20);

  void add(std::int64_t value, std::uint64_t times = 1);

  std::uint64_t count() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  // Smallest and largest value; 0 when empty.
  std::int64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::int64_t max() const noexcept { return count_ == 0 ? 0 : max_; }
  // Mean and root mean square, from exact 128-bit integer sums; 0 when empty.
  double mean() const noexcept;
  double rms() const noexcept;
  // The rank-th smallest observation (1-based, rank in [1, count]); throws std::out_of_range.
  std::int64_t value_at_rank(std::uint64_t rank) const;
  // Nearest-rank quantile: the value at rank max(1, ⌈p·N⌉), p rounded to a multiple of 10^−6 so
  // that ranks are integer arithmetic (p = 0.9, N = 10 gives rank 9, not 10). 0 when empty; throws
  // std::invalid_argument for p outside [0, 1].
  std::int64_t quantile(double p) const;
  // Non-empty bins in increasing value order: the full histogram for export.
  std::vector<HistogramBin> bins() const;

 private:
  __extension__ using Int128 = __int128;
  __extension__ using UInt128 = unsigned __int128;

  std::size_t grown(std::size_t size, std::size_t index) const noexcept;

  std::uint64_t dense_limit_;
  std::vector<std::uint64_t> non_negative_;  // value v at [v]
  std::vector<std::uint64_t> negative_;      // value v at [−v − 1]
  std::map<std::int64_t, std::uint64_t> far_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  Int128 sum_ = 0;
  UInt128 sum_squares_ = 0;  // exact while Σ v² < 2^128 (any realistic run)
};

// The line a run summary prints for one quantity.
struct QuantitySummary {
  std::uint64_t count = 0;
  double mean = 0;
  double rms = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::int64_t p50 = 0;
  std::int64_t p90 = 0;
  std::int64_t p99 = 0;
};
QuantitySummary summarize(const CountingHistogram& histogram);

// S_t and Ŝ_t of the gradients one node computed.
struct NodeComputeStats {
  std::uint64_t count = 0;
  std::uint64_t sum_s = 0;
  std::uint64_t max_s = 0;
  std::uint64_t sum_s_hat = 0;
  std::uint64_t max_s_hat = 0;
  double mean_s() const noexcept;
  double mean_s_hat() const noexcept;
};

// Deliveries (not own applications) one node received.
struct NodeDeliveryStats {
  std::uint64_t count = 0;
  double sum_delay = 0;  // completion → application, simulated seconds, summed in call order
  double max_delay = 0;
  std::uint64_t measured = 0;  // deliveries with set figures (track_deliveries)
  std::uint64_t sum_receiver_only = 0;
  std::uint64_t max_receiver_only = 0;
  double mean_delay() const noexcept;
  double mean_receiver_only() const noexcept;
};

// Gradients completed in [begin, begin + width): staleness as it builds up and settles.
struct GradientWindow {
  std::int64_t index = 0;  // ⌊end time / width⌋
  SimTime begin = 0;
  std::uint64_t count = 0;
  std::uint64_t sum_s = 0;
  std::uint64_t max_s = 0;
  std::uint64_t sum_s_hat = 0;
  std::uint64_t max_s_hat = 0;
  double mean_s() const noexcept;
  double mean_s_hat() const noexcept;
};

// Deliveries applied in [begin, begin + width).
struct DeliveryWindow {
  std::int64_t index = 0;  // ⌊application time / width⌋
  SimTime begin = 0;
  std::uint64_t count = 0;
  double sum_delay = 0;
  double max_delay = 0;
  std::uint64_t measured = 0;
  std::uint64_t sum_receiver_only = 0;
  std::uint64_t max_receiver_only = 0;
  std::uint64_t sum_symmetric_difference = 0;
  std::uint64_t max_symmetric_difference = 0;
  double mean_delay() const noexcept;
  double mean_receiver_only() const noexcept;
  double mean_symmetric_difference() const noexcept;
};

// Link faults: S_t = S_t^transit + S_t^lost (../shared/spec/faults.md) of one node's gradients.
struct NodeLostStats {
  std::uint64_t count = 0;
  std::uint64_t sum_lost = 0;
  std::uint64_t max_lost = 0;
  std::uint64_t sum_transit = 0;
  double mean_lost() const noexcept;
  double mean_transit() const noexcept;
};

// The same split over the gradients completed in [begin, begin + width).
struct LostWindow {
  std::int64_t index = 0;
  SimTime begin = 0;
  std::uint64_t count = 0;
  std::uint64_t sum_lost = 0;
  std::uint64_t max_lost = 0;
  std::uint64_t sum_transit = 0;
  std::uint64_t max_transit = 0;
  double mean_lost() const noexcept;
  double mean_transit() const noexcept;
};

struct StalenessStatisticsOptions {
  SimTime window_width = 0;  // simulated seconds per window; 0 turns windows off
  bool keep_prefix = true;   // prefix sums for mean_s_first(T): 16 bytes per gradient
};

// Folds GradientRecords (in completion order) and DeliveryRecords (own applications are counted
// apart and left out of every delivery figure, as the spec asks).
class StalenessStatistics {
 public:
  // Throws std::invalid_argument for num_nodes == 0 or a negative / non-finite window width.
  explicit StalenessStatistics(std::size_t num_nodes, StalenessStatisticsOptions options = {});

  // With keep_prefix, records must come in completion order (record.t == gradients()).
  void add(const GradientRecord& record);
  void add(const DeliveryRecord& record);

  std::uint64_t gradients() const noexcept { return s_.count(); }
  std::uint64_t deliveries() const noexcept { return deliveries_; }
  std::uint64_t own_applications() const noexcept { return own_applications_; }

  const CountingHistogram& s() const noexcept { return s_; }          // S_t
  const CountingHistogram& s_hat() const noexcept { return s_hat_; }  // Ŝ_t
  const CountingHistogram& receiver_only() const noexcept { return receiver_only_; }  // |A \ G|
  const CountingHistogram& symmetric_difference() const noexcept { return symmetric_difference_; }
  const CountingHistogram& version_difference() const noexcept { return version_difference_; }
  double mean_delay() const noexcept;
  double max_delay() const noexcept { return max_delay_; }

  // Mean of S_t (Ŝ_t) over t < T, exact sums. Needs keep_prefix; T in [0, gradients()] (0 → 0).
  double mean_s_first(std::uint64_t T) const;
  double mean_s_hat_first(std::uint64_t T) const;

  std::span<const NodeComputeStats> per_node_compute() const noexcept { return per_node_compute_; }
  std::span<const NodeDeliveryStats> per_node_delivery() const noexcept {
    return per_node_delivery_;
  }
  // Windows that received at least one record, in increasing time order.
  std::span<const GradientWindow> gradient_windows() const noexcept { return gradient_windows_; }
  std::span<const DeliveryWindow> delivery_windows() const noexcept { return delivery_windows_; }

  const StalenessStatisticsOptions& options() const noexcept { return options_; }

  // Link faults: gradient `record` had s_lost of its S_t missing for good (S^transit = S − s_lost).
  // Call once per gradient record, after add(record), only when the split is reported.
  void add_lost_split(const GradientRecord& record, std::uint64_t s_lost);
  bool has_lost_split() const noexcept { return !per_node_lost_.empty(); }
  const CountingHistogram& s_lost() const noexcept { return s_lost_; }
  const CountingHistogram& s_transit() const noexcept { return s_transit_; }
  std::span<const NodeLostStats> per_node_lost() const noexcept { return per_node_lost_; }
  std::span<const LostWindow> lost_windows() const noexcept { return lost_windows_; }

 private:
  template <typename Window>
  Window& window_at(std::vector<Window>& windows, SimTime time);
  double prefix_mean(const std::vector<std::uint64_t>& prefix, std::uint64_t T,
                     const char* name) const;

  StalenessStatisticsOptions options_;
  CountingHistogram s_;
  CountingHistogram s_hat_;
  CountingHistogram receiver_only_;
  CountingHistogram symmetric_difference_;
  CountingHistogram version_difference_;
  std::uint64_t deliveries_ = 0;
  std::uint64_t own_applications_ = 0;
  double sum_delay_ = 0;
  double max_delay_ = 0;
  std::vector<std::uint64_t> prefix_s_{0};      // prefix_s_[T] = Σ_{t<T} S_t
  std::vector<std::uint64_t> prefix_s_hat_{0};
  std::vector<NodeComputeStats> per_node_compute_;
  std::vector<NodeDeliveryStats> per_node_delivery_;
  std::vector<GradientWindow> gradient_windows_;
  std::vector<DeliveryWindow> delivery_windows_;
  CountingHistogram s_lost_;
  CountingHistogram s_transit_;
  std::vector<NodeLostStats> per_node_lost_;  // allocated by the first add_lost_split
  std::vector<LostWindow> lost_windows_;
};

}  // namespace dasgd
