#include "backtest/topic_csv_import.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "backtest/enum_value_map.h"
#include "backtest/import_fields.h"
#include "common/clock.h"
#include "common/hash.h"
#include "events/event_decoder.h"
#include "events/event_validator.h"

namespace churnwatch::backtest {
namespace {

namespace pb = google::protobuf;
using Type = TopicCsvField::Type;

const pb::Descriptor* MessageOf(EventKind topic) {
  switch (topic) {
    case EventKind::kOrder:
      return v1::OrderEvent::descriptor();
    case EventKind::kService:
      return v1::ServiceEvent::descriptor();
    case EventKind::kContact:
      return v1::ContactEvent::descriptor();
    case EventKind::kAccount:
      return v1::AccountEvent::descriptor();
  }
  return nullptr;
}

// The flag of the event field `json` names ("meeting_type" -> "--meeting-type"), "" if none.
std::string FlagOf(EventKind topic, const std::string& json) {
  if (json == "event_id") return "--event-id";
  if (json == "account_id") return "--account";
  if (json == "occurred_at") return "--date";
  for (const auto& f : TopicCsvFields(topic)) {
    if (json == f.json) return std::string("--") + f.flag;
  }
  return "";
}

// `text` as an integer in [min, max]; false when it is not one.
bool ParseInt(const std::string& text, int min, int max, int* out) {
  bool negative = !text.empty() && text[0] == '-';
  std::string digits = negative ? text.substr(1) : text;
  if (!AllDigits(digits) || digits.size() > 9) return false;
  int v = std::stoi(digits) * (negative ? -1 : 1);
  if (v < min || v > max) return false;
  *out = v;
  return true;
}

// Sets `path` ("name" or "owner.id") of `j`.
void SetField(nlohmann::ordered_json& j, const std::string& path, nlohmann::ordered_json value) {
  size_t dot = path.find('.');
  if (dot == std::string::npos) {
    j[path] = std::move(value);
  } else {
    j[path.substr(0, dot)][path.substr(dot + 1)] = std::move(value);
  }
}

// The mapping's columns in ReadCsvTable order: account, date, event id, then the topic's
// fields in TopicCsvFields order.
std::vector<CsvColumn> Columns(const TopicCsvMapping& map) {
  std::vector<CsvColumn> columns = {
      {"--account", map.account}, {"--date", map.date}, {"--event-id", map.event_id}};
  for (const auto& f : TopicCsvFields(map.topic)) {
    auto it = map.fields.find(f.flag);
    columns.push_back({std::string("--") + f.flag, it == map.fields.end() ? "" : it->second});
  }
  return columns;
}

Status CheckMapping(const TopicCsvMapping& map, const std::string& topic) {
  const auto& fields = TopicCsvFields(map.topic);
  if (fields.empty()) return InvalidArgument("--topic " + topic + " is not a CRM topic");
  if (map.account.empty()) return InvalidArgument("--account is required");
  if (map.date.empty() && map.as_of.empty())
    return InvalidArgument(
        "--date is required for --topic " + topic +
        (map.topic == EventKind::kAccount ? " (or --as-of DATE for an export without dates)" : ""));
  if (!map.as_of.empty() && DateToRfc3339(map.as_of).empty())
    return InvalidArgument("--as-of '" + map.as_of +
                           "' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant");
  for (const auto& [flag, column] : map.fields) {
    // An init-capture: clang before 16 cannot capture a structured binding (the fuzz build).
    bool known = std::any_of(fields.begin(), fields.end(),
                             [&flag = flag](const TopicCsvField& f) { return flag == f.flag; });
    if (!known) {
      std::string flags;
      for (const auto& f : fields) flags += std::string(flags.empty() ? "--" : ", --") + f.flag;
      return InvalidArgument("--" + flag + " is not a column of --topic " + topic + " (it takes " +
                             flags + ")");
    }
  }
  for (const auto& f : fields) {
    if (f.required && !map.fields.count(f.flag))
      return InvalidArgument(std::string("--") + f.flag + " is required for --topic " + topic +
                             " (every " + topic + " event has a " + f.json + ")");
  }
  return Status::Ok();
}

}  // namespace

const std::vector<TopicCsvField>& TopicCsvFields(EventKind topic) {
  static const std::vector<TopicCsvField> kAccounts = {
      {"name", "name", Type::kText, false, 0, 0, "COL of the account's name"},
      {"tier", "tier", Type::kEnum, true, 0, 0,
       "COL of the tier STRATEGIC/KEY/GROWTH/POTENTIAL/ORDINARY"},
      {"owner", "owner.id", Type::kText, false, 0, 0, "COL of the account owner's id"},
      {"owner-name", "owner.name", Type::kText, false, 0, 0, "COL of the owner's name"},
      {"owner-email", "owner.email", Type::kText, false, 0, 0, "COL of the owner's email"},
      {"sponsor", "executive_sponsor.id", Type::kText, false, 0, 0,
       "COL of the executive sponsor's id"},
      {"sponsor-name", "executive_sponsor.name", Type::kText, false, 0, 0,
       "COL of the sponsor's name"},
      {"sponsor-email", "executive_sponsor.email", Type::kText, false, 0, 0,
       "COL of the sponsor's email"},
      {"region", "region", Type::kText, false, 0, 0, "COL of the region"},
      {"industry", "industry", Type::kText, false, 0, 0, "COL of the industry"},
      {"stage", "stage", Type::kEnum, false, 0, 0,
       "COL of the stage NURTURING/INITIAL/DEVELOPING/STRATEGIC_PARTNER/INTERRUPTED"},
      {"credit-risk", "credit_risk", Type::kEnum, false, 0, 0,
       "COL of the credit risk NONE/WATCH/DOWNGRADED/DISTRESSED"},
  };
  static const std::vector<TopicCsvField> kContacts = {
      {"kind", "kind", Type::kEnum, true, 0, 0,
       "COL of the kind MEETING_SCHEDULED/MEETING_HELD/MEETING_CANCELLED/CALL/VISIT/"
       "CONTACT_ADDED/CONTACT_LEFT/CONTACT_ROLE_CHANGED/REFERENCE_WITHDRAWN/MANAGER_CHANGED"},
      {"meeting-type", "meeting_type", Type::kEnum, false, 0, 0,
       "COL of the meeting type STRATEGY/BUSINESS_REVIEW/EXECUTIVE/ROUTINE/TRAINING"},
      {"contact-id", "contact_id", Type::kText, false, 0, 0, "COL of the contact's id"},
      {"contact-role", "contact_role", Type::kEnum, false, 0, 0,
       "COL of the role DECISION_MAKER/INFLUENCER/SUPPORTER/OPPONENT/USER"},
      {"level", "level", Type::kEnum, false, 0, 0,
       "COL of the level EXECUTIVE/MANAGEMENT/OPERATIONAL"},
      {"new-manager", "new_manager.id", Type::kText, false, 0, 0,
       "COL of the new manager's id (MANAGER_CHANGED)"},
      {"new-manager-name", "new_manager.name", Type::kText, false, 0, 0,
       "COL of the new manager's name"},
      {"new-manager-email", "new_manager.email", Type::kText, false, 0, 0,
       "COL of the new manager's email"},
  };
  static const std::vector<TopicCsvField> kService = {
      {"ticket-id", "ticket_id", Type::kText, false, 0, 0, "COL of the ticket id"},
      {"kind", "kind", Type::kEnum, true, 0, 0,
       "COL of the kind TICKET_OPENED/TICKET_RESOLVED/TICKET_ESCALATED/COMPLAINT/SLA_BREACHED/"
       "SURVEY"},
      {"severity", "severity", Type::kEnum, false, 0, 0,
       "COL of the severity LOW/MEDIUM/HIGH/CRITICAL"},
      {"csat", "csat", Type::kInt, false, 1, 5, "COL of the CSAT score 1-5 (SURVEY)"},
      {"nps", "nps", Type::kInt, false, 0, 10, "COL of the NPS score 0-10 (SURVEY)"},
  };
  static const std::vector<TopicCsvField> kNone;
  switch (topic) {
    case EventKind::kAccount:
      return kAccounts;
    case EventKind::kContact:
      return kContacts;
    case EventKind::kService:
      return kService;
    case EventKind::kOrder:
      break;
  }
  return kNone;
}

Result<ImportStats> ImportTopicCsv(std::istream& in, const std::string& source,
                                   const TopicCsvMapping& map, std::ostream& out) {
  const std::string topic = EventKindName(map.topic);
  CW_RETURN_IF_ERROR(CheckMapping(map, topic));
  const auto& fields = TopicCsvFields(map.topic);
  std::vector<EnumValueMap::Field> enums;
  for (const auto& f : fields) {
    if (f.type == Type::kEnum)
      enums.push_back({f.flag, MessageOf(map.topic)->FindFieldByName(f.json)->enum_type()});
  }
  auto values = EnumValueMap::Parse(map.value_maps, enums, topic);
  if (!values.ok()) return values.status();
  const std::string as_of = map.as_of.empty() ? "" : DateToRfc3339(map.as_of);

  // The engine's own checks, so a written event is never dead-lettered for its content.
  EventDecoder decoder;
  EventValidator validator(ValidationLimits{}, &SystemClock::Instance());
  Event event;
  struct Row {
    nlohmann::ordered_json json;
    int64_t line;
  };
  std::vector<Row> rows;
  std::unordered_set<std::string> accounts;
  auto parse = [&](const CsvRow& cells) -> std::string {
    nlohmann::ordered_json j;
    const std::string& account = cells[0];
    if (account.empty()) return "account is empty";
    std::string occurred_at = map.date.empty() ? as_of : DateToRfc3339(cells[1]);
    if (occurred_at.empty())
      return "date '" + cells[1] + "' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant";
    j["event_id"] = cells[2].empty() ? "" : topic + ":" + cells[2];
    j["account_id"] = account;
    j["occurred_at"] = occurred_at;
    for (size_t i = 0; i < fields.size(); ++i) {
      const TopicCsvField& f = fields[i];
      const std::string& cell = cells[3 + i];
      if (cell.empty()) continue;
      switch (f.type) {
        case Type::kText:
          SetField(j, f.json, cell);
          break;
        case Type::kEnum: {
          auto v = values->Resolve(f.flag, cell);
          if (!v.ok()) return v.status().message();
          if (!v->empty()) SetField(j, f.json, *v);
          break;
        }
        case Type::kInt: {
          int n = 0;
          if (!ParseInt(cell, f.min, f.max, &n))
            return std::string(f.flag) + " '" + cell + "' is not a whole number from " +
                   std::to_string(f.min) + " to " + std::to_string(f.max);
          SetField(j, f.json, n);
          break;
        }
      }
    }
    // The file's content hash, part of the default id, is known only at the end: validate with
    // a stand-in id.
    nlohmann::ordered_json probe = j;
    if (cells[2].empty()) probe["event_id"] = "csv-row";
    const std::string payload = probe.dump();
    auto rejection = decoder.Decode(map.topic, PayloadFormat::kJson, payload, &event);
    if (!rejection) rejection = validator.Validate(event, account);
    if (rejection) {
      const std::string& d = rejection->detail;
      std::string flag = FlagOf(map.topic, d.substr(0, d.find_first_of(" :")));
      return "the engine would reject this " + topic + " event: " + d +
             (flag.empty() ? "" : " (column " + flag + ")");
    }
    accounts.insert(account);
    rows.push_back({std::move(j), cells.line()});
    return "";
  };
  auto table = ReadCsvTable(in, source, map.format, Columns(map), topic, parse);
  if (!table.ok()) return table.status();

  const std::string file_tag = Hex64(table->content_hash);
  std::vector<std::pair<std::string, std::string>> events;
  events.reserve(rows.size());
  for (auto& r : rows) {
    if (r.json["event_id"].get<std::string>().empty())
      r.json["event_id"] = "csv-" + file_tag + "-" + std::to_string(r.line);
    events.push_back({r.json["occurred_at"].get<std::string>(), r.json.dump()});
  }
  WriteInTimeOrder(std::move(events), out);
  ImportStats stats;
  stats.rows = table->rows;
  stats.customers = static_cast<int64_t>(accounts.size());
  stats.layout = "csv " + topic;
  return stats;
}

}  // namespace churnwatch::backtest
