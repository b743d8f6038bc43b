// The real binary end to end on real data: `import cdnow` the CDNOW sample, `label` it, `fit`
// it, and `backtest` the shipped rules against the labels (JSON and HTML). The labels are
// checked against a reference the test computes itself from the raw file; the backtest's
// figures against their own definitions. Also: the new subcommands' errors and --help.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/churnwatch_processes.h"
#include "support/cli_test.h"
#include "support/temp_dir.h"

namespace churnwatch::test {
namespace {

using std::chrono::seconds;

// The CDNOW README's label rule, computed directly from the sample file: customers with >= 2
// distinct purchase dates up to 19970930; churned when none after; churn date = last one.
std::string ReferenceLabels(const std::string& sample_path) {
  std::map<std::string, std::set<std::string>> dates;
  std::ifstream in(sample_path);
  std::string master, sample, date, cds, dollars;
  while (in >> master >> sample >> date >> cds >> dollars) dates[master].insert(date);
  std::string out = "account_id,churned,churn_date\n";
  for (const auto& [id, d] : dates) {
    std::vector<std::string> before;
    bool after = false;
    for (const auto& x : d) (x <= "19970930" ? before.push_back(x) : void(after = true));
    if (before.size() < 2) continue;
    std::string last = before.back();
    out += id + "," +
           (after ? "0,"
                  : "1," + last.substr(0, 4) + "-" + last.substr(4, 2) + "-" + last.substr(6, 2)) +
           "\n";
  }
  return out;
}

// Every usage error here is one stderr line.
class BacktestCli : public CliTest {
 protected:
  void ExpectUsageError(const CommandResult& r, const std::string& needle) {
    CliTest::ExpectUsageError(r, needle, /*one_line=*/true);
  }
};

TEST_F(BacktestCli, CdnowSampleImportLabelFitBacktest) {
  const std::string sample = CHURNWATCH_CDNOW_SAMPLE;
  const std::string orders = dir_.Sub("cdnow-orders.ndjson");
  CommandResult imported = Run({"import", "cdnow", sample, "--out", orders});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.err.find("6919 order events for 2357 customers (sample layout)"),
            std::string::npos)
      << imported.err;

  const std::string labels = dir_.Sub("labels.csv");
  CommandResult labelled =
      Run({"label", "--events", orders, "--calibration-end", "1997-09-30", "--out", labels});
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  EXPECT_EQ(ReadFile(labels), ReferenceLabels(sample));

  CommandResult fit = Run({"fit", "--events", orders, "--calibration-end", "1997-09-30", "--out",
                           dir_.Sub("params.json")});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  auto params = nlohmann::json::parse(ReadFile(dir_.Sub("params.json")));
  EXPECT_NEAR(params["r"].get<double>(), 0.243, 0.0025);
  EXPECT_NEAR(params["log_likelihood"].get<double>(), -9582.4, 95);
  EXPECT_EQ(params["customers"], 2357);

  CommandResult bt =
      Run({"backtest", "--events", orders, "--labels", labels, "--rules", CHURNWATCH_RULES_DIR,
           "--to", "1997-09-30", "--clv-params", dir_.Sub("params.json"), "--format", "json"});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  EXPECT_NE(bt.err.find("events replayed"), std::string::npos) << "progress on stderr: " << bt.err;
  auto j = nlohmann::json::parse(bt.out);
  EXPECT_EQ(j["labels"]["accounts"], 946);
  // Only the calibration period is replayed: 4,960 of the 6,919 purchases.
  EXPECT_EQ(j["events"]["replayed"], 4960);
  EXPECT_EQ(j["events"]["rejected"], 0);
  EXPECT_TRUE(j["scoring"].contains("flagged"));
  const auto& o = j["overall"];
  ASSERT_GT(o["accounts_flagged"].get<int>(), 0);
  EXPECT_DOUBLE_EQ(o["precision"].get<double>(),
                   o["true_positives"].get<double>() / o["accounts_flagged"].get<double>());
  EXPECT_DOUBLE_EQ(o["recall"].get<double>(),
                   o["true_positives"].get<double>() / j["labels"]["churned"].get<double>());
  EXPECT_LE(o["lead_time_days"]["p25"].get<double>(), o["lead_time_days"]["median"].get<double>());
  EXPECT_LE(o["lead_time_days"]["median"].get<double>(), o["lead_time_days"]["p75"].get<double>());
  std::map<std::string, nlohmann::json> by_rule;
  for (const auto& r : j["rules"]) by_rule[r["rule"]] = r;
  ASSERT_TRUE(by_rule.count("p_alive_low"));
  ASSERT_TRUE(by_rule.count("purchase_silence"));
  EXPECT_EQ(by_rule["p_alive_low"]["signal"], "purchase_silence");
  EXPECT_GT(by_rule["p_alive_low"]["accounts_flagged"].get<int>(), 0);
  EXPECT_GT(by_rule["purchase_silence"]["accounts_flagged"].get<int>(), 0);
  // Overall flags are the union of the rules' flags.
  int max_rule = 0;
  for (const auto& [id, r] : by_rule)
    max_rule = std::max(max_rule, r["accounts_flagged"].get<int>());
  EXPECT_GE(o["accounts_flagged"].get<int>(), max_rule);

  CommandResult html =
      Run({"backtest", "--events", orders, "--labels", labels, "--rules", CHURNWATCH_RULES_DIR,
           "--to", "1997-09-30", "--format", "html", "--out", dir_.Sub("report.html")});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::string page = ReadFile(dir_.Sub("report.html"));
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("p_alive_low"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST_F(BacktestCli, ErrorsNameTheProblem) {
  std::string bad = Write("bad.txt", " 00001 19970101 1 1.00\n 00001 19970132 1 1.00\n");
  ExpectUsageError(Run({"import", "cdnow", bad}), bad + ":2: date '19970132'");
  ExpectUsageError(Run({"import", "cdnow", dir_.Sub("missing.txt")}), "missing.txt");
  std::string orders = Write(
      "orders.ndjson",
      R"({"event_id":"e1","account_id":"A","occurred_at":"2025-01-01T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n{broken\n");
  ExpectUsageError(Run({"fit", "--events", orders, "--calibration-end", "2025-02-01"}),
                   orders + ":2");
  ExpectUsageError(Run({"fit", "--events", orders, "--calibration-end", "2025-02-30"}),
                   "--calibration-end");
  ExpectUsageError(
      Run({"fit", "--events", orders, "--calibration-end", "2025-02-01", "--time-unit", "month"}),
      "--time-unit");
  std::string labels = Write("labels.csv", "account_id,churned,churn_date\nA,maybe,\n");
  ExpectUsageError(
      Run({"backtest", "--events", orders, "--labels", labels, "--rules", CHURNWATCH_RULES_DIR}),
      labels + ":2: churned");
  std::string good_labels = Write("good.csv", "account_id,churned,churn_date\nA,0,\n");
  ExpectUsageError(Run({"backtest", "--events", orders, "--labels", good_labels, "--rules",
                        CHURNWATCH_RULES_DIR, "--format", "pdf"}),
                   "--format pdf");
  ExpectUsageError(Run({"backtest", "--events", Write("history.ndjson", ""), "--labels",
                        good_labels, "--rules", CHURNWATCH_RULES_DIR}),
                   "cannot tell its topic");
  ExpectUsageError(Run({"backtest", "--events", orders, "--labels", good_labels, "--rules",
                        CHURNWATCH_RULES_DIR, "--from", "2025-03-01", "--to", "2025-02-01"}),
                   "--to");
  ExpectUsageError(Run({"backtest", "--events", orders, "--labels", good_labels, "--rules",
                        CHURNWATCH_RULES_DIR, "--clv-params", dir_.Sub("nope.json")}),
                   "--clv-params");
}

// Issue 15 friction: backtest printed only the first rule error (`rules check` prints all).
TEST_F(BacktestCli, EveryRuleProblemIsPrinted) {
  std::string orders = Write(
      "orders.ndjson",
      R"({"event_id":"e1","account_id":"A","occurred_at":"2025-01-01T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n");
  std::string labels = Write("labels.csv", "account_id,churned,churn_date\nA,0,\n");
  std::string rules = Write("bad-rules.yaml",
                            "groups:\n"
                            "  - name: g\n"
                            "    rules:\n"
                            "      - id: one\n"
                            "        expr: \"no_such_feature > 1\"\n"
                            "        labels: {signal: health_low}\n"
                            "        annotations: {summary: s}\n"
                            "      - id: two\n"
                            "        expr: \"days_since_last_order > 1\"\n"
                            "        labels: {signal: no_such_signal}\n"
                            "        annotations: {summary: s}\n");
  CommandResult r = Run({"backtest", "--events", orders, "--labels", labels, "--rules", rules});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no_such_feature"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no_such_signal"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 problem(s) in " + rules), std::string::npos) << r.err;
}

TEST_F(BacktestCli, HelpMentionsEveryFlag) {
  const std::map<std::vector<std::string>, std::vector<std::string>> cases = {
      {{"import", "cdnow"}, {"--out"}},
      {{"import", "csv"},
       {"--account", "--date", "--quantity", "--amount", "--product-line", "--default-product-line",
        "--order-id", "--status", "--currency", "--delimiter", "--no-header", "--out"}},
      {{"label"},
       {"--events", "--calibration-end", "--observation-end", "--min-purchase-days", "--time-zone",
        "--out"}},
      {{"fit"}, {"--events", "--calibration-end", "--time-unit", "--time-zone", "--out"}},
      {{"backtest"},
       {"--events", "--labels", "--rules", "--format", "--out", "--from", "--to", "--min-severity",
        "--time-zone", "--clv-params", "--state-dir"}},
      {{"run"}, {"--clv-params"}},
  };
  for (const auto& [command, flags] : cases) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    CommandResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& f : flags)
      EXPECT_NE(r.out.find(f), std::string::npos) << command[0] << " --help lacks " << f;
  }
}

}  // namespace
}  // namespace churnwatch::test
