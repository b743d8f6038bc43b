// `churnwatch import cdnow|csv`: a CDNOW purchase log, or any export of orders, accounts,
// contacts or service events by a column mapping, as NDJSON events.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "backtest/cdnow_import.h"
#include "backtest/csv_import.h"
#include "backtest/topic_csv_import.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "events/event.h"

namespace churnwatch::cli {
namespace {

struct ImportOptions {
  std::string file, out;
  backtest::CsvMapping csv;
  std::string delimiter = ",";
  bool no_header = false;
  std::string topic = "orders";
  std::string event_id, as_of;
  std::vector<std::string> value_maps;
  std::map<std::string, std::string> topic_columns;  // flag -> COL of the CRM topics' fields
  std::map<std::string, bool> orders_only;           // flag -> given, of the orders-only flags
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

// Prints each line of a multi-line error but the last on its own stderr line (one per bad row),
// and fails with the last one.
int FailLines(const std::string& cmd, const Status& status) {
  std::string message = status.message();
  for (size_t nl; (nl = message.find('\n')) != std::string::npos; message.erase(0, nl + 1))
    std::cerr << "churnwatch " << cmd << ": " << message.substr(0, nl) << "\n";
  return Fail(cmd, Status(status.code(), message));
}

// The flags the user gave that the topic does not take; "" when none.
std::string ForeignFlags(const ImportOptions& o, const std::string& topic) {
  std::string out;
  for (const auto& [flag, given] : o.orders_only) {
    if (given && topic != "orders") out += (out.empty() ? "--" : ", --") + flag;
  }
  if (topic == "orders") {
    for (const auto& [flag, column] : o.topic_columns) out += (out.empty() ? "--" : ", --") + flag;
  }
  return out;
}

int RunImportCsv(ImportOptions o) {
  const std::string cmd = "import csv";
  if (o.delimiter.size() != 1)
    return Fail(cmd, InvalidArgument("--delimiter must be one character"));
  backtest::CsvFormat format{o.delimiter[0], !o.no_header};
  auto topic = EventKindFromName(o.topic);
  if (!topic.ok())
    return Fail(cmd, InvalidArgument("--topic '" + o.topic +
                                     "' is not one of orders, accounts, contacts, service"));
  if (std::string foreign = ForeignFlags(o, o.topic); !foreign.empty())
    return Fail(cmd, InvalidArgument(foreign + ": not a column of --topic " + o.topic));
  if (*topic == EventKind::kOrder && o.csv.date.empty())
    return Fail(cmd, InvalidArgument("--date is required for --topic orders"));
  if (*topic == EventKind::kOrder && !o.as_of.empty())
    return Fail(cmd, InvalidArgument("--as-of is for --topic accounts"));
  std::ifstream in(o.file);
  if (!in) return Fail(cmd, NotFound("cannot open " + o.file));
  std::ostringstream events;
  Result<backtest::ImportStats> stats = backtest::ImportStats{};
  if (*topic == EventKind::kOrder) {
    o.csv.format = format;
    o.csv.value_maps = o.value_maps;
    stats = backtest::ImportCsv(in, o.file, o.csv, events);
  } else {
    backtest::TopicCsvMapping map;
    map.topic = *topic;
    map.account = o.csv.account;
    map.date = o.csv.date;
    map.event_id = o.event_id;
    map.fields = o.topic_columns;
    map.value_maps = o.value_maps;
    map.as_of = o.as_of;
    map.format = format;
    stats = backtest::ImportTopicCsv(in, o.file, map, events);
  }
  if (!stats.ok()) return FailLines(cmd, stats.status());
  if (Status s = WriteOutput(o.out, events.str()); !s.ok()) return Fail(cmd, s);
  std::cerr << "import csv: " << stats->rows << " "
            << (*topic == EventKind::kOrder ? "order" : o.topic) << " events for "
            << stats->customers << " accounts from " << o.file
            << (o.out.empty() ? "" : " to " + o.out) << std::endl;
  return kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "import", "Turn an external export (purchase log, CRM, service desk) into NDJSON events.");
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
      "An export (CRM, ERP, service desk) as NDJSON events of --topic (orders, accounts, "
      "contacts,\nservice), by a column mapping: one flag per field, COL is a header name or a "
      "1-based column\nnumber (names match in any case). Dates: YYYY-MM-DD, YYYYMMDD (00:00 UTC) "
      "or RFC 3339. Enum\ncells in the export's own words are mapped with --map FIELD=FROM:TO. "
      "Orders: amounts in major\nunits (at most two decimals, 1,250.00 accepted), written as "
      "cents. Events in time order. Bad\nrows are reported as FILE:LINE (the first 20), then the "
      "count; nothing is written (exit 2).");
  csv->add_option("file", copts->file, "CSV file")->required();
  csv->add_option("--topic", copts->topic, "orders, accounts, contacts or service")
      ->default_val("orders");
  csv->add_option("--account", copts->csv.account, "COL of the account id")->required();
  csv->add_option("--date", copts->csv.date,
                  "COL of the event's date or time (required; accounts: or --as-of)");
  csv->add_option("--event-id", copts->event_id,
                  "accounts/contacts/service: COL of a unique id of the row (event id "
                  "TOPIC:ID; default: from the file and line)");
  csv->add_option("--as-of", copts->as_of,
                  "accounts: the date of every row when the export has no date column");
  csv->add_option("--map", copts->value_maps,
                  "FIELD=FROM:TO: the enum cell FROM of FIELD means TO (repeatable), e.g. "
                  "kind=会议取消:MEETING_CANCELLED, status=退货:RETURNED; TO empty = absent")
      ->allow_extra_args(false);
  // Orders-only flags: refused with another topic.
  std::vector<std::pair<std::string, CLI::Option*>> orders_only;
  auto orders_flag = [&](CLI::Option* opt, const std::string& name) {
    orders_only.push_back({name, opt});
    return opt;
  };
  orders_flag(csv->add_option("--quantity", copts->csv.quantity,
                              "orders: COL of the quantity (default 1 per row)"),
              "quantity");
  orders_flag(csv->add_option("--amount", copts->csv.amount,
                              "orders: COL of the amount in major units (default 0)"),
              "amount");
  orders_flag(csv->add_option("--product-line", copts->csv.product_line,
                              "orders: COL of the product line (default --default-product-line)"),
              "product-line");
  orders_flag(csv->add_option("--default-product-line", copts->csv.default_product_line,
                              "orders: product line of rows without one")
                  ->default_val("default"),
              "default-product-line");
  orders_flag(csv->add_flag("--round-amounts", copts->csv.round_amounts,
                            "orders: round amounts with more than two decimals to cents (half "
                            "up) instead of refusing the row"),
              "round-amounts");
  orders_flag(csv->add_option("--order-id", copts->csv.order_id,
                              "orders: COL of the order id (event ids derive from it; default: "
                              "from the file and line)"),
              "order-id");
  orders_flag(csv->add_option("--status", copts->csv.status,
                              "orders: COL of the status PLACED/CANCELLED/RETURNED (default "
                              "PLACED)"),
              "status");
  orders_flag(
      csv->add_option("--currency", copts->csv.currency, "orders: ISO 4217 currency of the amounts")
          ->default_val("CNY"),
      "currency");
  // The CRM topics' fields, one flag each; a flag two topics share ("kind") is one option.
  std::vector<std::pair<std::string, std::string>> helps;  // flag, help; in topic order
  for (EventKind topic : {EventKind::kAccount, EventKind::kContact, EventKind::kService}) {
    for (const auto& f : backtest::TopicCsvFields(topic)) {
      auto it = std::find_if(helps.begin(), helps.end(),
                             [&](const auto& h) { return h.first == f.flag; });
      if (it == helps.end()) it = helps.insert(helps.end(), {f.flag, ""});
      it->second +=
          (it->second.empty() ? "" : "; ") + std::string(EventKindName(topic)) + ": " + f.help;
    }
  }
  for (const auto& [flag, help] : helps)
    csv->add_option("--" + flag, copts->topic_columns[flag], help);
  csv->add_option("--delimiter", copts->delimiter, "Field delimiter")->default_val(",");
  csv->add_flag("--no-header", copts->no_header,
                "The file has no header line (name columns by number)");
  csv->add_option("--out", copts->out, "Write the events here; default stdout");
  csv->callback([copts, orders_only, exit_code] {
    ImportOptions o = *copts;
    for (const auto& [name, opt] : orders_only) o.orders_only[name] = opt->count() > 0;
    // Unmapped fields are absent, not mapped to "".
    o.topic_columns.clear();
    for (const auto& [flag, column] : copts->topic_columns) {
      if (!column.empty()) o.topic_columns[flag] = column;
    }
    *exit_code = RunImportCsv(std::move(o));
  });
}

}  // namespace churnwatch::cli
