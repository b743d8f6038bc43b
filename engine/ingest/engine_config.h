// EngineConfig: everything `churnwatch run` can be told. Built from defaults, then the YAML
// config file, then CHURNWATCH_* environment variables, then flags (cli/config_loader.h), and
// validated once by Validate(). Nothing here reloads at run time unless it says so.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "events/event.h"
#include "events/event_validator.h"
#include "ingest/partition_task.h"
#include "kafka/group_consumer.h"
#include "notify/notifier.h"
#include "state/partition_store.h"

namespace churnwatch::ingest {

struct InputTopic {
  std::string name;                             // Kafka topic name
  PayloadFormat format = PayloadFormat::kAuto;  // json, proto or auto (sniffed per message)
};

struct EngineConfig {
  // Kafka bootstrap servers. Required (no default).
  std::string bootstrap;
  // Consumer group id; instances with the same id share the partitions. Default "churnwatch".
  std::string group = "churnwatch";
  // Where partition stores live: <state_dir>/partition-<p>. Default "./churnwatch-state".
  std::string state_dir = "./churnwatch-state";
  // HTTP listen address. Default 127.0.0.1:8080; port 0 picks a free port. An address other
  // hosts can reach (not 127.x, localhost, [::1]) is refused without http_token.
  std::string http = "127.0.0.1:8080";
  // Bearer token for the HTTP API: required for writes (acknowledge), which are refused while
  // it is empty; for reads too when http_token_for_reads. At least 16 characters.
  std::string http_token;
  bool http_token_for_reads = false;
  // Input topics by schema, in EventKind order: orders, service, contacts, accounts.
  std::array<InputTopic, kEventKindCount> inputs = {InputTopic{"orders"}, InputTopic{"service"},
                                                    InputTopic{"contacts"}, InputTopic{"accounts"}};
  // Dead-letter topic. Default "deadletter".
  std::string deadletter_topic = "deadletter";
  // Dead letters keep at most this many payload bytes. Default 64 KiB.
  size_t deadletter_max_payload_bytes = 64 << 10;
  // Calendar zone for months and quarters. Default Asia/Shanghai.
  std::string time_zone = "Asia/Shanghai";
  // librdkafka properties for every client (TLS, SASL, session.timeout.ms, ...).
  std::map<std::string, std::string> kafka_properties;
  // Test-only faults injected into the consumer (kafka/group_consumer.h). Default none.
  kafka::ConsumerFaults consumer_faults;
  // Event validation limits (events/event_validator.h).
  ValidationLimits limits;
  // State store tuning (state/partition_store.h).
  state::StoreOptions store;
  // Shared RocksDB block cache and memtable budget. Defaults 256 MiB each.
  size_t block_cache_bytes = 256 << 20;
  size_t write_buffer_budget_bytes = 256 << 20;
  // At most this many messages per consumed batch (and store batch per partition). Default 5000.
  size_t max_batch_messages = 5000;
  // Messages buffered per input partition ahead of processing (the event-time ordering picks
  // among them). Default 1000.
  size_t queue_messages = 1000;
  // How long one poll waits for the first message. Default 100 ms.
  int poll_timeout_ms = 100;
  // How long to wait for broker metadata at start. Default 15000 ms.
  int metadata_timeout_ms = 15000;
  // How long to wait for dead letters to be acknowledged before giving up. Default 30000 ms.
  int deadletter_flush_timeout_ms = 30000;

  // Rule files: a file or a directory of *.yaml. Default "rules" (the shipped ruleset when run
  // from the source tree). Reloaded on SIGHUP and when a file changes.
  std::string rules_path = "rules";
  // True when the path was given explicitly: then a missing path is an error, not a warning.
  bool rules_path_explicit = false;
  // Alerts topic (alert transitions as protobuf). Default "alerts".
  std::string alerts_topic = "alerts";
  // Evaluation points, sweeps, task idling, annotation language, health weights.
  EvaluationOptions evaluation;
  // Let idle, caught-up partitions advance their time with the wall clock, so time-based
  // rules (silence, contact gaps) fire without new events. Default true.
  bool follow_wall_clock = true;
  // Alertmanager delivery, escalation and alert-history retention (notify/notifier.h).
  notify::NotifyOptions notify;

  // InvalidArgument naming the field and the fix.
  Status Validate() const;
};

}  // namespace churnwatch::ingest
