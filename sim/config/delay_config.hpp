// Reading the delay models from a JSON config (config stage): distributions, the compute model and
// the link model, each validated with errors that name the JSON path
// ("/compute/time/mean: expected a positive number, got -1").
#pragma once

#include "sim/config/json_reader.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/distribution.hpp"
#include "sim/delay/link_model.hpp"

#include <string>

namespace dasgd {

// A law at the reader's own node: a bare number (a constant), or an object with "law" and its keys:
//   {"law": "constant", "value": v}             {"law": "exponential", "mean": m}
//   {"law": "shifted_exponential", "shift": s, "mean": m}
//   {"law": "uniform", "low": a, "high": b}     {"law": "gamma", "shape": k, "scale": theta}
//   {"law": "lognormal", "mu": mu, "sigma": s}  or {"law": "lognormal", "mean": m, "cv": c}
//   {"law": "pareto", "scale": x_m, "shape": alpha}   (alpha > 1: finite mean)
// Unknown keys are refused (finish()).
Distribution parse_distribution(JsonReader& reader);
// The law under `key` of the parent object (required); marks the key as read.
Distribution parse_distribution(JsonReader& parent, const std::string& key);

// {"time": <law>, "speeds": [..] | <law>, "stragglers": {"fraction": f, "slowdown": k},
//  "slowdowns": {"probability": p, "factor": k}, "trace": "file.csv", "trace_exhausted": "cycle"}.
// "time" is required unless "trace" is given; a trace excludes time, speeds, stragglers and
// slowdowns. The trace path is returned as written (the caller resolves it against the config's
// directory). The speed list's length is checked against the graph later, by ComputeModel.
ComputeModelSpec parse_compute_model(JsonReader& reader);

// {"latency": <law>, "bandwidth": bytes_per_second (absent: infinite), "fifo": false}.
LinkModelSpec parse_link_model(JsonReader& reader);

}  // namespace dasgd
