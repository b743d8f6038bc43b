// Fuzz target http_query: a raw query string (what follows `?` in a request line), decoded as
// cpp-httplib decodes it for the server, then given to every query parser of the API:
// GET /api/v1/accounts (ParseAccountListQuery), /api/v1/accounts/{id}/alerts
// (ParseHistoryLimit), /api/v1/alerts (ParseAlertListState), /api/v1/alerts/stream
// (ParseEventSeq of `after`). Accepted values must lie in their documented ranges.
#include <httplib.h>

#include <string>

#include "fuzz_target.h"
#include "http/account_list.h"
#include "http/query_params.h"

namespace churnwatch::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string query(reinterpret_cast<const char*>(data), size);
  httplib::Params params;
  httplib::detail::parse_query_text(query, params);

  auto list = http::ParseAccountListQuery(params);
  if (list.ok()) {
    Check(list->limit >= 1 && list->limit <= 500, "account list limit out of range");
    Check(list->offset <= 100'000'000, "account list cursor out of range");
  } else {
    Check(!list.status().message().empty(), "an error without a message");
  }
  auto limit = http::ParseHistoryLimit(params);
  if (limit.ok()) Check(*limit >= 1 && *limit <= http::kMaxHistoryLimit, "history limit range");
  auto state = http::ParseAlertListState(params);
  if (state.ok())
    Check(state->empty() || *state == "FIRING" || *state == "PENDING" || *state == "RESOLVED",
          "alert state not one of the three");
  for (const auto& [key, value] : params) {
    if (key != "after") continue;
    auto seq = http::ParseEventSeq(value);
    Check(!seq || std::to_string(*seq) == value.substr(value.find_first_not_of('0') == value.npos
                                                           ? value.size() - 1
                                                           : value.find_first_not_of('0')),
          "event sequence number does not read back");
  }
  return 0;
}

}  // namespace churnwatch::fuzz
