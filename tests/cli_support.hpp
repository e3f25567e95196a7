// Test-only: run the `dasgd` binary (its path comes from CMake as DASGD_CLI_PATH) and capture its
// exit code, stdout and stderr; read whole files; make fresh temporary directories.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dasgd::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::filesystem::path fresh_directory(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("dasgd-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs `dasgd <arguments>` from the source directory (so configs/... paths work).
inline CommandResult run_cli(const std::string& arguments, const std::string& tag = "cli") {
  const std::filesystem::path dir = fresh_directory("io-" + tag);
  const std::string command = std::string("cd '") + DASGD_SOURCE_DIR + "' && '" + DASGD_CLI_PATH + "' " +
                              arguments + " > '" + (dir / "out").string() + "' 2> '" +
                              (dir / "err").string() + "' < /dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(dir / "out");
  result.err = read_file(dir / "err");
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace dasgd::testing
