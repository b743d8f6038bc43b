#include "backtest/csv_import.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

#include "backtest/import_fields.h"
#include "common/hash.h"

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

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One row into *o; the reason it is bad, or "". columns[i] is the cell index of field i in
// CsvMapping's order (account, date, quantity, amount, product line, order id, status), -1
// when not mapped.
std::string ParseRow(const std::vector<std::string>& cells, const std::vector<int>& columns,
                     const CsvMapping& map, OrderFields* o) {
  int needed = 0;
  for (int c : columns) needed = std::max(needed, c + 1);
  auto get = [&](int f) { return columns[f] < 0 ? std::string() : cells[columns[f]]; };
  if (static_cast<int>(cells.size()) < needed)
    return "expected at least " + std::to_string(needed) + " fields, found " +
           std::to_string(cells.size());
  o->account_id = get(0);
  if (o->account_id.empty()) return "account is empty";
  o->occurred_at = DateToRfc3339(get(1));
  if (o->occurred_at.empty())
    return "date '" + get(1) + "' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant";
  std::string qty = get(2);
  if (qty.empty()) qty = "1";
  if (!AllDigits(qty) || qty.size() > 9)
    return "quantity '" + qty + "' is not a non-negative integer";
  o->quantity = std::stoll(qty);
  std::string amount = get(3);
  o->amount_minor = amount.empty() ? 0 : DecimalToCents(amount, map.round_amounts);
  if (o->amount_minor < 0) {
    return "amount '" + amount + "' is not a non-negative amount" +
           (map.round_amounts ? std::string()
                              : " with at most two decimals (1250.5, 1,250.50; --round-amounts "
                                "rounds more to cents)");
  }
  o->product_line = get(4).empty() ? map.default_product_line : get(4);
  o->order_id = get(5);
  std::string status = get(6);
  std::transform(status.begin(), status.end(), status.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (status.empty()) status = "PLACED";
  if (status != "PLACED" && status != "CANCELLED" && status != "RETURNED")
    return "status '" + get(6) + "' is not PLACED, CANCELLED or RETURNED";
  o->status = status;
  o->currency = map.currency;
  return "";
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
  ImportStats stats;
  stats.layout = "csv";
  std::unordered_set<std::string> customers;
  struct Row {
    OrderFields order;
    int64_t line_no;
    bool has_order_id;
  };
  std::vector<Row> rows;
  // The whole file's bytes, line by line: ids of rows without an order id depend on it.
  uint64_t content_hash = kFnvOffset;
  std::string line;
  int64_t line_no = 0;
  bool resolved = false;
  std::vector<std::string> problems;  // the first kMaxReportedRows bad rows, FILE:LINE: reason
  int64_t bad_rows = 0;
  std::vector<int> columns;  // cell index per field, -1 = not mapped
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
      // Exports differ in case ("Order Date", "ORDER DATE"): names match case-insensitively.
      auto it = std::find_if(header->begin(), header->end(),
                             [&](const std::string& h) { return Lower(h) == Lower(*f.column); });
      if (it == header->end()) {
        std::string names;
        for (const auto& h : *header) names += (names.empty() ? "'" : ", '") + h + "'";
        return InvalidArgument(source + ":1: no column '" + *f.column + "' (" + f.name +
                               ") in the header; it has " + names);
      }
      f.index = static_cast<int>(it - header->begin());
    }
    for (const auto& f : fields) columns.push_back(f.index);
    resolved = true;
    return Status::Ok();
  };
  while (std::getline(in, line)) {
    ++line_no;
    content_hash = Fnv1a64(line + '\n', content_hash);
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
    OrderFields o;
    std::string problem = ParseRow(cells, columns, map, &o);
    if (!problem.empty()) {
      // Every bad row is worth knowing before the export is fixed, not only the first.
      if (static_cast<int>(problems.size()) < kMaxReportedRows)
        problems.push_back(source + ":" + std::to_string(line_no) + ": " + problem);
      ++bad_rows;
      continue;
    }
    customers.insert(o.account_id);
    bool has_order_id = !o.order_id.empty();
    rows.push_back({std::move(o), line_no, has_order_id});
    ++stats.rows;
  }
  if (in.bad()) return IoError("cannot read " + source);
  if (bad_rows > 0) {
    std::string message;
    for (const auto& p : problems) message += p + "\n";
    if (bad_rows > static_cast<int64_t>(problems.size()))
      message += "... and " + std::to_string(bad_rows - problems.size()) + " more\n";
    return InvalidArgument(message + source + ": " + std::to_string(bad_rows) + " bad row" +
                           (bad_rows == 1 ? "" : "s") + " (of " +
                           std::to_string(bad_rows + stats.rows) + "); nothing written");
  }
  if (stats.rows == 0) return InvalidArgument(source + ": no order rows");
  stats.customers = static_cast<int64_t>(customers.size());
  // Event ids must be unique across files (the engine drops a repeated id as a duplicate):
  // from the order id when there is one, with the product line and status, so the lines of
  // one order and its later return stay apart; else from the file's content and the line, so
  // re-importing the same file repeats its ids (and is deduplicated) while line 2 of another
  // export is another event.
  const std::string file_tag = Hex64(content_hash);
  std::vector<std::pair<std::string, std::string>> events;
  events.reserve(rows.size());
  for (auto& r : rows) {
    OrderFields& o = r.order;
    std::string status = o.status;
    std::transform(status.begin(), status.end(), status.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (r.has_order_id) {
      o.event_id = "order:" + o.order_id + ":" + o.product_line + ":" + status;
    } else {
      o.event_id = "csv-" + file_tag + "-" + std::to_string(r.line_no);
      o.order_id = o.event_id;
    }
    events.push_back({o.occurred_at, OrderEventJson(o)});
  }
  WriteInTimeOrder(std::move(events), out);
  return stats;
}

}  // namespace churnwatch::backtest
