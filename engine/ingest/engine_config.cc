#include "ingest/engine_config.h"

#include <set>

#include "common/calendar.h"

namespace churnwatch::ingest {
namespace {

// True for 127.x.x.x, localhost and [::1] (any port): only this host can connect.
bool IsLoopbackListen(const std::string& address) {
  std::string host = address.substr(0, address.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "::1";
}

}  // namespace

Status EngineConfig::Validate() const {
  if (bootstrap.empty()) {
    return InvalidArgument(
        "no Kafka bootstrap servers: pass --bootstrap HOST:PORT or set kafka.bootstrap in the "
        "config");
  }
  if (group.empty()) return InvalidArgument("group must not be empty");
  if (state_dir.empty()) return InvalidArgument("state_dir must not be empty");
  std::set<std::string> names;
  for (int i = 0; i < kEventKindCount; ++i) {
    const auto& t = inputs[i];
    if (t.name.empty()) {
      return InvalidArgument(std::string("topics.") + EventKindName(static_cast<EventKind>(i)) +
                             ".name must not be empty");
    }
    if (!names.insert(t.name).second)
      return InvalidArgument("topic '" + t.name + "' is used for two input schemas");
  }
  if (deadletter_topic.empty()) return InvalidArgument("topics.deadletter must not be empty");
  if (names.count(deadletter_topic))
    return InvalidArgument("the dead-letter topic must differ from the input topics");
  auto cal = Calendar::Load(time_zone);
  if (!cal.ok()) return InvalidArgument("time_zone: " + cal.status().message());
  if (max_batch_messages < 1 || max_batch_messages > 1'000'000) {
    return InvalidArgument("max_batch_messages must be 1..1000000");
  }
  if (poll_timeout_ms < 1 || poll_timeout_ms > 60'000)
    return InvalidArgument("poll_timeout_ms must be 1..60000");
  if (limits.max_payload_bytes < 64) return InvalidArgument("events.max_bytes must be at least 64");
  if (store.dedup_window_micros < 0)
    return InvalidArgument("state.dedup_window must not be negative");
  if (evaluation.interval_micros < kMicrosPerSecond)
    return InvalidArgument("evaluation.interval must be at least 1s");
  if (evaluation.sweep_days < 1 || evaluation.sweep_days > 366)
    return InvalidArgument("evaluation.sweep_days must be 1..366");
  if (evaluation.max_task_idle_ms < 0)
    return InvalidArgument("evaluation.max_task_idle must not be negative");
  if (evaluation.alert.language != "zh-CN" && evaluation.alert.language != "en") {
    return InvalidArgument("alerts.language must be zh-CN or en, got '" +
                           evaluation.alert.language + "'");
  }
  if (alerts_topic.empty() || names.count(alerts_topic))
    return InvalidArgument("topics.alerts must be set and differ from the input topics");
  if (!http_token.empty() && http_token.size() < 16)
    return InvalidArgument("http.token must be at least 16 characters (e.g. openssl rand -hex 16)");
  if (http_token_for_reads && http_token.empty())
    return InvalidArgument("http.token_for_reads needs http.token");
  if (http_token.empty() && !IsLoopbackListen(http)) {
    // Reachable from other hosts with no token: anyone there could read every account and, once
    // a token is added carelessly later, the habit of an open port stays. Refuse up front.
    return InvalidArgument("http.listen " + http +
                           " is reachable from other hosts but no API token is set: set "
                           "http.token or http.token_file (or CHURNWATCH_HTTP_TOKEN), or listen on "
                           "127.0.0.1");
  }
  std::set<std::string> urls;
  for (const auto& url : notify.alertmanager_urls) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return InvalidArgument("Alertmanager URL '" + url +
                             "' must start with http:// or https:// (e.g. http://127.0.0.1:9093)");
    }
    // The URL is a metric label and appears in logs: no credentials in it.
    std::string authority = url.substr(url.find("//") + 2);
    authority = authority.substr(0, authority.find('/'));
    if (authority.find('@') != std::string::npos) {
      return InvalidArgument("Alertmanager URL '" + url.substr(0, url.find("//") + 2) +
                             "...' carries credentials; churnwatch does not accept them in URLs "
                             "(they would show in metrics and logs)");
    }
    std::string normal = url;
    while (!normal.empty() && normal.back() == '/') normal.pop_back();
    if (!urls.insert(normal).second)
      return InvalidArgument("Alertmanager URL '" + url + "' is given twice");
  }
  if (notify.resend_interval_us < kMicrosPerSecond)
    return InvalidArgument("alertmanager.resend_interval must be at least 1s");
  if (notify.request_timeout_ms < 100 || notify.request_timeout_ms > 600'000)
    return InvalidArgument("alertmanager.timeout must be 100ms..10m");
  if (notify.max_backoff_us < kMicrosPerSecond)
    return InvalidArgument("alertmanager.max_backoff must be at least 1s");
  if (notify.ack_timeout_us < kMicrosPerSecond)
    return InvalidArgument("alertmanager.ack_timeout must be at least 1s");
  if (notify.history_retention_us < kMicrosPerDay)
    return InvalidArgument("history.retention must be at least 1d");
  if (block_cache_bytes < (1 << 20))
    return InvalidArgument("state.block_cache_bytes must be at least 1 MiB");
  if (write_buffer_budget_bytes < (1 << 20))
    return InvalidArgument("state.write_buffer_budget_bytes must be at least 1 MiB");
  return Status::Ok();
}

}  // namespace churnwatch::ingest
