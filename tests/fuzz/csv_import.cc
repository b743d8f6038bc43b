// Fuzz target csv_import: `churnwatch import csv` on an arbitrary file, through two column
// mappings — by header name (every optional column mapped) and by column number without a
// header — and, when an import succeeds, the checks of import_check.h on what it wrote.
#include "backtest/csv_import.h"

#include <sstream>
#include <string>

#include "fuzz_target.h"
#include "import_check.h"

namespace churnwatch::fuzz {
namespace {

void Import(const std::string& text, const backtest::CsvMapping& map) {
  std::istringstream in(text);
  std::ostringstream out;
  auto stats = backtest::ImportCsv(in, "fuzz.csv", map, out);
  if (!stats.ok()) {
    Check(!stats.status().message().empty(), "an import error without a message");
    return;
  }
  CheckImportedOrders(out.str(), stats->rows);
}

}  // namespace

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  backtest::CsvMapping by_name;
  by_name.account = "account";
  by_name.date = "date";
  by_name.quantity = "quantity";
  by_name.amount = "amount";
  by_name.product_line = "product_line";
  by_name.order_id = "order_id";
  by_name.status = "status";
  Import(text, by_name);

  backtest::CsvMapping by_number;
  by_number.account = "1";
  by_number.date = "2";
  by_number.quantity = "3";
  by_number.amount = "4";
  by_number.product_line = "5";
  by_number.header = false;
  by_number.delimiter = ';';
  Import(text, by_number);
  return 0;
}

}  // namespace churnwatch::fuzz
