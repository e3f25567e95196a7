// A run owns its output directory (files stage of config → world → run → metrics → files).
// Decided before the simulation starts (claim): the directory is resolved and refused when it is
// the file-system root, the home directory, the current directory or a directory above one of
// them; a directory that holds files with our names that no manifest of ours lists is refused
// unless `force`; a lock keeps a second process out. The run then writes every file into a
// staging directory inside the output directory, and commit() swaps the new run in: the previous
// run's files (those its manifest lists, nothing else) are removed, the new ones renamed into
// place, and the manifest (.dasgd-manifest.json) written last. A commit cut short by kill -9
// leaves .dasgd-commit.json, which marks the directory as mixed; the next claim finishes the
// cleanup. Staging directories and temporaries of a killed run are removed by the next claim.
// docs/OUTCOMES.md, "Output directories".
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace dasgd {

inline constexpr const char* manifest_file_name = ".dasgd-manifest.json";
inline constexpr const char* commit_marker_name = ".dasgd-commit.json";
inline constexpr const char* staging_prefix = ".dasgd-staging.";

// An output directory that cannot be used: the CLI prints "dasgd: output directory <path>: <why>"
// and exits 2 before the simulation starts.
class OutputDirectoryError : public std::runtime_error {
 public:
  OutputDirectoryError(std::filesystem::path path, const std::string& why)
      : std::runtime_error(why), path_(std::move(path)) {}
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// Thrown by commit() when abandon() says so (a second Ctrl-C): nothing of the new run is kept.
class WriteAbandoned : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OutputClaimOptions {
  bool force = false;               // replace files with our names that no manifest lists
  std::vector<std::string> names;   // top-level names this run may write (the foreign-file check)
  std::function<bool()> abandon;    // checked by commit(): true = drop the new files
};

// The directory as it will be used: absolute, normal, symlinks resolved where they exist. Throws
// OutputDirectoryError for the root, home or current directory or one above them, or a path that
// exists and is not a directory.
std::filesystem::path resolve_output_directory(const std::filesystem::path& directory);

class OutputDirectory {
 public:
  // Claims `directory` (see above). Creates it when missing (and removes it again if nothing is
  // committed). Throws OutputDirectoryError.
  OutputDirectory(const std::filesystem::path& directory, OutputClaimOptions options);
  // Not committed: removes the staging directory, and the output directory if this claim created
  // it and it is empty; releases the lock. Never throws.
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  const std::filesystem::path& target() const noexcept { return target_; }
  const std::filesystem::path& staging() const noexcept { return staging_; }
  // Files of the previous run (relative paths) that commit() will remove or replace.
  const std::set<std::string>& previous_files() const noexcept { return ours_; }

  // Swaps the staged files in. `manifest` (an object) gets "files" (relative path and bytes) and
  // "dasgd_manifest" added and is written last. Throws WriteAbandoned, or std::runtime_error on an
  // I/O failure (the commit marker then stays, marking the directory as mixed).
  void commit(nlohmann::json manifest);
  bool committed() const noexcept { return committed_; }

 private:
  void read_previous_run();
  void remove_stale_temporaries();
  void remove_created_directories() noexcept;  // the ones this claim made, while empty

  std::filesystem::path target_;
  std::filesystem::path staging_;
  OutputClaimOptions options_;
  std::set<std::string> ours_;     // relative paths a manifest or commit marker of ours lists
  std::set<std::string> forced_;   // top-level names replaced under --force
  int lock_fd_ = -1;
  bool created_ = false;
  std::filesystem::path created_top_;  // the topmost directory this claim created
  bool committed_ = false;
};

// Reads a committed run directory's manifest; nullopt-like null json when there is none.
nlohmann::json read_manifest(const std::filesystem::path& directory);

}  // namespace dasgd
