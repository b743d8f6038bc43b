#include "backtest/csv_import.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

#include "backtest/import_fields.h"

namespace churnwatch::backtest {
namespace {

// One CSV record's fields (RFC 4180 quoting, within one line).
std::vector<std::string> SplitFields(const std::string& line, char delimiter) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  for (auto& f : out) {
    size_t a = f.find_first_not_of(' '), b = f.find_last_not_of(' ');
    f = a == std::string::npos ? "" : f.substr(a, b - a + 1);
  }
  return out;
}

}  // namespace

Result<ImportStats> ImportCsv(std::istream& in, const std::string& source, const CsvMapping& map,
                              std::ostream& out) {
  if (map.account.empty() || map.date.empty())
    return InvalidArgument("the account and date columns are required");
  struct Field {
    const char* name;
    const std::string* column;
    int index = -1;
  };
  std::vector<Field> fields = {{"account", &map.account},
                               {"date", &map.date},
                               {"quantity", &map.quantity},
                               {"amount", &map.amount},
                               {"product line", &map.product_line},
                               {"order id", &map.order_id},
                               {"status", &map.status}};
  auto col = [&](int f) { return fields[f].index; };
  ImportStats stats;
  stats.layout = "csv";
  std::unordered_set<std::string> customers;
  std::vector<std::pair<std::string, std::string>> rows;
  std::string line;
  int64_t line_no = 0;
  bool resolved = false;
  auto resolve = [&](const std::vector<std::string>* header) -> Status {
    for (auto& f : fields) {
      if (f.column->empty()) continue;
      if (AllDigits(*f.column)) {
        f.index = std::stoi(*f.column) - 1;
        if (f.index < 0)
          return InvalidArgument("column numbers start at 1 (" + std::string(f.name) + ")");
        continue;
      }
      if (header == nullptr)
        return InvalidArgument(std::string(f.name) + " column '" + *f.column +
                               "' is a name, but the file has no header: use its number");
      auto it = std::find(header->begin(), header->end(), *f.column);
      if (it == header->end())
        return InvalidArgument(source + ":1: no column '" + *f.column + "' (" + f.name +
                               ") in the header");
      f.index = static_cast<int>(it - header->begin());
    }
    resolved = true;
    return Status::Ok();
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    // Fields end up in JSON strings, whose writer throws on bytes that are not UTF-8: an
    // export in another encoding aborted the import (found by fuzzing; regression case in
    // tests/fuzz/regressions/csv_import/).
    if (!simdjson::validate_utf8(line.data(), line.size()))
      return InvalidArgument(source + ":" + std::to_string(line_no) +
                             ": not UTF-8 (convert the export, e.g. iconv -f GBK -t UTF-8)");
    auto cells = SplitFields(line, map.delimiter);
    if (!resolved) {
      CW_RETURN_IF_ERROR(resolve(map.header ? &cells : nullptr));
      if (map.header) continue;
    }
    auto where = [&] { return source + ":" + std::to_string(line_no) + ": "; };
    int needed = 0;
    for (const auto& f : fields) needed = std::max(needed, f.index + 1);
    if (static_cast<int>(cells.size()) < needed)
      return InvalidArgument(where() + "expected at least " + std::to_string(needed) +
                             " fields, found " + std::to_string(cells.size()));
    auto get = [&](int f) { return col(f) < 0 ? std::string() : cells[col(f)]; };
    OrderFields o;
    o.account_id = get(0);
    if (o.account_id.empty()) return InvalidArgument(where() + "account is empty");
    o.occurred_at = DateToRfc3339(get(1));
    if (o.occurred_at.empty())
      return InvalidArgument(where() + "date '" + get(1) +
                             "' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant");
    std::string qty = get(2);
    if (qty.empty()) qty = "1";
    if (!AllDigits(qty) || qty.size() > 9)
      return InvalidArgument(where() + "quantity '" + qty + "' is not a non-negative integer");
    o.quantity = std::stoll(qty);
    std::string amount = get(3);
    o.amount_minor = amount.empty() ? 0 : DecimalToCents(amount);
    if (o.amount_minor < 0)
      return InvalidArgument(where() + "amount '" + amount +
                             "' is not a non-negative amount with at most two decimals");
    o.product_line = get(4).empty() ? map.default_product_line : get(4);
    o.event_id = "csv-" + std::to_string(line_no);
    o.order_id = get(5).empty() ? o.event_id : get(5);
    std::string status = get(6);
    std::transform(status.begin(), status.end(), status.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    if (status.empty()) status = "PLACED";
    if (status != "PLACED" && status != "CANCELLED" && status != "RETURNED")
      return InvalidArgument(where() + "status '" + get(6) +
                             "' is not PLACED, CANCELLED or RETURNED");
    o.status = status;
    o.currency = map.currency;
    rows.push_back({o.occurred_at, OrderEventJson(o)});
    customers.insert(o.account_id);
    ++stats.rows;
  }
  if (in.bad()) return IoError("cannot read " + source);
  if (stats.rows == 0) return InvalidArgument(source + ": no order rows");
  stats.customers = static_cast<int64_t>(customers.size());
  WriteInTimeOrder(std::move(rows), out);
  return stats;
}

}  // namespace churnwatch::backtest
