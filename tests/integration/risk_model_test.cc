// The risk model end to end with the real binary: `train` on the CDNOW sample at an earlier
// cutoff, `backtest --model` ranking the accounts at a later one, `run --model` serving
// churn_risk (sorted, explained, alerting) over a real broker — and every door's bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/churnwatch_processes.h"
#include "support/civil_time.h"
#include "support/cli_test.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// log-odds = (days_since_last_order - 30) / 10: churn_risk 0.5 after 30 silent days.
constexpr const char* kSilenceModel = R"({
  "format": "churnwatch.risk_model.v1", "kind": "logistic", "intercept": 0.0,
  "terms": [{"feature": "days_since_last_order", "transform": "identity", "fill": 30.0,
             "mean": 30.0, "scale": 10.0, "coef": 1.0}]})";

using RiskModelTest = CliTest;

TEST_F(RiskModelTest, TrainedOnAnEarlierCutoffItRanksTheLaterOne) {
  const std::string orders = dir_.Sub("orders.ndjson");
  ASSERT_EQ(Run({"import", "cdnow", CHURNWATCH_CDNOW_SAMPLE, "--out", orders}).exit_code, 0);
  // Training: features as of 1997-06-30, labels from the quarter after (nothing past 09-30).
  const std::string early = dir_.Sub("labels-0630.csv");
  ASSERT_EQ(Run({"label", "--events", orders, "--calibration-end", "1997-06-30",
                 "--observation-end", "1997-09-30", "--out", early})
                .exit_code,
            0);
  const std::string model = dir_.Sub("model.json");
  CommandResult trained = Run({"train", "--events", orders, "--labels", early, "--calibration-end",
                               "1997-06-30", "--out", model});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.err.find("events replayed"), std::string::npos) << trained.err;
  EXPECT_NE(trained.err.find("5-fold cross-validation"), std::string::npos) << trained.err;
  json m = json::parse(ReadFile(model));
  EXPECT_EQ(m["format"], "churnwatch.risk_model.v1");
  EXPECT_EQ(m["training"]["calibration_end"], "1997-06-30");
  size_t labelled = 0;
  {
    std::istringstream lines(ReadFile(early));
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) labelled += line.empty() ? 0 : 1;
  }
  EXPECT_EQ(m["training"]["accounts"].get<size_t>(), labelled);
  EXPECT_GT(m["training"]["auc_cv"].get<double>(), 0.6);
  EXPECT_LT(m["training"]["auc_cv"].get<double>(), 1.0);
  ASSERT_GE(m["terms"].size(), 5u);
  // Constant features (no service, contact or profile events in CDNOW) were left out.
  for (const auto& t : m["terms"]) EXPECT_NE(t["feature"], "complaints_90d");
  EXPECT_NE(trained.err.find("left out: "), std::string::npos);

  // Scored on the standard labels of 1997-09-30.
  const std::string labels = dir_.Sub("labels-0930.csv");
  ASSERT_EQ(Run({"label", "--events", orders, "--calibration-end", "1997-09-30", "--out", labels})
                .exit_code,
            0);
  CommandResult bt =
      Run({"backtest", "--events", orders, "--labels", labels, "--rules", CHURNWATCH_RULES_DIR,
           "--to", "1997-09-30", "--model", model, "--format", "json"});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  json j = json::parse(bt.out);
  ASSERT_TRUE(j.contains("ranking")) << bt.out.substr(0, 400);
  const json& r = j["ranking"];
  EXPECT_EQ(r["score"], "churn_risk");
  EXPECT_EQ(r["accounts"], j["labels"]["accounts"]);
  EXPECT_EQ(r["churned"], j["labels"]["churned"]);
  EXPECT_GT(r["auc"].get<double>(), 0.6);
  EXPECT_GE(r["precision_top_decile"].get<double>(), 0);
  EXPECT_LE(r["precision_top_decile"].get<double>(), 1);
  EXPECT_EQ(r["baseline"]["score"], "days_since_last_order");
  EXPECT_GT(r["baseline"]["auc"].get<double>(), 0.5);
  bool has_rule = false;
  for (const auto& rule : j["rules"]) has_rule = has_rule || rule["rule"] == "churn_risk_high";
  EXPECT_TRUE(has_rule);
  // Without a model: no ranking, and churn_risk_high never warns.
  CommandResult plain = Run({"backtest", "--events", orders, "--labels", labels, "--rules",
                             CHURNWATCH_RULES_DIR, "--to", "1997-09-30", "--format", "json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  json p = json::parse(plain.out);
  EXPECT_FALSE(p.contains("ranking"));
  for (const auto& rule : p["rules"])
    if (rule["rule"] == "churn_risk_high") {
      EXPECT_EQ(rule["alerts"], 0);
    }
  // The table and the HTML page say it too.
  CommandResult table = Run({"backtest", "--events", orders, "--labels", labels, "--rules",
                             CHURNWATCH_RULES_DIR, "--to", "1997-09-30", "--model", model});
  EXPECT_NE(table.out.find("churn_risk ROC AUC"), std::string::npos) << table.out;
  ASSERT_EQ(Run({"backtest", "--events", orders, "--labels", labels, "--rules",
                 CHURNWATCH_RULES_DIR, "--to", "1997-09-30", "--model", model, "--format", "html",
                 "--out", dir_.Sub("report.html")})
                .exit_code,
            0);
  std::string page = ReadFile(dir_.Sub("report.html"));
  EXPECT_NE(page.find("Ranking by risk"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);

  // Gradient-boosted trees (XGBoost): the same time split, a file of the other kind, read by
  // the same backtest, with TreeSHAP drivers.
  const std::string trees = dir_.Sub("trees.json");
  CommandResult boosted =
      Run({"train", "--events", orders, "--labels", early, "--calibration-end", "1997-06-30",
           "--algorithm", "boosted_trees", "--trees", "80", "--out", trees});
  ASSERT_EQ(boosted.exit_code, 0) << boosted.err;
  EXPECT_NE(boosted.err.find("boosted_trees, "), std::string::npos) << boosted.err;
  json t = json::parse(ReadFile(trees));
  EXPECT_EQ(t["kind"], "boosted_trees");
  EXPECT_EQ(t["training"]["trees"], 80);
  EXPECT_TRUE(t["xgboost"].contains("learner"));
  EXPECT_GT(t["training"]["auc_cv"].get<double>(), 0.6);
  CommandResult bt_trees =
      Run({"backtest", "--events", orders, "--labels", labels, "--rules", CHURNWATCH_RULES_DIR,
           "--to", "1997-09-30", "--model", trees, "--format", "json"});
  ASSERT_EQ(bt_trees.exit_code, 0) << bt_trees.err;
  json jt = json::parse(bt_trees.out);
  EXPECT_GT(jt["ranking"]["auc"].get<double>(), 0.6);
  EXPECT_NE(jt["ranking"]["auc"], j["ranking"]["auc"]);  // another model, another ranking
}

TEST_F(RiskModelTest, BadInputIsRefusedWithTheReason) {
  std::string orders = Write(
      "orders.ndjson",
      R"({"event_id":"e1","account_id":"A","occurred_at":"2025-01-01T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n"
      R"({"event_id":"e2","account_id":"A","occurred_at":"2025-01-20T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n"
      R"({"event_id":"e3","account_id":"B","occurred_at":"2025-01-03T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n"
      R"({"event_id":"e4","account_id":"B","occurred_at":"2025-01-05T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n");
  std::string labels = Write("labels.csv", "account_id,churned,churn_date\nA,0,\nB,1,2025-01-05\n");
  std::vector<std::string> base = {"train",      "--events", orders,
                                   "--labels",   labels,     "--calibration-end",
                                   "2025-01-31", "--out",    dir_.Sub("m.json")};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  };
  ExpectUsageError(with({"--features", "days_since_last_order,nope"}),
                   "unknown model feature 'nope'");
  ExpectUsageError(with({"--features", "churn_risk"}), "churn_risk");
  ExpectUsageError(with({"--l2", "-1"}), "--l2");
  ExpectUsageError(with({"--partitions", "0"}), "--partitions");
  ExpectUsageError(with({"--algorithm", "forest"}),
                   "--algorithm must be logistic or boosted_trees");
  ExpectUsageError(with({"--algorithm", "boosted_trees", "--trees", "0"}), "trees must be");
  ExpectUsageError(with({"--algorithm", "boosted_trees", "--max-depth", "40"}), "max depth");
  ExpectUsageError(with({"--algorithm", "boosted_trees", "--learning-rate", "2"}), "learning rate");
  ExpectUsageError(Run({"train", "--events", orders, "--labels",
                        Write("bad.csv", "account_id,churned,churn_date\nA,perhaps,\n"),
                        "--calibration-end", "2025-01-31", "--out", dir_.Sub("m.json")}),
                   "bad.csv:2");
  // Labels of a later cutoff would leak what happened after the calibration end.
  ExpectUsageError(Run({"train", "--events", orders, "--labels",
                        Write("late.csv", "account_id,churned,churn_date\nA,1,2025-03-01\nB,0,\n"),
                        "--calibration-end", "2025-01-31", "--out", dir_.Sub("m.json")}),
                   "after --calibration-end 2025-01-31");
  ExpectUsageError(Run({"train", "--events", orders, "--labels",
                        Write("one-class.csv", "account_id,churned,churn_date\nA,0,\nB,0,\n"),
                        "--calibration-end", "2025-01-31", "--out", dir_.Sub("m.json")}),
                   "must include churned and retained");
  ExpectUsageError(Run({"train", "--events", orders, "--labels", labels, "--calibration-end",
                        "2025-02-30", "--out", dir_.Sub("m.json")}),
                   "--calibration-end");
  // The readers of a model file: backtest, run, and the config.
  std::string garbage = Write("garbage.json", "{\"format\": \"something else\"}");
  ExpectUsageError(Run({"backtest", "--events", orders, "--labels", labels, "--rules",
                        CHURNWATCH_RULES_DIR, "--model", garbage}),
                   "--model: " + garbage + ": \"format\"");
  ExpectUsageError(Run({"backtest", "--events", orders, "--labels", labels, "--rules",
                        CHURNWATCH_RULES_DIR, "--model", dir_.Sub("missing.json")}),
                   "cannot open risk model file");
  ExpectUsageError(Run({"run", "--check", "--rules", CHURNWATCH_RULES_DIR, "--model", garbage}),
                   "--model");
  std::string config = Write("config.yaml", "model:\n  path: " + garbage + "\n");
  ExpectUsageError(Run({"run", "--check", "--rules", CHURNWATCH_RULES_DIR, "--config", config}),
                   "model.path");
  // A good model passes the same doors.
  std::string good = Write("good.json", kSilenceModel);
  CommandResult check = Run({"run", "--check", "--bootstrap", "127.0.0.1:9", "--rules",
                             CHURNWATCH_RULES_DIR, "--model", good});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  CommandResult help = Run({"train", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--events", "--labels", "--calibration-end", "--out", "--features",
                           "--l2", "--time-zone", "--clv-params", "--state-dir", "--partitions"})
    EXPECT_NE(help.out.find(flag), std::string::npos) << "train --help lacks " << flag;
  EXPECT_NE(Run({"backtest", "--help"}).out.find("--model"), std::string::npos);
  EXPECT_NE(Run({"run", "--help"}).out.find("--model"), std::string::npos);
}

// A real engine with a hand-written model: churn_risk on the account list and page, sorted,
// with its drivers; churn_risk_high fires on the account above one half and not the others.
TEST_F(RiskModelTest, TheEngineServesChurnRiskSortedAndExplained) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  // Weekly orders from 2025-12-01 up to each account's last one, so none was ever silent for
  // 30 days before it (no earlier episode, hysteresis or cool-down in play). As of 2026-03-01:
  // A ordered 9 days before (risk 0.109), B 40 (0.731), C 30 (0.5, not above it).
  std::string orders;
  int n = 0;
  const int64_t first = UtcSeconds(2025, 12, 1);
  for (auto [account, last] : {std::pair{"A", UtcSeconds(2026, 2, 20)},
                               {"B", UtcSeconds(2026, 1, 20)},
                               {"C", UtcSeconds(2026, 1, 30)}}) {
    for (int64_t t = last; t >= first; t -= 7 * 86400) {
      orders += R"({"event_id":"o)" + std::to_string(++n) + R"(","account_id":")" + account +
                R"(","occurred_at":")" + FormatUtc(t) +
                R"(","product_line":"P","quantity":5,"status":"PLACED"})"
                "\n";
    }
  }
  ASSERT_TRUE(WriteFile(dir_.Sub("orders.ndjson"), orders));
  ASSERT_TRUE(Produce(broker.bootstrap(), "orders", dir_.Sub("orders.ndjson"), "json",
                      static_cast<size_t>(n), dir_.Sub("produce.log")));
  EngineProcess engine;
  ASSERT_TRUE(
      engine.Start({broker.bootstrap(),
                    "risk-model",
                    dir_.Sub("state"),
                    dir_.Sub("engine.log"),
                    {"--rules", CHURNWATCH_RULES_DIR, "--model", Write("model.json", kSilenceModel),
                     "--as-of", "2026-03-01T00:00:00Z"}}));
  ASSERT_TRUE(engine.WaitReady(60s));
  json list;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = engine.Get("/api/v1/accounts?sort=risk");
        list = json::parse(r.body, nullptr, false);
        return r.status == 200 && !list.is_discarded() && list["total"] == 3;
      },
      60s, "three accounts"));
  ASSERT_EQ(list["accounts"].size(), 3u);
  std::vector<std::string> order;
  for (const auto& a : list["accounts"]) order.push_back(a["account_id"]);
  EXPECT_EQ(order, (std::vector<std::string>{"B", "C", "A"}));
  auto risk_of = [](double days) { return 1 / (1 + std::exp(-(days - 30) / 10)); };
  // The engine's clock runs on from --as-of: allow a few minutes.
  EXPECT_NEAR(list["accounts"][0]["churn_risk"]["probability"].get<double>(), risk_of(40), 1e-3);
  EXPECT_NEAR(list["accounts"][2]["churn_risk"]["probability"].get<double>(), risk_of(9), 1e-3);
  EXPECT_EQ(list["accounts"][0]["churn_risk"]["drivers"], "days_since_last_order +100%");
  EXPECT_EQ(list["accounts"][2]["churn_risk"]["drivers"], "days_since_last_order -100%");
  json desc = json::parse(engine.Get("/api/v1/accounts?sort=risk&order=desc").body);
  EXPECT_EQ(desc["accounts"][0]["account_id"], "A");
  json page = json::parse(engine.Get("/api/v1/accounts/B").body);
  EXPECT_NEAR(page["churn_risk"]["probability"].get<double>(), risk_of(40), 1e-3);
  EXPECT_NEAR(page["features"]["values"]["churn_risk"].get<double>(), risk_of(40), 1e-3);
  // As of 2026-03-01 churn_risk_high fires for B only.
  std::string firing;
  EXPECT_TRUE(WaitUntil(
      [&] {
        json all = json::parse(engine.Get("/api/v1/accounts?sort=id").body, nullptr, false);
        if (all.is_discarded()) return false;
        firing.clear();
        for (const auto& a : all["accounts"])
          for (const auto& r : a["firing_rules"])
            if (r["rule"] == "churn_risk_high") firing += a["account_id"].get<std::string>();
        return firing == "B";
      },
      60s, "churn_risk_high on B only"))
      << "firing on: " << firing;
}

}  // namespace
}  // namespace churnwatch::test
