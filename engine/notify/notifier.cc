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
  prometheus::Gauge* lag = nullptr;
};

Notifier::Notifier(NotifyOptions options, prometheus::Registry* registry, const Clock* clock)
    : options_(std::move(options)), clock_(clock), metrics_(*registry) {
  for (const auto& url : options_.alertmanager_urls) {
    auto t = std::make_unique<Target>();
    t->url = url;
    t->hash = UrlHash(url);
    t->client = std::make_unique<AlertmanagerClient>(url, options_.request_timeout_ms);
    t->queued = &metrics_.queued->Add({{"url", url}});
    t->sent = &metrics_.sent->Add({{"url", url}});
    t->failed = &metrics_.failed->Add({{"url", url}});
    t->lag = &metrics_.delivery_lag->Add({{"url", url}});
    targets_.push_back(std::move(t));
  }
}

Notifier::~Notifier() { Stop(); }

void Notifier::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void Notifier::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status Notifier::Attach(Partition p, std::shared_ptr<state::PartitionStore> store) {
  std::map<std::string, Tracked> firing;
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
        if (r.state() == v1::ALERT_STATE_FIRING)
          firing[r.id()] = Tracked{p, r.alert(), r.fired_at_us(), 0, std::nullopt, 0};
        return true;
      }));
  CW_RETURN_IF_ERROR(decode);
  for (auto& [id, t] : firing) {
    auto ack = store->Get(state::Family::kAcks, state::AckKey(id));
    if (!ack.ok()) return ack.status();
    if (ack->has_value()) {
      v1::AckRecord r;
      if (r.ParseFromString(**ack)) t.ack = r;
    }
    auto notified = store->Get(state::Family::kAcks, state::NotifiedKey(id));
    if (!notified.ok()) return notified.status();
    if (notified->has_value()) t.notified_at = state::DecodeInt64(**notified).value_or(0);
  }
  std::vector<Pending> pending;
  std::vector<std::string> orphans;  // entries of URLs no longer configured
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
  for (auto& item : pending) {
    auto it = std::find_if(targets_.begin(), targets_.end(), [&](const auto& t) {
      return t->hash == UrlHash(item.entry.url()) && t->url == item.entry.url();
    });
    if (it == targets_.end()) {
      orphans.push_back(item.key);
      continue;
    }
    (*it)->pending.push_back(std::move(item));
  }
  if (!orphans.empty()) {
    spdlog::warn(
        "partition {}: {} undelivered notifications for Alertmanager URLs no longer "
        "configured are dropped (their alerts are re-sent to the current URLs)",
        p.value(), orphans.size());
    state::StoreBatch batch = store->NewBatch();
    for (const auto& k : orphans) batch.Delete(state::Family::kNotify, k);
    CW_RETURN_IF_ERROR(store->Write(batch));
  }
  cv_.notify_all();
  return Status::Ok();
}

void Notifier::Detach(Partition p) {
  std::lock_guard lock(mu_);
  stores_.erase(p.value());
  for (auto it = firing_.begin(); it != firing_.end();) {
    it = it->second.partition == p ? firing_.erase(it) : std::next(it);
  }
  for (auto& t : targets_) {
    t->pending.erase(std::remove_if(t->pending.begin(), t->pending.end(),
                                    [&](const Pending& e) { return e.partition == p; }),
                     t->pending.end());
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
        t.fired_at_us = s.entry.fired_at_us();
      } else {
        firing_.erase(a.id());
      }
      for (auto& target : targets_) {
        if (target->url == s.entry.url()) {
          target->pending.push_back({p, std::move(s.key), std::move(s.entry)});
          break;
        }
      }
    }
  }
  cv_.notify_all();
}

void Notifier::Acknowledged(const v1::AckRecord& ack) {
  metrics_.acks->Increment();
  std::lock_guard lock(mu_);
  auto it = firing_.find(ack.alert_id());
  if (it != firing_.end()) it->second.ack = ack;
  cv_.notify_all();
}

UnixMicros Notifier::EscalatedAt(const std::string& alert_id) const {
  std::lock_guard lock(mu_);
  auto it = firing_.find(alert_id);
  return it == firing_.end() ? 0 : it->second.escalated_at;
}

UnixMicros Notifier::NotifiedAt(const std::string& alert_id) const {
  std::lock_guard lock(mu_);
  auto it = firing_.find(alert_id);
  return it == firing_.end() ? 0 : it->second.notified_at;
}

bool Notifier::EscalationDue(const Tracked& t, UnixMicros now) const {
  return t.alert.severity() == "critical" && !t.ack && t.notified_at > 0 &&
         now >= t.notified_at + options_.ack_timeout_us;
}

void Notifier::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    UnixMicros now = clock_->Now();
    for (auto& t : targets_) {
      if (stop_) break;
      Service(*t, now, lock);
    }
    if (now >= next_prune_ && !stores_.empty()) PruneHistory(now, lock);
    UpdateGauges(clock_->Now());
    cv_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void Notifier::Service(Target& target, UnixMicros now, std::unique_lock<std::mutex>& lock) {
  if (now < target.next_attempt) return;
  const UnixMicros ends_at = now + 4 * options_.resend_interval_us;
  const bool full = now >= target.next_full_resend;
  std::vector<OutgoingAlert> out;
  std::vector<std::pair<Partition, std::string>> sent_keys;
  std::set<std::string> in_batch;          // alert ids already in `out` as firing
  std::vector<std::string> first_notices;  // firing ids never notified before
  std::vector<std::string> escalating;     // ids whose escalated copy goes out now
  std::vector<std::string> deescalating;   // ids whose escalated copy is resolved now
  std::vector<std::pair<Partition, std::string>> resolved_ids;

  auto add_firing = [&](const v1::Alert& a, const Tracked* t) {
    out.push_back({a, ends_at, false, t && t->ack ? &*t->ack : nullptr});
    in_batch.insert(a.id());
    if (t != nullptr && t->notified_at == 0) first_notices.push_back(a.id());
  };
  for (const Pending& e : target.pending) {
    if (out.size() >= options_.max_alerts_per_request) break;
    const v1::Alert& a = e.entry.alert();
    if (e.entry.has_superseded()) out.push_back({e.entry.superseded(), now, false, nullptr});
    auto it = firing_.find(a.id());
    if (a.state() == v1::ALERT_STATE_FIRING) {
      // The tracked alert is the newest version (a later re-route may have replaced it).
      add_firing(it != firing_.end() ? it->second.alert : a,
                 it != firing_.end() ? &it->second : nullptr);
    } else {
      UnixMicros at = std::min(now, ResolvedAt(a));
      out.push_back({a, at, false, nullptr});
      if (a.severity() == "critical") out.push_back({a, at, true, nullptr});
      resolved_ids.emplace_back(e.partition, a.id());
    }
    sent_keys.emplace_back(e.partition, e.key);
  }
  for (auto& [id, t] : firing_) {
    if (out.size() >= options_.max_alerts_per_request) break;
    if (full && !in_batch.count(id)) add_firing(t.alert, &t);
    bool has_copy = target.escalated_sent.count(id) > 0;
    if (EscalationDue(t, now) && (full || !has_copy)) {
      out.push_back({t.alert, ends_at, true, nullptr});
      escalating.push_back(id);
    } else if (t.ack && has_copy) {
      out.push_back({t.alert, now, true, &*t.ack});
      deescalating.push_back(id);
    }
  }
  if (out.empty()) {
    if (full) target.next_full_resend = now + options_.resend_interval_us;
    return;
  }
  std::string body = RenderPostableAlerts(out, {options_.dashboard_url, options_.language});
  const size_t count = out.size();
  lock.unlock();
  Status posted = target.client->Post(body);
  lock.lock();
  if (!posted.ok()) {
    target.failed->Increment(static_cast<double>(count));
    target.backoff = std::min(target.backoff == 0 ? kInitialBackoffUs : target.backoff * 2,
                              options_.max_backoff_us);
    target.next_attempt = clock_->Now() + target.backoff;
    spdlog::warn("{} (retrying in {} s; {} notifications waiting)", posted.message(),
                 target.backoff / kMicrosPerSecond, target.pending.size());
    return;
  }
  target.sent->Increment(static_cast<double>(count));
  target.backoff = 0;
  target.next_attempt = 0;
  if (full) target.next_full_resend = now + options_.resend_interval_us;

  // Persist what was delivered: entries to delete, first-notification times to remember.
  std::map<int32_t, state::StoreBatch> batches;
  auto batch_of = [&](Partition p) -> state::StoreBatch* {
    auto store = stores_.find(p.value());
    if (store == stores_.end()) return nullptr;  // detached meanwhile: stays for its next owner
    auto [it, fresh] = batches.try_emplace(p.value(), store->second->NewBatch());
    return &it->second;
  };
  std::set<std::string> delivered(  // keys, to drop from the queue
      [&] {
        std::set<std::string> keys;
        for (const auto& [p, k] : sent_keys) keys.insert(k);
        return keys;
      }());
  for (const auto& [p, key] : sent_keys) {
    if (auto* b = batch_of(p)) b->Delete(state::Family::kNotify, key);
  }
  for (const auto& [p, id] : resolved_ids) {
    if (auto* b = batch_of(p)) b->Delete(state::Family::kAcks, state::NotifiedKey(id));
    target.escalated_sent.erase(id);
  }
  for (const auto& id : first_notices) {
    auto it = firing_.find(id);
    if (it == firing_.end() || it->second.notified_at != 0) continue;
    it->second.notified_at = now;
    if (auto* b = batch_of(it->second.partition))
      b->Put(state::Family::kAcks, state::NotifiedKey(id), state::EncodeInt64(now));
  }
  for (const auto& id : escalating) {
    auto it = firing_.find(id);
    if (it != firing_.end() && it->second.escalated_at == 0) {
      it->second.escalated_at = now;
      metrics_.escalations->Increment();
      spdlog::info("alert {} ({} on {}) escalated: not acknowledged within {} s", id,
                   it->second.alert.rule(), it->second.alert.account_id(),
                   options_.ack_timeout_us / kMicrosPerSecond);
    }
    target.escalated_sent.insert(id);
  }
  for (const auto& id : deescalating) target.escalated_sent.erase(id);
  for (auto& [p, batch] : batches) {
    Status s = stores_.at(p)->Write(batch);
    if (!s.ok()) spdlog::warn("partition {}: cannot record delivery: {}", p, s.message());
  }
  target.pending.erase(std::remove_if(target.pending.begin(), target.pending.end(),
                                      [&](const Pending& e) { return delivered.count(e.key); }),
                       target.pending.end());
}

void Notifier::PruneHistory(UnixMicros now, std::unique_lock<std::mutex>& lock) {
  next_prune_ = now + kPruneEveryUs;
  const UnixMicros horizon = now - options_.history_retention_us;
  // Under the lock: a store must not outlive its Detach (the partition may reopen at once).
  (void)lock;
  double pruned = 0;
  for (const auto& [p, store] : stores_) {
    state::StoreBatch batch = store->NewBatch();
    size_t n = 0;
    store
        ->ScanAll(state::Family::kHistory,
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
        ->ScanAll(state::Family::kAcks,
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
    if (store->Write(batch).ok()) pruned += static_cast<double>(n);
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
