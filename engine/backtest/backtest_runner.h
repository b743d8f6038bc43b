// RunBacktest: replays a recorded history through ingest::Replayer — the engine's own
// decoding, validation, state, ordering, rule evaluation and alert lifecycle, one partition in
// one process, no Kafka — and returns every alert transition it produced.
//
// Accounts are spread over `partitions` partitions by a hash of the account id, as a keyed
// topic spreads them; each partition is its own Replayer (store, stream time, evaluation
// points, sweeps) on its own thread, exactly as the engine runs one task per partition. Events
// are applied in batches of `batch_events` per partition (one store write each, as the engine
// writes one per consumed batch). Events outside [from, to) are skipped; after the last one
// partition time is advanced to `to` (as an idle engine following the wall clock would), so
// time-based rules fire or resolve up to the cutoff.
//
// Thread-safety: call from one thread; `progress` is called on the caller's thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backtest/history_reader.h"
#include "churnwatch/v1/alert.pb.h"
#include "ingest/partition_task.h"
#include "rules/rule.h"

namespace churnwatch::backtest {

struct BacktestOptions {
  std::vector<HistoryInput> inputs;
  std::optional<UnixMicros> from, to;  // [from, to); unset = the history's own bounds
  std::string time_zone = "Asia/Shanghai";
  ingest::EvaluationOptions evaluation;
  std::shared_ptr<const rules::RuleSet> rules;
  std::string state_dir;  // a fresh directory the replay owns
  size_t batch_events = 1000;
  int partitions = 1;
  // Called about once a second: events applied so far, bytes read, total bytes.
  std::function<void(int64_t events, uint64_t bytes, uint64_t total)> progress;
  // Optional: called after the replay with every account's state as of `to` (on the
  // caller's thread, partition by partition, accounts by id): the training rows of
  // `churnwatch train`, the churn_risk ranking of `backtest --model`. An error stops the run.
  std::function<Status(const state::AccountSnapshot&, UnixMicros to, const Calendar&)> at_end;
};

struct BacktestRun {
  std::vector<v1::Alert> transitions;  // per partition in order, partitions one after another
  int64_t events = 0;                  // events handed to the engine
  std::vector<std::string> rejected;   // "reason: detail" of each event the engine rejected
  UnixMicros from = 0, to = 0;         // the window actually replayed [from, to)
  double seconds = 0;                  // wall time of the replay
};

// InvalidArgument/NotFound for unreadable inputs; IoError/Internal when the engine fails.
Result<BacktestRun> RunBacktest(const BacktestOptions& options);

}  // namespace churnwatch::backtest
