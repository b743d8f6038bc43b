// What `backtest` and `train` share around a history replay: the window bounds they accept
// and the scratch store directory.
#pragma once

#include <string>
#include <vector>

#include "backtest/backtest_runner.h"
#include "backtest/history_reader.h"
#include "common/calendar.h"
#include "common/status.h"

namespace CLI {
class App;
}

namespace churnwatch::cli {

// "YYYY-MM-DD" (local midnight starting that day, or — for an end bound — ending it) or an
// RFC 3339 instant. InvalidArgument naming `flag` otherwise.
Result<UnixMicros> ParseBound(const std::string& flag, const std::string& value,
                              const Calendar& calendar, bool end_of_day);

// The cutoff of a state-only replay (`train --calibration-end`, `pyramid fit --as-of`): a
// "YYYY-MM-DD" day, its end in `time_zone`, and the --partitions of the replay checked too.
// InvalidArgument naming the flag at fault.
struct ReplayCutoff {
  int64_t day_number;  // Calendar::DayNumber of the day
  UnixMicros end;      // the end of that local day
};
Result<ReplayCutoff> ParseReplayCutoff(const std::string& flag, const std::string& value,
                                       const std::string& time_zone, int partitions);

// The replay's store directory: `requested` (which must be empty or new) or a fresh temporary
// one, removed when this object is destroyed.
class ReplayStateDir {
 public:
  ReplayStateDir() = default;
  ReplayStateDir(const ReplayStateDir&) = delete;
  ReplayStateDir& operator=(const ReplayStateDir&) = delete;
  ~ReplayStateDir();
  // InvalidArgument when `requested` (the value of `flag`) exists and is not empty.
  Status Prepare(const std::string& flag, const std::string& requested, const std::string& command);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool owned_ = false;
};

// A replay that only builds state, for features computed once at its end (`train`, `pyramid
// fit`): `inputs` up to `to`, no rules, a snapshot cache large enough for a whole history, the
// store in `state` (prepared), progress on stderr as "COMMAND: N events replayed (P% of the
// history)". The caller sets at_end (and any evaluation options).
backtest::BacktestOptions StateOnlyReplay(std::vector<backtest::HistoryInput> inputs, UnixMicros to,
                                          const std::string& time_zone, int partitions,
                                          const ReplayStateDir& state, const std::string& command);

// The --state-dir and --partitions flags of such a replay.
void AddStateOnlyReplayFlags(CLI::App* cmd, std::string* state_dir, int* partitions);

}  // namespace churnwatch::cli
