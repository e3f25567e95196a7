// Compute model: per-node speeds and stragglers fixed at construction, per-gradient durations drawn
// counter-based at query time, and trace replay from CSV (config → world → run).
#include "sim/delay/compute_model.hpp"

#include "topologies/readers.hpp"
#include "sim/text/trim.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace dasgd {
namespace {

// Sub-stream tags inside Stream::straggler, so that speeds, the straggler choice and the
// slow-down coins never share draws.
constexpr std::uint64_t kSpeedDraws = 1;
constexpr std::uint64_t kStragglerChoice = 2;
constexpr std::uint64_t kSlowdownCoins = 3;
// A speed law that keeps drawing 0 (e.g. gamma with a tiny shape underflowing) is refused.
constexpr int kMaxSpeedRedraws = 1000;

std::string number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

template <class T>
bool parse_whole(std::string_view text, T& value) {
  text = trim(text);
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

ComputeTrace ComputeTrace::read(const std::string& path, std::size_t num_nodes) {
  require_input_file(path, "compute trace");
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("compute trace " + path + ": cannot open file");
  const auto fail = [&](std::size_t line, const std::string& message) {
    throw std::invalid_argument(path + ":" + std::to_string(line) + ": " + message);
  };

  std::vector<std::pair<NodeId, double>> rows;
  std::string text;
  std::size_t line = 0;
  bool header_seen = false;
  while (std::getline(in, text)) {
    ++line;
    const std::string_view row = trim(text);
    if (row.empty()) continue;
    if (!header_seen) {
      const auto comma = row.find(',');
      if (comma == std::string_view::npos || trim(row.substr(0, comma)) != "node" ||
          trim(row.substr(comma + 1)) != "duration")
        fail(line, "expected the header \"node,duration\", got \"" + std::string(row) + "\"");
      header_seen = true;
      continue;
    }
    const auto comma = row.find(',');
    std::uint64_t node = 0;
    double duration = 0;
    if (comma == std::string_view::npos || !parse_whole(row.substr(0, comma), node) ||
        !parse_whole(row.substr(comma + 1), duration))
      fail(line, "expected \"<node>,<duration>\", got \"" + std::string(row) + "\"");
    if (node >= num_nodes)
      fail(line, "expected a node id below " + std::to_string(num_nodes) + ", got " +
                     std::to_string(node));
    if (!std::isfinite(duration) || duration < 0.0)
      fail(line, "expected a duration >= 0, got " + number(duration));
    rows.emplace_back(static_cast<NodeId>(node), duration);
  }
  if (in.bad()) fail(line, "read error after this line");
  if (!header_seen) fail(line, "expected the header \"node,duration\", got an empty file");

  // Counting sort by node, keeping file order within a node.
  ComputeTrace trace;
  trace.offsets_.assign(num_nodes + 1, 0);
  for (const auto& [node, duration] : rows) ++trace.offsets_[node + 1];
  for (std::size_t i = 0; i < num_nodes; ++i) {
    if (trace.offsets_[i + 1] == 0)
      throw std::invalid_argument("compute trace " + path + ": node " + std::to_string(i) +
                                  " has no duration");
  }
  std::partial_sum(trace.offsets_.begin(), trace.offsets_.end(), trace.offsets_.begin());
  trace.durations_.resize(rows.size());
  std::vector<std::size_t> next(trace.offsets_.begin(), trace.offsets_.end() - 1);
  for (const auto& [node, duration] : rows) trace.durations_[next[node]++] = duration;
  trace.means_.resize(num_nodes);
  for (std::size_t i = 0; i < num_nodes; ++i) {
    const auto span = trace.durations(static_cast<NodeId>(i));
    trace.means_[i] =
        std::accumulate(span.begin(), span.end(), 0.0) / static_cast<double>(span.size());
  }
  return trace;
}

ComputeModel::ComputeModel(const ComputeModelSpec& spec, std::size_t num_nodes, std::uint64_t seed)
    : spec_(spec),
      num_nodes_(num_nodes),
      seed_(seed),
      slowdown_seed_(mix_key(seed, Stream::straggler, kSlowdownCoins)) {
  const auto refuse = [](const std::string& message) {
    throw std::invalid_argument("compute model: " + message);
  };
  if (num_nodes == 0) refuse("expected at least one node, got 0");
  const Stragglers& stragglers = spec.stragglers;
  const RandomSlowdowns& slowdowns = spec.slowdowns;
  if (!(stragglers.fraction >= 0.0 && stragglers.fraction <= 1.0))
    refuse("stragglers: expected a fraction in [0, 1], got " + number(stragglers.fraction));
  if (!(std::isfinite(stragglers.slowdown) && stragglers.slowdown >= 1.0))
    refuse("stragglers: expected a slowdown >= 1, got " + number(stragglers.slowdown));
  if (!(slowdowns.probability >= 0.0 && slowdowns.probability <= 1.0))
    refuse("slowdowns: expected a probability in [0, 1], got " + number(slowdowns.probability));
  if (!(std::isfinite(slowdowns.factor) && slowdowns.factor >= 1.0))
    refuse("slowdowns: expected a factor >= 1, got " + number(slowdowns.factor));

  const auto* speed_list = std::get_if<std::vector<double>>(&spec.speeds);
  if (spec.trace) {
    if ((speed_list == nullptr || !speed_list->empty()) || stragglers.fraction > 0.0 ||
        slowdowns.probability > 0.0)
      refuse("a trace gives final durations; expected no speeds, stragglers or slowdowns with it");
    trace_ = ComputeTrace::read(spec.trace->path, num_nodes);
    return;
  }
  if (auto reason = invalid_reason(spec.base)) refuse("time: " + *reason);

  if (speed_list != nullptr) {
    if (!speed_list->empty() && speed_list->size() != num_nodes)
      refuse("speeds: expected one speed per node (" + std::to_string(num_nodes) + "), got " +
             std::to_string(speed_list->size()));
    for (std::size_t i = 0; i < speed_list->size(); ++i) {
      const double s = (*speed_list)[i];
      if (!(std::isfinite(s) && s > 0.0))
        refuse("speeds[" + std::to_string(i) + "]: expected a speed > 0, got " + number(s));
    }
    speeds_ = *speed_list;
  } else {
    const Distribution& law = std::get<Distribution>(spec.speeds);
    if (auto reason = invalid_reason(law)) refuse("speeds: " + *reason);
    if (mean(law) <= 0.0) refuse("speeds: expected a law of positive speeds, got " + describe(law));
    speeds_.resize(num_nodes);
    for (std::size_t i = 0; i < num_nodes; ++i) {
      Rng rng(mix_key(seed, Stream::straggler, kSpeedDraws, i));
      double s = 0.0;
      for (int attempt = 0; !(std::isfinite(s) && s > 0.0); ++attempt) {
        if (attempt == kMaxSpeedRedraws)
          refuse("speeds: " + describe(law) + " keeps drawing speeds that are 0 or infinite");
        s = sample(law, rng);
      }
      speeds_[i] = s;
    }
  }

  // Exactly round(f n) stragglers: the first entries of a partial Fisher–Yates shuffle.
  num_stragglers_ = static_cast<std::size_t>(
      std::llround(stragglers.fraction * static_cast<double>(num_nodes)));
  if (num_stragglers_ > 0) {
    std::vector<NodeId> order(num_nodes);
    std::iota(order.begin(), order.end(), NodeId{0});
    Rng rng(mix_key(seed, Stream::straggler, kStragglerChoice));
    straggler_.assign(num_nodes, false);
    for (std::size_t i = 0; i < num_stragglers_; ++i) {
      std::swap(order[i], order[i + rng.below(num_nodes - i)]);
      straggler_[order[i]] = true;
    }
  }
  delay_key_ = purpose_key(seed, Stream::compute_delay);
  if (const auto* exponential = std::get_if<law::Exponential>(&spec.base);
      exponential != nullptr && !trace_ && speeds_.empty() && straggler_.empty() &&
      !(spec.slowdowns.probability > 0.0))
    plain_exponential_mean_ = exponential->mean;
}

void ComputeModel::check_node(NodeId node) const {
  if (node >= num_nodes_)
    throw std::out_of_range("compute model: node " + std::to_string(node) + " out of range (" +
                            std::to_string(num_nodes_) + " nodes)");
}

double ComputeModel::general_duration(NodeId node, std::uint64_t k) const {
  check_node(node);
  if (trace_) {
    const auto durations = trace_->durations(node);
    if (k >= durations.size() && spec_.trace->when_exhausted == TraceExhausted::error)
      throw std::runtime_error("compute trace " + spec_.trace->path + ": node " +
                               std::to_string(node) + " has " + std::to_string(durations.size()) +
                               " durations, gradient " + std::to_string(k) + " was asked for");
    return durations[k % durations.size()];
  }
  Rng rng(mix_key(seed_, Stream::compute_delay, node, k));
  double time = sample(spec_.base, rng);
  if (!speeds_.empty()) time /= speeds_[node];
  if (!straggler_.empty() && straggler_[node]) time *= spec_.stragglers.slowdown;
  if (is_slowed_down(node, k)) time *= spec_.slowdowns.factor;
  return time;
}

double ComputeModel::speed(NodeId node) const {
  check_node(node);
  return speeds_.empty() ? 1.0 : speeds_[node];
}

bool ComputeModel::is_straggler(NodeId node) const {
  check_node(node);
  return !straggler_.empty() && straggler_[node];
}

bool ComputeModel::is_slowed_down(NodeId node, std::uint64_t k) const {
  check_node(node);
  const double p = spec_.slowdowns.probability;
  if (p <= 0.0) return false;
  return Rng(mix_key(slowdown_seed_, Stream::straggler, node, k)).uniform() < p;
}

double ComputeModel::mean_duration(NodeId node) const {
  check_node(node);
  if (trace_) return trace_->mean(node);
  double m = mean(spec_.base) / speed(node);
  if (is_straggler(node)) m *= spec_.stragglers.slowdown;
  const RandomSlowdowns& s = spec_.slowdowns;
  return m * (1.0 + s.probability * (s.factor - 1.0));
}

}  // namespace dasgd
