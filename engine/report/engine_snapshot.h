// EngineSnapshot: what a monthly review is built from, read from a running engine's HTTP API
// (the same API the dashboard uses), so `churnwatch report` needs no access to the engine's
// state directory and never competes with it for the store.
//
// One snapshot is: every account of GET /api/v1/accounts (all pages, id order), each with its
// detail (GET /api/v1/accounts/{id}: profile, orders) and its alert history
// (GET /api/v1/accounts/{id}/alerts, up to 5000 rows), and GET /api/v1/alerts (every state,
// with acknowledgement and escalation). Requests are sequential on one connection.
//
// Thread-safety: FetchEngineSnapshot is reentrant; a snapshot is a plain value.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace churnwatch::report {

struct EngineEndpoint {
  std::string host;
  int port = 0;
  std::string token;  // sent as "Authorization: Bearer" when not empty (http.token_for_reads)
  std::string url;    // as given, for messages and the report's `source`
};

// "http://HOST:PORT" (a trailing "/" allowed). InvalidArgument naming the URL otherwise (other
// schemes, a path, a port outside 1..65535).
Result<EngineEndpoint> ParseEngineUrl(const std::string& url);

struct EngineSnapshot {
  struct Account {
    nlohmann::json row;      // the /api/v1/accounts entry (name, tier, owner, firing_signals...)
    nlohmann::json detail;   // /api/v1/accounts/{id}: profile, orders.quarters, health
    nlohmann::json history;  // /api/v1/accounts/{id}/alerts: history (oldest first), truncated
  };
  std::vector<Account> accounts;  // in account id order
  nlohmann::json alerts;          // /api/v1/alerts "alerts" (every state)
  std::string as_of;              // the engine's clock when the list was taken (RFC 3339)
  std::string source;             // the engine URL
};

// Unavailable "cannot reach URL (path): reason" when the engine does not answer, or "URL path:
// HTTP 503 reason" (the engine's error text) for a 5xx; FailedPrecondition the same for a 4xx
// (401: the token is missing or wrong); Corruption when an answer is not the JSON the API
// documents.
Result<EngineSnapshot> FetchEngineSnapshot(const EngineEndpoint& endpoint);

}  // namespace churnwatch::report
