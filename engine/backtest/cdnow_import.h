// The CDNOW purchase log (../shared/data/cdnow/README.md) as order events.
//
// Two layouts, told apart by the column count of the first data row (whitespace-separated):
//   master: customer_id date(YYYYMMDD) number_of_cds dollar_value      (one header line)
//   sample: master_customer_id sample_customer_id date number_of_cds dollar_value
// Every row becomes one PLACED order of product line "CD": account_id = the (master) customer
// id, occurred_at = the date at 00:00 UTC, quantity = number_of_cds, amount_minor = dollars in
// cents, currency USD, event_id = order_id = "cdnow-<customer>-<line>" (rows are not unique
// on customer and date, so the line number keeps them apart). The events are written in time
// order (the files are ordered by customer), rows of one day in file order.
//
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "common/status.h"

namespace churnwatch::backtest {

struct ImportStats {
  int64_t rows = 0;       // order events written
  int64_t customers = 0;  // distinct customer ids
  std::string layout;     // "master" or "sample"
};

// Reads `in` (named `source` in messages) and writes one NDJSON order event per row to `out`.
// InvalidArgument "SOURCE:LINE: reason" for a row with the wrong column count, a date that is
// not a valid YYYYMMDD, a quantity that is not a non-negative integer, or an amount that is not
// a non-negative number with at most two decimals. Nothing is reported as done on error (the
// caller discards the partial output).
Result<ImportStats> ImportCdnow(std::istream& in, const std::string& source, std::ostream& out);

}  // namespace churnwatch::backtest
