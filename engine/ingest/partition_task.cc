#include "ingest/partition_task.h"

#include <unordered_set>

#include "state/key_codec.h"

namespace churnwatch::ingest {

Result<std::unique_ptr<PartitionTask>> PartitionTask::Open(Partition p, const std::string& dir,
                                                           const state::StoreOptions& options,
                                                           std::shared_ptr<state::StoreResources> resources,
                                                           const TaskContext* context) {
  auto store = state::PartitionStore::Open(dir, p, options, std::move(resources));
  if (!store.ok()) return store.status();
  std::unique_ptr<PartitionTask> task(new PartitionTask(std::shared_ptr<state::PartitionStore>(std::move(*store)), context));
  for (const auto& [topic, schema] : context->topics) {
    auto off = task->store_->ReadOffset(topic);
    if (!off.ok()) return off.status();
    if (off->has_value()) task->next_offsets_[topic] = **off;
  }
  auto st = task->store_->ReadStreamTime();
  if (!st.ok()) return st.status();
  if (st->has_value()) task->stream_time_ = **st;
  return task;
}

std::optional<int64_t> PartitionTask::NextOffset(const std::string& topic) const {
  auto it = next_offsets_.find(topic);
  if (it == next_offsets_.end()) return std::nullopt;
  return it->second;
}

Status PartitionTask::Process(const std::vector<const kafka::ConsumedMessage*>& messages) {
  IngestMetrics& metrics = *context_->metrics;
  std::map<std::string, int64_t> batch_offsets;  // topic → next offset after this batch
  events_.resize(messages.size());
  accepted_.clear();
  dedup_keys_.clear();
  size_t n_events = 0;
  bool dead_lettered = false;

  for (const kafka::ConsumedMessage* m : messages) {
    auto schema_it = context_->topics.find(m->topic);
    if (schema_it == context_->topics.end()) continue;  // not an input topic (can not happen)
    const TopicSchema& schema = schema_it->second;
    auto stored = next_offsets_.find(m->topic);
    if (stored != next_offsets_.end() && m->offset.value() < stored->second) continue;  // applied before
    batch_offsets[m->topic] = m->offset.value() + 1;
    metrics.consumed[static_cast<int>(schema.kind)]->Increment();

    Event& event = events_[n_events];
    std::optional<Rejection> rejection = context_->validator->CheckSize(m->payload.size());
    if (!rejection) rejection = decoder_.Decode(schema.kind, schema.format, m->payload, &event);
    if (!rejection) rejection = context_->validator->Validate(event, m->has_key ? std::string_view(m->key) : std::string_view());
    if (rejection) {
      CW_RETURN_IF_ERROR(context_->dead_letters->Send(*m, *rejection));
      metrics.deadlettered[static_cast<int>(rejection->reason)]->Increment();
      dead_lettered = true;
      continue;
    }
    accepted_.push_back(m);
    dedup_keys_.push_back(state::DedupKey(static_cast<uint8_t>(schema.kind), event.event_id()));
    ++n_events;
  }
  if (batch_offsets.empty()) return Status::Ok();

  // Duplicates: first within this batch, then against what the store has seen.
  std::vector<bool> seen;
  CW_RETURN_IF_ERROR(store_->MultiExists(state::Family::kDedup, dedup_keys_, &seen));
  std::unordered_set<std::string_view> in_batch;
  state::StoreBatch batch = store_->NewBatch();
  std::array<int64_t, kEventKindCount> applied{};
  for (size_t i = 0; i < n_events; ++i) {
    if (seen[i] || !in_batch.insert(dedup_keys_[i]).second) {
      metrics.duplicates->Increment();
      continue;
    }
    const Event& event = events_[i];
    CW_RETURN_IF_ERROR(updater_.Add(event, accepted_[i]->offset.value()));
    UnixMicros t = event.occurred_at();
    batch.Put(state::Family::kDedup, dedup_keys_[i], state::EncodeInt64(t));
    stream_time_ = std::max(stream_time_, t);
    ++applied[static_cast<int>(event.kind)];
  }
  updater_.Drain(&batch);
  for (const auto& [topic, next] : batch_offsets) batch.PutOffset(topic, next);
  if (stream_time_ != INT64_MIN) batch.PutStreamTime(stream_time_);

  if (dead_lettered) CW_RETURN_IF_ERROR(context_->dead_letters->Flush());
  Status written = store_->Write(batch);
  if (!written.ok()) {
    metrics.store_write_errors->Increment();
    return written;
  }
  for (const auto& [topic, next] : batch_offsets) next_offsets_[topic] = next;
  if (stream_time_ != INT64_MIN) store_->AdvanceStreamTime(stream_time_);
  for (int k = 0; k < kEventKindCount; ++k) {
    if (applied[k] > 0) metrics.applied[k]->Increment(static_cast<double>(applied[k]));
  }
  metrics.batches->Increment();
  metrics.batch_events->Observe(static_cast<double>(messages.size()));
  return Status::Ok();
}

}  // namespace churnwatch::ingest
