#include "backtest/cdnow_import.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <unordered_set>
#include <vector>

#include "backtest/import_fields.h"

namespace churnwatch::backtest {
namespace {

std::vector<std::string> Columns(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> cols;
  std::string c;
  while (in >> c) cols.push_back(c);
  return cols;
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
    std::string at = AllDigits(cols[i]) ? DateToRfc3339(cols[i]) : "";  // YYYYMMDD only
    if (at.empty())
      return InvalidArgument(where() + "date '" + cols[i] + "' is not a valid YYYYMMDD date");
    const std::string& cds = cols[i + 1];
    if (!AllDigits(cds) || cds.size() > 9)
      return InvalidArgument(where() + "number_of_cds '" + cds + "' is not a non-negative integer");
    int64_t cents = DecimalToCents(cols[i + 2]);
    if (cents < 0)
      return InvalidArgument(where() + "dollar_value '" + cols[i + 2] +
                             "' is not a non-negative amount with at most two decimals");
    std::string id = "cdnow-" + customer + "-" + std::to_string(line_no);
    rows.push_back({at, OrderEventJson({id, customer, at, id, "CD", "USD", "PLACED",
                                        std::stoll(cds), cents})});
    ++stats.rows;
    customers.insert(customer);
  }
  if (in.bad()) return IoError("cannot read " + source);
  if (stats.rows == 0) return InvalidArgument(source + ": no purchase rows");
  // The files are ordered by customer; a history is ordered by time.
  WriteInTimeOrder(std::move(rows), out);
  stats.customers = static_cast<int64_t>(customers.size());
  return stats;
}

}  // namespace churnwatch::backtest
