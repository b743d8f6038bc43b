// `import csv --topic accounts|contacts|service` (ImportTopicCsv) and the pieces every topic's
// import shares (ReadCsvTable, EnumValueMap): column mappings, enum tables, quoting, BOMs, and
// hostile rows reported as FILE:LINE. Every written line is checked with the engine's own
// decoder and validator, independently of the importer's own check.
#include "backtest/topic_csv_import.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "backtest/csv_import.h"
#include "common/clock.h"
#include "events/event_decoder.h"
#include "events/event_validator.h"

namespace churnwatch::backtest {
namespace {

struct Imported {
  Result<ImportStats> stats = InvalidArgument("not run");
  std::vector<nlohmann::json> events;
};

// Imports `text` as crm.csv; every written line must be an event the engine accepts.
Imported Import(const std::string& text, const TopicCsvMapping& map) {
  std::istringstream in(text);
  std::ostringstream out;
  Imported r;
  r.stats = ImportTopicCsv(in, "crm.csv", map, out);
  std::istringstream lines(out.str());
  EventDecoder decoder;
  EventValidator validator(ValidationLimits{}, &SystemClock::Instance());
  for (std::string line; std::getline(lines, line);) {
    Event e;
    auto rejected = decoder.Decode(map.topic, PayloadFormat::kJson, line, &e);
    auto j = nlohmann::json::parse(line);
    if (!rejected) rejected = validator.Validate(e, j["account_id"].get<std::string>());
    EXPECT_FALSE(rejected) << line << ": " << rejected->detail;
    r.events.push_back(j);
  }
  return r;
}

// The message of a failed import, or a failure when it succeeded.
std::string Error(const Imported& r) {
  EXPECT_FALSE(r.stats.ok());
  EXPECT_TRUE(r.events.empty()) << "nothing is written when a row is bad";
  return r.stats.ok() ? "" : r.stats.status().message();
}

#define EXPECT_HAS(haystack, needle)                    \
  EXPECT_NE((haystack).find(needle), std::string::npos) \
      << "want '" << (needle) << "' in: " << (haystack)

TopicCsvMapping Accounts() {
  TopicCsvMapping m;
  m.topic = EventKind::kAccount;
  m.account = "客户编号";
  m.date = "Modified";
  m.fields = {{"name", "客户名称"},    {"tier", "等级"},   {"owner", "Owner ID"},
              {"owner-name", "Owner"}, {"region", "区域"}, {"industry", "行业"},
              {"stage", "阶段"}};
  m.value_maps = {"tier=战略级:STRATEGIC", "tier=重点:key", "stage=战略合作伙伴:STRATEGIC_PARTNER",
                  "stage=-:"};
  return m;
}

TEST(TopicCsvImport, AccountsFromACrmExportWithABomAndChineseValues) {
  auto r = Import(
      "\xEF\xBB\xBF客户编号,客户名称,等级,Owner ID,Owner,区域,行业,阶段,Modified\r\n"
      "C-2,\"华东精密, 有限公司\",战略级,E-7,王伟,华东,制造,战略合作伙伴,2026-03-02\r\n"
      "C-1,\"Acme \"\"Labs\"\"\",GROWTH,E-9,Li Na,华南,Retail,-,2026-03-01T09:00:00+08:00\r\n"
      "C-3,Globex,重点,,,,,developing,20260301\r\n",
      Accounts());
  ASSERT_TRUE(r.stats.ok()) << r.stats.status().message();
  EXPECT_EQ(r.stats->rows, 3);
  EXPECT_EQ(r.stats->customers, 3);
  ASSERT_EQ(r.events.size(), 3u);
  // Time order: C-1 (01:00 UTC on the 1st) after C-3 (00:00), then C-2.
  EXPECT_EQ(r.events[0]["account_id"], "C-3");
  EXPECT_EQ(r.events[0]["tier"], "KEY");
  EXPECT_EQ(r.events[0]["stage"], "DEVELOPING");
  EXPECT_FALSE(r.events[0].contains("owner")) << "an empty owner is absent";
  EXPECT_EQ(r.events[1]["account_id"], "C-1");
  EXPECT_EQ(r.events[1]["name"], "Acme \"Labs\"");
  EXPECT_EQ(r.events[1]["occurred_at"], "2026-03-01T01:00:00Z");
  EXPECT_FALSE(r.events[1].contains("stage")) << "'-' is mapped to absent";
  const auto& c2 = r.events[2];
  EXPECT_EQ(c2["name"], "华东精密, 有限公司");
  EXPECT_EQ(c2["tier"], "STRATEGIC");
  EXPECT_EQ(c2["owner"]["id"], "E-7");
  EXPECT_EQ(c2["owner"]["name"], "王伟");
  EXPECT_EQ(c2["region"], "华东");
  EXPECT_EQ(c2["industry"], "制造");
  EXPECT_EQ(c2["stage"], "STRATEGIC_PARTNER");
  for (const auto& e : r.events) EXPECT_EQ(e["event_id"].get<std::string>().rfind("csv-", 0), 0u);
}

TEST(TopicCsvImport, AccountsWithoutDatesTakeAsOf) {
  TopicCsvMapping m;
  m.topic = EventKind::kAccount;
  m.account = "1";
  m.as_of = "2026-04-01";
  m.fields = {{"tier", "2"}, {"credit-risk", "3"}};
  m.format = {';', false};
  auto r = Import("A;strategic;watch\nB;TIER_ORDINARY;\n", m);
  ASSERT_TRUE(r.stats.ok()) << r.stats.status().message();
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0]["occurred_at"], "2026-04-01T00:00:00Z");
  EXPECT_EQ(r.events[0]["credit_risk"], "WATCH");
  EXPECT_EQ(r.events[1]["tier"], "ORDINARY");
}

TopicCsvMapping Contacts() {
  TopicCsvMapping m;
  m.topic = EventKind::kContact;
  m.account = "account";
  m.date = "when";
  m.event_id = "activity";
  m.fields = {{"kind", "what"},         {"meeting-type", "type"}, {"contact-id", "person"},
              {"contact-role", "role"}, {"level", "level"},       {"new-manager", "manager"}};
  m.value_maps = {"kind=会议取消:MEETING_CANCELLED", "kind=联系人离职:CONTACT_LEFT",
                  "meeting-type=季度业务回顾:BUSINESS_REVIEW", "contact-role=决策者:DECISION_MAKER",
                  "level=高层:EXECUTIVE"};
  return m;
}

TEST(TopicCsvImport, ContactsMapKindsAndKeepNotesSpanningLines) {
  auto r = Import(
      "activity,account,when,what,type,person,role,level,manager,notes\n"
      "A-1,C-1,2026-05-06,会议取消,季度业务回顾,,,,,\"moved twice,\nthen cancelled\"\n"
      "A-2,C-1,2026-05-07,联系人离职,,P-9,决策者,高层,,\n"
      "A-3,C-2,2026-05-08,manager_changed,,,,,E-4,\n",
      Contacts());
  ASSERT_TRUE(r.stats.ok()) << r.stats.status().message();
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0]["event_id"], "contacts:A-1");
  EXPECT_EQ(r.events[0]["kind"], "MEETING_CANCELLED");
  EXPECT_EQ(r.events[0]["meeting_type"], "BUSINESS_REVIEW");
  EXPECT_EQ(r.events[1]["kind"], "CONTACT_LEFT");
  EXPECT_EQ(r.events[1]["contact_id"], "P-9");
  EXPECT_EQ(r.events[1]["contact_role"], "DECISION_MAKER");
  EXPECT_EQ(r.events[1]["level"], "EXECUTIVE");
  EXPECT_EQ(r.events[2]["kind"], "MANAGER_CHANGED");
  EXPECT_EQ(r.events[2]["new_manager"]["id"], "E-4");
}

TopicCsvMapping Service() {
  TopicCsvMapping m;
  m.topic = EventKind::kService;
  m.account = "Account";
  m.date = "Created";
  m.fields = {{"ticket-id", "Ticket"},
              {"kind", "Type"},
              {"severity", "Priority"},
              {"csat", "CSAT"},
              {"nps", "NPS"}};
  m.value_maps = {"kind=New:TICKET_OPENED", "kind=Closed:TICKET_RESOLVED", "kind=Survey:SURVEY",
                  "severity=P1:CRITICAL", "severity=P3:LOW"};
  return m;
}

TEST(TopicCsvImport, ServiceTicketsAndSurveys) {
  const std::string desk =
      "Ticket,Account,Created,Type,Priority,CSAT,NPS\n"
      "T-1,C-1,2026-05-01T10:00:00Z,New,P1,,\n"
      "T-1,C-1,2026-05-02T10:00:00Z,closed,p1,,\n"
      "T-1,C-1,2026-05-03,Survey,,2,0\n"
      "T-2,C-2,2026-05-04,sla_breached,p3,,\n";
  auto r = Import(desk, Service());
  ASSERT_TRUE(r.stats.ok()) << r.stats.status().message();
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0]["kind"], "TICKET_OPENED");
  EXPECT_EQ(r.events[0]["severity"], "CRITICAL");
  EXPECT_EQ(r.events[1]["kind"], "TICKET_RESOLVED") << "the table matches in any ASCII case";
  EXPECT_EQ(r.events[2]["csat"], 2);
  EXPECT_EQ(r.events[2]["nps"], 0) << "NPS 0 is a score, not absent";
  EXPECT_EQ(r.events[3]["severity"], "LOW");
  EXPECT_NE(r.events[0]["event_id"], r.events[1]["event_id"]);

  // The same file again gives the same ids (the engine deduplicates a re-import); another
  // file's line 2 another id.
  auto again = Import(desk, Service());
  ASSERT_TRUE(again.stats.ok());
  EXPECT_EQ(again.events[0]["event_id"], r.events[0]["event_id"]);
  auto other = Import(
      "Ticket,Account,Created,Type,Priority,CSAT,NPS\nT-9,C-1,2026-05-01T10:00:00Z,New,P1,,\n",
      Service());
  ASSERT_TRUE(other.stats.ok());
  EXPECT_NE(other.events[0]["event_id"], r.events[0]["event_id"]);
}

TEST(TopicCsvImport, HostileRowsNameFileLineAndTheFix) {
  const std::string header = "Ticket,Account,Created,Type,Priority,CSAT,NPS\n";
  struct Case {
    std::string rows, needle;
  };
  for (const Case& c : std::vector<Case>{
           {"T-1,C-1,2026-05-01,投诉,P1,,\n",
            "crm.csv:2: kind '投诉' is not one of TICKET_OPENED, TICKET_RESOLVED, "
            "TICKET_ESCALATED, COMPLAINT, SLA_BREACHED, SURVEY; map it with --map "
            "kind=投诉:VALUE"},
           {"T-1,C-1,2026-02-30,New,P1,,\n",
            "crm.csv:2: date '2026-02-30' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant"},
           {"T-1,C-1,yesterday,New,P1,,\n", "crm.csv:2: date 'yesterday'"},
           {"T-1,C-1,2026-05-01,Survey,,7,\n",
            "crm.csv:2: csat '7' is not a whole number from 1 to 5"},
           {"T-1,C-1,2026-05-01,Survey,,4.5,\n", "crm.csv:2: csat '4.5'"},
           {"T-1,C-1,2026-05-01,Survey,,,ten\n",
            "crm.csv:2: nps 'ten' is not a whole number from 0 to 10"},
           {"T-1,C-1,2026-05-01,Survey,,,\n",
            "crm.csv:2: the engine would reject this service event: a SURVEY needs csat or nps"},
           {"T-1,,2026-05-01,New,P1,,\n", "crm.csv:2: account is empty"},
           {"T-1,C-1,2026-05-01\n", "crm.csv:2: expected at least 7 fields, found 3"},
           {"T-1,C-1,2126-05-01,New,P1,,\n",
            "crm.csv:2: the engine would reject this service event: occurred_at "
            "2126-05-01T00:00:00Z is outside"},
           {"T-1," + std::string(130, 'x') + ",2026-05-01,New,P1,,\n",
            "crm.csv:2: the engine would reject this service event: account_id: 130 bytes, at "
            "most 128 (column --account)"},
           {"T-1,C-1,2026-05-01,New,P1,,\nT-2,\"C-2,2026-05-01,New,P1,,\n",
            "crm.csv:3: a quote opened on this line is never closed"},
       }) {
    auto r = Import(header + c.rows, Service());
    std::string m = Error(r);
    EXPECT_HAS(m, c.needle);
    EXPECT_HAS(m, "nothing written");
  }
  // A meeting without its type: the engine's reason, with the flag that supplies it.
  auto meeting = Import(
      "activity,account,when,what,type,person,role,level,manager\n"
      "A-1,C-1,2026-05-06,会议取消,,,,,\n",
      Contacts());
  EXPECT_HAS(Error(meeting),
             "crm.csv:2: the engine would reject this contacts event: meeting_type is required for "
             "meetings (column --meeting-type)");
  // Every bad row is reported, the count last.
  auto many = Import(header +
                         "T-1,C-1,bad,New,,,\nT-2,C-1,2026-05-01,New,P9,,\n"
                         "T-3,C-1,2026-05-01,New,P1,,\n",
                     Service());
  std::string m = Error(many);
  EXPECT_HAS(m, "crm.csv:2: date 'bad'");
  EXPECT_HAS(m,
             "crm.csv:3: severity 'P9' is not one of LOW, MEDIUM, HIGH, CRITICAL; map it with "
             "--map severity=P9:VALUE");
  EXPECT_HAS(m, "crm.csv: 2 bad rows (of 3); nothing written");
}

TEST(TopicCsvImport, HostileFilesAndMappingsFailBeforeAnyRow) {
  // A missing column names the header's real columns; a BOM is not part of the first name.
  auto missing =
      Import("\xEF\xBB\xBFTicket,Account,Created,Kind\nT-1,C-1,2026-05-01,New\n", Service());
  EXPECT_HAS(Error(missing),
             "crm.csv:1: no column 'Type' (--kind) in the header; it has "
             "'Ticket', 'Account', 'Created', 'Kind'");
  auto gbk = Import(
      "Ticket,Account,Created,Type,Priority,CSAT,NPS\nT-1,\xBF\xCD\xBB\xA7,2026-05-01,New,,,\n",
      Service());
  EXPECT_HAS(Error(gbk), "crm.csv:2: not UTF-8 (convert the export, e.g. iconv -f GBK -t UTF-8)");
  auto empty = Import("Ticket,Account,Created,Type,Priority,CSAT,NPS\n", Service());
  EXPECT_HAS(Error(empty), "crm.csv: no service rows");

  const std::string ok =
      "Ticket,Account,Created,Type,Priority,CSAT,NPS\nT-1,C-1,2026-05-01,New,,,\n";
  struct Case {
    std::function<void(TopicCsvMapping&)> change;
    std::string needle;
  };
  for (const Case& c : std::vector<Case>{
           {[](TopicCsvMapping& m) { m.value_maps = {"kind=New"}; },
            "--map 'kind=New': expected FIELD=FROM:TO"},
           {[](TopicCsvMapping& m) { m.value_maps = {"priority=P1:HIGH"}; },
            "'priority' is not an enum field of service (it has kind, severity)"},
           {[](TopicCsvMapping& m) { m.value_maps = {"severity=P1:URGENT"}; },
            "--map 'severity=P1:URGENT': 'URGENT' is not a severity (one of LOW, MEDIUM, HIGH, "
            "CRITICAL)"},
           {[](TopicCsvMapping& m) {
              m.value_maps = {"severity=P1:LOW", "severity=P1:HIGH"};
            },
            "'P1' is already mapped to 'LOW'"},
           {[](TopicCsvMapping& m) { m.fields.erase("kind"); },
            "--kind is required for --topic service"},
           {[](TopicCsvMapping& m) { m.date.clear(); }, "--date is required for --topic service"},
           {[](TopicCsvMapping& m) { m.fields["tier"] = "Tier"; },
            "--tier is not a column of --topic service (it takes --ticket-id, --kind, --severity, "
            "--csat, --nps)"},
           {[](TopicCsvMapping& m) { m.fields["csat"] = "0"; },
            "column numbers start at 1 (--csat)"},
       }) {
    TopicCsvMapping m = Service();
    c.change(m);
    EXPECT_HAS(Error(Import(ok, m)), c.needle);
  }
  TopicCsvMapping accounts = Accounts();
  accounts.date.clear();
  accounts.as_of = "next week";
  EXPECT_HAS(Error(Import("x\n", accounts)),
             "--as-of 'next week' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant");
}

// The orders import shares the reader and the enum table: --map for status, a BOM'ed header.
TEST(TopicCsvImport, OrdersShareTheTableAndTheReader) {
  CsvMapping map;
  map.account = "客户";
  map.date = "日期";
  map.status = "状态";
  map.value_maps = {"status=已下单:PLACED", "status=退货:RETURNED"};
  std::istringstream in("\xEF\xBB\xBF客户,日期,状态\nA,2026-01-02,退货\nA,2026-01-01,已下单\n");
  std::ostringstream out;
  auto r = ImportCsv(in, "erp.csv", map, out);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows, 2);
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(nlohmann::json::parse(first)["status"], "PLACED");
  EXPECT_EQ(nlohmann::json::parse(second)["status"], "RETURNED");

  std::istringstream bad("客户,日期,状态\nA,2026-01-02,换货\n");
  std::ostringstream none;
  auto rejected = ImportCsv(bad, "erp.csv", map, none);
  ASSERT_FALSE(rejected.ok());
  EXPECT_HAS(rejected.status().message(),
             "erp.csv:2: status '换货' is not one of PLACED, CANCELLED, RETURNED; map it with "
             "--map status=换货:VALUE");
  map.value_maps = {"kind=x:PLACED"};
  std::istringstream any("客户,日期\nA,2026-01-02\n");
  auto bad_map = ImportCsv(any, "erp.csv", map, none);
  ASSERT_FALSE(bad_map.ok());
  EXPECT_HAS(bad_map.status().message(), "'kind' is not an enum field of orders (it has status)");
}

}  // namespace
}  // namespace churnwatch::backtest
