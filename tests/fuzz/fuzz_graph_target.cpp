// libFuzzer target over graph files (DASGD_FUZZ=ON, clang): see fuzz_entries.hpp.
#include "tests/fuzz/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dasgd::fuzz::graph_file_input(data, size);
  return 0;
}
