#include "notify/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/hash.h"
#include "notify/alertmanager_client.h"
#include "notify/alertmanager_payload.h"
#include "state/key_codec.h"

namespace churnwatch::notify {
namespace {

constexpr int64_t kInitialBackoffUs = kMicrosPerSecond;
constexpr int64_t kPruneEveryUs = 3600 * kMicrosPerSecond;

UnixMicros ResolvedAt(const v1::Alert& a) {
  return a.resolved_at().seconds() * kMicrosPerSecond + a.resolved_at().nanos() / 1000;
}

}  // namespace

uint64_t UrlHash(const std::string& url) { return Fnv1a64(url); }

struct Notifier::Target {
  std::string url;
  uint64_t hash = 0;
  std::unique_ptr<AlertmanagerClient> client;
  std::deque<Pending> pending;
  UnixMicros next_attempt = 0;
  int64_t backoff = 0;
  UnixMicros next_full_resend = 0;
  std::set<std::string> escalated_sent;  // alert ids whose escalated copy this URL has
  prometheus::Gauge* queued = nullptr;
  prometheus::Counter* sent = nullptr;
  prometheus::Counter* failed = nullptr;
  prometheus::Counter* rejected = nullptr;
  prometheus::Counter* expired = nullptr;
  prometheus::Gauge* lag = nullptr;
};

// One alert in a POST, and what its acceptance means for the bookkeeping.
struct Notifier::Outgoing {
  enum class Effect {
    kEntryDelivered,     // delete the queue entry (partition, key)
    kResolvedDelivered,  // forget the alert's notification and escalation times
    kFirstNotice,        // the alert reached an Alertmanager for the first time
    kEscalated,          // the escalated copy went out (unacknowledged)
    kPlanEscalated,      // the escalated copy went out (repair plan overdue)
    kDeescalated,        // the escalated copy was resolved
  };
  struct Action {
    Effect effect;
    Partition partition{0};
    std::string key;  // entry key, or alert id
  };
  OutgoingAlert alert;
  std::optional<v1::AckRecord> ack;
  std::vector<Action> actions;
};

Notifier::Notifier(NotifyOptions options, prometheus::Registry* registry, const Clock* clock,
                   const Clock* history_clock)
    : options_(std::move(options)),
      clock_(clock),
      history_clock_(history_clock != nullptr ? history_clock : clock),
      metrics_(*registry) {
  for (const auto& url : options_.alertmanager_urls) {
    auto t = std::make_unique<Target>();
    t->url = url;
    t->hash = UrlHash(url);
    t->client = std::make_unique<AlertmanagerClient>(url, options_.request_timeout_ms);
    t->queued = &metrics_.queued->Add({{"url", url}});
    t->sent = &metrics_.sent->Add({{"url", url}});
    t->failed = &metrics_.failed->Add({{"url", url}});
    t->rejected = &metrics_.dropped->Add({{"url", url}, {"reason", "rejected"}});
    t->expired = &metrics_.dropped->Add({{"url", url}, {"reason", "expired"}});
    t->lag = &metrics_.delivery_lag->Add({{"url", url}});
    targets_.push_back(std::move(t));
  }
}

Notifier::~Notifier() { Stop(); }

void Notifier::Start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty() || stop_) return;
  for (auto& t : targets_) threads_.emplace_back([this, t = t.get()] { TargetLoop(t); });
  threads_.emplace_back([this] { HousekeepingLoop(); });
}

void Notifier::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

Status Notifier::Attach(Partition p, std::shared_ptr<state::PartitionStore> store) {
  std::map<std::string, Tracked> firing;
  std::map<std::string, v1::AckRecord> acks;
  Status decode;
  auto parse_error = [&](const char* what) {
    decode = Corruption(std::string(what) + " in " + store->dir() + " does not decode");
    return false;
  };
  CW_RETURN_IF_ERROR(
      store->ScanAll(state::Family::kAlerts, [&](std::string_view, std::string_view v) {
        v1::AlertRecord r;
        if (!r.ParseFromArray(v.data(), static_cast<int>(v.size())))
          return parse_error("alert record");
        if (r.state() == v1::ALERT_STATE_FIRING) firing[r.id()] = Tracked{p, r.alert()};
        return true;
      }));
  CW_RETURN_IF_ERROR(decode);
  for (auto& [id, t] : firing) {
    auto ack = store->Get(state::Family::kAcks, state::AckKey(id));
    if (!ack.ok()) return ack.status();
    if (ack->has_value()) {
      v1::AckRecord r;
      if (r.ParseFromString(**ack)) acks[id] = r;
    }
    for (auto [key, field] : {std::pair{state::NotifiedKey(id), &t.notified_at},
                              std::pair{state::EscalatedKey(id), &t.escalated_at},
                              std::pair{state::PlanEscalatedKey(id), &t.plan_escalated_at}}) {
      auto v = store->Get(state::Family::kAcks, key);
      if (!v.ok()) return v.status();
      if (v->has_value()) *field = state::DecodeInt64(**v).value_or(0);
    }
  }
  std::vector<Pending> pending;
  CW_RETURN_IF_ERROR(
      store->ScanAll(state::Family::kNotify, [&](std::string_view k, std::string_view v) {
        v1::NotificationEntry e;
        if (!e.ParseFromArray(v.data(), static_cast<int>(v.size())))
          return parse_error("notification entry");
        pending.push_back({p, std::string(k), std::move(e)});
        return true;
      }));
  CW_RETURN_IF_ERROR(decode);

  std::lock_guard lock(mu_);
  stores_[p.value()] = store;
  for (auto& [id, t] : firing) firing_[id] = std::move(t);
  for (auto& [id, ack] : acks) acks_[id] = {p, std::move(ack)};
  std::vector<std::pair<Partition, std::string>> orphans;  // entries of URLs no longer configured
  for (auto& item : pending) {
    auto it = std::find_if(targets_.begin(), targets_.end(),
                           [&](const auto& t) { return t->url == item.entry.url(); });
    if (it == targets_.end()) {
      orphans.emplace_back(p, item.key);
      continue;
    }
    Enqueue(**it, std::move(item));
  }
  if (!orphans.empty()) {
    spdlog::warn(
        "partition {}: {} undelivered notifications for Alertmanager URLs no longer "
        "configured are dropped (their alerts are re-sent to the current URLs)",
        p.value(), orphans.size());
    DeleteEntries(orphans);
  }
  cv_.notify_all();
  return Status::Ok();
}

void Notifier::Detach(Partition p) {
  std::lock_guard lock(mu_);
  stores_.erase(p.value());
  std::erase_if(firing_, [&](const auto& kv) { return kv.second.partition == p; });
  std::erase_if(acks_, [&](const auto& kv) { return kv.second.first == p; });
  for (auto& t : targets_) {
    std::erase_if(t->pending, [&](const Pending& e) { return e.partition == p; });
  }
}

void Notifier::Stage(const v1::Alert& alert, const v1::Alert* superseded, int64_t fired_at_us,
                     uint64_t* sequence, state::StoreBatch* batch, std::vector<Staged>* out) const {
  UnixMicros now = clock_->Now();
  for (const auto& t : targets_) {
    Staged s;
    s.key = state::NotifyKey(t->hash, ++*sequence);
    *s.entry.mutable_alert() = alert;
    if (superseded != nullptr) *s.entry.mutable_superseded() = *superseded;
    s.entry.set_url(t->url);
    s.entry.set_queued_at_us(now);
    s.entry.set_fired_at_us(fired_at_us);
    batch->Put(state::Family::kNotify, s.key, s.entry.SerializeAsString());
    out->push_back(std::move(s));
  }
}

// Only an alert's newest state matters to the Alertmanager, so a URL's queue holds at most one
// entry per alert.
void Notifier::Enqueue(Target& target, Pending item) {
  auto old = std::find_if(target.pending.begin(), target.pending.end(), [&](const Pending& e) {
    return e.entry.alert().id() == item.entry.alert().id();
  });
  if (old != target.pending.end()) {
    // The label set the Alertmanager holds is the oldest undelivered one's superseded set.
    if (old->entry.has_superseded()) *item.entry.mutable_superseded() = old->entry.superseded();
    item.entry.set_queued_at_us(std::min(item.entry.queued_at_us(), old->entry.queued_at_us()));
    DeleteEntries({{old->partition, old->key}});
    target.pending.erase(old);
  }
  target.pending.push_back(std::move(item));
}

void Notifier::DeleteEntries(const std::vector<std::pair<Partition, std::string>>& keys) {
  std::map<int32_t, state::StoreBatch> batches;
  for (const auto& [p, key] : keys) {
    auto store = stores_.find(p.value());
    if (store == stores_.end()) continue;  // detached: its next owner sends it
    auto [it, fresh] = batches.try_emplace(p.value(), store->second->NewBatch());
    it->second.Delete(state::Family::kNotify, key);
  }
  for (auto& [p, batch] : batches) {
    Status s = stores_.at(p)->Write(batch);
    if (!s.ok())
      spdlog::warn("partition {}: cannot delete delivered notifications: {}", p, s.message());
  }
}

void Notifier::Committed(Partition p, std::vector<Staged> staged) {
  if (staged.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (auto& s : staged) {
      const v1::Alert& a = s.entry.alert();
      if (a.state() == v1::ALERT_STATE_FIRING) {
        Tracked& t = firing_[a.id()];
        t.partition = p;
        t.alert = a;
      } else {
        firing_.erase(a.id());
        acks_.erase(a.id());
      }
      for (auto& target : targets_) {
        if (target->url == s.entry.url()) {
          Enqueue(*target, {p, std::move(s.key), std::move(s.entry)});
          break;
        }
      }
    }
  }
  cv_.notify_all();
}

void Notifier::Acknowledged(Partition p, const v1::AckRecord& ack, const v1::Alert& alert,
                            bool first) {
  metrics_.acks->Increment();
  if (first) {
    const UnixMicros started =
        alert.started_at().seconds() * kMicrosPerSecond + alert.started_at().nanos() / 1000;
    // Event time may run ahead of the wall clock (replayed or future-dated events): never < 0.
    metrics_.AckSeconds(alert.severity())
        .Observe(static_cast<double>(std::max<int64_t>(0, ack.at_us() - started)) /
                 kMicrosPerSecond);
  }
  std::lock_guard lock(mu_);
  auto previous = acks_.find(ack.alert_id());
  // A new plan (another due time) gets its own escalation; marking one done does not reset it.
  if (previous != acks_.end() &&
      previous->second.second.plan().due_at_us() != ack.plan().due_at_us()) {
    if (auto t = firing_.find(ack.alert_id()); t != firing_.end()) t->second.plan_escalated_at = 0;
  }
  acks_[ack.alert_id()] = {p, ack};
  cv_.notify_all();
}

UnixMicros Notifier::EscalatedAt(const std::string& alert_id) const {
  std::lock_guard lock(mu_);
  auto it = firing_.find(alert_id);
  return it == firing_.end() ? 0 : it->second.escalated_at;
}

UnixMicros Notifier::PlanEscalatedAt(const std::string& alert_id) const {
  std::lock_guard lock(mu_);
  auto it = firing_.find(alert_id);
  return it == firing_.end() ? 0 : it->second.plan_escalated_at;
}

UnixMicros Notifier::NotifiedAt(const std::string& alert_id) const {
  std::lock_guard lock(mu_);
  auto it = firing_.find(alert_id);
  return it == firing_.end() ? 0 : it->second.notified_at;
}

size_t Notifier::queued(const std::string& url) const {
  std::lock_guard lock(mu_);
  for (const auto& t : targets_) {
    if (t->url == url) return t->pending.size();
  }
  return 0;
}

EscalationReason Notifier::EscalationDueNow(const Tracked& t, UnixMicros now) const {
  auto ack = acks_.find(t.alert.id());
  return EscalationDue(t.alert, ack == acks_.end() ? nullptr : &ack->second.second, t.notified_at,
                       now, options_.ack_timeout_us);
}

void Notifier::TargetLoop(Target* target) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    Service(*target, clock_->Now(), lock);
    cv_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void Notifier::HousekeepingLoop() {
  UnixMicros next_prune = 0;
  std::unique_lock lock(mu_);
  while (!stop_) {
    UpdateGauges(clock_->Now());
    if (clock_->Now() >= next_prune && !stores_.empty()) {
      next_prune = clock_->Now() + kPruneEveryUs;
      lock.unlock();
      PruneHistory(history_clock_->Now());
      lock.lock();
    }
    cv_.wait_for(lock, std::chrono::seconds(1));
  }
}

void Notifier::Service(Target& target, UnixMicros now, std::unique_lock<std::mutex>& lock) {
  using Effect = Outgoing::Effect;
  if (now < target.next_attempt) return;
  const int64_t expiry = 4 * options_.resend_interval_us;
  const UnixMicros ends_at = now + expiry;
  const bool full = now >= target.next_full_resend;
  std::vector<Outgoing> items;
  std::vector<std::pair<Partition, std::string>> expired;
  std::set<std::string> in_batch;  // alert ids already going out as firing
  auto ack_of = [&](const std::string& id) {
    auto it = acks_.find(id);
    return it == acks_.end() ? std::optional<v1::AckRecord>() : it->second.second;
  };
  auto add = [&](const v1::Alert& a, UnixMicros ends, bool escalated,
                 std::vector<Outgoing::Action> actions = {}) {
    Outgoing o;
    o.alert = {a, ends, escalated, nullptr};
    if (a.state() == v1::ALERT_STATE_FIRING) o.ack = ack_of(a.id());
    o.actions = std::move(actions);
    items.push_back(std::move(o));
  };

  for (const Pending& e : target.pending) {
    const v1::Alert& a = e.entry.alert();
    const bool resolved = a.state() != v1::ALERT_STATE_FIRING;
    if (resolved && now - e.entry.queued_at_us() > expiry) {
      expired.emplace_back(e.partition, e.key);  // resolved at the Alertmanager by its endsAt
      continue;
    }
    const bool has_copy = target.escalated_sent.count(a.id()) > 0;
    if (e.entry.has_superseded()) {
      add(e.entry.superseded(), now, false);
      if (has_copy)
        add(e.entry.superseded(), now, true, {{Effect::kDeescalated, e.partition, a.id()}});
    }
    std::vector<Outgoing::Action> done = {{Effect::kEntryDelivered, e.partition, e.key}};
    if (!resolved) {
      auto it = firing_.find(a.id());
      // The tracked alert is the newest version (a later re-route may have replaced it).
      if (it != firing_.end() && it->second.notified_at == 0)
        done.push_back({Effect::kFirstNotice, e.partition, a.id()});
      add(it != firing_.end() ? it->second.alert : a, ends_at, false, std::move(done));
      in_batch.insert(a.id());
    } else {
      UnixMicros at = std::min(now, ResolvedAt(a));
      if (has_copy || a.severity() == "critical") add(a, at, true);
      done.push_back({Effect::kResolvedDelivered, e.partition, a.id()});
      add(a, at, false, std::move(done));
    }
  }
  for (const auto& [id, t] : firing_) {
    if (full && !in_batch.count(id)) {
      std::vector<Outgoing::Action> notice;
      if (t.notified_at == 0) notice.push_back({Effect::kFirstNotice, t.partition, id});
      add(t.alert, ends_at, false, std::move(notice));
    }
    const bool has_copy = target.escalated_sent.count(id) > 0;
    const EscalationReason reason = EscalationDueNow(t, now);
    if (reason != EscalationReason::kNone) {
      const Effect effect = reason == EscalationReason::kPlanOverdue ? Effect::kPlanEscalated
                                                                     : Effect::kEscalated;
      if (full || !has_copy) add(t.alert, ends_at, true, {{effect, t.partition, id}});
    } else if (has_copy) {
      // Acknowledged, or no longer critical: the directors' copy closes.
      add(t.alert, now, true, {{Effect::kDeescalated, t.partition, id}});
    }
  }

  if (!expired.empty()) {
    target.expired->Increment(static_cast<double>(expired.size()));
    DeleteEntries(expired);
    std::erase_if(target.pending, [&](const Pending& e) {
      return std::find(expired.begin(), expired.end(), std::pair{e.partition, e.key}) !=
             expired.end();
    });
  }
  if (items.empty()) {
    if (full) target.next_full_resend = now + options_.resend_interval_us;
    return;
  }

  lock.unlock();
  Status failure;
  std::vector<bool> rejected(items.size(), false);
  const size_t accepted = Deliver(target, items, &failure, &rejected);
  lock.lock();

  // Bookkeeping for what the Alertmanager accepted (or rejected for good).
  std::vector<std::pair<Partition, std::string>> delivered;
  std::map<int32_t, state::StoreBatch> batches;
  auto batch_of = [&](Partition p) -> state::StoreBatch* {
    auto store = stores_.find(p.value());
    if (store == stores_.end()) return nullptr;  // detached meanwhile: stays for its next owner
    auto [it, fresh] = batches.try_emplace(p.value(), store->second->NewBatch());
    return &it->second;
  };
  for (size_t i = 0; i < accepted; ++i) {
    for (const auto& act : items[i].actions) {
      auto tracked = firing_.find(act.key);
      switch (act.effect) {
        case Effect::kEntryDelivered:
          delivered.emplace_back(act.partition, act.key);
          break;
        case Effect::kResolvedDelivered:
          target.escalated_sent.erase(act.key);
          if (auto* b = batch_of(act.partition)) {
            b->Delete(state::Family::kAcks, state::NotifiedKey(act.key));
            b->Delete(state::Family::kAcks, state::EscalatedKey(act.key));
            b->Delete(state::Family::kAcks, state::PlanEscalatedKey(act.key));
          }
          break;
        case Effect::kFirstNotice:
          if (tracked == firing_.end() || tracked->second.notified_at != 0) break;
          tracked->second.notified_at = now;
          if (auto* b = batch_of(act.partition))
            b->Put(state::Family::kAcks, state::NotifiedKey(act.key), state::EncodeInt64(now));
          break;
        case Effect::kEscalated:
          target.escalated_sent.insert(act.key);
          if (tracked == firing_.end() || tracked->second.escalated_at != 0) break;
          tracked->second.escalated_at = now;
          metrics_.escalations->Increment();
          if (auto* b = batch_of(act.partition))
            b->Put(state::Family::kAcks, state::EscalatedKey(act.key), state::EncodeInt64(now));
          spdlog::info("alert {} ({} on {}) escalated: not acknowledged within {} s", act.key,
                       tracked->second.alert.rule(), tracked->second.alert.account_id(),
                       options_.ack_timeout_us / kMicrosPerSecond);
          break;
        case Effect::kPlanEscalated:
          target.escalated_sent.insert(act.key);
          if (tracked == firing_.end() || tracked->second.plan_escalated_at != 0) break;
          tracked->second.plan_escalated_at = now;
          if (tracked->second.escalated_at == 0) tracked->second.escalated_at = now;
          metrics_.plan_escalations->Increment();
          if (auto* b = batch_of(act.partition)) {
            b->Put(state::Family::kAcks, state::PlanEscalatedKey(act.key), state::EncodeInt64(now));
            b->Put(state::Family::kAcks, state::EscalatedKey(act.key),
                   state::EncodeInt64(tracked->second.escalated_at));
          }
          spdlog::info("alert {} ({} on {}) escalated: its repair plan is overdue", act.key,
                       tracked->second.alert.rule(), tracked->second.alert.account_id());
          break;
        case Effect::kDeescalated:
          target.escalated_sent.erase(act.key);
          break;
      }
    }
  }
  for (const auto& [p, key] : delivered) {
    if (auto* b = batch_of(p)) b->Delete(state::Family::kNotify, key);
  }
  for (auto& [p, batch] : batches) {
    Status s = stores_.at(p)->Write(batch);
    if (!s.ok()) spdlog::warn("partition {}: cannot record delivery: {}", p, s.message());
  }
  std::erase_if(target.pending, [&](const Pending& e) {
    return std::find(delivered.begin(), delivered.end(), std::pair{e.partition, e.key}) !=
           delivered.end();
  });

  if (accepted == items.size()) {
    target.backoff = 0;
    target.next_attempt = 0;
    if (full) target.next_full_resend = now + options_.resend_interval_us;
    return;
  }
  target.backoff = std::min(target.backoff == 0 ? kInitialBackoffUs : target.backoff * 2,
                            options_.max_backoff_us);
  target.next_attempt = clock_->Now() + target.backoff;
  spdlog::warn("{} (retrying in {} s; {} notifications waiting)", failure.message(),
               target.backoff / kMicrosPerSecond, target.pending.size());
}

size_t Notifier::Deliver(Target& target, const std::vector<Outgoing>& items, Status* failure,
                         std::vector<bool>* rejected) {
  const PayloadOptions payload{options_.dashboard_url, options_.language};
  auto render = [&](size_t from, size_t to) {
    std::vector<OutgoingAlert> chunk;
    for (size_t i = from; i < to; ++i) {
      chunk.push_back(items[i].alert);
      if (items[i].ack) chunk.back().ack = &*items[i].ack;
    }
    return RenderPostableAlerts(chunk, payload);
  };
  size_t done = 0;
  while (done < items.size()) {
    const size_t end = std::min(items.size(), done + options_.max_alerts_per_request);
    Status s = target.client->Post(render(done, end));
    if (s.ok()) {
      target.sent->Increment(static_cast<double>(end - done));
      done = end;
      continue;
    }
    if (s.code() != StatusCode::kInvalidArgument) {
      target.failed->Increment(static_cast<double>(items.size() - done));
      *failure = s;
      return done;
    }
    // The Alertmanager refuses something in this request: find it, one alert at a time.
    const bool single = end - done == 1;
    for (; done < end; ++done) {
      Status one = single ? s : target.client->Post(render(done, done + 1));
      if (one.ok()) {
        target.sent->Increment();
      } else if (one.code() == StatusCode::kInvalidArgument) {
        (*rejected)[done] = true;
        target.rejected->Increment();
        spdlog::error("{}; alert {} of rule {} dropped", one.message(),
                      items[done].alert.alert.id(), items[done].alert.alert.rule());
      } else {
        target.failed->Increment(static_cast<double>(items.size() - done));
        *failure = one;
        return done;
      }
    }
  }
  return done;
}

void Notifier::PruneHistory(UnixMicros now) {
  const UnixMicros horizon = now - options_.history_retention_us;
  std::vector<int32_t> partitions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [p, store] : stores_) partitions.push_back(p);
  }
  double pruned = 0;
  for (int32_t p : partitions) {
    // One store at a time under the lock: a store must not outlive its Detach (the partition
    // may reopen at once), and the engine thread waits for at most one store's scan.
    std::lock_guard lock(mu_);
    auto it = stores_.find(p);
    if (it == stores_.end()) continue;
    state::PartitionStore& store = *it->second;
    state::StoreBatch batch = store.NewBatch();
    size_t n = 0;
    store
        .ScanAll(state::Family::kHistory,
                 [&](std::string_view k, std::string_view) {
                   auto at = state::HistoryKeyTime(k);
                   if (at && *at < horizon) {
                     batch.Delete(state::Family::kHistory, k);
                     ++n;
                   }
                   return true;
                 })
        .IgnoreError();
    store
        .ScanAll(state::Family::kAcks,
                 [&](std::string_view k, std::string_view v) {
                   v1::AckRecord r;
                   if (!k.empty() && k[0] == 'a' &&
                       r.ParseFromArray(v.data(), static_cast<int>(v.size())) &&
                       r.at_us() < horizon) {
                     batch.Delete(state::Family::kAcks, k);
                   }
                   return true;
                 })
        .IgnoreError();
    if (store.Write(batch).ok()) pruned += static_cast<double>(n);
  }
  if (pruned > 0) metrics_.history_pruned->Increment(pruned);
}

void Notifier::UpdateGauges(UnixMicros now) {
  for (auto& t : targets_) {
    t->queued->Set(static_cast<double>(t->pending.size()));
    UnixMicros oldest = now;
    for (const auto& e : t->pending) oldest = std::min<UnixMicros>(oldest, e.entry.queued_at_us());
    t->lag->Set(static_cast<double>(now - oldest) / kMicrosPerSecond);
  }
}

}  // namespace churnwatch::notify
