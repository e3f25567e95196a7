// The worker-process pool of a sweep; see point_scheduler.hpp.
#include "sim/sweep/point_scheduler.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <fstream>
#include <optional>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "sim/output/progress_bar.hpp"
#include "sim/result/run_status.hpp"
#include "sim/sweep/point_record.hpp"

namespace dasgd {

namespace {

volatile sig_atomic_t g_interrupt = 0;  // the signal that asked the sweep to stop

extern "C" void on_stop_signal(int signal_number) { g_interrupt = signal_number; }
extern "C" void on_child_exit(int) {}  // only there so that sleeping wakes up when a worker ends

// Installs the handlers for one call and puts the previous ones back afterwards.
class SignalScope {
 public:
  SignalScope() {
    g_interrupt = 0;
    install(SIGINT, on_stop_signal, &old_int_);
    install(SIGTERM, on_stop_signal, &old_term_);
    install(SIGCHLD, on_child_exit, &old_chld_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGCHLD, &old_chld_, nullptr);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

 private:
  static void install(int signal_number, void (*handler)(int), struct sigaction* old) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a signal interrupts the sleep between polls
    sigaction(signal_number, &action, old);
  }
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_chld_ {};
};

// "sweep [####------]  40.0%  4/10  2.0/s  ETA 0:03  (1 failed)" on a terminal, redrawn per point.
class SweepProgress {
 public:
  SweepProgress(std::size_t total, std::size_t resumed, bool quiet)
      : total_(total), active_(!quiet && isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {
    label_ = resumed > 0 ? "sweep (" + std::to_string(resumed) + " resumed)" : "sweep";
    draw();
  }
  ~SweepProgress() {
    if (active_ && width_ > 0) std::cerr << "\n";
  }
  SweepProgress(const SweepProgress&) = delete;
  SweepProgress& operator=(const SweepProgress&) = delete;

  void point_done(bool failed) {
    ++done_;
    failed_ += failed ? 1 : 0;
    draw();
  }

 private:
  void draw() {
    if (!active_) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string line = render_progress(label_, done_, total_, elapsed);
    if (failed_ > 0) line += "  (" + std::to_string(failed_) + " failed)";
    const std::size_t width = line.size();
    if (line.size() < width_) line.append(width_ - line.size(), ' ');
    std::cerr << '\r' << line << std::flush;
    width_ = width;
  }

  std::size_t total_;
  bool active_;
  std::chrono::steady_clock::time_point start_;
  std::string label_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  std::size_t width_ = 0;
};

struct Worker {
  pid_t pid = 0;
  std::size_t from = 0, to = 0;       // the range it runs
  std::vector<std::size_t> points;    // the points of the range that had no record
  std::filesystem::path log;
  std::filesystem::file_time_type started;
};

std::string last_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::string exit_description(int status) {
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    const char* name = strsignal(signal_number);
    return "worker killed by signal " + std::to_string(signal_number) + (name ? std::string(" (") + name + ")" : "");
  }
  return "worker exited with code " + std::to_string(WEXITSTATUS(status)) + " without recording the point";
}

// A worker's death says whether its point is worth running again: killed from outside (the OOM
// killer, a time limit, an interrupt) or an error exit (an I/O error) is transient; a crash of its
// own (SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL) would happen again.
bool transient_exit(int status) {
  if (!WIFSIGNALED(status)) return true;
  switch (WTERMSIG(status)) {
    case SIGKILL: case SIGTERM: case SIGINT: case SIGHUP: case SIGXCPU: case SIGUSR1: case SIGUSR2: case SIGPIPE:
      return true;
    default:
      return false;
  }
}

// Forks and execs `executable sweep FILE --points A:B --quiet --out DIR`, stdout to /dev/null and
// stderr to points/<A>.log (kept when not empty).
Worker start_worker(const Sweep& sweep, const SchedulerOptions& options, std::vector<std::size_t> points) {
  Worker worker;
  worker.points = std::move(points);
  worker.from = worker.points.front();
  worker.to = worker.points.back() + 1;
  worker.log = sweep.directory / "points" / (std::to_string(worker.from) + ".log");
  worker.started = std::filesystem::file_time_type::clock::now();
  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<std::string> args = {options.executable.string(), "sweep", options.sweep_file.string(), "--points",
                                   std::to_string(worker.from) + ":" + std::to_string(worker.to), "-j", "1", "--quiet", "--out",
                                   sweep.directory.string()};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log = worker.log.string();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a sweep worker: fork: ") + std::strerror(errno));
  if (pid == 0) {
#ifdef __linux__
    // A kill -9 of the sweep must not leave orphans running points (and racing a rerun).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
#endif
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    const char message[] = "dasgd sweep: cannot exec the worker binary\n";
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, message, sizeof message - 1);
    _exit(127);
  }
  (void)parent;
  worker.pid = pid;
  return worker;
}

void stop_workers(const std::vector<Worker>& workers) {
  for (const Worker& w : workers) kill(w.pid, SIGTERM);
}

// --- in-process ranges ---------------------------------------------------------------------------

// Records being written (one per thread at most): a stop signal waits for them.
std::atomic<int> g_writing{0};
static_assert(std::atomic<int>::is_always_lock_free, "used in a signal handler");
volatile sig_atomic_t g_deferred = 0;

extern "C" void on_range_signal(int signal_number) {
  if (g_writing.load() != 0) {
    g_deferred = signal_number;
    return;
  }
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

class RangeSignals {
 public:
  RangeSignals() {
    g_writing.store(0);
    g_deferred = 0;
    struct sigaction action {};
    action.sa_handler = on_range_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~RangeSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  RangeSignals(const RangeSignals&) = delete;
  RangeSignals& operator=(const RangeSignals&) = delete;
  // Brackets a record write.
  static void begin_write() { g_writing.fetch_add(1); }
  static void end_write() {
    if (g_writing.fetch_sub(1) == 1 && g_deferred != 0) {
      const int signal_number = g_deferred;
      signal(signal_number, SIG_DFL);
      raise(signal_number);
    }
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

SchedulerOutcome run_point_range(const Sweep& sweep, std::size_t from, std::size_t to, bool quiet, unsigned threads) {
  SchedulerOutcome outcome;
  to = std::min(to, sweep.point_count);
  from = std::min(from, to);
  outcome.total = to - from;
  const std::vector<bool> recorded = recorded_points(sweep);
  const std::vector<bool> retrying = retried_points(sweep);
  std::vector<std::size_t> pending;
  for (std::size_t k = from; k < to; ++k) {
    if (recorded[k]) {
      ++outcome.already_done;
    } else {
      pending.push_back(k);
    }
  }
  RangeSignals signals;
  SweepProgress progress(pending.size(), outcome.already_done, quiet);
  std::vector<std::size_t> written;
  written.reserve(pending.size());
  // Threads take the next point in order; a point's results depend on nothing else, so their
  // number changes only the wall time (run_experiment is re-entrant: docs/SWEEPS.md).
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed_io{false};
  std::mutex mutex;  // outcome, written, progress, error
  std::exception_ptr error;
  const auto work = [&] {
    while (!failed_io.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= pending.size()) return;
      const std::size_t k = pending[i];
      try {
        PointOutcome result = run_point(sweep, k);
        result.had_retry = retrying[k];
        const bool failed = result.transient || result.record["status"].get<RunStatus>() != RunStatus::completed;
        RangeSignals::begin_write();
        bool has_record = false;
        try {
          has_record = record_outcome(sweep, k, std::move(result), /*durable=*/false);
        } catch (...) {
          RangeSignals::end_write();
          throw;
        }
        RangeSignals::end_write();
        const std::lock_guard<std::mutex> lock(mutex);
        if (has_record) {
          written.push_back(k);
          ++outcome.ran;
          outcome.failed += failed ? 1 : 0;
        } else {
          ++outcome.transient;
        }
        progress.point_done(failed);
      } catch (...) {  // a record could not be written: the range stops
        const std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        failed_io.store(true);
        return;
      }
    }
  };
  const unsigned count = static_cast<unsigned>(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(1, pending.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
  sync_point_records(sweep, written);
  return outcome;
}

SchedulerOutcome run_missing_points(const Sweep& sweep, const SchedulerOptions& options) {
  if (options.executable.empty()) return run_point_range(sweep, 0, sweep.point_count, options.quiet, options.jobs);
  SchedulerOutcome outcome;
  outcome.total = sweep.point_count;
  std::deque<std::size_t> pending;
  {
    const std::vector<bool> recorded = recorded_points(sweep);
    for (std::size_t k = 0; k < sweep.point_count; ++k) {
      if (recorded[k]) {
        ++outcome.already_done;
      } else {
        pending.push_back(k);
      }
    }
  }
  SignalScope signals;
  SweepProgress progress(pending.size(), outcome.already_done, options.quiet);

  const std::size_t jobs = std::max(1u, options.jobs);
  // Ranges of about a quarter of each worker's share: few process starts, yet the last ranges
  // still balance across workers.
  const std::size_t range = std::clamp<std::size_t>((pending.size() + 4 * jobs - 1) / (4 * jobs), 1, 256);
  std::vector<Worker> running;
  bool stopping = false;
  std::string fatal;  // set when a worker could not even start: the sweep stops
  while (!pending.empty() || !running.empty()) {
    if ((g_interrupt != 0 || !fatal.empty()) && !stopping) {
      stopping = true;
      pending.clear();
      stop_workers(running);
    }
    while (!stopping && running.size() < jobs && !pending.empty()) {
      std::vector<std::size_t> points;
      while (points.size() < range && !pending.empty()) {
        points.push_back(pending.front());
        pending.pop_front();
      }
      try {
        running.push_back(start_worker(sweep, options, points));
      } catch (const std::runtime_error& error) {
        fatal = error.what();
        pending.insert(pending.begin(), points.begin(), points.end());
        break;
      }
    }
    bool reaped = false;
    for (std::size_t i = 0; i < running.size();) {
      int status = 0;
      const pid_t done = waitpid(running[i].pid, &status, WNOHANG);
      if (done == 0 || (done < 0 && errno == EINTR)) {
        ++i;
        continue;
      }
      reaped = true;
      const Worker worker = running[i];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      const bool clean_exit = done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
      std::vector<std::size_t> unfinished;  // neither a record nor a retry from this worker
      for (std::size_t k : worker.points) {
        std::optional<nlohmann::json> record;
        try {
          record = read_point_record(sweep, k);
        } catch (const std::runtime_error& error) {
          if (fatal.empty()) fatal = error.what();
          continue;
        }
        if (record) {
          const bool failed = (*record)["status"].get<RunStatus>() != RunStatus::completed;
          ++outcome.ran;
          outcome.failed += failed ? 1 : 0;
          progress.point_done(failed);
          continue;
        }
        std::error_code ignored;
        const std::filesystem::path retry = retry_record_path(sweep, k);
        if (std::filesystem::exists(retry, ignored) && std::filesystem::last_write_time(retry, ignored) >= worker.started) {
          ++outcome.transient;  // failed transiently in this worker: retried on resume
          progress.point_done(true);
          continue;
        }
        unfinished.push_back(k);
      }
      if (!unfinished.empty() && !stopping && fatal.empty()) {
        if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
          fatal = "cannot run the worker " + options.executable.string() + ": " + last_line(worker.log);
        } else {
          // The worker died without recording (a crash, the OOM killer) at its first unfinished
          // point, which gets the failure; the rest of its range goes back into the queue.
          const std::size_t culprit = unfinished.front();
          std::string reason = clean_exit ? std::string("worker exited without recording the point")
                                          : (done > 0 ? exit_description(status) : std::string("worker lost"));
          const std::string line = last_line(worker.log);
          if (!line.empty()) reason += ": " + line;
          PointOutcome failure;
          failure.record = failure_record(sweep, culprit, reason);
          failure.transient = done <= 0 || clean_exit || transient_exit(status);
          if (record_outcome(sweep, culprit, failure)) {
            ++outcome.ran;
            ++outcome.failed;
          } else {
            ++outcome.transient;
          }
          progress.point_done(true);
          pending.insert(pending.begin(), unfinished.begin() + 1, unfinished.end());
        }
      }
      std::error_code ignored;
      if (std::filesystem::exists(worker.log, ignored) && std::filesystem::file_size(worker.log, ignored) == 0) {
        std::filesystem::remove(worker.log, ignored);
      }
    }
    if (!reaped && !running.empty()) {
      // Woken early by SIGCHLD (or SIGINT/SIGTERM) through the handlers above.
      struct timespec pause {0, 10'000'000};
      nanosleep(&pause, nullptr);
    }
  }
  outcome.interrupted_by = g_interrupt;
  if (!fatal.empty()) throw std::runtime_error(fatal);
  return outcome;
}

}  // namespace dasgd
