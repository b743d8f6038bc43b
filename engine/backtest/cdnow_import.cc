#include "backtest/cdnow_import.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>
#include <vector>

#include "common/calendar.h"

namespace churnwatch::backtest {
namespace {

std::vector<std::string> Columns(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> cols;
  std::string c;
  while (in >> c) cols.push_back(c);
  return cols;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// YYYYMMDD → "YYYY-MM-DDT00:00:00Z", or an empty string when it is not a real date.
std::string DateToRfc3339(const std::string& s) {
  if (s.size() != 8 || !AllDigits(s)) return "";
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(4, 2)), d = std::stoi(s.substr(6, 2));
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) return "";
  DayKey key = y * 10000 + m * 100 + d;
  // A day that does not exist (Feb 30) comes back different from the day number round trip.
  if (Calendar::DayFromNumber(Calendar::DayNumber(key)) != key) return "";
  return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T00:00:00Z";
}

// "12.5" / "12.50" / "12" → cents; -1 when not a non-negative number with <= 2 decimals.
int64_t DollarsToCents(const std::string& s) {
  auto dot = s.find('.');
  std::string whole = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (!AllDigits(whole) || frac.size() > 2 || (!frac.empty() && !AllDigits(frac)) ||
      (dot != std::string::npos && frac.empty()) || whole.size() > 12)
    return -1;
  while (frac.size() < 2) frac += '0';
  return std::stoll(whole) * 100 + std::stoll(frac);
}

}  // namespace

Result<ImportStats> ImportCdnow(std::istream& in, const std::string& source, std::ostream& out) {
  ImportStats stats;
  std::unordered_set<std::string> customers;
  std::vector<std::pair<std::string, std::string>> rows;  // occurred_at, event
  size_t expected_cols = 0;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto cols = Columns(line);
    if (cols.empty()) continue;
    auto where = [&] { return source + ":" + std::to_string(line_no) + ": "; };
    // The master file's header line: a first row whose first column is not a number.
    if (expected_cols == 0 && stats.rows == 0 && !AllDigits(cols[0]) && cols[0] == "customer_id")
      continue;
    if (expected_cols == 0) {
      if (cols.size() != 4 && cols.size() != 5)
        return InvalidArgument(where() +
                               "expected 4 columns (master layout: customer_id date "
                               "number_of_cds dollar_value) or 5 (sample layout), found " +
                               std::to_string(cols.size()));
      expected_cols = cols.size();
      stats.layout = expected_cols == 4 ? "master" : "sample";
    }
    if (cols.size() != expected_cols)
      return InvalidArgument(where() + "expected " + std::to_string(expected_cols) + " columns (" +
                             stats.layout + " layout), found " + std::to_string(cols.size()));
    size_t i = expected_cols == 5 ? 2 : 1;  // index of the date column
    const std::string& customer = cols[0];
    if (!AllDigits(customer) || customer.size() > 32)
      return InvalidArgument(where() + "customer id '" + customer + "' is not a number");
    if (expected_cols == 5 && !AllDigits(cols[1]))
      return InvalidArgument(where() + "sample customer id '" + cols[1] + "' is not a number");
    std::string at = DateToRfc3339(cols[i]);
    if (at.empty())
      return InvalidArgument(where() + "date '" + cols[i] + "' is not a valid YYYYMMDD date");
    const std::string& cds = cols[i + 1];
    if (!AllDigits(cds) || cds.size() > 9)
      return InvalidArgument(where() + "number_of_cds '" + cds + "' is not a non-negative integer");
    int64_t cents = DollarsToCents(cols[i + 2]);
    if (cents < 0)
      return InvalidArgument(where() + "dollar_value '" + cols[i + 2] +
                             "' is not a non-negative amount with at most two decimals");
    std::string id = "cdnow-" + customer + "-" + std::to_string(line_no);
    nlohmann::ordered_json j;
    j["event_id"] = id;
    j["account_id"] = customer;
    j["occurred_at"] = at;
    j["order_id"] = id;
    j["product_line"] = "CD";
    j["quantity"] = std::stoll(cds);
    j["amount_minor"] = cents;
    j["currency"] = "USD";
    j["status"] = "PLACED";
    rows.push_back({at, j.dump()});
    ++stats.rows;
    customers.insert(customer);
  }
  if (in.bad()) return IoError("cannot read " + source);
  if (stats.rows == 0) return InvalidArgument(source + ": no purchase rows");
  // The files are ordered by customer; a history is ordered by time (stable: same-day rows
  // keep their file order).
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [at, event] : rows) out << event << '\n';
  stats.customers = static_cast<int64_t>(customers.size());
  return stats;
}

}  // namespace churnwatch::backtest
