// PartitionTask: owns partition p of every input topic and the store that holds their state,
// as a Kafka Streams task does. Process() turns one consumed batch into exactly one atomic
// store write that carries both the state changes and the next offset of each topic.
//
// Per message, in offset order: skip if already applied (offset below the stored next
// offset); size check → decode → validate, or dead-letter with the reason; drop a duplicate
// event_id (seen in this batch, or in the dedup family within the window); otherwise apply.
// Dead letters are flushed before the batch is written, so offsets never move past an
// unacknowledged dead letter.
//
// Thread-safety: Process() from one thread; store() may be shared with readers.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "events/event_decoder.h"
#include "events/event_validator.h"
#include "ingest/dead_letter_sink.h"
#include "ingest/ingest_metrics.h"
#include "ingest/state_updater.h"
#include "kafka/group_consumer.h"
#include "state/partition_store.h"
#include "state/store_resources.h"

namespace churnwatch::ingest {

struct TopicSchema {
  EventKind kind;
  PayloadFormat format;
};

// What all tasks of an engine share; owned by the engine, outlives the tasks.
struct TaskContext {
  const Calendar* calendar = nullptr;
  const EventValidator* validator = nullptr;
  IngestMetrics* metrics = nullptr;
  DeadLetterSink* dead_letters = nullptr;
  std::map<std::string, TopicSchema> topics;  // input topic name → schema
};

class PartitionTask {
 public:
  // Opens (or creates) the store of partition p under `dir`.
  static Result<std::unique_ptr<PartitionTask>> Open(Partition p, const std::string& dir,
                                                     const state::StoreOptions& options,
                                                     std::shared_ptr<state::StoreResources> resources,
                                                     const TaskContext* context);

  Partition partition() const { return store_->partition(); }
  const std::shared_ptr<state::PartitionStore>& store() const { return store_; }

  // The next offset to consume of `topic` (from the store), or nullopt if never consumed.
  std::optional<int64_t> NextOffset(const std::string& topic) const;

  // Applies one batch of this partition's messages (any mix of input topics, each topic in
  // offset order). On error nothing of the batch is stored; the error is the store's or the
  // dead-letter producer's, and the engine must stop (a restart resumes from stored offsets).
  Status Process(const std::vector<const kafka::ConsumedMessage*>& messages);

 private:
  PartitionTask(std::shared_ptr<state::PartitionStore> store, const TaskContext* context)
      : store_(std::move(store)), context_(context), updater_(context->calendar, store_.get()) {}

  std::shared_ptr<state::PartitionStore> store_;
  const TaskContext* context_;
  StateUpdater updater_;
  EventDecoder decoder_;
  std::map<std::string, int64_t> next_offsets_;  // mirrors the store
  UnixMicros stream_time_ = INT64_MIN;
  // Reused per batch.
  std::vector<Event> events_;
  std::vector<const kafka::ConsumedMessage*> accepted_;
  std::vector<std::string> dedup_keys_;
};

}  // namespace churnwatch::ingest
