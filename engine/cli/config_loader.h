// Config loading for `churnwatch run`: defaults ← YAML file ← CHURNWATCH_* environment ←
// flags. Every problem is reported as InvalidArgument with file:line and what to change.
//
// YAML layout (every key optional; unknown keys are errors, so typos do not pass silently):
//   kafka:     { bootstrap, group, properties: {librdkafka.key: value} }
//   topics:    { orders: {name, format}, service: {...}, contacts: {...}, accounts: {...},
//                deadletter: NAME }
//   state:     { dir, sync_writes, dedup_window, block_cache_mb, write_buffer_budget_mb,
//                write_buffer_mb }
//   http:      { listen, token, token_file, token_for_reads }
//   alertmanager: { urls: [URL, ...], resend_interval, timeout, max_backoff, ack_timeout,
//                   dashboard_url }
//   history:   { retention }
//   time_zone: Asia/Shanghai
//   events:    { max_bytes, max_future, min_time, max_id_bytes, max_text_bytes }
//   ingest:    { max_batch_messages, poll_timeout_ms, deadletter_max_payload_bytes }
//   rules:     { path }
//   evaluation: { interval, sweep_days, max_task_idle_ms, follow_wall_clock }
//   alerts:    { language: zh-CN | en, topic }
//   health:    { weights: { satisfaction, value, risk } }
//   clv:       { params: FILE }   (BG/NBD parameters written by `churnwatch fit`)
//   model:     { path: FILE }     (risk model written by `churnwatch train`: churn_risk)
//   pyramid:   { params: FILE }   (RFM cut points written by `churnwatch pyramid fit`)
// Durations: "500ms", "10s", "15m", "12h", "30d".
// Environment: CHURNWATCH_BOOTSTRAP, CHURNWATCH_GROUP, CHURNWATCH_STATE_DIR, CHURNWATCH_HTTP,
// CHURNWATCH_TIME_ZONE, CHURNWATCH_HTTP_TOKEN, CHURNWATCH_ALERTMANAGER (URLs, comma-separated).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "ingest/engine_config.h"

namespace churnwatch::cli {

// Applies the YAML file at `path` onto *config.
Status ApplyConfigFile(const std::string& path, ingest::EngineConfig* config);
// Parses YAML text (as if read from `source_name`) onto *config.
Status ApplyConfigText(const std::string& text, const std::string& source_name,
                       ingest::EngineConfig* config);
// Applies CHURNWATCH_* variables that are set. InvalidArgument names a malformed one.
// CHURNWATCH_TEST_ASSIGN_DELAY_MS / CHURNWATCH_TEST_DROP_AFTER_ASSIGN inject consumer faults
// (kafka::ConsumerFaults) for the offset-gap tests; never set them in production.
Status ApplyEnvironment(ingest::EngineConfig* config);
// When the rules path was not given and ./rules does not exist, looks for the shipped ruleset
// next to the binary (<bin>/../../rules in a build tree, <bin>/../share/churnwatch/rules when
// installed).
void ResolveDefaultRulesPath(ingest::EngineConfig* config);
// "30d" → microseconds. InvalidArgument for anything else.
Result<int64_t> ParseDuration(std::string_view text);

}  // namespace churnwatch::cli
