// The backtest library: CDNOW import (both layouts, hostile rows), labels (file and the CDNOW
// rule), the time-ordered history reader, the scoring rule on a hand-computed case, the
// reports, and a replay through the engine's own code (ingest::Replayer) end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backtest/backtest_runner.h"
#include "backtest/baselines.h"
#include "backtest/cdnow_import.h"
#include "backtest/csv_import.h"
#include "backtest/history_reader.h"
#include "backtest/import_fields.h"
#include "backtest/labels.h"
#include "backtest/report.h"
#include "backtest/scoring.h"
#include "rules/rule_loader.h"
#include "temp_dir.h"

namespace churnwatch::backtest {
namespace {

Result<ImportStats> Import(const std::string& text, std::string* events) {
  std::istringstream in(text);
  std::ostringstream out;
  auto r = ImportCdnow(in, "cd.txt", out);
  *events = out.str();
  return r;
}

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(CdnowImport, MasterLayoutWithHeaderInTimeOrder) {
  std::string events;
  auto r = Import(
      " customer_id  date number_of_cds  dollar_value\n"
      " 00001 19970105  1   11.77\n"
      " 00002 19970101  5   77.5\n"
      " 00002 19970101  2   0.00\n",
      &events);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->layout, "master");
  EXPECT_EQ(r->rows, 3);
  EXPECT_EQ(r->customers, 2);
  auto l = Lines(events);
  ASSERT_EQ(l.size(), 3u);
  // Ordered by date; the two rows of 1997-01-01 keep their file order (lines 3 and 4).
  EXPECT_EQ(l[0]["event_id"], "cdnow-00002-3");
  EXPECT_EQ(l[0]["occurred_at"], "1997-01-01T00:00:00Z");
  EXPECT_EQ(l[0]["amount_minor"], 7750);
  EXPECT_EQ(l[0]["quantity"], 5);
  EXPECT_EQ(l[1]["event_id"], "cdnow-00002-4");
  EXPECT_EQ(l[1]["amount_minor"], 0);
  EXPECT_EQ(l[2]["account_id"], "00001");
  EXPECT_EQ(l[2]["amount_minor"], 1177);
  EXPECT_EQ(l[2]["status"], "PLACED");
  EXPECT_EQ(l[2]["product_line"], "CD");
  EXPECT_EQ(l[2]["currency"], "USD");
}

TEST(CdnowImport, SampleLayoutUsesTheMasterCustomerId) {
  std::string events;
  auto r = Import(" 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n", &events);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->layout, "sample");
  auto l = Lines(events);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0]["account_id"], "00004");
  EXPECT_EQ(l[1]["occurred_at"], "1997-01-18T00:00:00Z");
  EXPECT_EQ(l[1]["amount_minor"], 2973);
}

TEST(CdnowImport, HostileRowsNameFileAndLine) {
  struct Case {
    std::string text, needle;
  };
  for (const Case& c : std::vector<Case>{
           {" 00001 19970101 1\n", "cd.txt:1: expected 4 columns"},
           {" 00001 19970101 1 1.00\n 00002 0002 19970101 1 1.00\n", "cd.txt:2: expected 4"},
           {" 00001 19970230 1 1.00\n", "cd.txt:1: date '19970230'"},
           {" 00001 1997-01-01 1 1.00\n", "cd.txt:1: date"},
           {" 00001 19970101 -1 1.00\n", "cd.txt:1: number_of_cds '-1'"},
           {" 00001 19970101 1 -12.00\n", "cd.txt:1: dollar_value '-12.00'"},
           {" 00001 19970101 1 1.005\n", "cd.txt:1: dollar_value"},
           {" 00001 19970101 1 abc\n", "cd.txt:1: dollar_value"},
           {"\n x0001 19970101 1 1.00\n", "cd.txt:2: customer id"},
           {"", "no purchase rows"},
       }) {
    std::string events;
    auto r = Import(c.text, &events);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << "want '" << c.needle << "' in: " << r.status().message();
  }
}

Result<ImportStats> ImportCsvText(const std::string& text, const CsvMapping& map,
                                  std::string* events) {
  std::istringstream in(text);
  std::ostringstream out;
  auto r = ImportCsv(in, "crm.csv", map, out);
  *events = out.str();
  return r;
}

TEST(CsvImport, MapsColumnsByNameOrNumberInTimeOrder) {
  CsvMapping map;
  map.account = "Customer";
  map.date = "Order Date";
  map.quantity = "Qty";
  map.amount = "Total";
  map.product_line = "Line";
  map.order_id = "1";
  std::string events;
  auto r = ImportCsvText(
      "Order No,Customer,Order Date,Qty,Total,Line\n"
      "SO-2,\"Acme, Inc.\",2025-03-01,5,1200.5,bearings\n"
      "SO-1,Globex,20250115,,,\n"
      "SO-3,Globex,2025-02-01T09:30:00+08:00,2,10,\"seals \"\"XL\"\"\"\n",
      map, &events);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows, 3);
  EXPECT_EQ(r->customers, 2);
  auto l = Lines(events);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0]["order_id"], "SO-1");
  EXPECT_EQ(l[0]["occurred_at"], "2025-01-15T00:00:00Z");
  EXPECT_EQ(l[0]["quantity"], 1);  // no quantity: one
  EXPECT_EQ(l[0]["amount_minor"], 0);
  EXPECT_EQ(l[0]["product_line"], "default");
  EXPECT_EQ(l[1]["occurred_at"], "2025-02-01T01:30:00Z");
  EXPECT_EQ(l[1]["product_line"], "seals \"XL\"");
  EXPECT_EQ(l[2]["account_id"], "Acme, Inc.");
  EXPECT_EQ(l[2]["amount_minor"], 120050);
  EXPECT_EQ(l[2]["currency"], "CNY");
  EXPECT_EQ(l[2]["status"], "PLACED");
}

TEST(CsvImport, AmountsWithMoreDecimalsAreRoundedOnlyWhenAsked) {
  EXPECT_EQ(DecimalToCents("163.625"), -1);
  EXPECT_EQ(DecimalToCents("163.625", true), 16363);
  EXPECT_EQ(DecimalToCents("163.624", true), 16362);
  EXPECT_EQ(DecimalToCents("1,250.005", true), 125001);
  EXPECT_EQ(DecimalToCents("12.5", true), 1250);
  EXPECT_EQ(DecimalToCents("12.5x5", true), -1);
  EXPECT_EQ(DecimalToCents("-1.005", true), -1);
}

TEST(CsvImport, HostileRowsNameFileAndLine) {
  CsvMapping map;
  map.account = "account";
  map.date = "date";
  map.amount = "amount";
  map.status = "status";
  struct Case {
    std::string text, needle;
  };
  for (const Case& c : std::vector<Case>{
           {"acct,date\nA,2025-01-01\n", "crm.csv:1: no column 'account'"},
           {"account,date,amount,status\nA,2025-02-30,1,placed\n", "crm.csv:2: date"},
           {"account,date,amount,status\nA,2025-01-01,-5,placed\n", "crm.csv:2: amount '-5'"},
           {"account,date,amount,status\nA,2025-01-01,1,shipped\n", "crm.csv:2: status"},
           {"account,date,amount,status\nA,2025-01-01\n", "crm.csv:2: expected at least 4"},
           {"account,date,amount,status\n,2025-01-01,1,placed\n", "crm.csv:2: account is empty"},
       }) {
    std::string events;
    auto r = ImportCsvText(c.text, map, &events);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << "want '" << c.needle << "' in: " << r.status().message();
  }
  CsvMapping numbers;
  numbers.account = "1";
  numbers.date = "2";
  numbers.format.header = false;
  numbers.format.delimiter = ';';
  std::string events;
  auto r = ImportCsvText("A;2025-01-01\nB;2025-01-02\n", numbers, &events);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows, 2);
}

// Issue 15 defect 1: every file's line 2 was "csv-2", so a second export's orders collided
// with the first's and the engine dropped them as duplicates. Ids come from the order id
// (with product line and status: the lines of one order and its return are distinct events),
// else from the file's content and line: the same file again gives the same ids, another file
// other ids.
TEST(CsvImport, EventIdsAreUniqueAcrossFiles) {
  CsvMapping map;
  map.account = "account";
  map.date = "date";
  auto ids = [&](const std::string& text, const CsvMapping& m) {
    std::string events;
    auto r = ImportCsvText(text, m, &events);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> out;
    for (const auto& l : Lines(events)) out.push_back(l["event_id"].get<std::string>());
    return out;
  };
  const std::string january = "account,date\nA,2025-01-05\nB,2025-01-06\n";
  const std::string february = "account,date\nA,2025-02-05\nC,2025-02-06\n";
  auto jan = ids(january, map), feb = ids(february, map);
  ASSERT_EQ(jan.size(), 2u);
  ASSERT_EQ(feb.size(), 2u);
  for (const auto& id : jan) {
    EXPECT_EQ(std::count(feb.begin(), feb.end(), id), 0) << id << " is in both files";
    EXPECT_EQ(id.rfind("csv-", 0), 0u) << id;
  }
  EXPECT_NE(jan[0], jan[1]);
  EXPECT_EQ(ids(january, map), jan) << "the same file again: the same ids (deduplicated)";

  map.order_id = "order";
  map.product_line = "line";
  map.status = "status";
  auto with_orders =
      ids("account,date,order,line,status\n"
          "A,2025-01-05,SO-7,bearings,PLACED\n"
          "A,2025-01-05,SO-7,seals,placed\n"
          "A,2025-01-20,SO-7,seals,RETURNED\n",
          map);
  EXPECT_EQ(with_orders,
            (std::vector<std::string>{"order:SO-7:bearings:placed", "order:SO-7:seals:placed",
                                      "order:SO-7:seals:returned"}));
  auto other_file = ids("account,status,date,line,order\nA,PLACED,2025-03-01,seals,SO-7\n", map);
  EXPECT_EQ(other_file, (std::vector<std::string>{"order:SO-7:seals:placed"}))
      << "the order id decides, not the file or line";
}

// Issue 15 frictions: the import stopped at the first bad row, matched headers by case without
// naming the real ones, and refused "1,250.00".
TEST(CsvImport, ReportsEveryBadRowMatchesHeadersInAnyCaseAndReadsThousands) {
  CsvMapping map;
  map.account = "customer";
  map.date = "ORDER DATE";
  map.amount = "Total";
  std::string events;
  auto r = ImportCsvText(
      "Customer,Order Date,TOTAL\n"
      "A,2025-01-05,\"1,250.00\"\n"
      "B,2025-13-01,1\n"
      ",2025-01-07,1\n"
      "C,2025-01-08,\"12,50\"\n",
      map, &events);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("crm.csv:3: date '2025-13-01'"), std::string::npos) << m;
  EXPECT_NE(m.find("crm.csv:4: account is empty"), std::string::npos) << m;
  EXPECT_NE(m.find("crm.csv:5: amount '12,50'"), std::string::npos) << m;
  EXPECT_EQ(m.find("crm.csv:2"), std::string::npos) << "1,250.00 is fine: " << m;
  EXPECT_NE(m.find("3 bad rows (of 4); nothing written"), std::string::npos) << m;
  EXPECT_TRUE(events.empty());

  auto ok = ImportCsvText("CUSTOMER,order date,total\nA,2025-01-05,\"1,250.00\"\n", map, &events);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(Lines(events)[0]["amount_minor"], 125000);

  std::string many = "customer,order date,total\n";
  for (int i = 0; i < 30; ++i) many += "A,bad,1\n";
  auto capped = ImportCsvText(many, map, &events);
  ASSERT_FALSE(capped.ok());
  const std::string& cm = capped.status().message();
  EXPECT_NE(cm.find("crm.csv:21:"), std::string::npos) << cm;
  EXPECT_EQ(cm.find("crm.csv:22:"), std::string::npos) << "at most 20 rows by line: " << cm;
  EXPECT_NE(cm.find("... and 10 more"), std::string::npos) << cm;
  EXPECT_NE(cm.find("30 bad rows (of 30)"), std::string::npos) << cm;

  map.account = "client";
  auto missing = ImportCsvText("Customer,Order Date,Total\nA,2025-01-05,1\n", map, &events);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(
                "no column 'client' (account) in the header; it has 'Customer', 'Order Date', "
                "'Total'"),
            std::string::npos)
      << missing.status().message();
}

TEST(Labels, DerivesTheCdnowRule) {
  const int64_t end = Calendar::DayNumber(19970930);
  std::map<std::string, std::vector<int64_t>> days = {
      {"two-then-gone", {end - 100, end - 30}},  // churned, churn date = end - 30
      {"came-back", {end - 100, end - 50, end + 10}},
      {"one-day-only", {end - 10}},          // not labelled (< 2 days)
      {"first-after", {end + 1, end + 20}},  // not labelled
      {"back-after-observation", {end - 9, end - 8, end + 400}},
  };
  LabelRule rule{end, end + 273, 2};
  Labels l = DeriveLabels(days, rule);
  ASSERT_EQ(l.accounts.size(), 3u);
  EXPECT_TRUE(l.accounts.at("two-then-gone").churned);
  EXPECT_EQ(*l.accounts.at("two-then-gone").churn_date, Calendar::DayFromNumber(end - 30));
  EXPECT_FALSE(l.accounts.at("came-back").churned);
  EXPECT_FALSE(l.accounts.at("came-back").churn_date.has_value());
  // Its return is after the observation end: churned as far as the rule can see.
  EXPECT_TRUE(l.accounts.at("back-after-observation").churned);
  EXPECT_EQ(FormatLabelsCsv(l),
            "account_id,churned,churn_date\nback-after-observation,1,1997-09-22\ncame-back,0,\n"
            "two-then-gone,1,1997-08-31\n");
  rule.min_purchase_days = 3;  // nobody has three purchase days by the calibration end
  EXPECT_TRUE(DeriveLabels(days, rule).accounts.empty());
}

TEST(Labels, ParsesAccountAndPartialChurnRows) {
  auto l = ParseLabels(
      "account_id,churned,churn_date,product_line,dropped,drop_date\n"
      "A,1,2025-03-01,,,\n"
      "B,0,,,,\n"
      "B,0,,seals,1,2025-02-01\n",
      "l.csv");
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_EQ(l->accounts.size(), 2u);
  EXPECT_EQ(*l->accounts.at("A").churn_date, 20250301);
  ASSERT_EQ(l->partial.size(), 1u);
  EXPECT_EQ(l->partial[0].product_line, "seals");
  EXPECT_EQ(*l->partial[0].drop_date, 20250201);
}

TEST(Labels, BadFilesNameFileAndLine) {
  struct Case {
    std::string text, needle;
  };
  for (const Case& c : std::vector<Case>{
           {"id,churned,churn_date\n", "l.csv:1: header"},
           {"account_id,churned,churn_date\nA,yes,2025-01-01\n", "l.csv:2: churned"},
           {"account_id,churned,churn_date\nA,1,2025-02-30\n", "l.csv:2: churn_date"},
           {"account_id,churned,churn_date\nA,1,\n", "l.csv:2: a churned account needs"},
           {"account_id,churned,churn_date\nA,1,2025-01-01,x\n", "l.csv:2: expected 3 columns"},
           {"account_id,churned,churn_date\nA,0,\nA,1,2025-01-01\n", "l.csv:3: account A"},
           {"", "empty labels file"},
       }) {
    auto l = ParseLabels(c.text, "l.csv");
    ASSERT_FALSE(l.ok()) << c.text;
    EXPECT_NE(l.status().message().find(c.needle), std::string::npos)
        << "want '" << c.needle << "' in: " << l.status().message();
  }
}

class TempFiles : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  testutil::TempDir dir_;
};

std::string Order(const std::string& id, const std::string& account, const std::string& at,
                  const std::string& line = "P") {
  return R"({"event_id":")" + id + R"(","account_id":")" + account + R"(","occurred_at":")" + at +
         R"(","order_id":")" + id + R"(","product_line":")" + line +
         R"(","quantity":1,"amount_minor":100,"currency":"USD","status":"PLACED"})" + "\n";
}

TEST_F(TempFiles, ReaderMergesFilesByTimeAndTellsTopicsByName) {
  Write("x-orders.ndjson",
        Order("o1", "A", "2025-01-01T00:00:00Z") + Order("o2", "A", "2025-01-03T00:00:00Z"));
  Write(
      "service.ndjson",
      R"({"event_id":"s1","account_id":"A","occurred_at":"2025-01-02T00:00:00Z","kind":"COMPLAINT"})"
      "\nnot json\n");
  Write("notes.txt", "ignored in a directory\n");
  auto inputs = ResolveHistoryInputs({dir_.path()});
  ASSERT_TRUE(inputs.ok()) << inputs.status().message();
  ASSERT_EQ(inputs->size(), 2u);
  auto reader = HistoryReader::Open(*inputs);
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> order;
  HistoryEvent e;
  while (*(*reader)->Next(&e)) {
    order.push_back(e.rejection ? "bad@" + e.where.substr(e.where.rfind('/') + 1)
                                : std::string(e.event->event_id()));
  }
  // The undecodable line keeps the time of the line before it (2025-01-02).
  EXPECT_EQ(order, (std::vector<std::string>{"o1", "s1", "bad@service.ndjson:2", "o2"}));

  auto unnamed = ResolveHistoryInputs({Write("history.ndjson", "")});
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.status().message().find("cannot tell its topic"), std::string::npos);
  auto prefixed = ResolveHistoryInputs({"orders:" + dir_.path() + "/history.ndjson"});
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ((*prefixed)[0].kind, EventKind::kOrder);
  EXPECT_EQ(ResolveHistoryInputs({dir_.path() + "/missing-orders.ndjson"}).status().code(),
            StatusCode::kNotFound);
}

v1::Alert Transition(const std::string& id, const std::string& account, const std::string& rule,
                     const std::string& severity, const std::string& started,
                     const std::string& resolved = "") {
  v1::Alert a;
  a.set_id(id);
  a.set_account_id(account);
  a.set_rule(rule);
  a.set_signal("sig_" + rule);
  a.set_severity(severity);
  a.set_state(resolved.empty() ? v1::ALERT_STATE_FIRING : v1::ALERT_STATE_RESOLVED);
  a.mutable_started_at()->set_seconds(*ParseRfc3339(started) / kMicrosPerSecond);
  if (!resolved.empty())
    a.mutable_resolved_at()->set_seconds(*ParseRfc3339(resolved) / kMicrosPerSecond);
  return a;
}

// Labels: A churned 2025-03-01, B churned 2025-04-01, E churned 2025-05-01 (never warned),
// C and D retained. Window [2025-01-01, 2025-07-01): 181 days = 1.98220 quarters.
TEST(Scoring, HandComputedCase) {
  auto labels = ParseLabels(
      "account_id,churned,churn_date\nA,1,2025-03-01\nB,1,2025-04-01\nC,0,\nD,0,\nE,1,2025-05-01\n",
      "l.csv");
  ASSERT_TRUE(labels.ok());
  std::vector<v1::Alert> t = {
      Transition("a0", "A", "r1", "warning", "2024-12-01T10:00:00Z"),   // before the window
      Transition("a1", "A", "r1", "warning", "2025-02-01T10:00:00Z"),   // lead 28
      Transition("a2", "A", "r2", "critical", "2025-02-15T10:00:00Z"),  // lead 14 (r2)
      Transition("b1", "B", "r1", "warning", "2025-04-11T10:00:00Z"),   // lead -10
      Transition("c1", "C", "r1", "warning", "2025-03-01T10:00:00Z"),   // false alarm...
      Transition("c1", "C", "r1", "warning", "2025-03-01T10:00:00Z", "2025-03-20T00:00:00Z"),
      Transition("d1", "D", "r1", "info", "2025-03-01T10:00:00Z"),     // below warning
      Transition("x1", "X", "r1", "warning", "2025-03-01T10:00:00Z"),  // unlabelled
  };
  ScoringOptions o;
  o.from = *ParseRfc3339("2025-01-01T00:00:00Z");
  o.to = *ParseRfc3339("2025-07-01T00:00:00Z");
  o.rules = {{"r1", {"sig_r1", 0}}, {"r2", {"sig_r2", 0}}, {"r3", {"sig_r3", 0}}};
  auto utc = Calendar::Load("UTC");
  ASSERT_TRUE(utc.ok());
  ScoreReport r = Score(t, *labels, o, *utc);
  EXPECT_EQ(r.labelled_accounts, 5);
  EXPECT_EQ(r.churned_accounts, 3);
  EXPECT_EQ(r.unlabelled_accounts_flagged, 1);
  const Figures& all = r.overall;
  EXPECT_EQ(all.accounts_flagged, 3);  // A, B, C
  EXPECT_EQ(all.true_positives, 2);
  EXPECT_EQ(all.recovered, 1);  // C
  EXPECT_EQ(all.alerts, 4);
  EXPECT_DOUBLE_EQ(*all.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*all.recall, 2.0 / 3);
  EXPECT_EQ(all.lead_times, (std::vector<double>{-10, 28}));
  EXPECT_DOUBLE_EQ(*all.lead_time_days.p25, -0.5);
  EXPECT_DOUBLE_EQ(*all.lead_time_days.median, 9);
  EXPECT_DOUBLE_EQ(*all.lead_time_days.p75, 18.5);
  EXPECT_NEAR(all.alerts_per_account_quarter, 4.0 / 5 / (181 / 91.3125), 1e-12);
  EXPECT_DOUBLE_EQ(*all.f1, 2.0 / 3);
  // At the end: A and B still warned (C's warning resolved): precision 1, recall 2/3.
  EXPECT_EQ(all.at_end.accounts_flagged, 2);
  EXPECT_EQ(all.at_end.true_positives, 2);
  EXPECT_DOUBLE_EQ(*all.at_end.precision, 1.0);
  EXPECT_DOUBLE_EQ(*all.at_end.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*all.at_end.f1, 0.8);
  // Four (account, rule) pairs warned; five transitions (C's warning also resolved).
  EXPECT_DOUBLE_EQ(*all.flap_rate, 5.0 / 4);

  ASSERT_EQ(r.rules.size(), 3u);
  EXPECT_EQ(r.rules[0].rule, "r1");
  EXPECT_EQ(r.rules[0].figures.accounts_flagged, 3);
  EXPECT_EQ(r.rules[0].figures.alerts, 3);
  EXPECT_EQ(r.rules[1].rule, "r2");
  EXPECT_EQ(r.rules[1].signal, "sig_r2");
  EXPECT_DOUBLE_EQ(*r.rules[1].figures.precision, 1.0);
  EXPECT_DOUBLE_EQ(*r.rules[1].figures.recall, 1.0 / 3);
  EXPECT_DOUBLE_EQ(*r.rules[1].figures.lead_time_days.median, 14);
  EXPECT_EQ(r.rules[2].figures.accounts_flagged, 0);  // r3 never warned
  EXPECT_FALSE(r.rules[2].figures.precision.has_value());

  // `for` moves the fire time: r1 holding 10 days before firing makes A's lead 18.
  o.rules["r1"].for_micros = 10 * kMicrosPerDay;
  EXPECT_DOUBLE_EQ(*Score(t, *labels, o, *utc).rules[0].figures.lead_time_days.p75, 18 - 0.25 * 38);
  // Critical only: A's r2 warning remains.
  o.min_severity = "critical";
  EXPECT_EQ(Score(t, *labels, o, *utc).overall.accounts_flagged, 1);
}

// Baselines at the cutoff 2025-06-30 (window ends 2025-07-01): A last bought 2025-01-21 every
// 10 days and churned; B buys every 20 days, last 2025-06-20, retained; C bought 2025-03-01 and
// 2025-03-31 (silent 91 days), retained; D never bought, churned.
TEST(Scoring, BaselinesAreScoredByTheSameCode) {
  auto labels = ParseLabels(
      "account_id,churned,churn_date\nA,1,2025-03-01\nB,0,\nC,0,\nD,1,2025-02-01\n", "l.csv");
  ASSERT_TRUE(labels.ok());
  auto day = [](const char* d) { return Calendar::DayNumber(*ParseDate(d)); };
  PurchaseDays days;
  days["A"] = {day("2025-01-01"), day("2025-01-11"), day("2025-01-21")};
  for (int64_t d = day("2025-01-10"); d <= day("2025-06-20"); d += 20) days["B"].push_back(d);
  days["B"].push_back(day("2025-06-20"));
  days["C"] = {day("2025-03-01"), day("2025-03-31")};
  days["Z"] = {day("2025-01-01")};  // unlabelled: never counted
  ScoringOptions o;
  o.from = *ParseRfc3339("2025-01-01T00:00:00Z");
  o.to = *ParseRfc3339("2025-07-01T00:00:00Z");
  auto utc = Calendar::Load("UTC");
  ASSERT_TRUE(utc.ok());
  auto b = ScoreBaselines(days, *labels, o, *utc);
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0].name, "flag_all");
  EXPECT_EQ(b[0].figures.at_end.accounts_flagged, 4);
  EXPECT_DOUBLE_EQ(*b[0].figures.at_end.precision, 0.5);
  EXPECT_DOUBLE_EQ(*b[0].figures.at_end.recall, 1.0);
  EXPECT_EQ(b[1].name, "no_order_90d");  // A (160 days), C (91), D (none)
  EXPECT_EQ(b[1].figures.at_end.accounts_flagged, 3);
  EXPECT_DOUBLE_EQ(*b[1].figures.at_end.f1, 0.8);
  EXPECT_EQ(b[1].figures.alerts, 3);           // one warning per flagged account, at the end
  EXPECT_EQ(b[2].name, "no_order_105d_best");  // the first N that leaves C out
  EXPECT_DOUBLE_EQ(*b[2].figures.at_end.f1, 1.0);
  EXPECT_EQ(b[3].name, "silence_2x_median_gap");  // A: 160 > 20; C: 91 > 60; D; not B
  EXPECT_EQ(b[3].figures.at_end.accounts_flagged, 3);
  EXPECT_DOUBLE_EQ(*b[3].figures.at_end.precision, 2.0 / 3);
}

TEST(Scoring, ProductLineRowsAreScoredAgainstTheDroppedLinesEvidence) {
  auto labels = ParseLabels(
      "account_id,churned,churn_date,product_line,dropped,drop_date\n"
      "A,0,,,,\n"
      "A,0,,seals,1,2025-02-01\n"
      "A,0,,bolts,0,\n"
      "B,0,,nuts,1,2025-03-01\n"
      "P,0,,gears,1,2025-03-01\n",  // P has only a partial row: still scored
      "l.csv");
  ASSERT_TRUE(labels.ok()) << labels.status().message();
  auto dropped = [](const std::string& id, const std::string& account, const std::string& lines) {
    v1::Alert a =
        Transition(id, account, "product_line_dropped", "warning", "2025-04-01T00:00:00Z");
    a.set_signal("product_line_dropped");
    (*a.mutable_evidence())["dropped_product_lines"].set_string_value(lines);
    return a;
  };
  std::vector<v1::Alert> t = {dropped("a", "A", "seals, bolts"), dropped("p", "P", "gears")};
  ScoringOptions o;
  o.from = *ParseRfc3339("2025-01-01T00:00:00Z");
  o.to = *ParseRfc3339("2025-07-01T00:00:00Z");
  auto utc = Calendar::Load("UTC");
  ScoreReport r = Score(t, *labels, o, *utc);
  ASSERT_TRUE(r.product_lines);
  EXPECT_EQ(r.product_lines->pairs, 4);
  EXPECT_EQ(r.product_lines->dropped, 3);
  EXPECT_EQ(r.product_lines->flagged, 3);  // seals, bolts (not dropped), gears
  EXPECT_EQ(r.product_lines->true_positives, 2);
  EXPECT_DOUBLE_EQ(*r.product_lines->precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*r.product_lines->recall, 2.0 / 3);
  auto j = nlohmann::json::parse(RenderJson(r, {}));
  EXPECT_EQ(j["product_lines"]["pairs"], 4);
}

TEST(Report, JsonHasTheContractShapeAndHtmlEscapes) {
  ScoreReport r;
  r.overall.accounts_flagged = 1;
  r.overall.precision = 0.5;
  r.rules.push_back({"<script>alert(1)</script>", "purchase_silence", {}});
  ReportContext c{"2025-01-01T00:00:00Z", "2025-07-01T00:00:00Z", "warning", "rules/", "l&.csv"};
  auto j = nlohmann::json::parse(RenderJson(r, c));
  for (const char* key : {"precision", "recall", "accounts_flagged", "alerts", "lead_time_days"})
    EXPECT_TRUE(j["overall"].contains(key)) << key;
  EXPECT_TRUE(j["overall"]["lead_time_days"].contains("median"));
  EXPECT_TRUE(j["overall"]["recall"].is_null());
  EXPECT_EQ(j["rules"][0]["signal"], "purchase_silence");
  for (const char* key : {"precision", "recall", "f1", "accounts_flagged"}) {
    EXPECT_TRUE(j["at_end"].contains(key)) << key;
    EXPECT_TRUE(j["rules"][0]["at_end"].contains(key)) << key;
  }
  EXPECT_TRUE(j["overall"].contains("flap_rate"));
  EXPECT_TRUE(j["baselines"].is_array());
  EXPECT_FALSE(j.contains("product_lines"));  // no product-line rows
  EXPECT_TRUE(j["scoring"].contains("lead_time_days"));
  std::string html = RenderHtml(r, c);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("l&amp;.csv"), std::string::npos);
  EXPECT_EQ(html.find("http://") != std::string::npos &&
                html.find("http://www.w3.org/2000/svg") == std::string::npos,
            false);  // no external resource: the only URL is the SVG namespace
}

// A small history through the engine's own code: A orders three times and stops (churned),
// B keeps ordering (retained), C pauses 45 days and comes back (retained, warned: a false
// alarm that recovers). Rule: no order for more than 30 days. Daily sweeps at local (UTC)
// midnight: A's last order is 2025-01-21 10:00, so the rule first holds at the midnight
// starting 2025-02-21 → lead time 2025-01-21 - 2025-02-21 = -31 days.
TEST_F(TempFiles, ReplaysThroughTheEngineAndScores) {
  std::string orders;
  orders += Order("a1", "A", "2025-01-01T10:00:00Z");
  orders += Order("c1", "C", "2025-01-01T11:00:00Z");
  orders += Order("a2", "A", "2025-01-11T10:00:00Z");
  orders += Order("a3", "A", "2025-01-21T10:00:00Z");
  for (const char* at : {"2025-01-02T09:00:00Z", "2025-01-20T09:00:00Z", "2025-02-10T09:00:00Z",
                         "2025-03-01T09:00:00Z", "2025-03-20T09:00:00Z"})
    orders += Order(std::string("b-") + at, "B", at);
  orders += Order("c2", "C", "2025-02-15T11:00:00Z");  // 45 days after c1
  orders += Order("c3", "C", "2025-03-10T11:00:00Z");
  std::string path = Write("orders.ndjson", orders);
  std::string rules = Write("silence.yaml",
                            "groups:\n  - name: t\n    rules:\n      - id: silent_30d\n"
                            "        expr: \"days_since_last_order > 30\"\n"
                            "        labels: {signal: purchase_silence}\n"
                            "        annotations: {summary: \"silent\"}\n");
  auto loaded = rules::LoadRules(rules);
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems[0].ToString();
  // One partition or three (accounts spread by hash, each on its own thread): the same result.
  for (int partitions : {1, 3}) {
    SCOPED_TRACE("partitions " + std::to_string(partitions));
    BacktestOptions o;
    o.inputs = {{path, EventKind::kOrder}};
    o.time_zone = "UTC";
    o.evaluation.sweep_days = 1;
    o.rules = std::make_shared<const rules::RuleSet>(loaded.set);
    o.state_dir = dir_.path() + "/state-" + std::to_string(partitions);
    o.partitions = partitions;
    o.batch_events = 3;
    o.to = *ParseRfc3339("2025-04-01T00:00:00Z");
    auto run = RunBacktest(o);
    ASSERT_TRUE(run.ok()) << run.status().message();
    EXPECT_EQ(run->events, 11);
    EXPECT_TRUE(run->rejected.empty());
    EXPECT_EQ(run->from, *ParseRfc3339("2025-01-01T10:00:00Z"));

    auto labels = ParseLabels("account_id,churned,churn_date\nA,1,2025-01-21\nB,0,\nC,0,\n", "l");
    ASSERT_TRUE(labels.ok());
    ScoringOptions so;
    so.from = run->from;
    so.to = run->to;
    so.rules = {{"silent_30d", {"purchase_silence", 0}}};
    auto utc = Calendar::Load("UTC");
    ScoreReport r = Score(run->transitions, *labels, so, *utc);
    EXPECT_EQ(r.overall.accounts_flagged, 2);  // A and C
    EXPECT_EQ(r.overall.true_positives, 1);
    EXPECT_EQ(r.overall.recovered, 1);  // C ordered again
    EXPECT_DOUBLE_EQ(*r.overall.precision, 0.5);
    EXPECT_DOUBLE_EQ(*r.overall.recall, 1.0);
    EXPECT_EQ(r.overall.lead_times, std::vector<double>{-31});
  }
}

// Per-line p_alive from the order-day bits the engine keeps per line and month: seals bought
// on eight days 14 days apart (last 2025-04-10) while bearings go on every 14 days. With the
// default parameters seals' p_alive falls below 0.3 after 75 days of silence (0.2996; 74 days:
// 0.307), i.e. at the sweep of 2025-06-24, while the account as a whole stays alive.
TEST_F(TempFiles, PerLineProbabilityAliveFindsTheDyingLine) {
  std::vector<std::pair<int64_t, std::string>> events;
  const int64_t jan1 = Calendar::DayNumber(20250101);
  for (int k = 0; k < 20; ++k) events.push_back({jan1 + 14 * k, "bearings"});
  for (int k = 0; k < 8; ++k) events.push_back({jan1 + 1 + 14 * k, "seals"});
  std::sort(events.begin(), events.end());
  std::string orders;
  for (size_t i = 0; i < events.size(); ++i) {
    std::string at = FormatDate(Calendar::DayFromNumber(events[i].first)) + "T10:00:00Z";
    orders += Order("o" + std::to_string(i), "A", at, events[i].second);
  }
  std::string path = Write("orders.ndjson", orders);
  std::string rules = Write("line.yaml",
                            "groups:\n  - name: t\n    rules:\n      - id: line_dying\n"
                            "        expr: \"p_alive_lowest_line < 0.3 && p_alive > 0.5\"\n"
                            "        labels: {signal: product_line_dropped}\n"
                            "        annotations: {summary: \"{{p_alive_lowest_line_name}}\"}\n");
  auto loaded = rules::LoadRules(rules);
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems[0].ToString();
  BacktestOptions o;
  o.inputs = {{path, EventKind::kOrder}};
  o.time_zone = "UTC";
  o.evaluation.sweep_days = 1;
  o.rules = std::make_shared<const rules::RuleSet>(loaded.set);
  o.state_dir = dir_.path() + "/state";
  o.to = *ParseRfc3339("2025-07-01T00:00:00Z");
  auto run = RunBacktest(o);
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_FALSE(run->transitions.empty());
  const v1::Alert& first = run->transitions.front();
  EXPECT_EQ(first.state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(first.started_at().seconds() * kMicrosPerSecond, *ParseRfc3339("2025-06-24T00:00:00Z"));
  EXPECT_EQ(first.annotations().at("summary"), "seals");
}

}  // namespace
}  // namespace churnwatch::backtest
