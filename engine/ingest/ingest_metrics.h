// IngestMetrics: every metric of the ingest path, built once from the registry so the hot loop
// never looks a metric up by name. Names are part of contract.md; do not rename.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "events/event.h"

namespace churnwatch::ingest {

struct IngestMetrics {
  explicit IngestMetrics(prometheus::Registry& registry);

  // churnwatch_events_consumed_total{topic}: messages read from Kafka, before any check.
  std::array<prometheus::Counter*, kEventKindCount> consumed;
  // churnwatch_events_applied_total{topic}: events whose effect is now in the state store.
  std::array<prometheus::Counter*, kEventKindCount> applied;
  // churnwatch_events_deadlettered_total{reason}: messages sent to the dead-letter topic.
  std::array<prometheus::Counter*, kRejectReasonCount> deadlettered;
  // churnwatch_events_duplicate_total: events ignored because their event_id was seen with the
  // same content (a redelivery, a re-import).
  prometheus::Counter* duplicates;
  // churnwatch_events_duplicate_conflict_total: events ignored because their event_id was seen
  // with other content — a producer reusing ids, data lost unless fixed upstream. Counted
  // apart from churnwatch_events_duplicate_total (never in both) and logged as a warning.
  prometheus::Counter* duplicate_conflicts;
  // churnwatch_batches_total: store batches written (each carries offsets with state).
  prometheus::Counter* batches;
  // churnwatch_apply_latency_seconds: from a consumed batch in hand to its store write done.
  prometheus::Histogram* apply_latency;
  // churnwatch_batch_events: events per store batch.
  prometheus::Histogram* batch_events;
  // churnwatch_assigned_partitions: input partitions (tasks) this instance owns.
  prometheus::Gauge* assigned_partitions;
  // churnwatch_build_info{version}: 1, labelled with the version (set once, not kept here).
  // churnwatch_ready: 1 when /readyz answers 200.
  prometheus::Gauge* ready;
  // churnwatch_store_write_errors_total: failed store writes (each latches the engine).
  prometheus::Counter* store_write_errors;

  // Per-partition families; series are added on assignment and removed on revocation.
  prometheus::Family<prometheus::Gauge>* consumer_lag;                    // {topic,partition}
  prometheus::Family<prometheus::Gauge>* store_size_bytes;                // {partition}
  prometheus::Family<prometheus::Gauge>* store_pending_compaction_bytes;  // {partition}
  prometheus::Family<prometheus::Gauge>* store_keys;                      // {partition}

  // --- Rules and alerts.
  // churnwatch_alerts_firing{rule,signal,severity}: alerts currently firing (this instance).
  prometheus::Family<prometheus::Gauge>* alerts_firing;
  // churnwatch_alert_transitions_total{rule,state}: transitions to FIRING / RESOLVED.
  prometheus::Family<prometheus::Counter>* alert_transitions;
  // churnwatch_rule_evaluation_seconds: one account's features and every rule.
  prometheus::Histogram* rule_evaluation;
  // churnwatch_rule_evaluations_total: account evaluations.
  prometheus::Counter* rule_evaluations;
  // churnwatch_alerts_published_total: transitions acknowledged by the alerts topic.
  prometheus::Counter* alerts_published;
  // churnwatch_rules_loaded: rules in force; churnwatch_rules_reload_success: 1 if the last
  // reload (or the initial load) succeeded; churnwatch_rules_reloads_total{result}.
  prometheus::Gauge* rules_loaded;
  prometheus::Gauge* rules_reload_success;
  prometheus::Family<prometheus::Counter>* rules_reloads;
  // churnwatch_enforced_processing_total: times a task went on without waiting for an input
  // partition that had no data buffered (max_task_idle elapsed).
  prometheus::Counter* enforced_processing;
  // churnwatch_offset_refetches_total: an input partition delivered an offset past the next
  // one (a delivery gap) and was re-read from the next offset (ingest/offset_sequencer.h).
  prometheus::Counter* offset_refetches;
  // churnwatch_offset_holes_total: offset ranges a refetch proved absent on the broker.
  prometheus::Counter* offset_holes;

  // Adds `delta` to the firing count of (rule, signal, severity). Thread-safe.
  void AdjustFiring(const std::string& rule, const std::string& signal, const std::string& severity,
                    int delta);

 private:
  std::mutex firing_mu_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> firing_;
};

}  // namespace churnwatch::ingest
