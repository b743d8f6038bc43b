#include "http/query_params.h"

#include <cctype>
#include <charconv>
#include <set>

namespace churnwatch::http {
namespace {

// A decimal number of 1..max_digits digits (no sign, no spaces) within [lo, hi].
std::optional<uint64_t> Decimal(std::string_view v, size_t max_digits, uint64_t lo, uint64_t hi) {
  if (v.empty() || v.size() > max_digits || v.find_first_not_of("0123456789") != v.npos)
    return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) return std::nullopt;
  return n;
}

}  // namespace

Result<size_t> ParseHistoryLimit(const QueryParams& params) {
  size_t limit = kDefaultHistoryLimit;
  for (const auto& [key, value] : params) {
    if (key != "limit") return InvalidArgument("unknown parameter '" + key + "' (limit)");
    auto n = Decimal(value, 4, 1, kMaxHistoryLimit);
    if (!n) return InvalidArgument("limit must be a number from 1 to 5000");
    limit = static_cast<size_t>(*n);
  }
  return limit;
}

Result<std::string> ParseAlertListState(const QueryParams& params) {
  static const std::set<std::string> kFilters = {"state",  "severity", "tier",      "owner",
                                                 "signal", "rule",     "account_id"};
  for (const auto& [key, value] : params) {
    if (!kFilters.count(key))
      return InvalidArgument("unknown filter '" + key +
                             "' (state, severity, tier, owner, signal, rule, account_id)");
  }
  // The first `state` given, as httplib's get_param_value() reads it.
  auto it = params.lower_bound("state");
  std::string state = it == params.end() || it->first != "state" ? "" : it->second;
  for (char& c : state) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!state.empty() && state != "FIRING" && state != "RESOLVED" && state != "PENDING")
    return InvalidArgument("state must be firing, pending or resolved");
  return state;
}

std::optional<uint64_t> ParseEventSeq(std::string_view text) {
  return Decimal(text, 19, 0, UINT64_MAX);
}

}  // namespace churnwatch::http
