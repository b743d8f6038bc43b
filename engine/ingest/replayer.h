// Replayer: the engine's own decoding, state, ordering, rule and alert code, driven directly
// by a caller instead of Kafka — one partition, in one process. `churnwatch rules test` and
// `churnwatch backtest` stand on it, so what they report is what the engine would do.
//
// Events are applied as they are added (they should come in event-time order; late ones are
// handled as the engine handles late events). AdvanceTo(t) moves partition time to t the way
// an idle, caught-up engine follows the wall clock, evaluating every point it passes.
//
// Thread-safety: single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "common/clock.h"
#include "ingest/partition_task.h"
#include "ingest/rule_set_holder.h"
#include "state/account_snapshot.h"

namespace prometheus {
class Registry;
}

namespace churnwatch::ingest {

struct ReplayOptions {
  std::string state_dir;  // required: a fresh directory the replay owns
  std::string time_zone = "Asia/Shanghai";
  EvaluationOptions evaluation;
  std::shared_ptr<const rules::RuleSet> rules;  // required
};

class Replayer {
 public:
  static Result<std::unique_ptr<Replayer>> Create(const ReplayOptions& options);
  ~Replayer();

  // Applies one event given as a payload of `kind` (JSON or protobuf binary) with its key.
  // A rejected event is counted (rejected()) with its reason, not applied.
  Status Add(EventKind kind, std::string_view payload, std::string_view key);
  // Queues one event without applying it; Flush() applies everything queued as one consumed
  // batch (one store write, as the engine does per poll). For bulk replays: Add() per event
  // writes the store once per event.
  void Queue(EventKind kind, std::string_view payload, std::string_view key);
  Status Flush();
  // Moves partition time to `t` (no-op if not later), evaluating the points passed.
  Status AdvanceTo(UnixMicros t);

  // Every FIRING / RESOLVED transition published so far, in order.
  const std::vector<v1::Alert>& transitions() const;
  // Moves them out (transitions() is empty after): for a caller done with the replay.
  std::vector<v1::Alert> TakeTransitions();
  // Alert records of `account_id` (all rules that ever matched).
  Result<std::vector<v1::AlertRecord>> AlertsOf(const std::string& account_id) const;
  // Calls `visit` with the snapshot of every account in the store, by account id; stops at
  // the first error `visit` returns (or a store read fails) and returns it.
  Status ForEachAccount(const std::function<Status(const state::AccountSnapshot&)>& visit) const;
  // The account as the replay's rule evaluation sees it (in memory, every added event applied),
  // against ForEachAccount's reads of the store.
  Result<std::shared_ptr<const state::AccountSnapshot>> AccountState(
      const std::string& account_id) {
    return task_->AccountState(account_id);
  }
  // Rejected events: reason + detail.
  const std::vector<Rejection>& rejected() const;
  const Calendar& calendar() const { return calendar_; }

 private:
  explicit Replayer(Calendar calendar);
  struct Sinks;
  Calendar calendar_;
  std::unique_ptr<prometheus::Registry> registry_;
  std::unique_ptr<IngestMetrics> metrics_;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<EventValidator> validator_;
  std::unique_ptr<RuleSetHolder> holder_;
  std::unique_ptr<Sinks> sinks_;
  TaskContext context_;
  std::unique_ptr<PartitionTask> task_;
  int64_t next_offset_[kEventKindCount] = {};
  Status queue_error_;  // first error of Queue(), returned by the next Flush()
};

}  // namespace churnwatch::ingest
