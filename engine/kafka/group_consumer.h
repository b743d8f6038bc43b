// GroupConsumer: a Kafka consumer-group member that hands partition assignment to its owner.
//
// The owner (the engine) keeps the truth about offsets in its state store, so on every
// assignment the listener says where each partition starts, and the consumer seeks there
// instead of to the group's committed offsets. Commits are only a convenience for external
// lag monitors.
//
// Uses the `range` assignor: with co-partitioned topics it gives one member partition p of
// every topic together, which the per-partition stores rely on (OnAssigned verifies it).
//
// Thread-safety: single-threaded. Every method, and every listener callback, runs on the
// thread that calls Poll().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "kafka/client_config.h"

namespace churnwatch::kafka {

// Special start offsets a listener may return.
constexpr int64_t kOffsetBeginning = -2;
constexpr int64_t kOffsetEnd = -1;

struct TopicPartition {
  std::string topic;
  Partition partition;
  auto operator<=>(const TopicPartition&) const = default;
};

// One consumed message; owns copies of key and payload.
struct ConsumedMessage {
  std::string topic;
  Partition partition;
  Offset offset;
  bool has_key = false;
  std::string key;
  std::string payload;
  int64_t timestamp_ms = 0;  // broker/producer timestamp; informative only
  std::vector<std::pair<std::string, std::string>> headers;
};

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Partitions newly assigned to this member. Returns the offset to start each one at (same
  // order), or kOffsetBeginning / kOffsetEnd. An error aborts the assignment; the consumer
  // latches it and Poll() returns it.
  virtual Result<std::vector<int64_t>> OnAssigned(
      const std::vector<TopicPartition>& partitions) = 0;
  // Partitions taken away. Called before the next member may own them: the owner must finish
  // and persist what it consumed from them now.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

// Faults a test can inject into a real consumer (never set in production): they reproduce, on
// purpose, the delivery accidents the engine must survive.
struct ConsumerFaults {
  // Sleep this long inside every assignment, right after assign(): fetching has started, so
  // anything not routed to its partition queue yet would pile up elsewhere (issue 10).
  int assign_delay_ms = 0;
  // After every assignment, silently discard this many messages of each partition queue, up
  // to its first Seek() (a gap in delivery that only the engine's offset check can notice).
  int drop_after_assign = 0;
};

class GroupConsumer {
 public:
  // Defaults (overridable by `extra`): partition.assignment.strategy=range,
  // enable.auto.commit=false, auto.offset.reset=earliest, session.timeout.ms=10000,
  // enable.partition.eof=false. `listener` must outlive the consumer.
  static Result<std::unique_ptr<GroupConsumer>> Create(const std::string& bootstrap,
                                                       const std::string& group,
                                                       const ClientProperties& extra,
                                                       RebalanceListener* listener);
  ~GroupConsumer();

  // Partition count of each topic, from broker metadata. NotFound names a missing topic;
  // Unavailable when the broker does not answer within timeout_ms.
  Result<std::map<std::string, int>> PartitionCounts(const std::vector<std::string>& topics,
                                                     int timeout_ms);

  Status Subscribe(const std::vector<std::string>& topics);

  // Reads every partition of `topic` without joining the group's assignment (for tools such
  // as `churnwatch consume`), from the beginning or from the end. NotFound for a missing topic.
  Status AssignAll(const std::string& topic, bool from_beginning, int timeout_ms);

  // Appends up to `max` messages to *out, waiting at most timeout_ms for the first one.
  // Runs rebalance callbacks. Returns a latched error (listener failure, fatal client error).
  // With per-partition reading (below) this serves events only: an assigned partition's
  // queue is detached before fetching starts, so none of its messages come through here.
  Status Poll(size_t max, int timeout_ms, std::vector<ConsumedMessage>* out);

  // Per-partition reading: after an assignment every assigned partition gets its own queue,
  // detached from the consumer queue, so the owner decides how much of each partition to
  // take (Kafka Streams-style per-partition buffers). Appends up to `max` messages of `tp`
  // without waiting. Call Poll() regularly as well, for rebalances and errors.
  void PollPartition(const TopicPartition& tp, size_t max, std::vector<ConsumedMessage>* out);

  // Restarts fetching `tp` at `offset` (or kOffsetBeginning); messages the old fetch had
  // queued are discarded by librdkafka (version barrier). Waits up to timeout_ms. Unavailable
  // when librdkafka refuses (e.g. the partition is not assigned).
  Status Seek(const TopicPartition& tp, int64_t offset, int timeout_ms);

  // Test-only fault injection (see ConsumerFaults); takes effect at the next assignment.
  void InjectFaults(const ConsumerFaults& faults);

  // Commits the given next-offsets asynchronously (best effort, informative).
  void CommitAsync(const std::map<TopicPartition, int64_t>& next_offsets);

  // Last known high watermark of a partition (from fetch responses); -1 if unknown.
  int64_t HighWatermark(const TopicPartition& tp);

  // Leaves the group (triggers revocation callbacks). Idempotent.
  void Close();

 private:
  struct Impl;
  explicit GroupConsumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace churnwatch::kafka
