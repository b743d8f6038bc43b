// A generic CSV export of orders (from a CRM or ERP) as order events, by a column mapping.
//
// Columns are named by header name or 1-based number. Required: account and date; optional:
// quantity (non-negative integer, default 1), amount (non-negative decimal in major units, at
// most two decimals, written as cents), product line (default `default_product_line`), order
// id, status (PLACED/CANCELLED/RETURNED, any case, or mapped by `value_maps` "status=FROM:TO";
// default PLACED).
// Dates: YYYY-MM-DD or YYYYMMDD (00:00 UTC that day) or an RFC 3339 instant. The file format
// (quoting, lines, byte order mark) is ReadCsvTable's. Events are written in time order.
//
// event_id, unique across files: "order:<order id>:<product line>:<status, lower case>" when
// the row has an order id; else "csv-<16 hex digits of the file's content>-<line>" (also the
// order id), so importing the same file twice repeats its ids and another file never collides.
//
// Thread-safety: pure.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "backtest/cdnow_import.h"
#include "backtest/csv_table.h"
#include "common/status.h"

namespace churnwatch::backtest {

struct CsvMapping {
  std::string account, date;                                     // required
  std::string quantity, amount, product_line, order_id, status;  // optional ("" = absent)
  CsvFormat format;
  std::string currency = "CNY";
  std::string default_product_line = "default";
  bool round_amounts = false;           // more than two decimals are rounded to cents (half up)
  std::vector<std::string> value_maps;  // "status=FROM:TO" specs (EnumValueMap)
};

// The errors of ReadCsvTable (a missing column naming the header's columns; bad rows — too few
// fields, an empty account, a bad date, quantity, amount or status — each "SOURCE:LINE: reason",
// then the count; nothing is written then), and a bad --map.
Result<ImportStats> ImportCsv(std::istream& in, const std::string& source, const CsvMapping& map,
                              std::ostream& out);

}  // namespace churnwatch::backtest
