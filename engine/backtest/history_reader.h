// HistoryReader: a recorded history — NDJSON files of the input topics, one event per line,
// each file ordered by occurred_at — read back as one stream in event-time order (a k-way
// merge over the files; ties keep the order the files were given in). What `backtest`, `fit`
// and `label` read.
//
// Which topic a file holds: `TOPIC:FILE` says it; otherwise the file name does — `orders.ndjson`,
// `cdnow-orders.ndjson`, `x_service.jsonl` (the stem is a topic name or ends in -TOPIC, _TOPIC
// or .TOPIC); a directory stands for its *.ndjson / *.jsonl files named that way (what
// `churnwatch demo --write DIR` writes).
//
// Lines are decoded with the engine's EventDecoder (to learn account and event time). A line
// that does not decode is still returned, with `rejection` set and the event time of the line
// before it, so a replay can hand it to the engine (which dead-letters it) and a fit can stop
// on it with FILE:LINE.
//
// Thread-safety: single-threaded.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "common/status.h"
#include "events/event.h"

namespace churnwatch {
class EventDecoder;
}

namespace churnwatch::backtest {

struct HistoryInput {
  std::string path;
  EventKind kind;
};

// Expands --events arguments (FILE, TOPIC:FILE, DIR) into files with their topic.
// InvalidArgument naming the argument when the topic cannot be told or a file is missing.
Result<std::vector<HistoryInput>> ResolveHistoryInputs(const std::vector<std::string>& args);

struct HistoryEvent {
  EventKind kind = EventKind::kOrder;
  std::string payload;                 // the line as read
  std::string where;                   // FILE:LINE
  UnixMicros occurred_at;              // decoded; for a rejected line, the previous line's time
  std::optional<Event> event;          // set when the line decoded
  std::optional<Rejection> rejection;  // set when it did not
};

class HistoryReader {
 public:
  // Opens every input. NotFound naming a file that cannot be opened.
  static Result<std::unique_ptr<HistoryReader>> Open(const std::vector<HistoryInput>& inputs);
  ~HistoryReader();

  // The next event in event-time order; false when every file is exhausted. IoError when a
  // file cannot be read.
  Result<bool> Next(HistoryEvent* out);

  // Bytes consumed and in total, for progress reports.
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t total_bytes() const { return total_bytes_; }

 private:
  struct Cursor;
  HistoryReader();
  // Reads the next non-blank line of `c` into its pending event; false at end of file.
  bool Advance(Cursor& c);

  std::unique_ptr<EventDecoder> decoder_;
  std::vector<std::unique_ptr<Cursor>> cursors_;
  uint64_t bytes_read_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace churnwatch::backtest
