#include "backtest/import_fields.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/calendar.h"

namespace churnwatch::backtest {

bool AllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string DateToRfc3339(const std::string& text) {
  std::string s = text;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-')
    s = s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
  if (s.size() == 8 && AllDigits(s)) {
    int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(4, 2)), d = std::stoi(s.substr(6, 2));
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) return "";
    DayKey key = y * 10000 + m * 100 + d;
    // A day that does not exist (Feb 30) comes back different from the day number round trip.
    if (Calendar::DayFromNumber(Calendar::DayNumber(key)) != key) return "";
    return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T00:00:00Z";
  }
  if (text.size() > 10 && text[10] == 'T') {
    auto t = ParseRfc3339(text);
    if (t.ok()) return FormatRfc3339(*t);
  }
  return "";
}

int64_t DecimalToCents(const std::string& s, bool round_to_cents) {
  auto dot = s.find('.');
  std::string whole = s.substr(0, dot);
  if (whole.find(',') != std::string::npos) {
    // Thousands separators as exports write them ("1,250.00"): groups of three after the first.
    std::string digits;
    size_t start = 0;
    for (size_t comma; (comma = whole.find(',', start)) != std::string::npos; start = comma + 1) {
      std::string group = whole.substr(start, comma - start);
      if (!AllDigits(group) || group.size() > 3 || (start > 0 && group.size() != 3)) return -1;
      digits += group;
    }
    std::string last = whole.substr(start);
    if (last.size() != 3 || !AllDigits(last)) return -1;
    whole = digits + last;
  }
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  bool round_up = false;
  if (round_to_cents && frac.size() > 2 && frac.size() <= 12 && AllDigits(frac)) {
    round_up = frac[2] >= '5';
    frac.resize(2);
  }
  if (!AllDigits(whole) || frac.size() > 2 || (!frac.empty() && !AllDigits(frac)) ||
      (dot != std::string::npos && frac.empty()) || whole.size() > 12)
    return -1;
  while (frac.size() < 2) frac += '0';
  return std::stoll(whole) * 100 + std::stoll(frac) + (round_up ? 1 : 0);
}

std::string OrderEventJson(const OrderFields& o) {
  nlohmann::ordered_json j;
  j["event_id"] = o.event_id;
  j["account_id"] = o.account_id;
  j["occurred_at"] = o.occurred_at;
  j["order_id"] = o.order_id;
  j["product_line"] = o.product_line;
  j["quantity"] = o.quantity;
  j["amount_minor"] = o.amount_minor;
  j["currency"] = o.currency;
  j["status"] = o.status;
  return j.dump();
}

void WriteInTimeOrder(std::vector<std::pair<std::string, std::string>> rows, std::ostream& out) {
  // RFC 3339 UTC texts of one format order like their instants; FormatRfc3339 adds fractions
  // only when non-zero, so compare the parsed instants to be safe.
  std::vector<std::pair<UnixMicros, size_t>> keys;
  keys.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    auto t = ParseRfc3339(rows[i].first);
    keys.push_back({t.ok() ? *t : 0, i});
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t, i] : keys) out << rows[i].second << '\n';
}

}  // namespace churnwatch::backtest
