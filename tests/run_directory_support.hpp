// Test-only: what every run directory must satisfy after any exit (docs/OUTCOMES.md): a manifest
// that lists exactly the run files present, each with the size it says, and no staging directory,
// temporary or commit marker left; and a way to spawn the CLI as a child process to signal it.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace dasgd::testing {

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, false);
}

// Every regular file under `dir` (relative, generic form), hidden ones included.
inline std::set<std::string> all_files(const std::filesystem::path& dir) {
  std::set<std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.insert(entry.path().lexically_relative(dir).generic_string());
  return files;
}

// Nothing half-made: no staging directory, no "*.tmp.<pid>", no commit marker.
inline void expect_no_leftovers(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.rfind(".dasgd-staging.", 0), std::string::npos) << entry.path();
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << entry.path();
    EXPECT_NE(name, ".dasgd-commit.json") << entry.path();
  }
}

// The manifest lists exactly the files present apart from `user_files` and itself, with their
// sizes; returns it.
inline nlohmann::json expect_consistent_run_directory(const std::filesystem::path& dir,
                                                      const std::set<std::string>& user_files = {}) {
  expect_no_leftovers(dir);
  const nlohmann::json manifest = read_json(dir / ".dasgd-manifest.json");
  EXPECT_TRUE(manifest.is_object() && manifest.contains("files")) << dir;
  if (!manifest.is_object() || !manifest.contains("files")) return manifest;
  std::set<std::string> listed;
  for (const auto& file : manifest["files"]) {
    const std::string path = file["path"].get<std::string>();
    listed.insert(path);
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / path)) << path;
    if (!file["bytes"].is_null() && std::filesystem::exists(dir / path)) {
      EXPECT_EQ(std::filesystem::file_size(dir / path), file["bytes"].get<std::uintmax_t>()) << path;
    }
  }
  std::set<std::string> present = all_files(dir);
  present.erase(".dasgd-manifest.json");
  for (const std::string& f : user_files) present.erase(f);
  EXPECT_EQ(present, listed) << dir;
  return manifest;
}

// The CLI as a child process (cwd = the source directory, stdout and stderr to files in `io`).
inline pid_t spawn_cli(const std::vector<std::string>& arguments, const std::filesystem::path& io) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(DASGD_SOURCE_DIR) != 0) ::_exit(127);
    const std::string out = (io / "out").string(), err = (io / "err").string();
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) ::_exit(127);
    std::vector<char*> argv;
    std::string program = DASGD_CLI_PATH;
    argv.push_back(program.data());
    std::vector<std::string> copy = arguments;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

struct ChildExit {
  int code = -1;    // exit status when it exited
  int signal = 0;   // the signal that killed it, else 0
};

inline ChildExit wait_child(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  ChildExit e;
  if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

}  // namespace dasgd::testing
