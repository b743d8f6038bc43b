// `churnwatch import cdnow FILE [--out FILE]`: a CDNOW purchase log as NDJSON order events.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "backtest/cdnow_import.h"
#include "cli/cli_support.h"
#include "cli/commands.h"

namespace churnwatch::cli {
namespace {

struct ImportOptions {
  std::string file, out;
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
}

}  // namespace churnwatch::cli
