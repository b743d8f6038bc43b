#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/temp_dir.h"

extern char** environ;

namespace churnwatch::test {

ChildProcess::~ChildProcess() {
  Kill();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

bool ChildProcess::Start(const std::string& program, const std::vector<std::string>& args,
                         const std::string& stderr_path,
                         const std::map<std::string, std::string>& env, std::string* error) {
  auto fail = [&](const std::string& what) {
    if (error != nullptr) *error = what + ": " + std::strerror(errno);
    return false;
  };
  if (pid_ > 0) {
    if (error != nullptr) *error = "already started";
    return false;
  }
  stderr_path_ = stderr_path;
  command_line_ = program;
  for (const auto& a : args) command_line_ += " " + a;

  // Everything the child needs is built before fork: after fork only async-signal-safe calls
  // (the test process has librdkafka and gtest threads).
  std::vector<std::string> argv_s;
  argv_s.push_back(program);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_s;
  for (const auto& [k, v] : merged) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail("pipe");
  int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    close(fds[0]);
    close(fds[1]);
    return fail("open " + stderr_path);
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    close(err_fd);
    if (null_fd >= 0) close(null_fd);
    return fail("fork");
  }
  if (pid == 0) {
    // Dies with the test even when the test itself is killed (ctest timeout, SIGPIPE).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  close(err_fd);
  if (null_fd >= 0) close(null_fd);
  stdout_fd_ = fds[0];
  pid_ = pid;
  eof_ = false;
  buffer_.clear();
  exit_code_.reset();
  return true;
}

std::optional<std::string> ChildProcess::ReadLine(Deadline deadline) {
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (eof_ || stdout_fd_ < 0) {
      if (buffer_.empty()) return std::nullopt;
      std::string rest = std::move(buffer_);
      buffer_.clear();
      return rest;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) return std::nullopt;
    if (n <= 0) continue;
    char buf[65536];
    ssize_t got = read(stdout_fd_, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) {
      eof_ = true;
      continue;
    }
    buffer_.append(buf, static_cast<size_t>(got));
  }
}

std::string ChildProcess::ReadAll(Deadline deadline) {
  std::string out;
  while (auto line = ReadLine(deadline)) {
    out += *line;
    out += '\n';
  }
  return out;
}

bool ChildProcess::Signal(int signo) {
  if (!running()) return false;
  return kill(pid_, signo) == 0;
}

bool ChildProcess::Reap(bool block) {
  if (pid_ <= 0 || exit_code_) return true;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  if (r < 0) {
    exit_code_ = -1;  // not our child any more; nothing to wait for
    return true;
  }
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_code_ = 128 + WTERMSIG(status);
  } else {
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::Wait(Deadline deadline) {
  if (pid_ <= 0) return std::nullopt;
  while (!Reap(false)) {
    if (Clock::now() >= deadline) return std::nullopt;
    usleep(10'000);  // waitpid has no timeout; a 10 ms poll of the exit status
  }
  return exit_code_;
}

std::optional<int> ChildProcess::Kill() {
  if (pid_ <= 0) return std::nullopt;
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    Reap(true);
  }
  return exit_code_;
}

std::string ChildProcess::Stderr() const { return ReadFile(stderr_path_); }

CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args,
                         const std::string& stderr_path, std::chrono::milliseconds timeout) {
  CommandResult r;
  WriteFile(stderr_path, "");  // each command's stderr on its own
  ChildProcess child;
  std::string error;
  if (!child.Start(program, args, stderr_path, {}, &error)) {
    ADD_FAILURE() << "cannot start " << program << ": " << error;
    return r;
  }
  Deadline deadline = Clock::now() + timeout;
  r.out = child.ReadAll(deadline);
  r.exit_code = child.Wait(deadline);
  if (!r.exit_code) child.Kill();
  r.err = child.Stderr();
  return r;
}

}  // namespace churnwatch::test
