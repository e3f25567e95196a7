// The stateless side of links: how long one message takes on one edge (config → world; used by
// Network during the run). A latency law, an optional bandwidth, and per-edge overrides read from
// the graph file; draws are counter-based (keyed), so they do not depend on call order.
#pragma once

#include "sim/delay/distribution.hpp"
#include "topologies/topology.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace dasgd {

struct LinkModelSpec {
  Distribution latency = law::Constant{0.0};  // seconds
  std::optional<double> bandwidth{};           // bytes per second; absent: infinite
  bool fifo = false;                           // messages on one arc never overtake each other
};

// Why the spec is invalid (bad latency law, bandwidth not > 0), or nullopt.
std::optional<std::string> invalid_reason(const LinkModelSpec& spec);
// Why an edge's attributes cannot override the link model (latency < 0, bandwidth <= 0), or nullopt.
std::optional<std::string> invalid_reason(const EdgeAttributes& attributes);

// One latency draw for one message on an edge, from Rng(key). An edge's `latency` attribute L_e
// rescales the law to mean L_e (draw × L_e / mean), which is exactly L_e for a deterministic law
// (and for a law with mean 0, where the rescaling is undefined). Assumes valid spec and attributes.
double latency_draw(const LinkModelSpec& spec, const EdgeAttributes& edge, std::uint64_t key);

// The edge's bandwidth attribute if present, else the spec's; +infinity when neither is given.
double effective_bandwidth(const LinkModelSpec& spec, const EdgeAttributes& edge);

// Latency plus serialisation time: latency_draw + bytes / bandwidth (just the draw when the
// bandwidth is infinite). bytes >= 0.
double transfer_time(const LinkModelSpec& spec, const EdgeAttributes& edge, double bytes,
                     std::uint64_t key);

}  // namespace dasgd
