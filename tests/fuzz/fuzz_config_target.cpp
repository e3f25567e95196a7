// libFuzzer target over run configs (DASGD_FUZZ=ON, clang): see fuzz_entries.hpp.
#include "tests/fuzz/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)dasgd::fuzz::config_input(data, size);
  return 0;
}
