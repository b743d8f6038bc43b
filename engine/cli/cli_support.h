// Shared plumbing of the churnwatch subcommands: exit codes, one-line errors, signals.
//
// Exit codes (contract.md): 0 success, 2 usage or configuration error (the user must change
// something), 1 runtime failure (the environment failed: broker down, disk full...).
#pragma once

#include <atomic>
#include <string>

#include "common/status.h"

namespace churnwatch::cli {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// Prints "churnwatch <command>: <message>" on one line of stderr and returns the exit code
// the status class calls for.
int Fail(const std::string& command, const Status& status);

// Installs SIGTERM/SIGINT handlers that set the returned flag (and SIGPIPE is ignored).
// A second signal while stopping exits at once with 130.
const std::atomic<bool>& InstallShutdownHandlers();
// Blocks until a shutdown signal arrives.
void WaitForShutdown();

// Routes log output to stderr (stdout stays for machine-readable lines): `format` "text" is
// "2026-07-05T14:30:00.123+08:00 info message" (local time with its UTC offset), "json" one
// object per line {"time", "level", "msg"} for log shippers.
void SetupLogging(const std::string& level, const std::string& format = "text");

// Writes `content` to `path` atomically (temp file + rename). IoError names the path.
Status WriteFileAtomically(const std::string& path, const std::string& content);
// Writes `content` to `path` atomically, or to stdout when `path` is empty.
Status WriteOutput(const std::string& path, const std::string& content);

// A flag's date: "YYYY-MM-DD" → the local day number (Calendar::DayNumber). InvalidArgument
// naming the flag otherwise.
Result<int64_t> ParseDayFlag(const std::string& flag, const std::string& value);

}  // namespace churnwatch::cli
