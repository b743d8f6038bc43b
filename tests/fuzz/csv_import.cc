// Fuzz target csv_import: `churnwatch import csv` on an arbitrary file, through two order
// column mappings — by header name (every optional column mapped) and by column number without
// a header — and the contacts and service mappings of `--topic` (with `--map` tables), and,
// when an import succeeds, the checks of import_check.h on what it wrote.
#include "backtest/csv_import.h"

#include <sstream>
#include <string>

#include "backtest/topic_csv_import.h"
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
  CheckImportedEvents(EventKind::kOrder, out.str(), stats->rows);
}

void ImportTopic(const std::string& text, const backtest::TopicCsvMapping& map) {
  std::istringstream in(text);
  std::ostringstream out;
  auto stats = backtest::ImportTopicCsv(in, "fuzz.csv", map, out);
  if (!stats.ok()) {
    Check(!stats.status().message().empty(), "an import error without a message");
    return;
  }
  CheckImportedEvents(map.topic, out.str(), stats->rows);
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
  by_number.format.header = false;
  by_number.format.delimiter = ';';
  Import(text, by_number);

  backtest::TopicCsvMapping contacts;
  contacts.topic = EventKind::kContact;
  contacts.account = "account";
  contacts.date = "date";
  contacts.event_id = "order_id";
  contacts.fields = {
      {"kind", "status"}, {"meeting-type", "product_line"}, {"contact-id", "quantity"}};
  contacts.value_maps = {"kind=placed:MEETING_HELD", "kind=-:", "meeting-type=default:ROUTINE"};
  ImportTopic(text, contacts);

  backtest::TopicCsvMapping service;
  service.topic = EventKind::kService;
  service.account = "1";
  service.date = "2";
  service.fields = {{"kind", "3"}, {"csat", "4"}, {"nps", "5"}};
  service.value_maps = {"kind=1:SURVEY"};
  service.format = {';', false};
  ImportTopic(text, service);
  return 0;
}

}  // namespace churnwatch::fuzz
