// Flags shared by `run` and `demo` for delivering and following up alerts: Alertmanager URLs,
// the dashboard link, the acknowledgement timeout and the API token.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "ingest/engine_config.h"

namespace churnwatch::cli {

struct AlertingFlags {
  std::vector<std::string> alertmanager_urls;
  std::string dashboard_url;
  std::string ack_timeout;
  std::string resend_interval;
  std::string http_token_file;
};

void AddAlertingFlags(CLI::App* cmd, AlertingFlags* flags);
// Applies the flags given (they override config and environment). InvalidArgument names the
// flag. CHURNWATCH_HTTP_TOKEN is read here too when the config did not set a token.
Status ApplyAlertingFlags(const AlertingFlags& flags, ingest::EngineConfig* config);

}  // namespace churnwatch::cli
