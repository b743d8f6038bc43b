// AccountList: GET /api/v1/accounts — the accounts this instance owns, filtered, sorted and
// paged for the operations view (engine/http/openapi.yaml describes the parameters).
//
// Each entry carries what the at-risk list shows: name, tier, owner, region, health and its
// components, firing signals, worst severity, since (earliest firing alert's start) and the
// order quantity of the last four complete calendar quarters, and churn_risk {probability,
// drivers} when a risk model is loaded (null otherwise), and the customer pyramid's rfm,
// strategic_fit and suggested_tier (portfolio_pyramid.h). The body also has `counts` per
// worst severity (over the accounts matching every filter except `severity`), `facets` (the
// tiers, owners, regions present, unfiltered) and `total` (accounts matching every filter).
//
// Paging: `next` is an opaque cursor (an offset into the sorted result); ties are broken by
// account id, so pages of an unchanged store never repeat or skip an account.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace churnwatch::ingest {
class Engine;
}

namespace churnwatch::http {

struct AccountListQuery {
  std::string tier, owner, region, signal, severity, q;  // "" = no filter
  std::string firing;                                    // "", "true" or "false"
  std::string segment;          // "", high, medium, low: the pyramid's value segment
  std::string suggested_tier;   // "" or a tier name: the pyramid's suggested tier
  std::string sort = "health";  // health | severity | name | id | since | risk
  bool descending = false;      // order=desc
  size_t limit = 50;            // 1..500
  size_t offset = 0;            // from cursor
};

// Longest accepted value of any parameter, in bytes.
inline constexpr size_t kMaxParamBytes = 128;

// InvalidArgument naming the parameter: unknown or repeated parameter, a value longer than
// kMaxParamBytes or not UTF-8, an unknown sort/order/severity/firing/segment/suggested_tier,
// limit outside 1..500,
// a cursor this server did not issue.
Result<AccountListQuery> ParseAccountListQuery(
    const std::multimap<std::string, std::string>& params);

// The response body; an error Status when a store read fails.
Result<nlohmann::json> ListAccounts(const ingest::Engine& engine, const AccountListQuery& query);

}  // namespace churnwatch::http
