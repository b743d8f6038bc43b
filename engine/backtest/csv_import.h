// A generic CSV export of orders (from a CRM or ERP) as order events, by a column mapping.
//
// Columns are named by header name or 1-based number. Required: account and date; optional:
// quantity (non-negative integer, default 1), amount (non-negative decimal in major units, at
// most two decimals, written as cents), product line (default `default_product_line`), order
// id, status (PLACED/CANCELLED/RETURNED, any case; default PLACED).
// Dates: YYYY-MM-DD or YYYYMMDD (00:00 UTC that day) or an RFC 3339 instant. Fields may be
// quoted with "..." ("" inside for a quote). Events are written in time order.
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

#include "backtest/cdnow_import.h"
#include "common/status.h"

namespace churnwatch::backtest {

struct CsvMapping {
  std::string account, date;                                     // required
  std::string quantity, amount, product_line, order_id, status;  // optional ("" = absent)
  char delimiter = ',';
  bool header = true;
  std::string currency = "CNY";
  std::string default_product_line = "default";
  bool round_amounts = false;  // more than two decimals are rounded to cents (half up)
};

// How many bad rows ImportCsv reports by line (all are counted).
inline constexpr int kMaxReportedRows = 20;

// Header names match case-insensitively. InvalidArgument "SOURCE:1: no column ... ; it has 'a',
// 'b'" for a column the header lacks (naming the header's columns). Bad rows (too few fields, an
// empty account, a bad date, quantity, amount or status) do not stop the reading: every one is
// counted and the first kMaxReportedRows are reported, one "SOURCE:LINE: reason" per line of the
// message, whose last line is the count; nothing is written then.
Result<ImportStats> ImportCsv(std::istream& in, const std::string& source, const CsvMapping& map,
                              std::ostream& out);

}  // namespace churnwatch::backtest
