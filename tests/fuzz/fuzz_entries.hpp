// The fuzz entry points (docs/ROBUSTNESS.md): one function per input kind, shared by the libFuzzer
// targets (built with DASGD_FUZZ=ON and clang) and by the corpus replay that CTest runs on every
// build. An entry returns normally for every input the tool handles (accepted or refused with a
// located error); a crash, a sanitizer report, an unexpected exception type or a hang is a finding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dasgd::fuzz {

// The bytes as a run config: guarded JSON reading, parsing, cost estimate, and, when the world is
// tiny (the harness caps nodes, dimension, gradients and estimated wall time), the run itself and
// its summary, all in memory. True when the run happened (for the replay's count).
bool config_input(const std::uint8_t* data, std::size_t size);

// The first byte picks a graph file format (edge list, GraphML, DOT); the rest is the file, read
// through the same readers a config's {"kind": "file"} uses.
void graph_file_input(const std::uint8_t* data, std::size_t size);

}  // namespace dasgd::fuzz
