#include "ingest/engine.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "rules/rule_loader.h"
#include "state/key_codec.h"

namespace churnwatch::ingest {
namespace {

std::string PartitionDir(const std::string& state_dir, int32_t p) {
  return (std::filesystem::path(state_dir) / ("partition-" + std::to_string(p))).string();
}

}  // namespace

Engine::Engine(EngineConfig config, Calendar calendar, prometheus::Registry* registry,
               const Clock* clock)
    : config_(std::move(config)),
      calendar_(std::move(calendar)),
      clock_(clock),
      metrics_(*registry),
      validator_(config_.limits, clock) {}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Create(const EngineConfig& config,
                                               prometheus::Registry* registry, const Clock* clock) {
  CW_RETURN_IF_ERROR(config.Validate());
  auto calendar = Calendar::Load(config.time_zone);
  if (!calendar.ok()) return calendar.status();
  std::unique_ptr<Engine> e(new Engine(config, *calendar, registry, clock));
  e->resources_ =
      state::StoreResources::Create(config.block_cache_bytes, config.write_buffer_budget_bytes);

  // The dead-letter producer may carry payloads up to the configured cut-off plus headers.
  kafka::ClientProperties producer_props = config.kafka_properties;
  for (const char* consumer_only :
       {"session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "auto.offset.reset",
        "group.instance.id", "fetch.wait.max.ms"}) {
    producer_props.erase(consumer_only);
  }
  auto producer = kafka::Producer::Create(config.bootstrap, producer_props);
  if (!producer.ok()) return producer.status();
  e->producer_ = std::move(*producer);
  e->dead_letters_ = std::make_unique<KafkaDeadLetterSink>(
      e->producer_.get(), config.deadletter_topic, config.deadletter_max_payload_bytes,
      config.deadletter_flush_timeout_ms);

  auto consumer = kafka::GroupConsumer::Create(config.bootstrap, config.group,
                                               config.kafka_properties, e.get());
  if (!consumer.ok()) return consumer.status();
  e->consumer_ = std::move(*consumer);
  e->consumer_->InjectFaults(config.consumer_faults);

  e->context_.calendar = &e->calendar_;
  e->context_.validator = &e->validator_;
  e->context_.metrics = &e->metrics_;
  e->context_.dead_letters = e->dead_letters_.get();
  e->alert_sink_ = std::make_unique<KafkaAlertSink>(e->producer_.get(), config.alerts_topic);
  e->context_.alerts = e->alert_sink_.get();
  e->context_.clock = clock;
  e->context_.evaluation = config.evaluation;
  notify::NotifyOptions notify = config.notify;
  notify.language = config.evaluation.alert.language;
  // Real time, even when the engine's clock is frozen (--as-of): Alertmanager compares endsAt
  // with its own clock, and escalation is about people's hours.
  e->notifier_ = std::make_unique<notify::Notifier>(std::move(notify), registry,
                                                    &SystemClock::Instance(), clock);
  e->context_.notifier = e->notifier_.get();
  e->context_.feed = &e->feed_;
  kafka::GroupConsumer* consumer_ptr = e->consumer_.get();
  e->context_.high_watermark = [consumer_ptr](const std::string& topic, int32_t p) {
    return consumer_ptr->HighWatermark({topic, Partition(p)});
  };

  // Rules: an explicitly named path must load; the default path may be absent.
  auto loaded = rules::LoadRules(config.rules_path);
  if (!loaded.problems.empty()) {
    bool missing = !std::filesystem::exists(config.rules_path);
    if (!missing || config.rules_path_explicit) {
      std::string msg =
          "rules in " + config.rules_path + " are invalid: " + loaded.problems[0].ToString();
      if (loaded.problems.size() > 1)
        msg += " (and " + std::to_string(loaded.problems.size() - 1) +
               " more; run churnwatch rules check)";
      return InvalidArgument(msg);
    }
    spdlog::warn("no rule files at '{}': running without rules (pass --rules PATH)",
                 config.rules_path);
    loaded.set = rules::RuleSet{};
    loaded.set.version = "none";
  }
  e->rules_ = std::make_unique<RuleSetHolder>(
      std::make_shared<const rules::RuleSet>(std::move(loaded.set)));
  e->rules_->Set(e->rules_->Get(), ReloadReport{true, clock->Now(), {}});
  e->context_.rules = e->rules_.get();
  e->rules_signature_ = e->RuleFilesSignature();
  e->metrics_.rules_loaded->Set(static_cast<double>(e->rules_->Get()->rules.size()));
  e->metrics_.rules_reload_success->Set(1);
  for (int i = 0; i < kEventKindCount; ++i) {
    const InputTopic& t = config.inputs[i];
    e->context_.topics[t.name] = TopicSchema{static_cast<EventKind>(i), t.format};
    e->input_topics_.push_back(t.name);
  }
  e->SetNotReady("waiting for the consumer group to assign partitions");
  return e;
}

void Engine::SetNotReady(std::string reason) {
  std::lock_guard lock(mu_);
  readiness_ = {false, std::move(reason)};
  metrics_.ready->Set(0);
}

Status Engine::Start() {
  std::vector<std::string> wanted = input_topics_;
  wanted.push_back(config_.deadletter_topic);
  auto counts = consumer_->PartitionCounts(wanted, config_.metadata_timeout_ms);
  if (!counts.ok()) {
    if (counts.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition(counts.status().message() +
                                " (create it, or name the right topic in the config)");
    }
    return counts.status();
  }
  int first = (*counts)[input_topics_[0]];
  for (const auto& t : input_topics_) {
    if ((*counts)[t] != first) {
      std::string detail;
      for (const auto& u : input_topics_)
        detail += (detail.empty() ? "" : ", ") + u + "=" + std::to_string((*counts)[u]);
      return FailedPrecondition(
          "input topics are not co-partitioned (" + detail +
          " partitions): every input topic needs the same partition count so that "
          "partition p of each belongs to the same task and store");
    }
  }
  spdlog::info("input topics co-partitioned with {} partitions; joining group '{}'", first,
               config_.group);
  notifier_->Start();
  for (const auto& url : config_.notify.alertmanager_urls)
    spdlog::info("alerts go to Alertmanager {}", url);
  return consumer_->Subscribe(input_topics_);
}

Result<std::vector<int64_t>> Engine::OnAssigned(
    const std::vector<kafka::TopicPartition>& partitions) {
  // Co-assignment: a partition number must come with every input topic, or its store would
  // see only part of its events.
  std::map<int32_t, std::set<std::string>> by_partition;
  for (const auto& tp : partitions) by_partition[tp.partition.value()].insert(tp.topic);
  for (const auto& [p, topics] : by_partition) {
    if (topics.size() != input_topics_.size()) {
      return FailedPrecondition(
          "partition " + std::to_string(p) + " was assigned for " + std::to_string(topics.size()) +
          " of " + std::to_string(input_topics_.size()) +
          " input topics; use partition.assignment.strategy=range with co-partitioned topics");
    }
  }
  for (const auto& [p, topics] : by_partition) {
    std::lock_guard lock(mu_);
    if (tasks_.count(p)) continue;
    auto task = PartitionTask::Open(Partition(p), PartitionDir(config_.state_dir, p), config_.store,
                                    resources_, &context_);
    if (!task.ok()) return task.status();
    tasks_[p] = std::move(*task);
  }
  std::vector<int64_t> offsets;
  for (const auto& tp : partitions) {
    std::lock_guard lock(mu_);
    auto next = tasks_[tp.partition.value()]->NextOffset(tp.topic);
    offsets.push_back(next.value_or(kafka::kOffsetBeginning));
  }
  {
    std::lock_guard lock(mu_);
    assigned_once_ = true;
    readiness_ = {true, ""};
    metrics_.ready->Set(1);
    metrics_.assigned_partitions->Set(static_cast<double>(tasks_.size()));
  }
  spdlog::info("assigned partitions: {} (offsets from the state stores)", by_partition.size());
  return offsets;
}

void Engine::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  // Batches are processed to completion before Poll() runs again, so nothing is in flight.
  CommitOffsets();
  std::set<int32_t> gone;
  for (const auto& tp : partitions) gone.insert(tp.partition.value());
  std::lock_guard lock(mu_);
  for (int32_t p : gone) {
    metrics_.store_size_bytes->Remove(
        &metrics_.store_size_bytes->Add({{"partition", std::to_string(p)}}));
    metrics_.store_pending_compaction_bytes->Remove(
        &metrics_.store_pending_compaction_bytes->Add({{"partition", std::to_string(p)}}));
    metrics_.store_keys->Remove(&metrics_.store_keys->Add({{"partition", std::to_string(p)}}));
    for (const auto& t : input_topics_) {
      metrics_.consumer_lag->Remove(
          &metrics_.consumer_lag->Add({{"topic", t}, {"partition", std::to_string(p)}}));
    }
    tasks_.erase(p);
  }
  metrics_.assigned_partitions->Set(static_cast<double>(tasks_.size()));
  spdlog::info("revoked partitions: {}", gone.size());
}

Status Engine::ProcessBatch(std::vector<kafka::ConsumedMessage>& messages) {
  auto started = std::chrono::steady_clock::now();
  std::vector<PartitionTask*> tasks;
  std::vector<PartitionTask*> refetching;
  {
    std::lock_guard lock(mu_);
    for (auto& m : messages) {
      auto it = tasks_.find(m.partition.value());
      if (it == tasks_.end()) continue;  // revoked while in flight: the new owner replays it
      CW_RETURN_IF_ERROR(it->second->Enqueue(std::move(m)));
    }
    for (auto& [p, task] : tasks_) {
      if (task->queued() > 0) tasks.push_back(task.get());
      refetching.push_back(task.get());
    }
  }
  CW_RETURN_IF_ERROR(IssueRefetches(refetching));
  for (PartitionTask* task : tasks) CW_RETURN_IF_ERROR(task->Drain());
  if (!messages.empty()) {
    metrics_.apply_latency->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return Status::Ok();
}

Status Engine::IssueRefetches(const std::vector<PartitionTask*>& tasks) {
  // A delivery gap or stall: re-read the topic's partition from the next offset the task needs.
  for (PartitionTask* task : tasks) {
    for (const auto& [topic, offset] : task->TakeRefetches()) {
      CW_RETURN_IF_ERROR(consumer_->Seek({topic, task->partition()}, offset, 10000));
      task->RefetchIssued(topic);
    }
  }
  return Status::Ok();
}

std::string Engine::RuleFilesSignature() const {
  std::string sig;
  std::error_code ec;
  auto add = [&](const std::filesystem::path& p) {
    auto mtime = std::filesystem::last_write_time(p, ec).time_since_epoch().count();
    auto size = std::filesystem::file_size(p, ec);
    sig += p.string() + ":" + std::to_string(mtime) + ":" + std::to_string(size) + ";";
  };
  if (std::filesystem::is_directory(config_.rules_path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(config_.rules_path, ec)) {
      auto ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) add(entry.path());
    }
  } else if (std::filesystem::exists(config_.rules_path, ec)) {
    add(config_.rules_path);
  }
  return sig;
}

void Engine::MaybeReloadRules(bool force) {
  std::string sig = RuleFilesSignature();
  if (!force && sig == rules_signature_) return;
  rules_signature_ = sig;
  auto loaded = rules::LoadRules(config_.rules_path);
  ReloadReport report{loaded.problems.empty(), clock_->Now(), {}};
  for (const auto& p : loaded.problems) report.problems.push_back(p.ToString());
  if (!report.ok) {
    spdlog::error("rule reload rejected, keeping version {}: {}", rules_->Get()->version,
                  report.problems[0]);
    rules_->Reject(std::move(report));
    metrics_.rules_reload_success->Set(0);
    metrics_.rules_reloads->Add({{"result", "rejected"}}).Increment();
    return;
  }
  if (loaded.set.version == rules_->Get()->version) {
    rules_->Set(rules_->Get(), std::move(report));
  } else {
    spdlog::info("rules reloaded: {} rules, version {}", loaded.set.rules.size(),
                 loaded.set.version);
    metrics_.rules_loaded->Set(static_cast<double>(loaded.set.rules.size()));
    rules_->Set(std::make_shared<const rules::RuleSet>(std::move(loaded.set)), std::move(report));
  }
  metrics_.rules_reload_success->Set(1);
  metrics_.rules_reloads->Add({{"result", "ok"}}).Increment();
}

namespace {
// A repair plan is a matter of days; a due time years ahead is a typo (2062 for 2026).
constexpr int64_t kMaxPlanAheadUs = 366 * kMicrosPerDay;
}  // namespace

Result<std::optional<std::pair<std::string, v1::AlertRecord>>> Engine::FindAlert(
    const state::PartitionStore& store, const std::string& alert_id) {
  std::optional<std::pair<std::string, v1::AlertRecord>> found;
  CW_RETURN_IF_ERROR(
      store.ScanAll(state::Family::kAlerts, [&](std::string_view k, std::string_view v) {
        v1::AlertRecord r;
        if (r.ParseFromArray(v.data(), static_cast<int>(v.size())) && r.id() == alert_id) {
          found.emplace(state::ParseAccountOfKey(k).value_or(""), std::move(r));
          return false;
        }
        return true;
      }));
  return found;
}

Status Engine::StoreAckStep(state::PartitionStore& store, const std::string& kind,
                            UnixMicros at_us, const v1::AckRecord& ack, const v1::Alert& alert,
                            bool new_plan) {
  v1::HistoryEntry h;
  h.set_kind(kind);
  h.set_at_us(at_us);
  *h.mutable_alert() = alert;
  *h.mutable_ack() = ack;
  state::StoreBatch batch = store.NewBatch();
  batch.Put(state::Family::kAcks, state::AckKey(ack.alert_id()), ack.SerializeAsString());
  // A new plan has not escalated yet, whatever an earlier one did.
  if (new_plan) batch.Delete(state::Family::kAcks, state::PlanEscalatedKey(ack.alert_id()));
  batch.Put(state::Family::kHistory,
            state::HistoryKey(ack.account_id(), at_us, ++ack_sequence_, state::kHistoryFromApi),
            h.SerializeAsString());
  return store.Write(batch);
}

Result<Engine::Acknowledgement> Engine::Acknowledge(const std::string& alert_id,
                                                    const AckRequest& request) {
  for (const auto& store : Stores()) {
    auto found = FindAlert(*store, alert_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) continue;
    const auto& [account, record] = **found;
    if (record.state() != v1::ALERT_STATE_FIRING) {
      return FailedPrecondition("alert " + alert_id +
                                " is not firing (resolved alerts need no acknowledgement)");
    }
    const UnixMicros now = SystemClock::Instance().Now();
    if (request.plan && record.alert().severity() != "critical") {
      return FailedPrecondition("alert " + alert_id + " is " + record.alert().severity() +
                                ", not critical: repair plans are for critical alerts (acknowledge "
                                "it without 'plan')");
    }
    if (request.plan && request.plan->due_at_us() <= now) {
      return InvalidArgument("plan.due_at " + FormatRfc3339(request.plan->due_at_us()) +
                             " is not in the future (now " + FormatRfc3339(now) + ")");
    }
    if (request.plan && request.plan->due_at_us() > now + kMaxPlanAheadUs) {
      return InvalidArgument("plan.due_at " + FormatRfc3339(request.plan->due_at_us()) +
                             " is more than a year ahead: a repair plan is due within days");
    }
    auto previous = AckOf(account, alert_id);
    if (!previous.ok()) return previous.status();
    Acknowledgement out{account, {}, record.alert()};
    out.ack.set_alert_id(alert_id);
    out.ack.set_account_id(account);
    out.ack.set_by(request.by);
    out.ack.set_note(request.note);
    out.ack.set_at_us(now);
    if (request.plan) {
      v1::RepairPlan* plan = out.ack.mutable_plan();
      plan->set_text(request.plan->text());
      plan->set_owner(request.plan->owner());
      plan->set_due_at_us(request.plan->due_at_us());
    }
    CW_RETURN_IF_ERROR(StoreAckStep(*store, "ACKNOWLEDGED", now, out.ack, record.alert(),
                                    request.plan.has_value()));
    notifier_->Acknowledged(store->partition(), out.ack, record.alert(), !previous->has_value());
    feed_.Publish({0, "ACKNOWLEDGED", now, record.alert(), request.by, request.note});
    spdlog::info("alert {} ({} on {}) acknowledged by {}{}", alert_id, record.rule(), account,
                 request.by, request.plan ? " with a repair plan" : "");
    return out;
  }
  return NotFound("no firing or resolved alert with id '" + alert_id +
                  "' on this instance (see GET /api/v1/alerts)");
}

Result<Engine::Acknowledgement> Engine::CompletePlan(const std::string& alert_id,
                                                     const std::string& by) {
  for (const auto& store : Stores()) {
    auto stored = store->Get(state::Family::kAcks, state::AckKey(alert_id));
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    Acknowledgement out;
    if (!out.ack.ParseFromString(**stored))
      return Corruption("acknowledgement in " + store->dir() + " does not decode");
    out.account_id = out.ack.account_id();
    if (!out.ack.has_plan()) {
      return FailedPrecondition("the acknowledgement of alert " + alert_id +
                                " has no repair plan (acknowledge it again with 'plan')");
    }
    auto found = FindAlert(*store, alert_id);
    if (!found.ok()) return found.status();
    // The record may have moved on to a later episode of the rule; the ack keeps its own.
    if (found->has_value() && (*found)->second.id() == alert_id) out.alert = (*found)->second.alert();
    if (out.ack.plan().done_at_us() != 0) return out;
    const UnixMicros now = SystemClock::Instance().Now();
    out.ack.mutable_plan()->set_done_at_us(now);
    out.ack.mutable_plan()->set_done_by(by);
    CW_RETURN_IF_ERROR(StoreAckStep(*store, "PLAN_DONE", now, out.ack, out.alert, false));
    if (out.alert.state() == v1::ALERT_STATE_FIRING)
      notifier_->Acknowledged(store->partition(), out.ack, out.alert, false);
    feed_.Publish({0, "PLAN_DONE", now, out.alert, by, out.ack.plan().text()});
    spdlog::info("repair plan of alert {} on {} marked done by {}", alert_id, out.account_id, by);
    return out;
  }
  return NotFound("no acknowledgement of alert '" + alert_id +
                  "' on this instance (acknowledge it with a plan first)");
}

Result<std::optional<v1::AckRecord>> Engine::AckOf(const std::string& account_id,
                                                   const std::string& alert_id) const {
  for (const auto& store : Stores()) {
    auto v = store->Get(state::Family::kAcks, state::AckKey(alert_id));
    if (!v.ok()) return v.status();
    if (!v->has_value()) continue;
    v1::AckRecord r;
    if (!r.ParseFromString(**v))
      return Corruption("acknowledgement in " + store->dir() + " does not decode");
    if (r.account_id() == account_id) return std::optional<v1::AckRecord>(std::move(r));
  }
  return std::optional<v1::AckRecord>();
}

Result<std::optional<std::vector<v1::HistoryEntry>>> Engine::History(
    const std::string& account_id) const {
  const UnixMicros horizon = SystemClock::Instance().Now() - config_.notify.history_retention_us;
  for (const auto& store : Stores()) {
    auto known = store->Get(state::Family::kAccounts, state::AccountPrefix(account_id));
    if (!known.ok()) return known.status();
    if (!known->has_value()) continue;
    std::vector<v1::HistoryEntry> out;
    Status decode;
    CW_RETURN_IF_ERROR(store->ScanPrefix(
        state::Family::kHistory, state::AccountPrefix(account_id),
        [&](std::string_view, std::string_view v) {
          v1::HistoryEntry h;
          if (!h.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
            decode = Corruption("history row in " + store->dir() + " does not decode");
            return;
          }
          // Pruning runs hourly; the API honours the retention exactly.
          if (h.at_us() >= horizon) out.push_back(std::move(h));
        }));
    CW_RETURN_IF_ERROR(decode);
    return std::optional<std::vector<v1::HistoryEntry>>(std::move(out));
  }
  return std::optional<std::vector<v1::HistoryEntry>>();
}

Result<std::vector<std::pair<std::string, v1::AlertRecord>>> Engine::AlertRecords() const {
  std::vector<std::pair<std::string, v1::AlertRecord>> out;
  for (const auto& store : Stores()) {
    Status decode;
    CW_RETURN_IF_ERROR(
        store->ScanAll(state::Family::kAlerts, [&](std::string_view k, std::string_view v) {
          v1::AlertRecord r;
          auto account = state::ParseAccountOfKey(k);
          if (!account || !r.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
            decode = Corruption("alert record in " + store->dir() + " does not decode");
            return false;
          }
          out.emplace_back(*account, std::move(r));
          return true;
        }));
    CW_RETURN_IF_ERROR(decode);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.rule()) < std::tie(b.first, b.second.rule());
  });
  return out;
}

void Engine::CommitOffsets() {
  std::map<kafka::TopicPartition, int64_t> offsets;
  std::lock_guard lock(mu_);
  for (const auto& [p, task] : tasks_) {
    for (const auto& t : input_topics_) {
      if (auto next = task->NextOffset(t)) offsets[{t, Partition(p)}] = *next;
    }
  }
  consumer_->CommitAsync(offsets);
}

void Engine::UpdateGauges() {
  std::lock_guard lock(mu_);
  for (const auto& [p, task] : tasks_) {
    std::string ps = std::to_string(p);
    for (const auto& t : input_topics_) {
      int64_t high = consumer_->HighWatermark({t, Partition(p)});
      if (high < 0) continue;
      int64_t next = task->NextOffset(t).value_or(0);
      metrics_.consumer_lag->Add({{"topic", t}, {"partition", ps}})
          .Set(static_cast<double>(std::max<int64_t>(0, high - next)));
    }
    state::StoreStats s = task->store()->Stats();
    metrics_.store_size_bytes->Add({{"partition", ps}}).Set(static_cast<double>(s.live_bytes));
    metrics_.store_pending_compaction_bytes->Add({{"partition", ps}})
        .Set(static_cast<double>(s.pending_compaction_bytes));
    metrics_.store_keys->Add({{"partition", ps}}).Set(static_cast<double>(s.estimated_keys));
  }
}

Status Engine::RunUntil(const std::atomic<bool>& stop) {
  std::vector<kafka::ConsumedMessage> messages;
  auto last_gauges = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  Status result;
  bool idle = false;
  while (!stop.load()) {
    messages.clear();
    // Events (rebalances, errors) and any message not yet moved to its partition queue; wait
    // a little only when the last round found nothing to do.
    Status polled = consumer_->Poll(config_.max_batch_messages,
                                    idle ? std::min(config_.poll_timeout_ms, 10) : 0, &messages);
    if (!polled.ok()) {
      result = polled;
      break;
    }
    // Top up each task's per-topic buffer from its partition queue.
    {
      std::lock_guard lock(mu_);
      for (auto& [p, task] : tasks_) {
        for (const auto& topic : input_topics_) {
          size_t have = task->queued(topic);
          if (have < config_.queue_messages) {
            consumer_->PollPartition({topic, Partition(p)}, config_.queue_messages - have,
                                     &messages);
          }
        }
      }
    }
    idle = messages.empty();
    Status processed = ProcessBatch(messages);
    if (!processed.ok()) {
      result = processed;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_gauges >= std::chrono::seconds(1)) {
      MaybeReloadRules(reload_requested_.exchange(false));
      std::vector<PartitionTask*> tasks;
      {
        std::lock_guard lock(mu_);
        for (auto& [p, task] : tasks_) tasks.push_back(task.get());
      }
      for (PartitionTask* task : tasks) {
        Status ticked = task->Tick(clock_->Now(), config_.follow_wall_clock);
        if (!ticked.ok()) {
          result = ticked;
          break;
        }
      }
      if (result.ok()) result = IssueRefetches(tasks);
      if (!result.ok()) break;
      UpdateGauges();
      CommitOffsets();
      last_gauges = now;
    }
  }
  if (!result.ok()) {
    spdlog::error("engine stopping: {}", result.ToString());
    SetNotReady(result.message());
  } else {
    SetNotReady("shutting down");
  }
  // Every processed batch is already durable in its store; commits are informative.
  CommitOffsets();
  Status flushed = dead_letters_->Flush();
  if (!flushed.ok())
    spdlog::warn("dead letters not all acknowledged at shutdown: {}", flushed.message());
  consumer_->Close();
  {
    std::lock_guard lock(mu_);
    tasks_.clear();
  }
  notifier_->Stop();
  return result;
}

Readiness Engine::GetReadiness() const {
  std::lock_guard lock(mu_);
  Readiness r = readiness_;
  if (r.ready) {
    for (const auto& [p, task] : tasks_) {
      Status e = task->store()->latched_error();
      if (!e.ok())
        return {false, "state store of partition " + std::to_string(p) + " failed: " + e.message()};
    }
  }
  return r;
}

std::vector<std::shared_ptr<state::PartitionStore>> Engine::Stores() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<state::PartitionStore>> out;
  for (const auto& [p, task] : tasks_) out.push_back(task->store());
  return out;
}

Result<std::vector<std::string>> Engine::AccountIds() const {
  std::vector<std::string> ids;
  for (const auto& store : Stores()) {
    CW_RETURN_IF_ERROR(
        store->ScanAll(state::Family::kAccounts, [&](std::string_view k, std::string_view) {
          if (auto a = state::ParseAccountOfKey(k)) ids.push_back(*a);
          return true;
        }));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::optional<state::AccountSnapshot>> Engine::FindAccount(
    const std::string& account_id) const {
  for (const auto& store : Stores()) {
    auto snap = state::ReadAccountSnapshot(*store, account_id);
    if (!snap.ok()) return snap.status();
    if (!snap->empty()) return std::optional<state::AccountSnapshot>(std::move(*snap));
  }
  return std::optional<state::AccountSnapshot>();
}

}  // namespace churnwatch::ingest
