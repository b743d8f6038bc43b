// A generic CSV export of orders (from a CRM or ERP) as order events, by a column mapping.
//
// Columns are named by header name or 1-based number. Required: account and date; optional:
// quantity (non-negative integer, default 1), amount (non-negative decimal in major units, at
// most two decimals, written as cents), product line (default `default_product_line`), order
// id (default "csv-<line>"), status (PLACED/CANCELLED/RETURNED, any case; default PLACED).
// Dates: YYYY-MM-DD or YYYYMMDD (00:00 UTC that day) or an RFC 3339 instant. Fields may be
// quoted with "..." ("" inside for a quote). event_id = "csv-<line>". Events are written in time
// order.
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
};

// InvalidArgument "SOURCE:LINE: reason" for a column the header lacks, a row with too few
// fields, an empty account, a bad date, quantity, amount or status.
Result<ImportStats> ImportCsv(std::istream& in, const std::string& source, const CsvMapping& map,
                              std::ostream& out);

}  // namespace churnwatch::backtest
