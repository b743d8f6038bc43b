// `churnwatch import cdnow|csv`: a CDNOW purchase log, or any order export by a column mapping,
// as NDJSON order events.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "backtest/cdnow_import.h"
#include "backtest/csv_import.h"
#include "cli/cli_support.h"
#include "cli/commands.h"

namespace churnwatch::cli {
namespace {

struct ImportOptions {
  std::string file, out;
  backtest::CsvMapping csv;
  std::string delimiter = ",";
  bool no_header = false;
};

int RunImportCdnow(const ImportOptions& o) {
  std::ifstream in(o.file);
  if (!in) return Fail("import cdnow", NotFound("cannot open " + o.file));
  std::ostringstream events;
  auto stats = backtest::ImportCdnow(in, o.file, events);
  if (!stats.ok()) return Fail("import cdnow", stats.status());
  if (Status s = WriteOutput(o.out, events.str()); !s.ok()) return Fail("import cdnow", s);
  std::cerr << "import cdnow: " << stats->rows << " order events for " << stats->customers
            << " customers (" << stats->layout << " layout) from " << o.file
            << (o.out.empty() ? "" : " to " + o.out) << std::endl;
  return kExitOk;
}

int RunImportCsv(ImportOptions o) {
  const std::string cmd = "import csv";
  if (o.delimiter.size() != 1)
    return Fail(cmd, InvalidArgument("--delimiter must be one character"));
  o.csv.delimiter = o.delimiter[0];
  o.csv.header = !o.no_header;
  std::ifstream in(o.file);
  if (!in) return Fail(cmd, NotFound("cannot open " + o.file));
  std::ostringstream events;
  auto stats = backtest::ImportCsv(in, o.file, o.csv, events);
  if (!stats.ok()) {
    // One stderr line per bad row reported, then the count as the error line.
    std::string message = stats.status().message();
    for (size_t nl; (nl = message.find('\n')) != std::string::npos; message.erase(0, nl + 1))
      std::cerr << "churnwatch " << cmd << ": " << message.substr(0, nl) << "\n";
    return Fail(cmd, Status(stats.status().code(), message));
  }
  if (Status s = WriteOutput(o.out, events.str()); !s.ok()) return Fail(cmd, s);
  std::cerr << "import csv: " << stats->rows << " order events for " << stats->customers
            << " accounts from " << o.file << (o.out.empty() ? "" : " to " + o.out) << std::endl;
  return kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("import", "Turn an external purchase log into NDJSON events.");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* cdnow = cmd->add_subcommand(
      "cdnow",
      "A CDNOW purchase log (../shared/data/cdnow: master layout `customer_id date cds dollars` "
      "with a\nheader line, or the sample layout `master_id sample_id date cds dollars`) as "
      "NDJSON order events:\none PLACED order of product line CD per row, account = (master) "
      "customer id, time = the date at\n00:00 UTC, quantity = CDs, amount in cents (USD). A bad "
      "row stops the import with FILE:LINE (exit 2).");
  cdnow->add_option("file", opts->file, "CDNOW_master.txt or CDNOW_sample.txt")->required();
  cdnow->add_option("--out", opts->out,
                    "Write the events here (e.g. cdnow-orders.ndjson, which backtest and fit read "
                    "as the orders topic); default stdout");
  cdnow->callback([opts, exit_code] { *exit_code = RunImportCdnow(*opts); });

  auto copts = std::make_shared<ImportOptions>();
  CLI::App* csv = cmd->add_subcommand(
      "csv",
      "An order export (CRM, ERP) as NDJSON order events, by a column mapping. COL is a header "
      "name or a\n1-based column number (names match in any case). Dates: YYYY-MM-DD, YYYYMMDD "
      "(00:00 "
      "UTC) or RFC 3339.\nAmounts in major units (at most two decimals, 1,250.00 accepted), "
      "written as cents. Events in time\norder. Bad rows are reported as FILE:LINE (the first "
      "20), then the count; nothing is written\n(exit 2).");
  csv->add_option("file", copts->file, "CSV file")->required();
  csv->add_option("--account", copts->csv.account, "COL of the account id")->required();
  csv->add_option("--date", copts->csv.date, "COL of the order date or time")->required();
  csv->add_option("--quantity", copts->csv.quantity, "COL of the quantity (default 1 per row)");
  csv->add_option("--amount", copts->csv.amount, "COL of the amount in major units (default 0)");
  csv->add_option("--product-line", copts->csv.product_line,
                  "COL of the product line (default --default-product-line)");
  csv->add_option("--default-product-line", copts->csv.default_product_line,
                  "Product line of rows without one")
      ->default_val("default");
  csv->add_flag("--round-amounts", copts->csv.round_amounts,
                "Round amounts with more than two decimals to cents (half up) instead of refusing "
                "the row");
  csv->add_option(
      "--order-id", copts->csv.order_id,
      "COL of the order id (event ids derive from it; default: from the file and line)");
  csv->add_option("--status", copts->csv.status,
                  "COL of the status PLACED/CANCELLED/RETURNED (default PLACED)");
  csv->add_option("--currency", copts->csv.currency, "ISO 4217 currency of the amounts")
      ->default_val("CNY");
  csv->add_option("--delimiter", copts->delimiter, "Field delimiter")->default_val(",");
  csv->add_flag("--no-header", copts->no_header,
                "The file has no header line (name columns by number)");
  csv->add_option("--out", copts->out, "Write the events here; default stdout");
  csv->callback([copts, exit_code] { *exit_code = RunImportCsv(*copts); });
}

}  // namespace churnwatch::cli
