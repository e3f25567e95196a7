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
#include <fstream>
#include <optional>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "sim/output/progress_bar.hpp"
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
  std::size_t point = 0;
  std::filesystem::path log;
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

// Forks and execs `executable sweep FILE --point K --quiet --out DIR`, stdout to /dev/null and
// stderr to points/<K>.log (kept when not empty).
Worker start_worker(const Sweep& sweep, const SchedulerOptions& options, std::size_t k) {
  Worker worker;
  worker.point = k;
  worker.log = sweep.directory / "points" / (std::to_string(k) + ".log");
  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<std::string> args = {options.executable.string(), "sweep", options.sweep_file.string(),
                                   "--point", std::to_string(k), "--quiet", "--out", sweep.directory.string()};
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

SchedulerOutcome run_in_process(const Sweep& sweep, const std::deque<std::size_t>& pending, SchedulerOutcome outcome,
                                SweepProgress& progress) {
  for (std::size_t k : pending) {
    if (g_interrupt != 0) break;
    const nlohmann::json record = run_point(sweep, k);
    write_point_record(sweep, record);
    const bool failed = record["status"] != "completed";
    ++outcome.ran;
    outcome.failed += failed ? 1 : 0;
    progress.point_done(failed);
  }
  outcome.interrupted_by = g_interrupt;
  return outcome;
}

}  // namespace

SchedulerOutcome run_missing_points(const Sweep& sweep, const SchedulerOptions& options) {
  SchedulerOutcome outcome;
  outcome.total = sweep.points.size();
  std::deque<std::size_t> pending;
  for (std::size_t k = 0; k < sweep.points.size(); ++k) {
    if (std::filesystem::exists(point_record_path(sweep, k))) {
      ++outcome.already_done;
    } else {
      pending.push_back(k);
    }
  }
  SignalScope signals;
  SweepProgress progress(pending.size(), outcome.already_done, options.quiet);
  if (options.executable.empty()) return run_in_process(sweep, pending, outcome, progress);

  const std::size_t jobs = std::max(1u, options.jobs);
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
      try {
        running.push_back(start_worker(sweep, options, pending.front()));
      } catch (const std::runtime_error& error) {
        fatal = error.what();
        break;
      }
      pending.pop_front();
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
      std::optional<nlohmann::json> record;
      try {
        record = read_point_record(sweep, worker.point);
      } catch (const std::runtime_error& error) {
        if (fatal.empty()) fatal = error.what();
      }
      if (!record && !stopping && done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        if (fatal.empty()) fatal = "cannot run the worker " + options.executable.string() + ": " + last_line(worker.log);
      } else if (!record && !stopping && fatal.empty()) {
        // The worker died without recording (a crash, the OOM killer): the point is failed, with why.
        std::string reason = done > 0 ? exit_description(status) : std::string("worker lost");
        const std::string line = last_line(worker.log);
        if (!line.empty()) reason += ": " + line;
        record = failure_record(sweep, worker.point, reason);
        write_point_record(sweep, *record);
      }
      std::error_code ignored;
      if (std::filesystem::exists(worker.log, ignored) && std::filesystem::file_size(worker.log, ignored) == 0) {
        std::filesystem::remove(worker.log, ignored);
      }
      if (record) {
        const bool failed = (*record)["status"] != "completed";
        ++outcome.ran;
        outcome.failed += failed ? 1 : 0;
        progress.point_done(failed);
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
