// Output-directory ownership; see run_directory.hpp. The order of commit() is what makes a kill at
// any moment safe: the marker is written before the first old file goes, the manifest is removed
// before any file changes, and the new manifest is renamed in only after every new file is in
// place. A reader may trust a directory iff it has .dasgd-manifest.json and no .dasgd-commit.json.
#include "sim/output/run_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "sim/output/atomic_file.hpp"

namespace dasgd {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The path without a trailing separator ("runs/x/" → "runs/x").
fs::path without_trailing_separator(fs::path p) {
  while (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

fs::path resolved(const fs::path& p) {
  std::error_code error;
  fs::path out = fs::weakly_canonical(fs::absolute(p, error), error);
  if (error) out = fs::absolute(p).lexically_normal();
  return without_trailing_separator(out);
}

// True when `outer` is `inner` or a directory above it.
bool is_same_or_above(const fs::path& outer, const fs::path& inner) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *o != *i) return false;
  }
  return true;
}

bool exists_no_follow(const fs::path& p) {
  std::error_code error;
  return fs::exists(fs::symlink_status(p, error));
}

std::string first_component(const std::string& relative) {
  const auto slash = relative.find('/');
  return slash == std::string::npos ? relative : relative.substr(0, slash);
}

// Every regular file under `root`, as sorted relative paths ("summary.json", "dasgd/metrics.csv").
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(entry.path().lexically_relative(root).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return json();
  return json::parse(in, nullptr, false);
}

// "name.tmp.<digits>": an AtomicFileWriter temporary left by a killed process.
bool is_temporary_of(const std::string& file, const std::string& name) {
  const std::string stem = name + ".tmp.";
  if (file.size() <= stem.size() || file.compare(0, stem.size(), stem) != 0) return false;
  return std::all_of(file.begin() + static_cast<std::ptrdiff_t>(stem.size()), file.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

void add_listed_files(const json& list, std::set<std::string>& into) {
  if (!list.is_array()) return;
  for (const json& item : list) {
    const json& path = item.is_object() && item.contains("path") ? item["path"] : item;
    if (!path.is_string()) continue;
    const std::string p = path.get<std::string>();
    // Only plain relative paths inside the directory: a manifest cannot make us touch "../x".
    const fs::path rel(p);
    if (p.empty() || rel.is_absolute()) continue;
    if (std::any_of(rel.begin(), rel.end(), [](const fs::path& c) { return c == ".." || c == "."; })) continue;
    into.insert(rel.generic_string());
  }
}

}  // namespace

fs::path resolve_output_directory(const fs::path& directory) {
  if (directory.empty()) throw OutputDirectoryError(directory, "expected a directory name, got an empty one");
  const fs::path target = resolved(directory);
  if (target == target.root_path())
    throw OutputDirectoryError(directory, "refusing the file-system root as an output directory; choose a "
                                          "directory of its own, e.g. runs/NAME");
  std::error_code error;
  const fs::path cwd = resolved(fs::current_path(error));
  if (!error && is_same_or_above(target, cwd))
    throw OutputDirectoryError(directory, std::string("refusing ") +
                                              (target == cwd ? "the current directory" : "a directory above the current one") +
                                              " (" + target.string() + ") as an output directory; choose a directory of its own, e.g. runs/NAME");
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    const fs::path home_path = resolved(home);
    if (home_path != home_path.root_path() && is_same_or_above(target, home_path))
      throw OutputDirectoryError(directory, std::string("refusing ") +
                                                (target == home_path ? "the home directory" : "a directory above the home directory") +
                                                " (" + target.string() + ") as an output directory; choose a directory of its own, e.g. runs/NAME");
  }
  if (exists_no_follow(target) && !fs::is_directory(target, error))
    throw OutputDirectoryError(directory, "exists and is not a directory");
  return target;
}

OutputDirectory::OutputDirectory(const fs::path& directory, OutputClaimOptions options)
    : target_(resolve_output_directory(directory)), options_(std::move(options)) {
  std::error_code error;
  if (!fs::exists(target_, error)) {
    // Create the missing parents too; remember the topmost one made, to remove them if unused.
    created_top_ = target_;
    while (created_top_.has_parent_path() && created_top_.parent_path() != created_top_ &&
           !fs::exists(created_top_.parent_path(), error))
      created_top_ = created_top_.parent_path();
    fs::create_directories(target_, error);
    if (error) throw OutputDirectoryError(directory, "cannot create it: " + error.message());
    created_ = true;
  }
  lock_fd_ = ::open(target_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) throw OutputDirectoryError(directory, std::string("cannot open it: ") + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int why = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw OutputDirectoryError(directory, why == EWOULDBLOCK ? "another dasgd process is writing into it"
                                                             : std::string("cannot lock it: ") + std::strerror(why));
  }
  try {
    read_previous_run();
    remove_stale_temporaries();
    staging_ = target_ / (std::string(staging_prefix) + std::to_string(::getpid()));
    fs::remove_all(staging_, error);
    if (!fs::create_directory(staging_, error) || error)
      throw OutputDirectoryError(directory, "cannot write into it: " +
                                                (error ? error.message() : std::string("staging directory exists")));
  } catch (...) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    remove_created_directories();
    throw;
  }
}

void OutputDirectory::read_previous_run() {
  const fs::path manifest_path = target_ / manifest_file_name;
  if (exists_no_follow(manifest_path)) {
    const json manifest = read_json_file(manifest_path);
    if (!manifest.is_object() || !manifest.contains("dasgd_manifest")) {
      if (!options_.force)
        throw OutputDirectoryError(target_, std::string(manifest_file_name) +
                                                " is not a dasgd manifest; use --force to replace the run files in it");
    } else {
      add_listed_files(manifest["files"], ours_);
    }
    ours_.insert(manifest_file_name);
  }
  // A commit cut short: both its runs' files are ours.
  const fs::path marker_path = target_ / commit_marker_name;
  if (exists_no_follow(marker_path)) {
    const json marker = read_json_file(marker_path);
    if (marker.is_object()) {
      add_listed_files(marker["old_files"], ours_);
      add_listed_files(marker["new_files"], ours_);
    }
    ours_.insert(commit_marker_name);
  }
  std::set<std::string> ours_top;
  for (const std::string& p : ours_) ours_top.insert(first_component(p));
  std::vector<std::string> foreign;
  for (const std::string& name : options_.names) {
    if (ours_top.count(name) || !exists_no_follow(target_ / name)) continue;
    foreign.push_back(name);
  }
  if (foreign.empty()) return;
  if (!options_.force) {
    std::string list;
    for (std::size_t k = 0; k < foreign.size() && k < 4; ++k) list += (k ? ", " : "") + foreign[k];
    if (foreign.size() > 4) list += ", ...";
    throw OutputDirectoryError(target_, "holds " + list + " that no dasgd manifest lists (files of another tool, "
                                        "or of a dasgd version before manifests); use --force to replace them, "
                                        "or choose another directory");
  }
  forced_.insert(foreign.begin(), foreign.end());
}

void OutputDirectory::remove_stale_temporaries() {
  std::set<std::string> names(options_.names.begin(), options_.names.end());
  names.insert(manifest_file_name);
  names.insert(commit_marker_name);
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(target_, error)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(staging_prefix, 0) == 0 && entry.is_directory()) {
      fs::remove_all(entry.path(), error);  // a killed run's staging (the lock says none is live)
      continue;
    }
    for (const std::string& name : names) {
      if (is_temporary_of(file, name)) {
        fs::remove(entry.path(), error);
        break;
      }
    }
  }
}

OutputDirectory::~OutputDirectory() {
  std::error_code error;
  if (!committed_ && !staging_.empty()) fs::remove_all(staging_, error);
  if (lock_fd_ >= 0) ::close(lock_fd_);
  if (!committed_) remove_created_directories();
}

void OutputDirectory::remove_created_directories() noexcept {
  if (!created_) return;
  std::error_code error;
  for (fs::path d = target_;; d = d.parent_path()) {
    if (!fs::is_empty(d, error) || error || !fs::remove(d, error)) return;
    if (d == created_top_ || !d.has_parent_path()) return;
  }
}

void OutputDirectory::commit(json manifest) {
  if (committed_) throw std::logic_error("OutputDirectory: " + target_.string() + " committed twice");
  if (options_.abandon && options_.abandon()) throw WriteAbandoned("writing " + target_.string() + " abandoned");
  const std::vector<std::string> files = files_under(staging_);
  std::set<std::string> fresh(files.begin(), files.end());
  std::set<std::string> ours_top;
  for (const std::string& p : ours_) ours_top.insert(first_component(p));
  for (const std::string& f : files) {
    // A file the run added must not replace one the tool did not write (the claim checked the
    // names it knew; this covers the rest).
    const std::string top = first_component(f);
    if (forced_.count(top) || !exists_no_follow(target_ / top)) continue;
    if (!ours_top.count(top) || (exists_no_follow(target_ / f) && !ours_.count(f)))
      throw std::runtime_error(target_.string() + "/" + f + " exists and no dasgd manifest lists it; not replaced");
  }

  json listed = json::array();
  for (const std::string& f : files) {
    const bool reproducible = fs::path(f).filename() != "timing.json";
    listed.push_back({{"path", f}, {"bytes", reproducible ? json(fs::file_size(staging_ / f)) : json(nullptr)}});
  }
  if (!manifest.is_object()) manifest = json::object();
  manifest["dasgd_manifest"] = 1;
  manifest["files"] = listed;
  manifest["note"] =
      "written last: every file listed is complete and belongs to this run (bytes null: not reproducible). "
      "A .dasgd-commit.json beside it means a replacement was cut short; see docs/OUTCOMES.md";
  write_file_atomically(staging_ / manifest_file_name, manifest.dump(2) + "\n");

  json old_files = json::array();
  for (const std::string& p : ours_) old_files.push_back(p);
  for (const std::string& p : forced_) old_files.push_back(p);
  write_file_atomically(target_ / commit_marker_name,
                        json{{"note", "a run replacement was cut short: the files listed may be from either run; "
                                      "the next dasgd run into this directory removes them"},
                             {"old_files", old_files},
                             {"new_files", files}}
                                .dump(2) + "\n");

  std::error_code error;
  fs::remove(target_ / manifest_file_name, error);
  for (const std::string& name : forced_) fs::remove_all(target_ / name, error);
  std::set<fs::path> old_directories;
  for (const std::string& p : ours_) {
    if (p == commit_marker_name || p == manifest_file_name) continue;
    for (fs::path d = fs::path(p).parent_path(); !d.empty(); d = d.parent_path()) old_directories.insert(d);
    if (fresh.count(p)) continue;  // replaced by rename below
    fs::remove(target_ / p, error);
  }
  for (const std::string& f : files) {
    const fs::path to = target_ / f;
    fs::create_directories(to.parent_path(), error);
    // A previous entry of ours in the way (a directory where a file goes) is removed first.
    if (fs::is_directory(fs::symlink_status(to, error))) fs::remove_all(to, error);
    if (::rename((staging_ / f).c_str(), to.c_str()) != 0)
      throw std::runtime_error("cannot move " + f + " into " + target_.string() + ": " + std::strerror(errno));
  }
  // Directories only the old run used, now empty (deepest first).
  for (auto it = old_directories.rbegin(); it != old_directories.rend(); ++it) {
    const fs::path d = target_ / *it;
    if (fs::is_directory(fs::symlink_status(d, error)) && fs::is_empty(d, error)) fs::remove(d, error);
  }
  sync_directory(target_);
  if (::rename((staging_ / manifest_file_name).c_str(), (target_ / manifest_file_name).c_str()) != 0)
    throw std::runtime_error("cannot write " + (target_ / manifest_file_name).string() + ": " + std::strerror(errno));
  fs::remove_all(staging_, error);
  fs::remove(target_ / commit_marker_name, error);
  sync_directory(target_);
  committed_ = true;
}

json read_manifest(const fs::path& directory) {
  const json manifest = read_json_file(directory / manifest_file_name);
  return manifest.is_object() && manifest.contains("dasgd_manifest") ? manifest : json();
}

}  // namespace dasgd
