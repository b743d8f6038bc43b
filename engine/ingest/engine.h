// Engine: one churnwatch instance — a consumer-group member that runs a PartitionTask per
// assigned partition and serves reads of their stores.
//
// Lifecycle: Create() validates the config and builds clients (no network yet); Start()
// checks that the input topics exist and are co-partitioned (refuses otherwise, as Kafka
// Streams does) and subscribes; RunUntil() consumes until `stop` is set or a fatal error,
// then finishes the batch in hand, flushes, commits and leaves the group.
//
// Exactly-once state: each batch's offsets are stored with its state; on assignment every
// partition is started at the offsets in its store, not the group's commits.
//
// Thread-safety: Start() and RunUntil() on one thread (the engine thread). Readiness(),
// FindAccount() and Stores() may be called from any thread (the HTTP server's).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "common/clock.h"
#include "events/event_validator.h"
#include "ingest/dead_letter_sink.h"
#include "ingest/engine_config.h"
#include "ingest/ingest_metrics.h"
#include "ingest/partition_task.h"
#include "ingest/rule_set_holder.h"
#include "ingest/transition_feed.h"
#include "kafka/group_consumer.h"
#include "kafka/producer.h"
#include "notify/notifier.h"
#include "state/account_snapshot.h"

namespace prometheus {
class Registry;
}

namespace churnwatch::ingest {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, when not ready
};

class Engine final : public kafka::RebalanceListener {
 public:
  // InvalidArgument names the bad config field. `registry` and `clock` must outlive the engine.
  static Result<std::unique_ptr<Engine>> Create(const EngineConfig& config,
                                                prometheus::Registry* registry, const Clock* clock);
  ~Engine() override;

  // FailedPrecondition when the input topics are not co-partitioned or do not exist;
  // Unavailable when the cluster does not answer.
  Status Start();
  // Runs until `stop` becomes true (returns OK after a clean shutdown) or a fatal error.
  Status RunUntil(const std::atomic<bool>& stop);

  Readiness GetReadiness() const;
  // Asks the engine thread to reload the rule files (e.g. from a SIGHUP handler).
  void RequestRuleReload() { reload_requested_.store(true); }
  const RuleSetHolder& rules() const { return *rules_; }
  // Alert records of every assigned store, in (account, rule) order.
  Result<std::vector<std::pair<std::string, v1::AlertRecord>>> AlertRecords() const;
  // The account's state, or nullopt if no assigned store knows it.
  Result<std::optional<state::AccountSnapshot>> FindAccount(const std::string& account_id) const;
  // Ids of every account the assigned stores know, sorted.
  Result<std::vector<std::string>> AccountIds() const;
  // The stores of the currently assigned partitions.
  std::vector<std::shared_ptr<state::PartitionStore>> Stores() const;

  // Records an acknowledgement of the firing alert `alert_id` (durably: the AckRecord and an
  // ACKNOWLEDGED history row in one batch of its store) and stops its escalation. With a plan
  // (`plan.text`, `plan.owner`, `plan.due_at_us`; done fields ignored) the alert escalates again
  // once the plan is past due and not done. A repeated acknowledgement replaces the record.
  // NotFound when no assigned store has it; FailedPrecondition when it is not firing, or a plan
  // is given for an alert that is not critical; InvalidArgument when the plan is due at or before
  // now. Returns the account id and the stored record.
  struct Acknowledgement {
    std::string account_id;
    v1::AckRecord ack;
    v1::Alert alert;
  };
  struct AckRequest {
    std::string by;
    std::string note;
    std::optional<v1::RepairPlan> plan;
  };
  Result<Acknowledgement> Acknowledge(const std::string& alert_id, const AckRequest& request);
  // Marks the repair plan of `alert_id`'s acknowledgement done by `by` (durably, with a
  // PLAN_DONE history row), which ends an escalation for its overdue plan. Marking a done plan
  // done again changes nothing and returns it. NotFound when no assigned store has an
  // acknowledgement of it; FailedPrecondition when the acknowledgement has no plan.
  Result<Acknowledgement> CompletePlan(const std::string& alert_id, const std::string& by);
  // The acknowledgement of an alert of `account_id`, if any.
  Result<std::optional<v1::AckRecord>> AckOf(const std::string& account_id,
                                             const std::string& alert_id) const;
  // The account's alert history within the retention, oldest first; nullopt when no assigned
  // store knows the account.
  Result<std::optional<std::vector<v1::HistoryEntry>>> History(const std::string& account_id) const;
  const TransitionFeed& transition_feed() const { return feed_; }
  const notify::Notifier& notifier() const { return *notifier_; }
  const Calendar& calendar() const { return calendar_; }
  const EngineConfig& config() const { return config_; }
  const Clock& clock() const { return *clock_; }

  // RebalanceListener (engine thread, inside Poll()).
  Result<std::vector<int64_t>> OnAssigned(
      const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  Engine(EngineConfig config, Calendar calendar, prometheus::Registry* registry,
         const Clock* clock);
  Status ProcessBatch(std::vector<kafka::ConsumedMessage>& messages);
  // The alert record with id `alert_id` in `store` and its account, or nullopt.
  static Result<std::optional<std::pair<std::string, v1::AlertRecord>>> FindAlert(
      const state::PartitionStore& store, const std::string& alert_id);
  // Writes `ack` and a history row of `kind` (ACKNOWLEDGED, PLAN_DONE) at `at_us` in one batch.
  Status StoreAckStep(state::PartitionStore& store, const std::string& kind, UnixMicros at_us,
                      const v1::AckRecord& ack, const v1::Alert& alert, bool new_plan);
  // Seeks every topic partition the tasks asked to refetch (PartitionTask::TakeRefetches).
  Status IssueRefetches(const std::vector<PartitionTask*>& tasks);
  // Reloads the rule files if asked to or if they changed; keeps the old set when invalid.
  void MaybeReloadRules(bool force);
  std::string RuleFilesSignature() const;
  void UpdateGauges();
  void CommitOffsets();
  void SetNotReady(std::string reason);

  EngineConfig config_;
  Calendar calendar_;
  const Clock* clock_;
  IngestMetrics metrics_;
  EventValidator validator_;
  std::shared_ptr<state::StoreResources> resources_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<KafkaDeadLetterSink> dead_letters_;
  std::unique_ptr<KafkaAlertSink> alert_sink_;
  std::unique_ptr<RuleSetHolder> rules_;
  std::atomic<bool> reload_requested_{false};
  std::string rules_signature_;
  std::unique_ptr<kafka::GroupConsumer> consumer_;
  // Declared before tasks_: tasks detach from the notifier when they close.
  std::unique_ptr<notify::Notifier> notifier_;
  TransitionFeed feed_;
  std::atomic<uint64_t> ack_sequence_{0};
  TaskContext context_;
  std::vector<std::string> input_topics_;

  mutable std::mutex mu_;  // guards tasks_ (the map, not the tasks) and readiness_
  std::map<int32_t, std::unique_ptr<PartitionTask>> tasks_;
  Readiness readiness_;
  bool assigned_once_ = false;
  Status fatal_;  // first fatal error (latched)
};

}  // namespace churnwatch::ingest
