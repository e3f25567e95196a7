// Atomic file output (files stage of config → world → run → metrics → files): a results file is
// either the old one or the complete new one, never a torn half, even if the run is killed while
// writing. Write to "<path>.tmp.<pid>" in the same directory, fsync, then rename over the target.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string_view>

namespace dasgd {

// Creates `directory` and its parents when missing. Throws std::runtime_error naming the path when
// it cannot be created or exists but is not a directory.
void ensure_directory(const std::filesystem::path& directory);

// Writes the whole of `contents` to `path` atomically. Throws std::runtime_error naming the path
// and the system's reason (errno text); the temporary file is removed and the target left as it was.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// For large files written piece by piece: stream() writes into the temporary file, commit() makes
// it the target. Destroyed without commit() (an exception, an early return), the temporary is
// removed and the target is untouched.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path path);  // opens the temporary; throws on failure
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  std::ostream& stream();
  // Flushes, fsyncs, renames over the target and fsyncs the directory (so the rename itself
  // survives a crash). Throws std::runtime_error on any failure, leaving the target untouched.
  void commit();

  const std::filesystem::path& path() const noexcept { return path_; }
  const std::filesystem::path& temporary_path() const noexcept { return temporary_; }
  bool committed() const noexcept { return committed_; }

 private:
  class FileBuffer;  // a std::streambuf over a POSIX file descriptor, so every errno is kept

  std::filesystem::path path_;
  std::filesystem::path temporary_;
  std::unique_ptr<FileBuffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
  bool committed_ = false;
};

}  // namespace dasgd
