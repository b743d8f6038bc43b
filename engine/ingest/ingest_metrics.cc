#include "ingest/ingest_metrics.h"

namespace churnwatch::ingest {

IngestMetrics::IngestMetrics(prometheus::Registry& registry) {
  auto& consumed_f = prometheus::BuildCounter()
                         .Name("churnwatch_events_consumed_total")
                         .Help("Messages read from the input topics, before decoding.")
                         .Register(registry);
  auto& applied_f = prometheus::BuildCounter()
                        .Name("churnwatch_events_applied_total")
                        .Help("Events whose effect is in the state store, by input topic schema.")
                        .Register(registry);
  for (int i = 0; i < kEventKindCount; ++i) {
    const char* topic = EventKindName(static_cast<EventKind>(i));
    consumed[i] = &consumed_f.Add({{"topic", topic}});
    applied[i] = &applied_f.Add({{"topic", topic}});
  }
  auto& dl_f = prometheus::BuildCounter()
                   .Name("churnwatch_events_deadlettered_total")
                   .Help("Messages sent to the dead-letter topic, by reason.")
                   .Register(registry);
  for (int i = 0; i < kRejectReasonCount; ++i) {
    deadlettered[i] = &dl_f.Add({{"reason", RejectReasonName(static_cast<RejectReason>(i))}});
  }
  duplicates = &prometheus::BuildCounter()
                    .Name("churnwatch_events_duplicate_total")
                    .Help(
                        "Events ignored because their event_id was already applied with the "
                        "same content.")
                    .Register(registry)
                    .Add({});
  duplicate_conflicts = &prometheus::BuildCounter()
                             .Name("churnwatch_events_duplicate_conflict_total")
                             .Help(
                                 "Events ignored because their event_id was already applied "
                                 "with other content (ids reused upstream: data lost).")
                             .Register(registry)
                             .Add({});
  batches = &prometheus::BuildCounter()
                 .Name("churnwatch_batches_total")
                 .Help("State store batches written; each carries its offsets.")
                 .Register(registry)
                 .Add({});
  apply_latency = &prometheus::BuildHistogram()
                       .Name("churnwatch_apply_latency_seconds")
                       .Help("Time from a consumed batch in hand to its store write completed.")
                       .Register(registry)
                       // Up to a minute: a catch-up over a long history has batches of seconds, and
                       // a quantile in the +Inf bucket says only "more than the last bound".
                       .Add({}, prometheus::Histogram::BucketBoundaries{
                                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                    1, 2.5, 5, 10, 30, 60});
  batch_events = &prometheus::BuildHistogram()
                      .Name("churnwatch_batch_events")
                      .Help("Events per state store batch.")
                      .Register(registry)
                      .Add({}, prometheus::Histogram::BucketBoundaries{1, 10, 50, 100, 500, 1000,
                                                                       2500, 5000, 10000});
  assigned_partitions = &prometheus::BuildGauge()
                             .Name("churnwatch_assigned_partitions")
                             .Help("Input partitions (tasks, stores) owned by this instance.")
                             .Register(registry)
                             .Add({});
  prometheus::BuildGauge()
      .Name("churnwatch_build_info")
      .Help("Always 1; the version label says which churnwatch is running (join on it).")
      .Register(registry)
      .Add({{"version", CHURNWATCH_VERSION}})
      .Set(1);
  ready = &prometheus::BuildGauge()
               .Name("churnwatch_ready")
               .Help("1 when the engine is ready (see /readyz).")
               .Register(registry)
               .Add({});
  store_write_errors = &prometheus::BuildCounter()
                            .Name("churnwatch_store_write_errors_total")
                            .Help("Failed state store writes; the first one stops the engine.")
                            .Register(registry)
                            .Add({});
  consumer_lag = &prometheus::BuildGauge()
                      .Name("churnwatch_consumer_lag")
                      .Help("Messages between the high watermark and the next offset to apply.")
                      .Register(registry);
  store_size_bytes = &prometheus::BuildGauge()
                          .Name("churnwatch_store_size_bytes")
                          .Help("State store size (SST files and memtables) per partition.")
                          .Register(registry);
  store_pending_compaction_bytes =
      &prometheus::BuildGauge()
           .Name("churnwatch_store_pending_compaction_bytes")
           .Help("RocksDB's estimate of bytes compaction still has to rewrite.")
           .Register(registry);
  store_keys = &prometheus::BuildGauge()
                    .Name("churnwatch_store_keys")
                    .Help("RocksDB's estimate of keys per partition store.")
                    .Register(registry);
  alerts_firing = &prometheus::BuildGauge()
                       .Name("churnwatch_alerts_firing")
                       .Help("Alerts currently firing on this instance's partitions.")
                       .Register(registry);
  alert_transitions = &prometheus::BuildCounter()
                           .Name("churnwatch_alert_transitions_total")
                           .Help("Alert transitions to FIRING or RESOLVED.")
                           .Register(registry);
  rule_evaluation =
      &prometheus::BuildHistogram()
           .Name("churnwatch_rule_evaluation_seconds")
           .Help("Time to compute one account's features and evaluate every rule.")
           .Register(registry)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.00001, 0.000025, 0.00005, 0.0001,
                                                            0.00025, 0.0005, 0.001, 0.0025, 0.01});
  rule_evaluations = &prometheus::BuildCounter()
                          .Name("churnwatch_rule_evaluations_total")
                          .Help("Account evaluations (features + every rule).")
                          .Register(registry)
                          .Add({});
  alerts_published = &prometheus::BuildCounter()
                          .Name("churnwatch_alerts_published_total")
                          .Help("Alert transitions acknowledged by the alerts topic.")
                          .Register(registry)
                          .Add({});
  rules_loaded = &prometheus::BuildGauge()
                      .Name("churnwatch_rules_loaded")
                      .Help("Rules in force.")
                      .Register(registry)
                      .Add({});
  rules_reload_success = &prometheus::BuildGauge()
                              .Name("churnwatch_rules_reload_success")
                              .Help("1 if the last rule (re)load succeeded, 0 if it was rejected.")
                              .Register(registry)
                              .Add({});
  rules_reloads = &prometheus::BuildCounter()
                       .Name("churnwatch_rules_reloads_total")
                       .Help("Rule reload attempts by result (ok, rejected).")
                       .Register(registry);
  enforced_processing = &prometheus::BuildCounter()
                             .Name("churnwatch_enforced_processing_total")
                             .Help(
                                 "Times a task processed without waiting for an input partition "
                                 "with no data buffered.")
                             .Register(registry)
                             .Add({});
  offset_refetches = &prometheus::BuildCounter()
                          .Name("churnwatch_offset_refetches_total")
                          .Help(
                              "Times an input partition delivered an offset past the next "
                              "one and was refetched from it (nothing is skipped).")
                          .Register(registry)
                          .Add({});
  offset_holes = &prometheus::BuildCounter()
                      .Name("churnwatch_offset_holes_total")
                      .Help(
                          "Ranges of offsets a refetch showed the broker does not have "
                          "(compaction, transaction markers, retention).")
                      .Register(registry)
                      .Add({});
}

void IngestMetrics::AdjustFiring(const std::string& rule, const std::string& signal,
                                 const std::string& severity, int delta) {
  std::lock_guard lock(firing_mu_);
  int64_t& n = firing_[{rule, signal, severity}];
  n += delta;
  alerts_firing->Add({{"rule", rule}, {"signal", signal}, {"severity", severity}})
      .Set(static_cast<double>(n));
}

}  // namespace churnwatch::ingest
