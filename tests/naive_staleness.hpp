// Test-only reference for StalenessTracker: the spec's definitions taken literally, with an explicit
// std::set of applied gradients per node and a full copy of it at every computation start.
// Slow (O(t) per event) and obviously right; tests/staleness_test.cpp compares the two on random runs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <set>
#include <stdexcept>
#include <vector>

#include "sim/metrics/staleness_tracker.hpp"

namespace dasgd::testing {

class NaiveStaleness {
 public:
  struct Ticket {
    NodeId node = 0;
    SimTime start = 0;
    std::set<std::uint64_t> gradient_set;  // G: what node had applied when it read its model
  };

  explicit NaiveStaleness(std::size_t num_nodes) : applied_(num_nodes) {}

  Ticket start(NodeId node, SimTime start) const { return {node, start, applied_.at(node)}; }

  GradientRecord complete(const Ticket& ticket, SimTime end) {
    GradientRecord record;
    record.t = gradients_.size();
    record.node = ticket.node;
    record.start = ticket.start;
    record.end = end;
    record.applied_at_start = ticket.gradient_set.size();
    // M_t = {0..t−1} \ G_t, spelled out.
    std::vector<std::uint64_t> missing;
    for (std::uint64_t k = 0; k < record.t; ++k) {
      if (ticket.gradient_set.count(k) == 0) missing.push_back(k);
    }
    record.s = missing.size();
    record.s_hat = missing.empty() ? 0 : record.t - missing.front();
    gradients_.push_back({ticket.node, end, ticket.gradient_set});
    return record;
  }

  DeliveryRecord apply(NodeId node, std::uint64_t t, SimTime when) {
    const Gradient& gradient = gradients_.at(t);
    std::set<std::uint64_t>& receiver = applied_.at(node);
    if (receiver.count(t) != 0) throw std::logic_error("naive: applied twice");
    std::vector<std::uint64_t> receiver_only;
    std::vector<std::uint64_t> gradient_only;
    std::set_difference(receiver.begin(), receiver.end(), gradient.gradient_set.begin(),
                        gradient.gradient_set.end(), std::back_inserter(receiver_only));
    std::set_difference(gradient.gradient_set.begin(), gradient.gradient_set.end(),
                        receiver.begin(), receiver.end(), std::back_inserter(gradient_only));
    DeliveryRecord record;
    record.gradient = t;
    record.origin = gradient.origin;
    record.node = node;
    record.computed_at = gradient.end;
    record.applied_at = when;
    record.own = node == gradient.origin;
    record.sets_measured = true;
    record.receiver_count = receiver.size();
    record.gradient_set_count = gradient.gradient_set.size();
    record.receiver_only = receiver_only.size();
    record.gradient_only = gradient_only.size();
    record.symmetric_difference = receiver_only.size() + gradient_only.size();
    record.version_difference = static_cast<std::int64_t>(receiver.size()) -
                                static_cast<std::int64_t>(gradient.gradient_set.size());
    receiver.insert(t);
    return record;
  }

  // Model averaging, literally: a copy of the set, and a union.
  std::set<std::uint64_t> snapshot(NodeId node) const { return applied_.at(node); }
  std::uint64_t merge(NodeId node, const std::set<std::uint64_t>& snapshot) {
    std::set<std::uint64_t>& receiver = applied_.at(node);
    const std::size_t before = receiver.size();
    receiver.insert(snapshot.begin(), snapshot.end());
    return receiver.size() - before;
  }

  const std::set<std::uint64_t>& applied(NodeId node) const { return applied_.at(node); }
  std::uint64_t watermark(NodeId node) const {
    std::uint64_t w = 0;
    for (std::uint64_t k : applied_.at(node)) {
      if (k != w) break;
      ++w;
    }
    return w;
  }

 private:
  struct Gradient {
    NodeId origin;
    SimTime end;
    std::set<std::uint64_t> gradient_set;
  };
  std::vector<std::set<std::uint64_t>> applied_;
  std::vector<Gradient> gradients_;
};

}  // namespace dasgd::testing
