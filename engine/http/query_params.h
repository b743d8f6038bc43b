// Query parameters of the alert routes, parsed apart from the handlers so they can be tested and
// fuzzed without a server (tests/fuzz/http_query.cc). GET /api/v1/accounts has its own parser,
// ParseAccountListQuery (account_list.h).
//
// Every function is pure and never throws: a value it cannot use is an InvalidArgument whose
// message the route sends as the 400 body.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace churnwatch::http {

// Decoded query parameters, in httplib's representation (httplib::Params is this type).
using QueryParams = std::multimap<std::string, std::string>;

// Default and bounds of `limit` on GET /api/v1/accounts/{id}/alerts.
inline constexpr size_t kDefaultHistoryLimit = 1000;
inline constexpr size_t kMaxHistoryLimit = 5000;

// GET /api/v1/accounts/{id}/alerts: `limit` (1..kMaxHistoryLimit, default
// kDefaultHistoryLimit). InvalidArgument for a limit that is not such a decimal number, or any
// other parameter.
Result<size_t> ParseHistoryLimit(const QueryParams& params);

// GET /api/v1/alerts: checks that every parameter is one of the filters (state, severity, tier,
// owner, signal, rule, account_id) and returns `state` upper-cased ("" when absent; else
// FIRING, PENDING or RESOLVED). InvalidArgument names an unknown filter or state.
Result<std::string> ParseAlertListState(const QueryParams& params);

// GET /api/v1/alerts/stream: a sequence number given as Last-Event-ID or ?after= — at most 19
// decimal digits, so it always fits a uint64_t. Nullopt for anything else (also "").
std::optional<uint64_t> ParseEventSeq(std::string_view text);

}  // namespace churnwatch::http
