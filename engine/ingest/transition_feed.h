// TransitionFeed: the engine's recent alert events — FIRING, RESOLVED, REROUTED (owner change)
// ACKNOWLEDGED and PLAN_DONE — in the order they became durable, for live views (server-sent events).
//
// A bounded ring: it keeps the last `capacity` entries; a reader that falls further behind
// gets the oldest kept entries and can tell from the sequence numbers that it missed some.
// Sequence numbers start at 1 and grow by one per entry for the life of the process.
//
// Thread-safety: Publish() from any thread (engine thread for transitions, HTTP for acks);
// After() from any number of reader threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "churnwatch/v1/alert.pb.h"
#include "common/clock.h"

namespace churnwatch::ingest {

struct FeedEntry {
  uint64_t seq = 0;
  std::string kind;  // FIRING, RESOLVED, REROUTED, ACKNOWLEDGED, PLAN_DONE
  UnixMicros at_us = 0;
  v1::Alert alert;
  std::string by, note;  // ACKNOWLEDGED (note) and PLAN_DONE (the plan text) only
};

class TransitionFeed {
 public:
  explicit TransitionFeed(size_t capacity = 1000) : capacity_(capacity) {}

  // Appends (assigning the sequence number) and wakes waiting readers.
  void Publish(FeedEntry entry);
  // Entries with seq > `after`, at most `max`, oldest first. Waits up to `wait` for the first
  // one when there is none yet; returns empty on timeout.
  std::vector<FeedEntry> After(uint64_t after, std::chrono::milliseconds wait, size_t max) const;
  // The sequence number of the newest entry (0 when none).
  uint64_t last_seq() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<FeedEntry> entries_;
  uint64_t last_seq_ = 0;
};

}  // namespace churnwatch::ingest
