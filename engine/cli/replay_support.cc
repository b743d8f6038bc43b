#include "cli/replay_support.h"

#include <unistd.h>

#include <filesystem>

#include "backtest/labels.h"

namespace churnwatch::cli {

namespace fs = std::filesystem;

Result<UnixMicros> ParseBound(const std::string& flag, const std::string& value,
                              const Calendar& cal, bool end_of_day) {
  if (value.size() == 10) {
    auto day = backtest::ParseDate(value);
    if (!day.ok()) return InvalidArgument(flag + ": " + day.status().message());
    DayKey d = end_of_day ? Calendar::DayFromNumber(Calendar::DayNumber(*day) + 1) : *day;
    return cal.StartOfDay(d);
  }
  auto t = ParseRfc3339(value);
  if (!t.ok())
    return InvalidArgument(flag + ": '" + value + "' is neither YYYY-MM-DD nor RFC 3339");
  return *t;
}

ReplayStateDir::~ReplayStateDir() {
  std::error_code ec;
  if (owned_) fs::remove_all(path_, ec);
}

Status ReplayStateDir::Prepare(const std::string& flag, const std::string& requested,
                               const std::string& command) {
  std::error_code ec;
  if (requested.empty()) {
    fs::path base = fs::temp_directory_path(ec);
    path_ = (base / ("churnwatch-" + command + "-" + std::to_string(getpid()))).string();
    fs::remove_all(path_, ec);
    owned_ = true;
    return Status::Ok();
  }
  path_ = requested;
  if (fs::exists(path_, ec) && !fs::is_empty(path_, ec))
    return InvalidArgument(flag + " " + path_ + " is not empty");
  return Status::Ok();
}

}  // namespace churnwatch::cli
