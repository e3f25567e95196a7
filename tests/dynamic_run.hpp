// Test helper: an algorithm driven with its topology changes on a dynamic graph, as run_experiment
// does (tests/dynamic_topology_test.cpp, tests/dynamic_topology_algorithms_test.cpp).
#pragma once

#include <memory>
#include <string>

#include "sim/faults/live_topology.hpp"
#include "tests/test_world.hpp"

namespace dasgd::testing {

inline DynamicTopologySpec periodic(const std::string& kind, double period) {
  DynamicTopologySpec spec;
  spec.kind = kind;
  spec.period = period;
  return spec;
}

struct DynamicRun {
  DynamicRun(TestWorld& w, const DynamicTopologySpec& spec, std::uint64_t seed = 1)
      : live(w.topology, spec, seed, seed, w.network->spec(), &log) {
    w.world.live = &live;
    w.world.faults = &log;
  }
  void start(Algorithm& algorithm) {
    changes = std::make_unique<WithTopologyChanges>(algorithm, live);
    changes->start(simulator);
    algorithm.start(simulator);
  }
  FaultLog log;
  LiveTopology live;
  Simulator simulator;
  std::unique_ptr<WithTopologyChanges> changes;
};

}  // namespace dasgd::testing
