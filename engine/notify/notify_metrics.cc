#include "notify/notify_metrics.h"

namespace churnwatch::notify {

NotifyMetrics::NotifyMetrics(prometheus::Registry& registry)
    : queued(&prometheus::BuildGauge()
                  .Name("churnwatch_alertmanager_notifications_queued")
                  .Help("Alert notifications waiting to be accepted by an Alertmanager URL")
                  .Register(registry)),
      sent(&prometheus::BuildCounter()
                .Name("churnwatch_alertmanager_notifications_sent_total")
                .Help("Alerts accepted by an Alertmanager URL")
                .Register(registry)),
      failed(&prometheus::BuildCounter()
                  .Name("churnwatch_alertmanager_notifications_failed_total")
                  .Help("Alerts in POSTs to an Alertmanager URL that failed (retried)")
                  .Register(registry)),
      dropped(&prometheus::BuildCounter()
                   .Name("churnwatch_alertmanager_notifications_dropped_total")
                   .Help("Alerts given up on: rejected by the Alertmanager, or expired resolutions")
                   .Register(registry)),
      delivery_lag(&prometheus::BuildGauge()
                        .Name("churnwatch_alertmanager_delivery_lag_seconds")
                        .Help("Age of the oldest notification waiting for an Alertmanager URL")
                        .Register(registry)),
      escalations(&prometheus::BuildCounter()
                       .Name("churnwatch_alert_escalations_total")
                       .Help("Critical alerts escalated because nobody acknowledged them")
                       .Register(registry)
                       .Add({})),
      plan_escalations(&prometheus::BuildCounter()
                            .Name("churnwatch_alert_plan_escalations_total")
                            .Help("Critical alerts escalated because their repair plan is overdue")
                            .Register(registry)
                            .Add({})),
      acks(&prometheus::BuildCounter()
                .Name("churnwatch_alert_acks_total")
                .Help("Alert acknowledgements recorded")
                .Register(registry)
                .Add({})),
      ack_seconds(&prometheus::BuildHistogram()
                       .Name("churnwatch_alert_ack_seconds")
                       .Help("Seconds from an alert starting to fire to its first acknowledgement")
                       .Register(registry)),
      history_pruned(&prometheus::BuildCounter()
                          .Name("churnwatch_alert_history_pruned_total")
                          .Help("Alert history rows deleted past the retention")
                          .Register(registry)
                          .Add({})) {}

prometheus::Histogram& NotifyMetrics::AckSeconds(const std::string& severity) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      300, 900, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600, 7 * 24 * 3600};
  const bool known = severity == "info" || severity == "warning" || severity == "critical";
  // Family::Add returns the existing series for labels it has seen.
  return ack_seconds->Add({{"severity", known ? severity : "other"}}, kBuckets);
}

}  // namespace churnwatch::notify
