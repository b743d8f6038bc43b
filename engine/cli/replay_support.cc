#include "cli/replay_support.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "backtest/labels.h"
#include "cli/cli_support.h"

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

Result<ReplayCutoff> ParseReplayCutoff(const std::string& flag, const std::string& value,
                                       const std::string& time_zone, int partitions) {
  auto calendar = Calendar::Load(time_zone);
  if (!calendar.ok()) return InvalidArgument("--time-zone: " + calendar.status().message());
  auto day = ParseDayFlag(flag, value);
  if (!day.ok()) return day.status();
  auto end = ParseBound(flag, value, *calendar, /*end_of_day=*/true);
  if (!end.ok()) return end.status();
  if (partitions < 1 || partitions > 256)
    return InvalidArgument("--partitions must be between 1 and 256");
  return ReplayCutoff{*day, *end};
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

backtest::BacktestOptions StateOnlyReplay(std::vector<backtest::HistoryInput> inputs, UnixMicros to,
                                          const std::string& time_zone, int partitions,
                                          const ReplayStateDir& state, const std::string& command) {
  backtest::BacktestOptions bo;
  bo.inputs = std::move(inputs);
  bo.to = to;
  bo.time_zone = time_zone;
  bo.partitions = partitions;
  bo.rules = std::make_shared<const rules::RuleSet>();
  bo.evaluation.snapshot_cache_accounts = 1 << 17;
  bo.state_dir = state.path();
  bo.progress = [command](int64_t events, uint64_t bytes, uint64_t total) {
    std::cerr << command << ": " << events << " events replayed ("
              << (total ? 100 * bytes / total : 0) << "% of the history)" << std::endl;
  };
  return bo;
}

void AddStateOnlyReplayFlags(CLI::App* cmd, std::string* state_dir, int* partitions) {
  cmd->add_option("--state-dir", *state_dir,
                  "Keep the replay's store in this (empty or new) directory; default a temporary "
                  "one, removed");
  cmd->add_option("--partitions", *partitions,
                  "Partitions (threads) the replay spreads accounts over")
      ->default_val(2);
}

}  // namespace churnwatch::cli
