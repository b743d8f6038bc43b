// Notifier: delivers alerts to Alertmanager (API v2) and follows them up — re-sends while
// firing, resolutions, re-routes after an owner change, escalation of unacknowledged critical
// alerts — and prunes alert history past its retention.
//
// Durable delivery. A transition's notifications are written by the partition task into the
// `notify` column family (one entry per Alertmanager URL) in the same batch as the transition
// (Stage), handed over after the write (Committed), and deleted once that URL accepted them.
// A crash loses nothing: Attach() reloads what is left. An unreachable URL is retried with
// exponential backoff (1 s doubling to max_backoff); each URL has its own thread, so a slow or
// dead one does not hold up the other. A URL's queue keeps only each alert's newest entry, and
// drops a resolution older than 4 × resend_interval (by then the Alertmanager resolved the
// alert by itself from its endsAt), so it is bounded by the alerts firing. An alert the
// Alertmanager rejects on its own (4xx) is dropped and counted, not retried forever. Firing
// alerts are re-sent to every URL each resend_interval (in requests of at most
// max_alerts_per_request) with endsAt = now + 4 × resend_interval, as Prometheus does, so an
// Alertmanager that lost its state (or was down) learns them again.
//
// Escalation. A critical alert is escalated when ack_timeout has passed since it first reached
// an Alertmanager (wall clock, kept in the store) and nobody acknowledged it: an extra copy of
// it with label escalated="true" is sent (Alertmanager routes it to directors) while the
// original keeps going to the account manager. The copy is resolved when the alert resolves,
// is acknowledged, is re-routed (it is re-sent under the new labels) or stops being critical.
// When it escalated is kept in the store too.
//
// Repair plans (the 24-hour response). An acknowledgement may carry a plan with a due time; a
// plan past due and not marked done escalates the alert again, the same way (same copy, same
// directors), until it is marked done, re-planned or the alert resolves. The decision is
// escalation_policy.h's.
//
// Thread-safety: Attach/Detach/Stage/Committed on the engine thread; Acknowledged and the
// queries from any thread; delivery on the notifier's own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "churnwatch/v1/state.pb.h"
#include "common/clock.h"
#include "common/ids.h"
#include "notify/escalation_policy.h"
#include "notify/notify_metrics.h"
#include "state/partition_store.h"

namespace churnwatch::notify {

class AlertmanagerClient;

struct NotifyOptions {
  // Alertmanager roots (e.g. http://127.0.0.1:9093); several for an HA pair. Default none.
  std::vector<std::string> alertmanager_urls;
  // Firing alerts are re-sent this often. Default 60 s (Prometheus' resend delay).
  int64_t resend_interval_us = 60 * kMicrosPerSecond;
  // One POST may take this long. Default 10 s.
  int request_timeout_ms = 10000;
  // Retry backoff after a failed POST: starts at 1 s, doubles, at most this. Default 60 s.
  int64_t max_backoff_us = 60 * kMicrosPerSecond;
  // A critical alert unacknowledged this long after its first notification is escalated.
  // Default 24 h (the material asks for a repair plan within 24 hours).
  int64_t ack_timeout_us = 24 * 3600 * kMicrosPerSecond;
  // History rows and acknowledgements older than this are deleted. Default 365 days.
  int64_t history_retention_us = 365 * kMicrosPerDay;
  // Dashboard root for the link in each notification; empty: no link.
  std::string dashboard_url;
  // Language of the evidence words ("zh-CN" or "en"); annotations come rendered already.
  std::string language = "zh-CN";
  // At most this many alerts per POST. Default 500.
  size_t max_alerts_per_request = 500;
};

// Stable id of a URL in store keys (entries of a URL no longer configured are dropped).
uint64_t UrlHash(const std::string& url);

class Notifier {
 public:
  // `registry` and the clocks outlive it. `clock` is the wall clock (endsAt and escalation are
  // real time); `history_clock` decides what the history retention keeps (the engine's clock,
  // like the event times history rows carry).
  Notifier(NotifyOptions options, prometheus::Registry* registry, const Clock* clock,
           const Clock* history_clock = nullptr);
  ~Notifier();

  void Start();
  void Stop();

  // A partition's store was opened: loads its firing alerts, their acknowledgements,
  // notification and escalation times, and its undelivered entries.
  Status Attach(Partition p, std::shared_ptr<state::PartitionStore> store);
  // The partition is about to be closed: forgets it (its undelivered entries stay stored).
  void Detach(Partition p);

  struct Staged {
    std::string key;
    v1::NotificationEntry entry;
  };
  // Writes one entry per URL for `alert` into `batch` (keys from *sequence, which it advances)
  // and appends them to *out for Committed(). `superseded`: the alert as routed before an
  // owner change, or null.
  void Stage(const v1::Alert& alert, const v1::Alert* superseded, int64_t fired_at_us,
             uint64_t* sequence, state::StoreBatch* batch, std::vector<Staged>* out) const;
  // The batch holding `staged` is written: deliver them.
  void Committed(Partition p, std::vector<Staged> staged);

  // An acknowledgement of alert `alert` of partition `p` was stored (a first one, a repeated
  // one, or its plan marked done): stop escalating (and resolve an escalated copy) unless its
  // plan is overdue. `first`: no acknowledgement of the alert existed before — observes the
  // response time (firing to acknowledgement) in churnwatch_alert_ack_seconds.
  void Acknowledged(Partition p, const v1::AckRecord& ack, const v1::Alert& alert, bool first);
  // When the alert was escalated (wall clock), or 0. Only firing alerts are known.
  UnixMicros EscalatedAt(const std::string& alert_id) const;
  // When the alert escalated for an overdue repair plan (wall clock), or 0.
  UnixMicros PlanEscalatedAt(const std::string& alert_id) const;
  // When the alert first reached an Alertmanager (wall clock), or 0.
  UnixMicros NotifiedAt(const std::string& alert_id) const;
  // Entries waiting for `url` (0 for an unknown URL).
  size_t queued(const std::string& url) const;

 private:
  struct Tracked {
    Partition partition;
    v1::Alert alert;
    UnixMicros notified_at = 0;
    UnixMicros escalated_at = 0;
    UnixMicros plan_escalated_at = 0;
  };
  struct Pending {
    Partition partition;
    std::string key;
    v1::NotificationEntry entry;
  };
  struct Target;
  struct Outgoing;

  // Adds `item` to the URL's queue, replacing (and deleting from the store) an older entry of
  // the same alert. Under mu_.
  void Enqueue(Target& target, Pending item);
  void DeleteEntries(const std::vector<std::pair<Partition, std::string>>& keys);
  void TargetLoop(Target* target);
  void HousekeepingLoop();
  void Service(Target& target, UnixMicros now, std::unique_lock<std::mutex>& lock);
  // Posts `items` in requests of at most max_alerts_per_request. Returns how many from the
  // front were accepted (or dropped as rejected); the rest failed with `failure`.
  size_t Deliver(Target& target, const std::vector<Outgoing>& items, Status* failure,
                 std::vector<bool>* rejected);
  void PruneHistory(UnixMicros now);
  // Under mu_.
  EscalationReason EscalationDueNow(const Tracked& t, UnixMicros now) const;
  void UpdateGauges(UnixMicros now);

  const NotifyOptions options_;
  const Clock* clock_;
  const Clock* history_clock_;
  NotifyMetrics metrics_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<int32_t, std::shared_ptr<state::PartitionStore>> stores_;
  std::map<std::string, Tracked> firing_;  // alert id → firing alert of an attached partition
  // Acknowledged alert ids of attached partitions (kept apart from firing_: an ack may come
  // before the engine thread hands over the transition it acknowledges).
  std::map<std::string, std::pair<Partition, v1::AckRecord>> acks_;
  std::vector<std::unique_ptr<Target>> targets_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace churnwatch::notify
