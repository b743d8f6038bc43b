#include "backtest/backtest_runner.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "ingest/replayer.h"

namespace churnwatch::backtest {
namespace {

struct QueuedEvent {
  EventKind kind;
  std::string payload;
  std::string key;
};

// One partition of the replay: its own Replayer (store, stream time, evaluation) fed by the
// reading thread through a bounded queue of batches, applied on its own thread.
class PartitionWorker {
 public:
  explicit PartitionWorker(std::unique_ptr<ingest::Replayer> replayer)
      : replayer_(std::move(replayer)), thread_([this] { Loop(); }) {}
  // Stops the thread without applying what is still queued (error paths).
  ~PartitionWorker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      abandoned_ = true;
      ready_.notify_one();
    }
    Finish();
  }

  // Blocks while two batches are already waiting (keeps memory bounded).
  void Push(std::vector<QueuedEvent> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < 2 || !status_.ok(); });
    queue_.push_back(std::move(batch));
    ready_.notify_one();
  }
  // Applies what is queued, advances partition time to `to` and stops the thread.
  Status Close(UnixMicros to) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      close_at_ = to;
      ready_.notify_one();
    }
    Finish();
    return status_;
  }
  ingest::Replayer& replayer() { return *replayer_; }

 private:
  void Finish() {
    if (thread_.joinable()) thread_.join();
  }
  void Loop() {
    for (;;) {
      std::vector<QueuedEvent> batch;
      std::optional<UnixMicros> close;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [&] { return !queue_.empty() || close_at_ || abandoned_; });
        if (abandoned_) return;
        if (!queue_.empty()) {
          batch = std::move(queue_.front());
          queue_.pop_front();
          space_.notify_one();
        } else {
          close = close_at_;
        }
      }
      if (close) {
        if (status_.ok()) status_ = replayer_->AdvanceTo(*close);
        return;
      }
      if (!status_.ok()) continue;  // drain the queue so the reader never blocks forever
      for (const auto& e : batch) replayer_->Queue(e.kind, e.payload, e.key);
      Status s = replayer_->Flush();
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        status_ = s;
        space_.notify_all();
      }
    }
  }

  std::unique_ptr<ingest::Replayer> replayer_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<QueuedEvent>> queue_;
  std::optional<UnixMicros> close_at_;
  bool abandoned_ = false;
  Status status_;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace

Result<BacktestRun> RunBacktest(const BacktestOptions& o) {
  auto started = std::chrono::steady_clock::now();
  if (o.partitions < 1) return InvalidArgument("partitions must be at least 1");
  auto reader = HistoryReader::Open(o.inputs);
  if (!reader.ok()) return reader.status();
  std::vector<std::unique_ptr<PartitionWorker>> workers;
  for (int p = 0; p < o.partitions; ++p) {
    ingest::ReplayOptions ro;
    ro.state_dir = o.state_dir + "/partition-" + std::to_string(p);
    ro.time_zone = o.time_zone;
    ro.evaluation = o.evaluation;
    ro.rules = o.rules;
    auto replayer = ingest::Replayer::Create(ro);
    if (!replayer.ok()) return replayer.status();
    workers.push_back(std::make_unique<PartitionWorker>(std::move(*replayer)));
  }
  std::vector<std::vector<QueuedEvent>> pending(workers.size());

  BacktestRun run;
  run.from = o.from.value_or(INT64_MAX);
  UnixMicros last = INT64_MIN;
  auto last_report = started;
  HistoryEvent e;
  for (;;) {
    auto more = (*reader)->Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    // Skip rather than stop at the bounds: a file slightly out of order still has its late
    // lines inside the window applied (as the engine applies late events).
    if ((o.from && e.occurred_at < *o.from) || (o.to && e.occurred_at >= *o.to)) continue;
    if (!o.from) run.from = std::min(run.from, e.occurred_at);
    last = std::max(last, e.occurred_at);
    // The Kafka key is the account id, which also picks the partition (as a keyed topic
    // does); a line that did not decode goes to partition 0 with an empty key, and the
    // engine rejects it as it would on the topic.
    std::string key = e.event ? std::string(e.event->account_id()) : std::string();
    size_t p = key.empty() ? 0 : std::hash<std::string>{}(key) % workers.size();
    pending[p].push_back({e.kind, std::move(e.payload), std::move(key)});
    ++run.events;
    if (pending[p].size() >= o.batch_events) {
      workers[p]->Push(std::move(pending[p]));
      pending[p].clear();
    }
    auto now = std::chrono::steady_clock::now();
    if (o.progress && now - last_report >= std::chrono::seconds(1)) {
      o.progress(run.events, (*reader)->bytes_read(), (*reader)->total_bytes());
      last_report = now;
    }
  }
  if (run.events == 0 && !o.to) return InvalidArgument("no events in the replay window");
  run.to = o.to.value_or(last + 1);
  if (run.from == INT64_MAX) run.from = run.to;
  for (size_t p = 0; p < workers.size(); ++p) {
    if (!pending[p].empty()) workers[p]->Push(std::move(pending[p]));
  }
  Status failed;
  for (auto& w : workers) {
    Status s = w->Close(run.to);
    if (failed.ok() && !s.ok()) failed = s;
  }
  CW_RETURN_IF_ERROR(failed);
  if (o.at_end) {
    for (auto& w : workers) {
      const Calendar& calendar = w->replayer().calendar();
      CW_RETURN_IF_ERROR(w->replayer().ForEachAccount(
          [&](const state::AccountSnapshot& s) { return o.at_end(s, run.to, calendar); }));
    }
  }
  if (o.progress) o.progress(run.events, (*reader)->bytes_read(), (*reader)->total_bytes());
  for (auto& w : workers) {
    std::vector<v1::Alert> t = w->replayer().TakeTransitions();
    run.transitions.insert(run.transitions.end(), std::make_move_iterator(t.begin()),
                           std::make_move_iterator(t.end()));
    for (const auto& r : w->replayer().rejected())
      run.rejected.push_back(std::string(RejectReasonName(r.reason)) + ": " + r.detail);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

}  // namespace churnwatch::backtest
