#include "backtest/backtest_runner.h"

#include <chrono>

#include "ingest/replayer.h"

namespace churnwatch::backtest {

Result<BacktestRun> RunBacktest(const BacktestOptions& o) {
  auto started = std::chrono::steady_clock::now();
  auto reader = HistoryReader::Open(o.inputs);
  if (!reader.ok()) return reader.status();
  ingest::ReplayOptions ro;
  ro.state_dir = o.state_dir;
  ro.time_zone = o.time_zone;
  ro.evaluation = o.evaluation;
  ro.rules = o.rules;
  auto replayer = ingest::Replayer::Create(ro);
  if (!replayer.ok()) return replayer.status();
  ingest::Replayer& engine = **replayer;

  BacktestRun run;
  run.from = o.from.value_or(INT64_MAX);
  UnixMicros last = INT64_MIN;
  size_t queued = 0;
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
    // The Kafka key is the account id; a line that did not decode goes in with an empty key
    // and the engine rejects it as it would on the topic.
    std::string key = e.event ? std::string(e.event->account_id()) : std::string();
    engine.Queue(e.kind, e.payload, key);
    ++run.events;
    if (++queued >= o.batch_events) {
      CW_RETURN_IF_ERROR(engine.Flush());
      queued = 0;
      auto now = std::chrono::steady_clock::now();
      if (o.progress && now - last_report >= std::chrono::seconds(1)) {
        o.progress(run.events, (*reader)->bytes_read(), (*reader)->total_bytes());
        last_report = now;
      }
    }
  }
  CW_RETURN_IF_ERROR(engine.Flush());
  if (run.events == 0 && !o.to) return InvalidArgument("no events in the replay window");
  run.to = o.to.value_or(last + 1);
  if (run.from == INT64_MAX) run.from = run.to;
  CW_RETURN_IF_ERROR(engine.AdvanceTo(run.to));
  if (o.progress) o.progress(run.events, (*reader)->bytes_read(), (*reader)->total_bytes());
  run.transitions = engine.transitions();
  for (const auto& r : engine.rejected())
    run.rejected.push_back(std::string(RejectReasonName(r.reason)) + ": " + r.detail);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

}  // namespace churnwatch::backtest
