#include "cli/cli_support.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "backtest/labels.h"
#include "common/calendar.h"

namespace churnwatch::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnShutdownSignal(int) {
  if (g_stop.exchange(true)) _exit(130);
}

// %* in a log pattern: the message as a JSON string (quoted, escaped, invalid UTF-8 replaced).
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string text = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

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

void SetupLogging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_color_mt("churnwatch");
  if (format == "json") {
    // One JSON object per line for log shippers; the message is escaped by the JSON library
    // (spdlog's %v is raw and would break a line on a quote).
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":%*})");
    logger->set_formatter(std::move(formatter));
  } else {
    // The offset makes a line's instant unambiguous across hosts in other zones.
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  }
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
