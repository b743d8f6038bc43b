// `import csv --topic accounts|contacts|service`: a CRM or service-desk export as NDJSON events
// of that topic, by a column mapping (one flag per field, as `import csv` does for orders).
//
// Every topic takes `account` (required), `date` (the row's time: YYYY-MM-DD or YYYYMMDD at
// 00:00 UTC, or an RFC 3339 instant; for accounts `as_of` may stand in for all rows) and
// `event-id`; the topic's own fields are listed by TopicCsvFields. Enum cells resolve through
// EnumValueMap (`--map`). Each event is checked with the engine's own EventDecoder and
// EventValidator before anything is written, so what the import writes the engine accepts.
//
// event_id: "<topic>:<event id cell>" when `event-id` is mapped and the cell is not empty, else
// "csv-<16 hex digits of the file's content>-<line>" (as for orders): importing the same file
// twice repeats its ids and another file never collides.
//
// Thread-safety: pure.
#pragma once

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "backtest/cdnow_import.h"
#include "backtest/csv_table.h"
#include "common/status.h"
#include "events/event.h"

namespace churnwatch::backtest {

// One field a topic's export may map: the flag (without "--") and the event field it fills.
struct TopicCsvField {
  enum class Type { kText, kEnum, kInt };
  const char* flag;  // "contact-role"
  const char* json;  // "contact_role"; "owner.id" for a field of a Person
  Type type;
  bool required;         // the import refuses a mapping without it
  int min = 0, max = 0;  // kInt: the accepted range
  const char* help = "";
};

// The topic's own fields (not account/date/event-id), in the order `--help` lists them. Empty
// for orders, which ImportCsv handles.
const std::vector<TopicCsvField>& TopicCsvFields(EventKind topic);

struct TopicCsvMapping {
  EventKind topic = EventKind::kAccount;
  std::string account, date, event_id;        // COLs; account required, date unless as_of
  std::map<std::string, std::string> fields;  // flag -> COL, only flags of TopicCsvFields
  std::vector<std::string> value_maps;        // "FIELD=FROM:TO" specs for EnumValueMap
  std::string as_of;                          // accounts: occurred_at of every row (a date)
  CsvFormat format;
};

// Reads the export and writes its events in time order. InvalidArgument without reading when
// the mapping is incomplete (a required field unmapped, neither date nor as_of, a flag the
// topic does not have, a bad --map); otherwise the errors of ReadCsvTable, bad rows being: an
// empty account, a bad date, an enum cell neither the table nor the enum knows (naming the
// --map that would fix it), a number that is not an integer in range, or an event the engine
// would reject (its reason, with the flag of the field).
Result<ImportStats> ImportTopicCsv(std::istream& in, const std::string& source,
                                   const TopicCsvMapping& map, std::ostream& out);

}  // namespace churnwatch::backtest
