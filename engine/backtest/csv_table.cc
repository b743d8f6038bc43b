#include "backtest/csv_table.h"

#include <simdjson.h>

#include <algorithm>

#include "backtest/import_fields.h"
#include "common/hash.h"

namespace churnwatch::backtest {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& f) {
  size_t a = f.find_first_not_of(' '), b = f.find_last_not_of(' ');
  return a == std::string::npos ? "" : f.substr(a, b - a + 1);
}

// Splits one physical line into `cells`, continuing the record already in `cells` when
// `*quoted` (a quoted field that spans lines). Returns with *quoted set when the line ends
// inside quotes, i.e. the record continues on the next line.
void SplitInto(const std::string& line, char delimiter, bool* quoted,
               std::vector<std::string>* cells) {
  if (cells->empty()) cells->emplace_back();
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (*quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells->back() += '"';
        ++i;
      } else if (c == '"') {
        *quoted = false;
      } else {
        cells->back() += c;
      }
    } else if (c == '"') {
      *quoted = true;
    } else if (c == delimiter) {
      cells->emplace_back();
    } else if (c != '\r') {
      cells->back() += c;
    }
  }
  if (*quoted) cells->back() += '\n';
}

// Resolves each column of `columns` to a cell index of the header (or a 1-based number).
Result<std::vector<int>> ResolveColumns(const std::vector<CsvColumn>& columns,
                                        const std::vector<std::string>* header,
                                        const std::string& source) {
  std::vector<int> index;
  for (const auto& c : columns) {
    if (c.column.empty()) {
      index.push_back(-1);
      continue;
    }
    if (AllDigits(c.column)) {
      int n = c.column.size() > 6 ? 0 : std::stoi(c.column);
      if (n < 1) return InvalidArgument("column numbers start at 1 (" + c.field + ")");
      index.push_back(n - 1);
      continue;
    }
    if (header == nullptr)
      return InvalidArgument(c.field + " column '" + c.column +
                             "' is a name, but the file has no header: use its number");
    // Exports differ in case ("Order Date", "ORDER DATE"): names match case-insensitively.
    auto it = std::find_if(header->begin(), header->end(),
                           [&](const std::string& h) { return Lower(h) == Lower(c.column); });
    if (it == header->end()) {
      std::string names;
      for (const auto& h : *header) names += (names.empty() ? "'" : ", '") + h + "'";
      return InvalidArgument(source + ":1: no column '" + c.column + "' (" + c.field +
                             ") in the header; it has " + names);
    }
    index.push_back(static_cast<int>(it - header->begin()));
  }
  return index;
}

}  // namespace

const std::string& CsvRow::operator[](size_t i) const {
  static const std::string kEmpty;
  int c = (*index_)[i];
  return c < 0 || c >= static_cast<int>(cells_.size()) ? kEmpty : cells_[c];
}

Result<CsvTableStats> ReadCsvTable(std::istream& in, const std::string& source,
                                   const CsvFormat& format, const std::vector<CsvColumn>& columns,
                                   const std::string& what, const CsvRowFn& row) {
  CsvTableStats stats;
  stats.content_hash = kFnvOffset;
  std::vector<int> index;
  bool resolved = false;
  int needed = 0;
  std::vector<std::string> problems;  // the first kMaxReportedRows bad rows, FILE:LINE: reason
  int64_t bad_rows = 0;
  auto bad = [&](int64_t line_no, const std::string& reason) {
    // Every bad row is worth knowing before the export is fixed, not only the first.
    if (static_cast<int>(problems.size()) < kMaxReportedRows)
      problems.push_back(source + ":" + std::to_string(line_no) + ": " + reason);
    ++bad_rows;
  };
  // A record: its cells so far and the line it started on; `quoted` while it spans lines.
  std::vector<std::string> cells;
  int64_t record_line = 0;
  bool quoted = false;
  auto finish_record = [&]() -> Status {
    for (auto& f : cells) f = Trim(f);
    std::vector<std::string> record = std::move(cells);
    cells.clear();
    if (!resolved) {
      auto r = ResolveColumns(columns, format.header ? &record : nullptr, source);
      if (!r.ok()) return r.status();
      index = std::move(*r);
      for (int c : index) needed = std::max(needed, c + 1);
      resolved = true;
      if (format.header) return Status::Ok();
    }
    if (static_cast<int>(record.size()) < needed) {
      bad(record_line, "expected at least " + std::to_string(needed) + " fields, found " +
                           std::to_string(record.size()));
      return Status::Ok();
    }
    std::string problem = row(CsvRow(std::move(record), &index, record_line));
    if (problem.empty()) {
      ++stats.rows;
    } else {
      bad(record_line, problem);
    }
    return Status::Ok();
  };
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    stats.content_hash = Fnv1a64(line + '\n', stats.content_hash);
    // Excel and many CRMs start a UTF-8 export with a byte order mark; it is not part of the
    // first column's name.
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF exports
    if (!quoted && line.find_first_not_of(" \t\r") == std::string::npos) continue;
    // Fields end up in JSON strings, whose writer throws on bytes that are not UTF-8: an
    // export in another encoding aborted the import (found by fuzzing; regression case in
    // tests/fuzz/regressions/csv_import/).
    if (!simdjson::validate_utf8(line.data(), line.size()))
      return InvalidArgument(source + ":" + std::to_string(line_no) +
                             ": not UTF-8 (convert the export, e.g. iconv -f GBK -t UTF-8)");
    if (!quoted) record_line = line_no;
    SplitInto(line, format.delimiter, &quoted, &cells);
    if (!quoted) CW_RETURN_IF_ERROR(finish_record());
  }
  if (in.bad()) return IoError("cannot read " + source);
  if (quoted) {
    if (!resolved) return InvalidArgument(source + ":1: the header's quote is never closed");
    bad(record_line, "a quote opened on this line is never closed");
    cells.clear();
  }
  if (bad_rows > 0) {
    std::string message;
    for (const auto& p : problems) message += p + "\n";
    if (bad_rows > static_cast<int64_t>(problems.size()))
      message += "... and " + std::to_string(bad_rows - problems.size()) + " more\n";
    return InvalidArgument(message + source + ": " + std::to_string(bad_rows) + " bad row" +
                           (bad_rows == 1 ? "" : "s") + " (of " +
                           std::to_string(bad_rows + stats.rows) + "); nothing written");
  }
  if (stats.rows == 0) return InvalidArgument(source + ": no " + what + " rows");
  return stats;
}

}  // namespace churnwatch::backtest
