// PartitionTask: owns partition p of every input topic and the store that holds their state,
// as a Kafka Streams task does.
//
// Ordering. Messages are queued per input topic and applied in event-time order across the
// topics (smallest occurred_at at the queue heads first). An empty queue holds the others back
// while its partition has data on the broker not yet fetched, for at most max_task_idle_ms
// (Kafka Streams' max.task.idle.ms). With all input present this makes the order — and so
// every evaluation — independent of how fetches happened to interleave, which is what lets a
// crashed and restarted engine produce exactly the alerts of an uninterrupted one.
//
// Per message: size check → decode → validate, or dead-letter with the reason; drop a duplicate
// event_id (counted apart and logged when its content differs from the event applied under
// that id); else apply (StateUpdater). Rules are evaluated at fixed points of partition time
// (event time, or the wall clock when the partition is idle and caught up): accounts changed
// since the last point at every `interval` boundary, every account at every sweep boundary.
//
// Exactly-once. One Drain() = one atomic store write holding the state changes, the alert
// transitions (with their Kafka outbox entries, Alertmanager notification entries and history
// rows), the evaluation clock, the dirty-account set and the next offset of every topic
// consumed. Dead letters are acknowledged before that write; alert
// transitions are published from the outbox after it and removed once acknowledged.
//
// Thread-safety: every method on the engine thread; store() may be shared with readers.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/calendar.h"
#include "events/event_decoder.h"
#include "events/event_validator.h"
#include "ingest/alert_sink.h"
#include "ingest/dead_letter_sink.h"
#include "ingest/ingest_metrics.h"
#include "ingest/offset_sequencer.h"
#include "ingest/rule_set_holder.h"
#include "ingest/state_updater.h"
#include "ingest/transition_feed.h"
#include "kafka/group_consumer.h"
#include "notify/notifier.h"
#include "rules/alert_lifecycle.h"
#include "rules/rule_evaluator.h"
#include "state/partition_store.h"
#include "state/store_resources.h"

namespace churnwatch::ingest {

struct TopicSchema {
  EventKind kind;
  PayloadFormat format;
};

struct EvaluationOptions {
  // Accounts changed since the last evaluation point are evaluated at every multiple of this
  // in partition time. Default 15 minutes.
  int64_t interval_micros = 15 * 60 * kMicrosPerSecond;
  // Every account is evaluated at local midnight every this many days (aligned to Mondays for
  // 7), so time alone (silence, contact gaps) can raise or resolve an alert. Default 7.
  int sweep_days = 7;
  // How long an empty input queue may hold back the others while its partition has data on
  // the broker not fetched yet (or its end is not known yet). Like Kafka Streams (KIP-695) the
  // task waits for data it knows exists; this is only the safety valve for a partition that
  // cannot be fetched at all. Going on earlier would apply events out of event-time order (a
  // restarted engine fetching under load would then evaluate differently). Default 30000 ms.
  int max_task_idle_ms = 30000;
  // Stored account snapshots kept in memory per task for evaluation (LRU). Default 1024.
  size_t snapshot_cache_accounts = 1024;
  rules::AlertOptions alert;
};

// What all tasks of an engine share; owned by the engine, outlives the tasks.
struct TaskContext {
  const Calendar* calendar = nullptr;
  const EventValidator* validator = nullptr;
  IngestMetrics* metrics = nullptr;
  DeadLetterSink* dead_letters = nullptr;
  AlertSink* alerts = nullptr;
  const RuleSetHolder* rules = nullptr;
  const Clock* clock = nullptr;
  // Alertmanager delivery (null: none, e.g. in a replay) and the live feed (null: none).
  notify::Notifier* notifier = nullptr;
  TransitionFeed* feed = nullptr;
  EvaluationOptions evaluation;
  std::map<std::string, TopicSchema> topics;  // input topic name → schema
  // Last known high watermark of (topic, partition), -1 if unknown.
  std::function<int64_t(const std::string&, int32_t)> high_watermark;
};

class PartitionTask {
 public:
  // Opens (or creates) the store of partition p under `dir` and re-publishes any alert
  // transitions left in its outbox by a crash.
  static Result<std::unique_ptr<PartitionTask>> Open(
      Partition p, const std::string& dir, const state::StoreOptions& options,
      std::shared_ptr<state::StoreResources> resources, const TaskContext* context);
  ~PartitionTask();

  Partition partition() const { return store_->partition(); }
  const std::shared_ptr<state::PartitionStore>& store() const { return store_; }

  // The next offset to consume of `topic` (from the store), or nullopt if never consumed.
  std::optional<int64_t> NextOffset(const std::string& topic) const;

  // Queues one consumed message of this partition (decoded now, applied by Drain()), if its
  // offset is the next one of its topic (OffsetSequencer): a message applied or queued before
  // is dropped, and one past the next offset is not queued but makes the task ask for its
  // topic to be refetched from the next offset (TakeRefetches). FailedPrecondition, naming
  // partition and offsets, when refetching does not bring the missing offsets: the engine
  // must stop rather than store an offset past messages it never applied.
  [[nodiscard]] Status Enqueue(kafka::ConsumedMessage message);
  // Topics to refetch and the offset to seek each to (OffsetSequencer::kBeginning: the first
  // offset); the caller seeks, then reports each with RefetchIssued().
  std::vector<std::pair<std::string, int64_t>> TakeRefetches();
  void RefetchIssued(const std::string& topic);
  // Applies what the ordering allows and writes one store batch. On error nothing of the
  // batch is stored and the engine must stop (a restart resumes from stored offsets).
  Status Drain();
  // When every queue is empty and caught up: moves partition time to `now` (if later),
  // evaluating the points it passes. Also retries unpublished alert transitions, and asks for
  // a refetch of any topic whose queue is empty, whose high watermark is ahead of it, and that
  // has delivered nothing for kStallRefetchMs (TakeRefetches).
  Status Tick(UnixMicros now, bool follow_wall_clock);
  static constexpr int64_t kStallRefetchMs = 5000;
  // The account as rule evaluation sees it: kept in memory and current with every event
  // applied (StateUpdater::Snapshot). For tests and tools that compare it with the store.
  Result<std::shared_ptr<const state::AccountSnapshot>> AccountState(
      const std::string& account_id) {
    return updater_.Snapshot(account_id);
  }
  // Messages queued but not applied yet (of one topic).
  size_t queued() const;
  size_t queued(const std::string& topic) const {
    auto it = queues_.find(topic);
    return it == queues_.end() ? 0 : it->second.size();
  }

 private:
  struct Entry {
    kafka::ConsumedMessage message;
    std::optional<Rejection> rejection;
    Event event;
    UnixMicros time = INT64_MIN;  // ordering key; INT64_MIN for rejected messages
    std::string dedup_key;
    uint64_t fingerprint = 0;       // of the decoded content, never 0
    bool looked_up = false;         // dedup lookup done
    bool seen = false;              // its result
    uint64_t seen_fingerprint = 0;  // the stored event's, 0 unknown
    bool applied = false;           // Apply() put it into the state
  };
  struct OutboxItem {
    std::string key;
    v1::Alert alert;
    kafka::DeliveryTicket ticket;  // null until sent
  };
  // A transition or re-route: goes to the account's history, Alertmanager and the live feed.
  struct Notice {
    std::string kind;  // FIRING, RESOLVED, REROUTED
    UnixMicros at = 0;
    v1::Alert alert;
    std::optional<v1::Alert> superseded;  // as routed before, when its routing labels changed
    int64_t fired_at_us = 0;
  };
  struct BatchState {
    std::map<std::string, int64_t> offsets;       // topic → next offset
    std::map<std::string, uint64_t> applied_ids;  // dedup key → fingerprint, in this batch
    std::array<int64_t, kEventKindCount> applied{};
    bool dead_lettered = false;
    bool touched = false;
    std::vector<v1::Alert> to_publish;
    std::vector<std::string> outbox_keys;
    std::vector<Notice> notices;
  };

  PartitionTask(std::shared_ptr<state::PartitionStore> store, const TaskContext* context)
      : store_(std::move(store)),
        context_(context),
        updater_(context->calendar, store_.get(), context->evaluation.snapshot_cache_accounts) {}
  Status LoadTaskState();
  bool Blocked(const std::string& topic, int64_t now_ms);
  Status Apply(Entry& entry, BatchState& b);
  Status AdvanceClock(UnixMicros t, BatchState& b);
  // Tick's watchdog (see Tick()).
  void RefetchStalledTopics();
  // The next offset of `topic` to queue, for "caught up" checks (0 before the first message).
  int64_t FetchedNext(const std::string& topic) const;
  // Evaluates `accounts` (in id order) as of `at`; reads them only, so a member set may be
  // passed (dirty_, known_accounts_).
  Status EvaluateAccounts(const std::set<std::string>& accounts, UnixMicros at, BatchState& b);
  Status EnsureEvaluator();
  Status Commit(BatchState& b);
  // Sends outbox items not yet sent (or failed), and deletes acknowledged ones — in `batch` if
  // given, else in a write of their own.
  void ServiceOutbox(state::StoreBatch* batch);

  std::shared_ptr<state::PartitionStore> store_;
  const TaskContext* context_;
  StateUpdater updater_;
  EventDecoder decoder_;
  std::unique_ptr<rules::RuleEvaluator> evaluator_;
  std::map<std::string, std::deque<Entry>> queues_;
  // Per topic: the next offset to queue (after the last queued message), and the gap check.
  std::map<std::string, OffsetSequencer> sequencers_;
  std::vector<std::pair<std::string, int64_t>> refetches_;  // asked for, not yet taken
  std::map<std::string, int64_t> last_delivery_ms_;         // steady ms of the topic's last message
  std::map<std::string, int64_t> blocked_since_;  // ms (steady) an empty queue began to block
  std::map<std::string, int64_t> next_offsets_;   // mirrors the store
  UnixMicros stream_time_ = INT64_MIN;
  UnixMicros next_eval_ = INT64_MIN;   // next evaluation point in partition time
  UnixMicros last_sweep_ = INT64_MIN;  // last sweep point evaluated
  std::set<std::string> dirty_;        // accounts changed since the last evaluation point
  // Every account of the partition (the store's and this batch's), read from the store at the
  // first sweep and kept since, so a sweep does not scan the store. Accounts are never removed.
  std::optional<std::set<std::string>> known_accounts_;
  uint64_t outbox_sequence_ = 0;
  std::vector<OutboxItem> outbox_;
  // Dedup keys applied since the oldest queued entry was looked up; cleared when all queues
  // are empty (then no lookup can be stale).
  std::map<std::string, uint64_t> applied_since_lookup_;            // dedup key → fingerprint
  std::vector<std::pair<std::string, std::string>> updater_dedup_;  // dedup key → event time
  std::map<std::tuple<std::string, std::string, std::string>, int> firing_;  // for metrics on close
};

}  // namespace churnwatch::ingest
