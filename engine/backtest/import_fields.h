// Field parsing and event writing shared by the importers (`import cdnow`, `import csv`): the
// same rules for dates, amounts and the order events they become.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace churnwatch::backtest {

bool AllDigits(const std::string& s);

// "19970101" or "1997-01-01" → "1997-01-01T00:00:00Z"; an RFC 3339 instant is returned in
// its UTC form. An empty string when the text is none of these or not a real date.
std::string DateToRfc3339(const std::string& text);

// "12.5" / "12.50" / "12" → 1250, "1,250.00" → 125000 (thousands separators in groups of 3); -1
// when not a non-negative number with at most two decimals (or absurdly large). With
// `round_to_cents`, more decimals are accepted and rounded half up ("163.625" → 16363), for
// exports that compute amounts (price × quantity × (1 − discount)).
int64_t DecimalToCents(const std::string& text, bool round_to_cents = false);

// One order event of the contract's orders topic, as a JSON line (no newline).
struct OrderFields {
  std::string event_id, account_id, occurred_at, order_id, product_line, currency,
      status = "PLACED";
  int64_t quantity = 0;
  int64_t amount_minor = 0;
};
std::string OrderEventJson(const OrderFields& order);

// Writes (occurred_at, event line) pairs in time order, stable: a history is ordered by time,
// exports usually by customer or id.
void WriteInTimeOrder(std::vector<std::pair<std::string, std::string>> rows, std::ostream& out);

}  // namespace churnwatch::backtest
