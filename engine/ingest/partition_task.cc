#include "ingest/partition_task.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/hash.h"
#include "events/proto_json.h"
#include "state/key_codec.h"

namespace churnwatch::ingest {
namespace {

constexpr std::string_view kEvalClockKey = "eval_clock";  // next_eval, last_sweep (2 × i64 LE)
constexpr std::string_view kDirtyKey = "dirty_accounts";  // account ids, '\n'-separated

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

// Hash of the event's content (deterministic protobuf bytes), never 0 (0 means unknown in the
// dedup store): tells a redelivery from another event under the same id.
uint64_t ContentFingerprint(const Event& event) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    event.proto().SerializeToCodedStream(&out);
  }
  uint64_t h = Fnv1a64(bytes);
  return h == 0 ? 1 : h;
}

std::tuple<std::string, std::string, std::string> FiringKey(const v1::Alert& a) {
  return {a.rule(), a.signal(), a.severity()};
}

// Alertmanager identifies an alert by its labels.
bool SameLabels(const v1::Alert& a, const v1::Alert& b) {
  if (a.labels().size() != b.labels().size()) return false;
  for (const auto& [k, v] : a.labels()) {
    auto it = b.labels().find(k);
    if (it == b.labels().end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<PartitionTask>> PartitionTask::Open(
    Partition p, const std::string& dir, const state::StoreOptions& options,
    std::shared_ptr<state::StoreResources> resources, const TaskContext* context) {
  auto store = state::PartitionStore::Open(dir, p, options, std::move(resources));
  if (!store.ok()) return store.status();
  std::unique_ptr<PartitionTask> task(
      new PartitionTask(std::shared_ptr<state::PartitionStore>(std::move(*store)), context));
  CW_RETURN_IF_ERROR(task->LoadTaskState());
  if (context->notifier != nullptr) CW_RETURN_IF_ERROR(context->notifier->Attach(p, task->store_));
  task->ServiceOutbox(nullptr);
  return task;
}

PartitionTask::~PartitionTask() {
  if (context_->notifier != nullptr) context_->notifier->Detach(partition());
  for (const auto& [key, n] : firing_) {
    if (n != 0)
      context_->metrics->AdjustFiring(std::get<0>(key), std::get<1>(key), std::get<2>(key), -n);
  }
}

Status PartitionTask::LoadTaskState() {
  for (const auto& [topic, schema] : context_->topics) {
    queues_[topic];
    auto off = store_->ReadOffset(topic);
    if (!off.ok()) return off.status();
    if (off->has_value()) next_offsets_[topic] = **off;
    sequencers_.emplace(topic, OffsetSequencer(*off));
  }
  auto st = store_->ReadStreamTime();
  if (!st.ok()) return st.status();
  if (st->has_value()) stream_time_ = **st;
  auto clock = store_->Get(state::Family::kMeta, kEvalClockKey);
  if (!clock.ok()) return clock.status();
  if (clock->has_value() && (*clock)->size() == 16) {
    next_eval_ = *state::DecodeInt64(std::string_view(**clock).substr(0, 8));
    last_sweep_ = *state::DecodeInt64(std::string_view(**clock).substr(8, 8));
  }
  auto dirty = store_->Get(state::Family::kMeta, kDirtyKey);
  if (!dirty.ok()) return dirty.status();
  if (dirty->has_value()) {
    std::string_view all = **dirty;
    while (!all.empty()) {
      size_t nl = all.find('\n');
      dirty_.insert(std::string(all.substr(0, nl)));
      if (nl == std::string_view::npos) break;
      all.remove_prefix(nl + 1);
    }
  }
  auto seq = store_->Get(state::Family::kMeta, state::kOutboxSequenceKey);
  if (!seq.ok()) return seq.status();
  if (seq->has_value())
    outbox_sequence_ = static_cast<uint64_t>(state::DecodeInt64(**seq).value_or(0));
  Status decode;
  CW_RETURN_IF_ERROR(
      store_->ScanAll(state::Family::kOutbox, [&](std::string_view k, std::string_view v) {
        v1::OutboxEntry e;
        if (!e.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          decode = Corruption("outbox entry in " + store_->dir() + " does not decode");
          return false;
        }
        outbox_.push_back({std::string(k), e.alert(), nullptr});
        return true;
      }));
  CW_RETURN_IF_ERROR(decode);
  // Firing alerts of this partition count in churnwatch_alerts_firing while it is assigned.
  CW_RETURN_IF_ERROR(
      store_->ScanAll(state::Family::kAlerts, [&](std::string_view, std::string_view v) {
        v1::AlertRecord r;
        if (r.ParseFromArray(v.data(), static_cast<int>(v.size())) &&
            r.state() == v1::ALERT_STATE_FIRING) {
          ++firing_[FiringKey(r.alert())];
          context_->metrics->AdjustFiring(r.alert().rule(), r.alert().signal(),
                                          r.alert().severity(), 1);
        }
        return true;
      }));
  return Status::Ok();
}

std::optional<int64_t> PartitionTask::NextOffset(const std::string& topic) const {
  auto it = next_offsets_.find(topic);
  if (it == next_offsets_.end()) return std::nullopt;
  return it->second;
}

size_t PartitionTask::queued() const {
  size_t n = 0;
  for (const auto& [t, q] : queues_) n += q.size();
  return n;
}

Status PartitionTask::Enqueue(kafka::ConsumedMessage message) {
  auto schema_it = context_->topics.find(message.topic);
  if (schema_it == context_->topics.end()) return Status::Ok();  // not an input topic
  OffsetSequencer& sequencer = sequencers_.at(message.topic);
  last_delivery_ms_[message.topic] = SteadyMs();
  auto verdict = sequencer.Offer(message.offset.value());
  if (!verdict.ok()) {
    return FailedPrecondition("partition " + std::to_string(partition().value()) + " of " +
                              message.topic + ": " + verdict.status().message() +
                              "; stopping rather than storing an offset past them");
  }
  if (auto hole = sequencer.TakeHole()) {
    // The broker itself has nothing there (compaction, transaction markers, retention).
    context_->metrics->offset_holes->Increment();
    spdlog::warn(
        "partition {} of {}: offsets {}..{} are not on the broker (compacted, "
        "transaction markers or deleted by retention); going on at {}",
        partition().value(), message.topic, hole->from, hole->to - 1, hole->to);
  }
  if (*verdict == OffsetSequencer::Verdict::kDrop) return Status::Ok();
  if (*verdict == OffsetSequencer::Verdict::kRefetch) {
    context_->metrics->offset_refetches->Increment();
    spdlog::warn("partition {} of {}: expected offset {}, got {}; refetching from {}",
                 partition().value(), message.topic,
                 sequencer.next() ? std::to_string(*sequencer.next()) : "the beginning",
                 message.offset.value(),
                 sequencer.next() ? std::to_string(*sequencer.next()) : "the beginning");
    refetches_.emplace_back(message.topic, sequencer.refetch_from());
    return Status::Ok();
  }
  const TopicSchema& schema = schema_it->second;
  context_->metrics->consumed[static_cast<int>(schema.kind)]->Increment();
  blocked_since_.erase(message.topic);
  std::deque<Entry>& q = queues_[message.topic];
  Entry& e = q.emplace_back();
  e.message = std::move(message);
  const kafka::ConsumedMessage& m = e.message;
  e.rejection = context_->validator->CheckSize(m.payload.size());
  if (!e.rejection) e.rejection = decoder_.Decode(schema.kind, schema.format, m.payload, &e.event);
  if (!e.rejection)
    e.rejection = context_->validator->Validate(
        e.event, m.has_key ? std::string_view(m.key) : std::string_view());
  if (e.rejection) return Status::Ok();
  e.time = e.event.occurred_at();
  e.dedup_key = state::DedupKey(static_cast<uint8_t>(schema.kind), e.event.event_id());
  e.fingerprint = ContentFingerprint(e.event);
  return Status::Ok();
}

std::vector<std::pair<std::string, int64_t>> PartitionTask::TakeRefetches() {
  return std::exchange(refetches_, {});
}

void PartitionTask::RefetchIssued(const std::string& topic) {
  sequencers_.at(topic).RefetchIssued();
}

int64_t PartitionTask::FetchedNext(const std::string& topic) const {
  return sequencers_.at(topic).next().value_or(0);
}

bool PartitionTask::Blocked(const std::string& topic, int64_t now_ms) {
  int64_t hw = context_->high_watermark ? context_->high_watermark(topic, partition().value()) : -1;
  if (hw >= 0 && FetchedNext(topic) >= hw) {
    blocked_since_.erase(topic);
    return false;  // caught up: nothing to wait for
  }
  auto [it, inserted] = blocked_since_.try_emplace(topic, now_ms);
  if (now_ms - it->second < context_->evaluation.max_task_idle_ms) return true;
  context_->metrics->enforced_processing->Increment();
  return false;
}

Status PartitionTask::EnsureEvaluator() {
  auto set = context_->rules->Get();
  if (evaluator_ && evaluator_->shared_set() == set) return Status::Ok();
  auto ev = rules::RuleEvaluator::Compile(set);
  if (!ev.ok()) return ev.status();
  evaluator_ = std::move(*ev);
  return Status::Ok();
}

Status PartitionTask::EvaluateAccounts(const std::set<std::string>& accounts, UnixMicros at,
                                       BatchState& b) {
  CW_RETURN_IF_ERROR(EnsureEvaluator());
  IngestMetrics& metrics = *context_->metrics;
  for (const auto& account : accounts) {
    auto started = std::chrono::steady_clock::now();
    auto snap = updater_.Snapshot(account);
    if (!snap.ok()) return snap.status();
    std::shared_ptr<const state::AccountSnapshot> held = std::move(*snap);
    const state::AccountSnapshot& account_state = *held;
    auto changes = rules::EvaluateAccount(*evaluator_, account_state, at, *context_->calendar,
                                          context_->evaluation.alert);
    for (auto& change : changes) {
      const v1::AlertRecord* before = nullptr;
      for (const auto& r : account_state.alerts) {
        if (r.rule() == change.record.rule()) before = &r;
      }
      bool was_firing = before != nullptr && before->state() == v1::ALERT_STATE_FIRING;
      bool is_firing = change.record.state() == v1::ALERT_STATE_FIRING;
      if (was_firing && !is_firing) {
        --firing_[FiringKey(before->alert())];
        metrics.AdjustFiring(before->alert().rule(), before->alert().signal(),
                             before->alert().severity(), -1);
      }
      if (is_firing && !was_firing) {
        ++firing_[FiringKey(change.record.alert())];
        metrics.AdjustFiring(change.record.alert().rule(), change.record.alert().signal(),
                             change.record.alert().severity(), 1);
      }
      if (change.rerouted_from) {
        // Same alert, new routing labels (owner change); severity may follow a tier change.
        const v1::Alert& was = *change.rerouted_from;
        const v1::Alert& now = change.record.alert();
        if (FiringKey(was) != FiringKey(now)) {
          --firing_[FiringKey(was)];
          metrics.AdjustFiring(was.rule(), was.signal(), was.severity(), -1);
          ++firing_[FiringKey(now)];
          metrics.AdjustFiring(now.rule(), now.signal(), now.severity(), 1);
        }
        b.notices.push_back({"REROUTED", at, now, was, change.record.fired_at_us()});
      }
      if (change.publish) {
        metrics.alert_transitions
            ->Add({{"rule", change.publish->rule()},
                   {"state", ShortEnumName(v1::AlertState_descriptor()->FindValueByNumber(
                                 change.publish->state()))}})
            .Increment();
        Notice notice{is_firing ? "FIRING" : "RESOLVED", at, *change.publish, std::nullopt,
                      change.record.fired_at_us()};
        if (was_firing && !SameLabels(before->alert(), *change.publish))
          notice.superseded = before->alert();
        b.notices.push_back(std::move(notice));
        b.to_publish.push_back(std::move(*change.publish));
        b.outbox_keys.push_back(state::OutboxKey(++outbox_sequence_));
      }
      b.touched = true;
    }
    // After the snapshot is let go, so that storing the new alert states changes it in place
    // instead of copying it (the loop above reads the states before them).
    held.reset();
    for (auto& change : changes) updater_.PutAlert(account, std::move(change.record));
    metrics.rule_evaluations->Increment();
    metrics.rule_evaluation->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return Status::Ok();
}

Status PartitionTask::AdvanceClock(UnixMicros t, BatchState& b) {
  if (t < next_eval_) return Status::Ok();
  const EvaluationOptions& opt = context_->evaluation;
  const Calendar& cal = *context_->calendar;
  // The sweep midnight at or before `at`: every sweep_days days (Mondays when 7; day number 4
  // is Monday 1970-01-05).
  auto sweep_day_at_or_before = [&](UnixMicros at) {
    int64_t day = Calendar::DayNumber(cal.DayOf(at));
    return day - (((day - 4) % opt.sweep_days) + opt.sweep_days) % opt.sweep_days;
  };
  UnixMicros point = FloorTo(t, opt.interval_micros);
  // Changed accounts are evaluated at the first point after their changes.
  UnixMicros first = next_eval_ == INT64_MIN ? point : next_eval_;
  std::vector<UnixMicros> sweeps;  // every sweep midnight passed, in order
  int64_t last_day = sweep_day_at_or_before(t);
  if (last_sweep_ == INT64_MIN) {
    last_sweep_ = cal.StartOfDay(Calendar::DayFromNumber(last_day));  // first ever: anchor only
  } else {
    int64_t from = sweep_day_at_or_before(last_sweep_) + opt.sweep_days;
    for (int64_t d = from; d <= last_day; d += opt.sweep_days)
      sweeps.push_back(cal.StartOfDay(Calendar::DayFromNumber(d)));
  }
  bool dirty_done = dirty_.empty();
  auto evaluate_dirty = [&]() -> Status {
    if (dirty_done) return Status::Ok();
    dirty_done = true;
    CW_RETURN_IF_ERROR(EvaluateAccounts(dirty_, first, b));
    dirty_.clear();
    return Status::Ok();
  };
  for (UnixMicros sweep : sweeps) {
    if (first <= sweep) CW_RETURN_IF_ERROR(evaluate_dirty());
    if (!known_accounts_) {
      known_accounts_.emplace();
      CW_RETURN_IF_ERROR(
          store_->ScanAll(state::Family::kAccounts, [&](std::string_view k, std::string_view) {
            if (auto a = state::ParseAccountOfKey(k)) known_accounts_->insert(std::move(*a));
            return true;
          }));
      // Accounts only in this (unwritten) batch count too, or the sweep would depend on
      // batching.
      for (const auto& d : updater_.PendingAccounts()) known_accounts_->insert(d);
    }
    CW_RETURN_IF_ERROR(EvaluateAccounts(*known_accounts_, sweep, b));
    if (!dirty_done && sweep >= first) {
      dirty_.clear();  // the sweep covered them at a later point than `first`: nothing left
      dirty_done = true;
    }
    last_sweep_ = sweep;
  }
  CW_RETURN_IF_ERROR(evaluate_dirty());
  next_eval_ = point + opt.interval_micros;
  b.touched = true;
  return Status::Ok();
}

Status PartitionTask::Apply(Entry& e, BatchState& b) {
  const kafka::ConsumedMessage& m = e.message;
  b.offsets[m.topic] = m.offset.value() + 1;
  b.touched = true;
  if (e.rejection) {
    CW_RETURN_IF_ERROR(context_->dead_letters->Send(m, *e.rejection));
    context_->metrics->deadlettered[static_cast<int>(e.rejection->reason)]->Increment();
    b.dead_lettered = true;
    return Status::Ok();
  }
  // The fingerprint of the event applied under this id, when this one repeats it.
  std::optional<uint64_t> first;
  if (e.seen) {
    first = e.seen_fingerprint;
  } else if (auto it = applied_since_lookup_.find(e.dedup_key); it != applied_since_lookup_.end()) {
    first = it->second;
  } else if (auto [in_batch, inserted] = b.applied_ids.emplace(e.dedup_key, e.fingerprint);
             !inserted) {
    first = in_batch->second;
  }
  if (first) {
    if (*first != 0 && *first != e.fingerprint) {
      // Not a redelivery: another event under a used id (an exporter numbering per file, a
      // producer reusing ids). It is lost unless fixed upstream, so say so.
      context_->metrics->duplicate_conflicts->Increment();
      spdlog::warn(
          "{}[{}]@{}: event_id '{}' was applied before with other content; this event is "
          "ignored (churnwatch_events_duplicate_conflict_total)",
          m.topic, partition().value(), m.offset.value(), e.event.event_id());
    } else {
      context_->metrics->duplicates->Increment();
    }
    return Status::Ok();
  }
  e.applied = true;
  // Evaluation points the event passes come first: they see only what happened before them.
  CW_RETURN_IF_ERROR(AdvanceClock(e.time, b));
  CW_RETURN_IF_ERROR(updater_.Add(e.event, m.offset.value()));
  auto [account, added] = dirty_.insert(std::string(e.event.account_id()));
  if (added && known_accounts_) known_accounts_->insert(*account);
  stream_time_ = std::max(stream_time_, e.time);
  ++b.applied[static_cast<int>(e.event.kind)];
  return Status::Ok();
}

Status PartitionTask::Drain() {
  BatchState b;
  // Dedup lookups for newly queued entries, against the store as it is now; what is applied
  // after a lookup is caught by applied_since_lookup_ (earlier batches) and b.applied_ids.
  std::vector<std::string> keys;
  std::vector<Entry*> lookups;
  for (auto& [topic, q] : queues_) {
    for (auto& e : q) {
      if (e.rejection || e.looked_up) continue;
      e.looked_up = true;
      keys.push_back(e.dedup_key);
      lookups.push_back(&e);
    }
  }
  std::vector<std::optional<std::string>> seen;
  CW_RETURN_IF_ERROR(store_->MultiGet(state::Family::kDedup, keys, &seen));
  for (size_t i = 0; i < lookups.size(); ++i) {
    lookups[i]->seen = seen[i].has_value();
    if (!seen[i]) continue;
    auto stored = state::DecodeDedupValue(*seen[i]);
    if (stored) lookups[i]->seen_fingerprint = stored->fingerprint;
  }

  int64_t now_ms = SteadyMs();
  std::vector<std::string> dedup_puts;
  for (;;) {
    std::deque<Entry>* best = nullptr;
    bool blocked = false;
    for (auto& [topic, q] : queues_) {
      if (q.empty()) {
        if (Blocked(topic, now_ms)) blocked = true;
        continue;
      }
      if (best == nullptr || q.front().time < best->front().time) best = &q;
    }
    if (best == nullptr || blocked) break;
    Entry& e = best->front();
    CW_RETURN_IF_ERROR(Apply(e, b));
    if (e.applied) {
      dedup_puts.push_back(e.dedup_key);
      dedup_puts.push_back(state::EncodeDedupValue({e.time, e.fingerprint}));
    }
    best->pop_front();
  }
  if (!b.touched) return Status::Ok();
  if (queued() == 0) {
    applied_since_lookup_.clear();
  } else {
    applied_since_lookup_.insert(b.applied_ids.begin(), b.applied_ids.end());
  }
  // Dedup entries: record each applied event id with its event time and fingerprint.
  for (size_t i = 0; i + 1 < dedup_puts.size(); i += 2) {
    updater_dedup_.emplace_back(std::move(dedup_puts[i]), std::move(dedup_puts[i + 1]));
  }
  return Commit(b);
}

void PartitionTask::RefetchStalledTopics() {
  const int64_t now_ms = SteadyMs();
  for (auto& [topic, sequencer] : sequencers_) {
    if (!queues_[topic].empty()) continue;
    int64_t hw =
        context_->high_watermark ? context_->high_watermark(topic, partition().value()) : -1;
    if (hw < 0 || FetchedNext(topic) >= hw) continue;
    auto [last, fresh] = last_delivery_ms_.try_emplace(topic, now_ms);
    if (fresh || now_ms - last->second < kStallRefetchMs) continue;
    if (!sequencer.RequestRefetch(hw)) continue;
    last->second = now_ms;  // one refetch per stall period
    context_->metrics->offset_refetches->Increment();
    spdlog::warn(
        "partition {} of {}: nothing delivered for {} ms while offsets {}..{} exist; "
        "refetching from {}",
        partition().value(), topic, kStallRefetchMs, FetchedNext(topic), hw - 1,
        FetchedNext(topic));
    refetches_.emplace_back(topic, sequencer.refetch_from());
  }
}

Status PartitionTask::Tick(UnixMicros now, bool follow_wall_clock) {
  if (!outbox_.empty()) ServiceOutbox(nullptr);
  RefetchStalledTopics();
  if (!follow_wall_clock || queued() > 0) return Status::Ok();
  int64_t now_ms = SteadyMs();
  for (const auto& [topic, q] : queues_) {
    int64_t hw =
        context_->high_watermark ? context_->high_watermark(topic, partition().value()) : -1;
    if (hw < 0 || FetchedNext(topic) < hw) return Status::Ok();  // not caught up: event time leads
  }
  (void)now_ms;
  if (now < next_eval_) return Status::Ok();
  BatchState b;
  CW_RETURN_IF_ERROR(AdvanceClock(now, b));
  return Commit(b);
}

Status PartitionTask::Commit(BatchState& b) {
  state::StoreBatch batch = store_->NewBatch();
  ServiceOutbox(&batch);
  for (auto& [key, value] : updater_dedup_) batch.Put(state::Family::kDedup, key, value);
  updater_dedup_.clear();
  updater_.Drain(&batch);
  for (size_t i = 0; i < b.to_publish.size(); ++i) {
    v1::OutboxEntry entry;
    entry.set_allocated_alert(&b.to_publish[i]);  // lent, not copied: taken back below
    batch.Put(state::Family::kOutbox, b.outbox_keys[i], entry.SerializeAsString());
    (void)entry.release_alert();
  }
  std::vector<notify::Notifier::Staged> staged;
  for (auto& n : b.notices) {
    v1::HistoryEntry h;
    h.set_kind(n.kind);
    h.set_at_us(n.at);
    h.set_allocated_alert(&n.alert);  // lent, not copied: taken back below
    if (n.superseded && n.kind == "REROUTED") {
      auto owner = n.superseded->labels().find("owner");
      if (owner != n.superseded->labels().end()) h.set_previous_owner(owner->second);
    }
    batch.Put(
        state::Family::kHistory,
        state::HistoryKey(n.alert.account_id(), n.at, ++outbox_sequence_, state::kHistoryFromTask),
        h.SerializeAsString());
    (void)h.release_alert();
    if (context_->notifier != nullptr) {
      context_->notifier->Stage(n.alert, n.superseded ? &*n.superseded : nullptr, n.fired_at_us,
                                &outbox_sequence_, &batch, &staged);
    }
  }
  if (!b.to_publish.empty() || !b.notices.empty()) {
    batch.Put(state::Family::kMeta, state::kOutboxSequenceKey,
              state::EncodeInt64(static_cast<int64_t>(outbox_sequence_)));
  }
  for (const auto& [topic, next] : b.offsets) batch.PutOffset(topic, next);
  if (stream_time_ != INT64_MIN) batch.PutStreamTime(stream_time_);
  batch.Put(state::Family::kMeta, kEvalClockKey,
            state::EncodeInt64(next_eval_) + state::EncodeInt64(last_sweep_));
  std::string dirty;
  for (const auto& a : dirty_) dirty += (dirty.empty() ? "" : "\n") + a;
  batch.Put(state::Family::kMeta, kDirtyKey, dirty);

  if (b.dead_lettered) CW_RETURN_IF_ERROR(context_->dead_letters->Flush());
  Status written = store_->Write(batch);
  if (!written.ok()) {
    context_->metrics->store_write_errors->Increment();
    return written;
  }
  for (const auto& [topic, next] : b.offsets) next_offsets_[topic] = next;
  if (stream_time_ != INT64_MIN) store_->AdvanceStreamTime(stream_time_);
  IngestMetrics& metrics = *context_->metrics;
  int64_t total = 0;
  for (int k = 0; k < kEventKindCount; ++k) {
    if (b.applied[k] > 0) metrics.applied[k]->Increment(static_cast<double>(b.applied[k]));
    total += b.applied[k];
  }
  metrics.batches->Increment();
  metrics.batch_events->Observe(static_cast<double>(total));
  for (size_t i = 0; i < b.to_publish.size(); ++i)
    outbox_.push_back({std::move(b.outbox_keys[i]), std::move(b.to_publish[i]), nullptr});
  if (context_->notifier != nullptr) context_->notifier->Committed(partition(), std::move(staged));
  if (context_->feed != nullptr) {
    for (auto& n : b.notices)
      context_->feed->Publish({0, n.kind, n.at, std::move(n.alert), "", ""});
  }
  ServiceOutbox(nullptr);
  return Status::Ok();
}

void PartitionTask::ServiceOutbox(state::StoreBatch* batch) {
  if (outbox_.empty() || context_->alerts == nullptr) return;
  context_->alerts->Poll();
  std::vector<std::string> acked;
  std::vector<OutboxItem> keep;
  for (auto& item : outbox_) {
    int state = item.ticket ? item.ticket->load() : 0;
    if (state == 1) {
      acked.push_back(item.key);
      continue;
    }
    if (!item.ticket || state == -1) {
      item.ticket = std::make_shared<std::atomic<int>>(0);
      Status s = context_->alerts->Send(item.alert, item.ticket);
      if (!s.ok()) {
        spdlog::warn("partition {}: alert {} not published ({}); will retry", partition().value(),
                     item.alert.id(), s.message());
        item.ticket = nullptr;
      }
    }
    keep.push_back(std::move(item));
  }
  outbox_ = std::move(keep);
  if (acked.empty()) return;
  context_->metrics->alerts_published->Increment(static_cast<double>(acked.size()));
  if (batch != nullptr) {
    for (const auto& k : acked) batch->Delete(state::Family::kOutbox, k);
    return;
  }
  state::StoreBatch own = store_->NewBatch();
  for (const auto& k : acked) own.Delete(state::Family::kOutbox, k);
  // A failed delete is latched by the store; the entries are re-published after a restart
  // with the same ids, which consumers deduplicate.
  store_->Write(own).IgnoreError();
}

}  // namespace churnwatch::ingest
