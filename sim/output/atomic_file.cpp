// Atomic file output (files stage): temp file + fsync + rename(2). POSIX guarantees that rename
// replaces the target atomically within one file system, which is why the temporary sits in the
// target's own directory. A small streambuf over a file descriptor keeps the errno of the first
// failed write, which std::ofstream would hide.
#include "sim/output/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <system_error>
#include <vector>

namespace dasgd {
namespace {

[[noreturn]] void fail(const std::string& action, const std::filesystem::path& path, int error) {
  throw std::runtime_error("cannot " + action + " " + path.string() + ": " + std::strerror(error));
}

std::filesystem::path temporary_for(const std::filesystem::path& path) {
  std::filesystem::path temporary = path;
  temporary += ".tmp." + std::to_string(::getpid());
  return temporary;
}

// Makes the rename durable. Some file systems refuse fsync on a directory (EINVAL); the rename has
// still happened, so only real I/O errors are reported.
void sync_directory(const std::filesystem::path& path) {
  std::filesystem::path directory = path.parent_path();
  if (directory.empty()) directory = ".";
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0 && error == EIO) fail("sync directory", directory, error);
}

}  // namespace

class AtomicFileWriter::FileBuffer : public std::streambuf {
 public:
  explicit FileBuffer(int fd) : fd_(fd), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  ~FileBuffer() override { close_quietly(); }

  int fd() const noexcept { return fd_; }
  int error() const noexcept { return error_; }
  void close_quietly() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Returns 0 or the errno of the failed close (NFS reports deferred write errors here).
  int close() noexcept {
    if (fd_ < 0) return 0;
    const int status = ::close(fd_);
    fd_ = -1;
    return status == 0 ? 0 : errno;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  // Writes out the buffered bytes, retrying short writes and EINTR.
  bool drain() {
    const char* begin = pbase();
    const char* const end = pptr();
    while (begin < end) {
      if (fd_ < 0) {
        error_ = EBADF;
        return false;
      }
      const ssize_t written = ::write(fd_, begin, static_cast<std::size_t>(end - begin));
      if (written < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      begin += written;
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return true;
  }

  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

AtomicFileWriter::AtomicFileWriter(std::filesystem::path path)
    : path_(std::move(path)), temporary_(temporary_for(path_)) {
  const int fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("write", path_, errno);
  buffer_ = std::make_unique<FileBuffer>(fd);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
}

AtomicFileWriter::~AtomicFileWriter() {
  if (committed_) return;
  stream_.reset();
  buffer_.reset();  // closes the descriptor without writing what is still buffered
  std::error_code ignored;
  std::filesystem::remove(temporary_, ignored);
}

std::ostream& AtomicFileWriter::stream() { return *stream_; }

void AtomicFileWriter::commit() {
  if (committed_) throw std::logic_error("AtomicFileWriter: " + path_.string() + " committed twice");
  int error = 0;
  stream_->flush();
  if (!*stream_) error = buffer_->error() != 0 ? buffer_->error() : EIO;
  if (error == 0 && ::fsync(buffer_->fd()) != 0) error = errno;
  if (error == 0) error = buffer_->close();
  if (error == 0 && ::rename(temporary_.c_str(), path_.c_str()) != 0) error = errno;
  if (error != 0) {
    buffer_->close_quietly();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
    fail("write", path_, error);
  }
  committed_ = true;
  sync_directory(path_);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  AtomicFileWriter writer(path);
  writer.stream().write(contents.data(), static_cast<std::streamsize>(contents.size()));
  writer.commit();
}

void ensure_directory(const std::filesystem::path& directory) {
  std::error_code error;
  if (std::filesystem::is_directory(directory, error)) return;
  if (std::filesystem::exists(directory, error)) {
    throw std::runtime_error("cannot create directory " + directory.string() +
                             ": it exists and is not a directory");
  }
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw std::runtime_error("cannot create directory " + directory.string() + ": " +
                             error.message());
  }
}

}  // namespace dasgd
