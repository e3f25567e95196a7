// Replays the fuzz corpus through the same entry points the libFuzzer targets call, with the normal
// compiler (CTest runs it on every build): tests/fuzz/corpus/config/* as configs,
// tests/fuzz/corpus/graph/* as graph files. Exits 1 naming the input when an entry throws.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_entries.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_corpus_replay CORPUS_DIR (with config/ and graph/ inside)\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  std::size_t replayed = 0, ran = 0;
  for (const char* kind : {"config", "graph"}) {
    std::vector<std::filesystem::path> inputs;
    for (const auto& entry : std::filesystem::directory_iterator(root / kind))
      if (entry.is_regular_file()) inputs.push_back(entry.path());
    std::sort(inputs.begin(), inputs.end());
    for (const auto& input : inputs) {
      std::ifstream in(input, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
      try {
        if (std::string(kind) == "config") ran += dasgd::fuzz::config_input(data, bytes.size()) ? 1 : 0;
        else dasgd::fuzz::graph_file_input(data, bytes.size());
      } catch (const std::exception& error) {
        std::cerr << input.string() << ": unexpected " << typeid(error).name() << ": " << error.what() << "\n";
        return 1;
      }
      ++replayed;
    }
  }
  std::cout << "replayed " << replayed << " corpus inputs (" << ran << " configs ran)\n";
  return replayed > 0 ? 0 : 1;
}
