#include "ingest/replayer.h"

#include <prometheus/registry.h>

#include <algorithm>
#include <utility>

#include "state/account_snapshot.h"
#include "state/key_codec.h"

namespace churnwatch::ingest {

struct Replayer::Sinks final : public DeadLetterSink, public AlertSink {
  std::vector<Rejection> rejected;
  std::vector<v1::Alert> published;
  Status Send(const kafka::ConsumedMessage&, const Rejection& r) override {
    rejected.push_back(r);
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  Status Send(const v1::Alert& alert, kafka::DeliveryTicket ticket) override {
    published.push_back(alert);
    ticket->store(1);
    return Status::Ok();
  }
  void Poll() override {}
};

Replayer::Replayer(Calendar calendar) : calendar_(std::move(calendar)) {}
Replayer::~Replayer() = default;

Result<std::unique_ptr<Replayer>> Replayer::Create(const ReplayOptions& options) {
  auto cal = Calendar::Load(options.time_zone);
  if (!cal.ok()) return cal.status();
  if (!options.rules) return InvalidArgument("replay needs a rule set");
  std::unique_ptr<Replayer> r(new Replayer(*cal));
  r->registry_ = std::make_unique<prometheus::Registry>();
  r->metrics_ = std::make_unique<IngestMetrics>(*r->registry_);
  // History is replayed as of the end of time: no event is "in the future".
  r->clock_ = std::make_unique<ManualClock>(253402300799LL * kMicrosPerSecond);
  r->validator_ = std::make_unique<EventValidator>(ValidationLimits{}, r->clock_.get());
  r->holder_ = std::make_unique<RuleSetHolder>(options.rules);
  r->sinks_ = std::make_unique<Sinks>();
  TaskContext& c = r->context_;
  c.calendar = &r->calendar_;
  c.validator = r->validator_.get();
  c.metrics = r->metrics_.get();
  c.dead_letters = r->sinks_.get();
  c.alerts = r->sinks_.get();
  c.rules = r->holder_.get();
  c.clock = r->clock_.get();
  c.evaluation = options.evaluation;
  for (int i = 0; i < kEventKindCount; ++i) {
    c.topics[EventKindName(static_cast<EventKind>(i))] =
        TopicSchema{static_cast<EventKind>(i), PayloadFormat::kAuto};
  }
  // Everything added is applied at once: every queue counts as caught up.
  Replayer* self = r.get();
  c.high_watermark = [self](const std::string& topic, int32_t) -> int64_t {
    auto kind = EventKindFromName(topic);
    return kind.ok() ? self->next_offset_[static_cast<int>(*kind)] : -1;
  };
  state::StoreOptions store_options;
  store_options.dedup_window_micros = 3650 * kMicrosPerDay;
  auto task = PartitionTask::Open(Partition(0), options.state_dir, store_options,
                                  state::StoreResources::Create(64 << 20, 64 << 20), &r->context_);
  if (!task.ok()) return task.status();
  r->task_ = std::move(*task);
  return r;
}

Status Replayer::Add(EventKind kind, std::string_view payload, std::string_view key) {
  Queue(kind, payload, key);
  return Flush();
}

Status Replayer::Flush() {
  CW_RETURN_IF_ERROR(queue_error_);
  return task_->Drain();
}

void Replayer::Queue(EventKind kind, std::string_view payload, std::string_view key) {
  kafka::ConsumedMessage m;
  m.topic = EventKindName(kind);
  m.partition = Partition(0);
  m.offset = Offset(next_offset_[static_cast<int>(kind)]++);
  m.has_key = true;
  m.key = std::string(key);
  m.payload = std::string(payload);
  // Offsets are contiguous by construction; an error here is a bug, reported by Flush().
  Status queued = task_->Enqueue(std::move(m));
  if (!queued.ok() && queue_error_.ok()) queue_error_ = queued;
}

Status Replayer::AdvanceTo(UnixMicros t) { return task_->Tick(t, /*follow_wall_clock=*/true); }

const std::vector<v1::Alert>& Replayer::transitions() const { return sinks_->published; }
std::vector<v1::Alert> Replayer::TakeTransitions() { return std::exchange(sinks_->published, {}); }
const std::vector<Rejection>& Replayer::rejected() const { return sinks_->rejected; }

Result<std::vector<v1::AlertRecord>> Replayer::AlertsOf(const std::string& account_id) const {
  auto snap = state::ReadAccountSnapshot(*task_->store(), account_id);
  if (!snap.ok()) return snap.status();
  return snap->alerts;
}

Status Replayer::ForEachAccount(
    const std::function<Status(const state::AccountSnapshot&)>& visit) const {
  std::vector<std::string> ids;
  CW_RETURN_IF_ERROR(
      task_->store()->ScanAll(state::Family::kAccounts, [&](std::string_view k, std::string_view) {
        if (auto a = state::ParseAccountOfKey(k)) ids.push_back(*a);
        return true;
      }));
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    auto snap = state::ReadAccountSnapshot(*task_->store(), id);
    if (!snap.ok()) return snap.status();
    CW_RETURN_IF_ERROR(visit(*snap));
  }
  return Status::Ok();
}

}  // namespace churnwatch::ingest
