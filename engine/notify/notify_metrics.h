// NotifyMetrics: the Alertmanager delivery metrics, by URL. Delivery lag is a metric, not an
// outage: /readyz does not depend on any of them.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace churnwatch::notify {

struct NotifyMetrics {
  explicit NotifyMetrics(prometheus::Registry& registry);

  // churnwatch_alertmanager_notifications_queued{url}: entries waiting for that URL.
  prometheus::Family<prometheus::Gauge>* queued;
  // churnwatch_alertmanager_notifications_sent_total{url}: alerts the URL accepted (each
  // transition, re-send, re-route and escalated copy counts once per POST it was in).
  prometheus::Family<prometheus::Counter>* sent;
  // churnwatch_alertmanager_notifications_failed_total{url}: alerts in POSTs that failed
  // (they are retried).
  prometheus::Family<prometheus::Counter>* failed;
  // churnwatch_alertmanager_notifications_dropped_total{url,reason}: alerts given up on —
  // reason "rejected" (the Alertmanager answered 4xx for that alert alone) or "expired" (a
  // resolution older than 4 × resend_interval: the Alertmanager has resolved it by itself).
  prometheus::Family<prometheus::Counter>* dropped;
  // churnwatch_alertmanager_delivery_lag_seconds{url}: age of the oldest waiting entry; 0 when
  // nothing waits.
  prometheus::Family<prometheus::Gauge>* delivery_lag;
  // churnwatch_alert_escalations_total: critical alerts escalated for want of acknowledgement.
  prometheus::Counter* escalations;
  // churnwatch_alert_plan_escalations_total: critical alerts escalated because their repair
  // plan passed its due time without being marked done (once per plan).
  prometheus::Counter* plan_escalations;
  // churnwatch_alert_acks_total: acknowledgements recorded (a repeated one counts again).
  prometheus::Counter* acks;
  // churnwatch_alert_ack_seconds{severity}: time from an alert starting to fire to its first
  // acknowledgement. Labels are bounded: severity is info, warning, critical or "other".
  // Buckets from 5 minutes to a week, with the 24-hour rule (86400) a boundary.
  prometheus::Family<prometheus::Histogram>* ack_seconds;
  // The ack_seconds histogram of `severity` (built on first use; severities are few).
  prometheus::Histogram& AckSeconds(const std::string& severity);
  // churnwatch_alert_history_pruned_total: history rows deleted past retention.
  prometheus::Counter* history_pruned;
};

}  // namespace churnwatch::notify
