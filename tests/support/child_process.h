// ChildProcess: one program run with fork/exec, as the tests' handle on a real churnwatch
// process.
//
// stdout is a pipe the test reads line by line with a deadline; stderr goes to a file (so a
// chatty child never blocks on a full pipe and the log survives for failure messages); stdin
// is /dev/null. The destructor SIGKILLs and reaps the child if it is still running, so a
// failing test never leaks processes.
//
// Thread-safety: none; one test thread owns the object.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/wait_until.h"

namespace churnwatch::test {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `program` with `args` (argv[1..]), the parent's environment plus `env` (which
  // overrides), stderr appended to `stderr_path`. False (with a message in *error) if the
  // pipe, the stderr file or fork fails; an exec failure shows up as exit code 127.
  bool Start(const std::string& program, const std::vector<std::string>& args,
             const std::string& stderr_path, const std::map<std::string, std::string>& env = {},
             std::string* error = nullptr);

  // The next stdout line without its newline; nullopt at end of file or at the deadline.
  std::optional<std::string> ReadLine(Deadline deadline);
  // Everything left on stdout until end of file or the deadline.
  std::string ReadAll(Deadline deadline);
  // True once ReadLine/ReadAll saw end of file on stdout.
  bool stdout_closed() const { return eof_; }

  // Sends `signo` to the child; false if it is not running.
  bool Signal(int signo);
  // Waits for the child to exit: its exit code, or 128 + signal number if a signal ended it;
  // nullopt if it is still running at the deadline.
  std::optional<int> Wait(Deadline deadline);
  // SIGKILL and reap (no-op when not running). Returns what Wait() returns.
  std::optional<int> Kill();

  bool running() const { return pid_ > 0 && !exit_code_; }
  int pid() const { return pid_; }
  const std::string& stderr_path() const { return stderr_path_; }
  // The stderr file's content so far.
  std::string Stderr() const;
  std::string command_line() const { return command_line_; }

 private:
  bool Reap(bool block);

  int pid_ = -1;
  int stdout_fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
  std::optional<int> exit_code_;
  std::string stderr_path_;
  std::string command_line_;
};

// Runs a command to completion: stdout, stderr and exit code (nullopt if it had to be killed
// at the timeout).
struct CommandResult {
  std::optional<int> exit_code;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args,
                         const std::string& stderr_path, std::chrono::milliseconds timeout);

}  // namespace churnwatch::test
