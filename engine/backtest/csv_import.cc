#include "backtest/csv_import.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "backtest/enum_value_map.h"
#include "backtest/import_fields.h"
#include "common/hash.h"
#include "events/event.h"

namespace churnwatch::backtest {
namespace {

// One row into *o; the reason it is bad, or "". Cells are in ImportCsv's column order
// (account, date, quantity, amount, product line, order id, status).
std::string ParseRow(const CsvRow& row, const CsvMapping& map, const EnumValueMap& values,
                     OrderFields* o) {
  o->account_id = row[0];
  if (o->account_id.empty()) return "account is empty";
  o->occurred_at = DateToRfc3339(row[1]);
  if (o->occurred_at.empty())
    return "date '" + row[1] + "' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant";
  std::string qty = row[2];
  if (qty.empty()) qty = "1";
  if (!AllDigits(qty) || qty.size() > 9)
    return "quantity '" + qty + "' is not a non-negative integer";
  o->quantity = std::stoll(qty);
  const std::string& amount = row[3];
  o->amount_minor = amount.empty() ? 0 : DecimalToCents(amount, map.round_amounts);
  if (o->amount_minor < 0) {
    return "amount '" + amount + "' is not a non-negative amount" +
           (map.round_amounts ? std::string()
                              : " with at most two decimals (1250.5, 1,250.50; --round-amounts "
                                "rounds more to cents)");
  }
  o->product_line = row[4].empty() ? map.default_product_line : row[4];
  o->order_id = row[5];
  auto status = values.Resolve("status", row[6]);
  if (!status.ok()) return status.status().message();
  o->status = status->empty() ? "PLACED" : *status;
  o->currency = map.currency;
  return "";
}

}  // namespace

Result<ImportStats> ImportCsv(std::istream& in, const std::string& source, const CsvMapping& map,
                              std::ostream& out) {
  if (map.account.empty() || map.date.empty())
    return InvalidArgument("the account and date columns are required");
  auto values = EnumValueMap::Parse(
      map.value_maps,
      {{"status", v1::OrderEvent::descriptor()->FindFieldByName("status")->enum_type()}}, "orders");
  if (!values.ok()) return values.status();
  const std::vector<CsvColumn> columns = {{"account", map.account},
                                          {"date", map.date},
                                          {"quantity", map.quantity},
                                          {"amount", map.amount},
                                          {"product line", map.product_line},
                                          {"order id", map.order_id},
                                          {"status", map.status}};
  std::unordered_set<std::string> customers;
  struct Row {
    OrderFields order;
    int64_t line_no;
    bool has_order_id;
  };
  std::vector<Row> rows;
  auto table = ReadCsvTable(in, source, map.format, columns, "order",
                            [&](const CsvRow& cells) -> std::string {
                              OrderFields o;
                              std::string problem = ParseRow(cells, map, *values, &o);
                              if (!problem.empty()) return problem;
                              customers.insert(o.account_id);
                              bool has_order_id = !o.order_id.empty();
                              rows.push_back({std::move(o), cells.line(), has_order_id});
                              return "";
                            });
  if (!table.ok()) return table.status();
  ImportStats stats;
  stats.layout = "csv";
  stats.rows = table->rows;
  stats.customers = static_cast<int64_t>(customers.size());
  // Event ids must be unique across files (the engine drops a repeated id as a duplicate):
  // from the order id when there is one, with the product line and status, so the lines of
  // one order and its later return stay apart; else from the file's content and the line, so
  // re-importing the same file repeats its ids (and is deduplicated) while line 2 of another
  // export is another event.
  const std::string file_tag = Hex64(table->content_hash);
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
