// The part every `import csv` topic shares: reading a delimited export row by row with its
// columns resolved from a mapping, and collecting the rows it could not use as FILE:LINE.
//
// Format: RFC 4180 fields ("..." quotes, "" for a quote inside), a quoted field may span lines
// (CRM notes do); a UTF-8 byte order mark before the header is dropped (Excel writes one);
// surrounding spaces of a field are trimmed; blank lines are skipped. Columns are named by
// header name (any case) or 1-based number.
//
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace churnwatch::backtest {

// How many bad rows ReadCsvTable reports by line (all are counted).
inline constexpr int kMaxReportedRows = 20;

struct CsvFormat {
  char delimiter = ',';
  bool header = true;
};

// One field of a topic mapped to a column: `column` is a header name or a 1-based number, ""
// when the field is not mapped.
struct CsvColumn {
  std::string field;  // the field as the user knows it, for messages ("account", "--kind")
  std::string column;
};

// One data row as the row callback sees it: cells by field, in CsvColumn order.
class CsvRow {
 public:
  // `index` (per field, its cell index or -1) must outlive the row.
  CsvRow(std::vector<std::string> cells, const std::vector<int>* index, int64_t line)
      : cells_(std::move(cells)), index_(index), line_(line) {}
  // The cell of field `i`; "" when the field is not mapped.
  const std::string& operator[](size_t i) const;
  // The file line the record starts on (1-based).
  int64_t line() const { return line_; }

 private:
  std::vector<std::string> cells_;
  const std::vector<int>* index_;
  int64_t line_;
};

struct CsvTableStats {
  int64_t rows = 0;           // rows the callback accepted
  uint64_t content_hash = 0;  // FNV-1a 64 of every line of the file (with its newline)
};

// Returns "" when the row was used, else why not (without FILE:LINE, which the reader adds).
using CsvRowFn = std::function<std::string(const CsvRow&)>;

// Reads `in` and calls `row` for each data record (a record with fewer cells than the highest
// mapped column is bad without a call). OK: every row was used, stats. InvalidArgument:
//  - "SOURCE:1: no column 'x' (field) in the header; it has 'a', 'b'" — a missing column;
//  - "column numbers start at 1 (field)" / "... is a name, but the file has no header";
//  - "SOURCE:LINE: not UTF-8 (...)" — the file is in another encoding (stops at once);
//  - bad rows: every one counted, the first kMaxReportedRows reported, one "SOURCE:LINE:
//    reason" per line of the message, whose last line is "SOURCE: N bad rows (of M); nothing
//    written"; `what` names the rows for an empty file ("SOURCE: no order rows").
// IoError when the stream fails.
Result<CsvTableStats> ReadCsvTable(std::istream& in, const std::string& source,
                                   const CsvFormat& format, const std::vector<CsvColumn>& columns,
                                   const std::string& what, const CsvRowFn& row);

}  // namespace churnwatch::backtest
