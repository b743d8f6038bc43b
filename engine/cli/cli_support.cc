#include "cli/cli_support.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "backtest/labels.h"
#include "common/calendar.h"

namespace churnwatch::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnShutdownSignal(int) {
  if (g_stop.exchange(true)) _exit(130);
}

}  // namespace

int Fail(const std::string& command, const Status& status) {
  std::string msg = status.message();
  for (char& c : msg) {
    if (c == '\n') c = ' ';
  }
  std::cerr << "churnwatch " << command << ": " << msg << std::endl;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return kExitUsage;
    default:
      return kExitRuntime;
  }
}

const std::atomic<bool>& InstallShutdownHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnShutdownSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

void WaitForShutdown() {
  // A signal handler may only set a flag; polling it every 50 ms costs nothing measurable.
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void SetupLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("churnwatch");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp);
    out << content;
    if (!out) return IoError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return IoError("cannot rename " + tmp + " to " + path);
  return Status::Ok();
}

Status WriteOutput(const std::string& path, const std::string& content) {
  if (path.empty()) {
    std::cout << content << std::flush;
    return std::cout ? Status::Ok() : IoError("cannot write to stdout");
  }
  return WriteFileAtomically(path, content);
}

Result<int64_t> ParseDayFlag(const std::string& flag, const std::string& value) {
  auto day = backtest::ParseDate(value);
  if (!day.ok()) return InvalidArgument(flag + ": " + day.status().message());
  return Calendar::DayNumber(*day);
}

}  // namespace churnwatch::cli
