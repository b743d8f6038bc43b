#include "cli/alerting_flags.h"

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "cli/config_loader.h"

namespace churnwatch::cli {

void AddAlertingFlags(CLI::App* cmd, AlertingFlags* f) {
  cmd->add_option("--alertmanager", f->alertmanager_urls,
                  "Alertmanager root URL, e.g. http://127.0.0.1:9093 (repeatable, for an HA pair; "
                  "env CHURNWATCH_ALERTMANAGER=URL,URL)");
  cmd->add_option("--dashboard-url", f->dashboard_url,
                  "Public root of this engine's dashboard, for the account link in notifications");
  cmd->add_option("--ack-timeout", f->ack_timeout,
                  "Escalate a critical alert nobody acknowledged this long after it was "
                  "notified (default 24h)");
  cmd->add_option("--resend-interval", f->resend_interval,
                  "Re-send firing alerts to Alertmanager this often (default 60s)");
  cmd->add_option("--http-token-file", f->http_token_file,
                  "File whose first line is the API bearer token (required for acknowledging; "
                  "env CHURNWATCH_HTTP_TOKEN)");
}

Status ApplyAlertingFlags(const AlertingFlags& f, ingest::EngineConfig* config) {
  if (!f.alertmanager_urls.empty()) config->notify.alertmanager_urls = f.alertmanager_urls;
  if (!f.dashboard_url.empty()) config->notify.dashboard_url = f.dashboard_url;
  auto duration = [](const std::string& flag, const std::string& text, int64_t* out) -> Status {
    if (text.empty()) return Status::Ok();
    auto d = ParseDuration(text);
    if (!d.ok()) return InvalidArgument(flag + ": " + d.status().message());
    *out = *d;
    return Status::Ok();
  };
  CW_RETURN_IF_ERROR(duration("--ack-timeout", f.ack_timeout, &config->notify.ack_timeout_us));
  CW_RETURN_IF_ERROR(
      duration("--resend-interval", f.resend_interval, &config->notify.resend_interval_us));
  if (config->http_token.empty()) {
    if (const char* t = std::getenv("CHURNWATCH_HTTP_TOKEN"); t != nullptr) config->http_token = t;
  }
  if (!f.http_token_file.empty()) {
    std::ifstream in(f.http_token_file);
    if (!in) return InvalidArgument("--http-token-file: cannot read " + f.http_token_file);
    std::getline(in, config->http_token);
    while (!config->http_token.empty() &&
           std::isspace(static_cast<unsigned char>(config->http_token.back())))
      config->http_token.pop_back();
  }
  return Status::Ok();
}

}  // namespace churnwatch::cli
