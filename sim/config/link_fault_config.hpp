// Reading the link fault processes from a JSON config (config stage): the config's "faults" object
// may hold exactly "nodes" (node availability, read elsewhere), "links" and "transport":
//   "links": {"loss": {"model": "bernoulli", "p": 0.05}
//                   | {"model": "gilbert_elliott", "good_to_bad": g, "bad_to_good": b,
//                      "loss_good": lg, "loss_bad": lb},
//             "outages": {"up_time": <law>, "down_time": <law>}
//                      | {"schedule": [{"u": 0, "v": 1, "down_at": 2.0, "up_at": 3.5}, ...]}
//                      | {"trace": "outages.csv"}}          (rows u,v,down_at,up_at; up_at "inf")
//   "links": {..., "reply_timeout": 2.0}                     (parameter_server: a worker's wait)
//   "transport": {"reliable": true, "timeout": 0.5, "max_retries": 5, "algorithms": ["dasgd"]}
// Errors name the JSON path, or file:line for a trace row. Algorithms that cannot honour link
// faults are refused by link_fault_support().
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "sim/config/json_reader.hpp"
#include "sim/faults/link_faults.hpp"

namespace dasgd {

// Reads "links" and "transport" of the "faults" object (accepting "nodes" unread, refusing any
// other key). A trace path resolves against `base` (the config file's directory).
LinkFaultSpec parse_link_faults(JsonReader& faults, const std::filesystem::path& base);

// Why `algorithm` (with this delivery, link model) cannot run under `spec`, or nullopt.
std::optional<std::string> link_fault_refusal(const LinkFaultSpec& spec, const std::string& algorithm,
                                              const nlohmann::json& algorithm_section, bool fifo);

// faults.links.reply_timeout: required by parameter_server (ConfigError naming /faults/links) when
// messages can be lost and no reliable transport serves it. Algorithms that wait for no reply
// ignore it, so one faults block can serve a whole `dasgd compare`.
void check_reply_timeout(const LinkFaultSpec& spec, const std::string& algorithm);

// The synchronous-round algorithms (minibatch_sgd, local_sgd, dpsgd): their link-fault timeout
// rule is in sim/algorithms/synchronous_round.hpp.
bool is_synchronous_round_algorithm(const std::string& algorithm);

// faults.links.round_timeout: required by the synchronous-round algorithms (ConfigError naming
// /faults/links) when messages can be lost and no reliable transport serves them; ignored by the
// others, as reply_timeout is by all but the parameter server.
void check_round_timeout(const LinkFaultSpec& spec, const std::string& algorithm);

}  // namespace dasgd
