// What `backtest` and `train` share around a history replay: the window bounds they accept
// and the scratch store directory.
#pragma once

#include <string>

#include "common/calendar.h"
#include "common/status.h"

namespace churnwatch::cli {

// "YYYY-MM-DD" (local midnight starting that day, or — for an end bound — ending it) or an
// RFC 3339 instant. InvalidArgument naming `flag` otherwise.
Result<UnixMicros> ParseBound(const std::string& flag, const std::string& value,
                              const Calendar& calendar, bool end_of_day);

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

}  // namespace churnwatch::cli
