// The tree's one-way layout (config → world → run → metrics → files): every source file's
// quoted includes point to its own folder or to a lower layer. The ranks below are the tree's layers
// from the bottom; folders on one rank may include each other (an algorithm reports to its fault
// processes and they call back into it).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::map<std::string, int>& layer_ranks() {
  static const std::map<std::string, int> ranks{
      {"sim/random", 0},     {"sim/text", 0},    {"sim/engine", 1},  {"topologies", 1}, {"objectives", 1},  {"sim/delay", 2},
      {"sim/faults", 3},     {"sim/algorithms", 3}, {"sim/metrics", 4}, {"sim/bounds", 5}, {"sim/config", 6},
      {"sim/predict", 7},    {"sim/result", 8},  {"sim/output", 9}, {"sim/run", 10},    {"sim/sweep", 11},
      {"sim/cli", 12},       {"python/src", 13}};
  return ranks;
}

// The layer a path ("sim/run/experiment.hpp") lies in, if it lies in one.
std::optional<std::string> layer_of(const std::string& path) {
  std::optional<std::string> best;
  for (const auto& [folder, rank] : layer_ranks())
    if (path.rfind(folder + "/", 0) == 0 && (!best || folder.size() > best->size())) best = folder;
  return best;
}

// "file: includes higher" lines for the includes of `text` (the file at `path`) that point up.
std::vector<std::string> upward_includes(const std::string& path, const std::string& text) {
  std::vector<std::string> found;
  const std::optional<std::string> from = layer_of(path);
  if (!from) return found;
  static const std::regex include(R"re(^\s*#\s*include\s+"([^"]+)")re");
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::smatch m;
    if (!std::regex_search(line, m, include)) continue;
    const std::optional<std::string> to = layer_of(m[1].str());
    if (to && layer_ranks().at(*to) > layer_ranks().at(*from))
      found.push_back(path + ":" + std::to_string(number) + ": includes " + m[1].str() + " (" + *to +
                      " is above " + *from + ")");
  }
  return found;
}

TEST(Layering, AnIncludeOfAHigherLayerIsReportedWithItsLine) {
  const std::vector<std::string> found =
      upward_includes("sim/output/run_writer.hpp", "// x\n#include \"sim/metrics/x.hpp\"\n#include \"sim/run/experiment.hpp\"\n");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], "sim/output/run_writer.hpp:3: includes sim/run/experiment.hpp (sim/run is above sim/output)");
  EXPECT_TRUE(upward_includes("sim/run/experiment.cpp", "#include \"sim/output/run_writer.hpp\"\n").empty());
  EXPECT_TRUE(upward_includes("sim/faults/a.cpp", "#include \"sim/algorithms/algorithm.hpp\"\n").empty());
}

TEST(Layering, NoSourceFileIncludesAHigherLayer) {
  const std::filesystem::path root = DASGD_SOURCE_DIR;
  std::vector<std::string> found;
  std::size_t files = 0;
  for (const auto& [folder, rank] : layer_ranks()) {
    if (!std::filesystem::exists(root / folder)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      const std::string path = std::filesystem::relative(entry.path(), root).generic_string();
      if (layer_of(path) != folder) continue;  // a nested layer's files are checked as its own
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      ++files;
      for (std::string& line : upward_includes(path, text.str())) found.push_back(std::move(line));
    }
  }
  EXPECT_GT(files, 100u);
  // Known upward includes, to be removed (not to grow): the live topology builds each snapshot from
  // its graph config (build_topology), so it needs sim/config. Moving the snapshot specs and
  // build_topology below sim/faults removes them. A listed line that no longer occurs fails too, so
  // the list cannot go stale.
  const std::vector<std::string> known = {
      "sim/faults/live_topology.cpp:5: includes sim/config/topology_config.hpp (sim/config is above sim/faults)",
      "sim/faults/live_topology.hpp:17: includes sim/config/dynamic_topology_config.hpp (sim/config is above sim/faults)",
      "sim/faults/live_topology_report.hpp:9: includes sim/config/dynamic_topology_config.hpp (sim/config is above "
      "sim/faults)"};
  for (const std::string& line : found)
    if (std::find(known.begin(), known.end(), line) == known.end()) ADD_FAILURE() << line;
  for (const std::string& line : known)
    if (std::find(found.begin(), found.end(), line) == found.end())
      ADD_FAILURE() << "listed as a known upward include but no longer found (remove it from the list): " << line;
}

}  // namespace
