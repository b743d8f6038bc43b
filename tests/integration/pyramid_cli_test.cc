// The customer pyramid with the real binary: `pyramid fit` on the CDNOW sample against quintiles
// the test computes from the raw file itself; an engine over a real broker serving the pyramid
// (instance quintiles without pyramid.params, the fitted ones with — the same scores for the same
// portfolio), the list filtered by segment and suggested tier, a rule on rfm_m firing on exactly
// the accounts the API scores 5, the monthly review's tier-mismatch section equal to the API's
// accounts whose tier and suggested tier disagree; and every door's bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
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

using PyramidCli = CliTest;

// Type-7 quantiles (linear interpolation), written here independently of GSL.
std::vector<double> Quintiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::vector<double> out;
  for (int k = 1; k <= 4; ++k) {
    double h = (static_cast<double>(v.size()) - 1) * 0.2 * k;
    size_t lo = static_cast<size_t>(std::floor(h));
    double frac = h - static_cast<double>(lo);
    out.push_back(lo + 1 < v.size() ? v[lo] + frac * (v[lo + 1] - v[lo]) : v[lo]);
  }
  return out;
}

// Days since 1970-01-01 of a YYYYMMDD number.
int64_t DayNumber(int ymd) {
  return UtcSeconds(ymd / 10000, static_cast<unsigned>(ymd / 100 % 100),
                    static_cast<unsigned>(ymd % 100)) /
         86400;
}

TEST_F(PyramidCli, FitEqualsQuintilesOfTheRawFile) {
  const std::string orders = dir_.Sub("orders.ndjson");
  ASSERT_EQ(Run({"import", "cdnow", CHURNWATCH_CDNOW_SAMPLE, "--out", orders}).exit_code, 0);
  const std::string out = dir_.Sub("pyramid.json");
  CommandResult r = Run({"pyramid", "fit", "--events", orders, "--as-of", "1997-09-30",
                         "--strategic-industry", "汽车", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json p = json::parse(ReadFile(out));
  EXPECT_EQ(p["format"], "churnwatch.pyramid");
  EXPECT_EQ(p["version"], 1);
  EXPECT_EQ(p["as_of"], "1997-09-30");
  EXPECT_EQ(p["strategic_industries"], json::array({"汽车"}));

  // From the raw CDNOW lines (customer, date, cds, dollars) up to 1997-09-30: frequency = order
  // lines (all within 365 days: the file starts in 1997), monetary = cents, recency = days from
  // the last purchase to the end of 1997-09-30.
  std::map<std::string, int> last_day;
  std::map<std::string, double> frequency, monetary;
  std::ifstream in(CHURNWATCH_CDNOW_SAMPLE);
  std::string customer, master;
  int date = 0, cds = 0;
  double dollars = 0;
  while (in >> customer >> master >> date >> cds >> dollars) {
    if (date > 19970930) continue;
    last_day[customer] = std::max(last_day[customer], date);
    frequency[customer] += 1;
    monetary[customer] += std::round(dollars * 100);
  }
  ASSERT_GT(last_day.size(), 2000u);
  EXPECT_EQ(p["accounts"].get<size_t>(), last_day.size());
  std::vector<double> r_days, f, m;
  // `import cdnow` puts an order at 00:00Z of its day; --as-of ends at local (UTC+8) midnight.
  const double end = static_cast<double>(UtcSeconds(1997, 9, 30, 16));
  for (const auto& [c, day] : last_day) {
    r_days.push_back((end - static_cast<double>(DayNumber(day) * 86400)) / 86400);
    f.push_back(frequency[c]);
    m.push_back(monetary[c]);
  }
  const auto expect = [&](const char* key, const std::vector<double>& want) {
    ASSERT_EQ(p["cut_points"][key].size(), 4u) << key;
    for (size_t i = 0; i < 4; ++i)
      EXPECT_NEAR(p["cut_points"][key][i].get<double>(), want[i], 1e-6 * (1 + want[i]))
          << key << "[" << i << "]";
  };
  expect("recency_days", Quintiles(r_days));
  expect("frequency", Quintiles(f));
  expect("monetary", Quintiles(m));
}

TEST_F(PyramidCli, BadInputIsRefusedWithTheReason) {
  const std::string few = Write("few-orders.ndjson", [] {
    std::string s;
    for (int i = 0; i < 4; ++i)
      s +=
          R"({"event_id":"o)" + std::to_string(i) + R"(","account_id":"A)" + std::to_string(i) +
          R"(","occurred_at":"2026-01-05T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
          "\n";
    return s;
  }());
  ExpectUsageError(Run({"pyramid", "fit", "--events", few, "--as-of", "2026-02-01"}),
                   "at least 5 accounts with orders");
  ExpectUsageError(Run({"pyramid", "fit", "--events", few, "--as-of", "2026-13-01"}), "--as-of",
                   true);
  ExpectUsageError(Run({"pyramid", "fit", "--events", few}), "--as-of");
  ExpectUsageError(
      Run({"pyramid", "fit", "--events", few, "--as-of", "2026-02-01", "--strategic-industry", ""}),
      "--strategic-industry", true);
  ExpectUsageError(Run({"pyramid", "fit", "--events", few, "--as-of", "2026-02-01",
                        "--strategic-industry", std::string(129, 'x')}),
                   "1 to 128 bytes", true);
  ExpectUsageError(Run({"pyramid", "fit", "--events", few, "--as-of", "2026-02-01",
                        "--strategic-industry", "\xff\xfe"}),
                   "not UTF-8", true);
  ExpectUsageError(Run({"pyramid", "fit", "--events", few, "--as-of", "2026-02-01", "--time-zone",
                        "Mars/Olympus"}),
                   "--time-zone", true);
  ExpectUsageError(
      Run({"pyramid", "fit", "--events", few, "--as-of", "2026-02-01", "--state-dir", dir_.path()}),
      "--state-dir", true);
  CommandResult missing =
      Run({"pyramid", "fit", "--events", dir_.Sub("none-orders.ndjson"), "--as-of", "2026-02-01"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("none-orders.ndjson"), std::string::npos) << missing.err;
  EXPECT_EQ(Run({"pyramid"}).exit_code, 2);

  // The readers of the file: run, backtest, config.
  const std::string bad = Write("bad.json", R"({"format": "churnwatch.pyramid", "version": 9})");
  ExpectUsageError(Run({"run", "--bootstrap", "127.0.0.1:1", "--state-dir", dir_.Sub("s"),
                        "--pyramid-params", bad}),
                   "--pyramid-params: " + bad + ": version 9 is not supported", true);
  ExpectUsageError(Run({"run", "--bootstrap", "127.0.0.1:1", "--state-dir", dir_.Sub("s"),
                        "--pyramid-params", dir_.Sub("absent.json")}),
                   "cannot open pyramid parameters file", true);
  const std::string config = Write("c.yaml", "pyramid:\n  params: " + bad + "\n");
  ExpectUsageError(
      Run({"run", "--config", config, "--bootstrap", "127.0.0.1:1", "--state-dir", dir_.Sub("s")}),
      "c.yaml:2", true);
  ExpectUsageError(Run({"run", "--config", Write("c2.yaml", "pyramid:\n  file: x\n"), "--bootstrap",
                        "127.0.0.1:1", "--state-dir", dir_.Sub("s")}),
                   "pyramid", true);
  ExpectUsageError(
      Run({"backtest", "--events", few, "--labels",
           Write("l.csv", "account_id,churned,churn_date\n"), "--rules",
           Write("r.yaml", "groups: []\n"), "--pyramid-params", Write("text.json", "cut points")}),
      "--pyramid-params: ", true);
}

TEST_F(PyramidCli, HelpMentionsEveryFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> cases = {
      {{"pyramid", "fit", "--help"},
       {"--events", "--as-of", "--strategic-industry", "--out", "--time-zone", "--state-dir",
        "--partitions"}},
      {{"pyramid", "--help"}, {"fit"}},
      {{"run", "--help"}, {"--pyramid-params"}},
      {{"backtest", "--help"}, {"--pyramid-params"}},
      {{"--help"}, {"pyramid"}}};
  for (const auto& [args, flags] : cases) {
    CommandResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    for (const auto& flag : flags)
      EXPECT_NE(r.out.find(flag), std::string::npos) << args[0] << " lacks " << flag;
  }
}

// Eight accounts with weekly orders, each a little less recent, frequent and large than the
// next; tiers that do not all fit their numbers, and a strategic partner in a strategic industry.
std::string Orders(int* count) {
  std::string orders;
  int n = 0;
  const int64_t first = UtcSeconds(2025, 12, 1);
  for (int i = 1; i <= 8; ++i) {
    const int64_t last = UtcSeconds(2026, 2, 27) - int64_t{3} * 86400 * (8 - i);
    for (int64_t t = last; t >= first + int64_t{4} * 86400 * (8 - i); t -= 7 * 86400) {
      orders += R"({"event_id":"o)" + std::to_string(++n) + R"(","account_id":"A)" +
                std::to_string(i) + R"(","occurred_at":")" + FormatUtc(t) +
                R"(","product_line":"P","quantity":1,"amount_minor":)" + std::to_string(1000 * i) +
                R"(,"currency":"CNY","status":"PLACED"})"
                "\n";
    }
  }
  *count = n;
  return orders;
}

std::string Accounts() {
  const char* tiers[] = {"ORDINARY", "ORDINARY",  "POTENTIAL", "GROWTH",
                         "KEY",      "STRATEGIC", "STRATEGIC", "ORDINARY"};
  std::string s;
  for (int i = 1; i <= 8; ++i) {
    const bool partner = i == 1 || i == 8;
    s += R"({"event_id":"a)" + std::to_string(i) + R"(","account_id":"A)" + std::to_string(i) +
         R"(","occurred_at":"2025-11-01T00:00:00Z","name":"客户)" + std::to_string(i) +
         R"(","tier":")" + tiers[i - 1] + R"(","stage":")" +
         (partner ? "STRATEGIC_PARTNER" : "INITIAL") + R"(","industry":")" +
         (partner ? "汽车" : "零售") + R"(","owner":{"id":"m1","name":"王经理"}})" + "\n";
  }
  return s;
}

json GetJson(const EngineProcess& e, const std::string& path) {
  auto r = e.Get(path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

TEST_F(PyramidCli, TheEngineServesThePyramidAndRulesUseIt) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  int n = 0;
  ASSERT_TRUE(WriteFile(dir_.Sub("orders.ndjson"), Orders(&n)));
  ASSERT_TRUE(WriteFile(dir_.Sub("accounts.ndjson"), Accounts()));
  ASSERT_TRUE(Produce(broker.bootstrap(), "accounts", dir_.Sub("accounts.ndjson"), "json", 8,
                      dir_.Sub("produce-a.log")));
  ASSERT_TRUE(Produce(broker.bootstrap(), "orders", dir_.Sub("orders.ndjson"), "json",
                      static_cast<size_t>(n), dir_.Sub("produce-o.log")));
  const std::string rules = dir_.Sub("rules");
  std::filesystem::create_directories(rules);
  ASSERT_TRUE(WriteFile(rules + "/pyramid.yaml", R"(groups:
  - name: pyramid
    rules:
      - id: top_monetary
        expr: "rfm_m >= 5"
        severity: info
        labels: {signal: health_low}
        annotations: {summary: "{{account_name}}"}
)"));
  const std::string params = dir_.Sub("pyramid.json");
  CommandResult fit = Run({"pyramid", "fit", "--events", dir_.Sub("accounts.ndjson"), "--events",
                           dir_.Sub("orders.ndjson"), "--as-of", "2026-02-28",
                           "--strategic-industry", "汽车", "--out", params});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;

  // Without pyramid.params: instance quintiles, shown and labelled; the features stay NaN.
  std::map<std::string, json> instance;
  {
    EngineProcess engine;
    ASSERT_TRUE(engine.Start({broker.bootstrap(),
                              "pyramid-instance",
                              dir_.Sub("state-1"),
                              dir_.Sub("engine-1.log"),
                              {"--rules", rules, "--as-of", "2026-03-01T00:00:00Z"}}));
    ASSERT_TRUE(engine.WaitReady(60s));
    ASSERT_TRUE(WaitUntil(
        [&] {
          json l = json::parse(engine.Get("/api/v1/accounts?sort=id").body, nullptr, false);
          return !l.is_discarded() && l["total"] == 8 && l["accounts"][7]["rfm"].is_object();
        },
        60s, "eight accounts with a placement"));
    json list = GetJson(engine, "/api/v1/accounts?sort=id&limit=100");
    for (const auto& a : list["accounts"]) {
      EXPECT_EQ(a["rfm"]["basis"], "instance");
      EXPECT_EQ(a["rfm"]["portfolio_accounts"], 8);
      EXPECT_TRUE(a["firing_rules"].empty()) << a.dump();
      instance[a["account_id"]] = a;
    }
    json one = GetJson(engine, "/api/v1/accounts/A8");
    EXPECT_EQ(one["rfm"], instance["A8"]["rfm"]);
    EXPECT_TRUE(one["features"]["values"]["rfm_m"].is_null());
    EXPECT_TRUE(one["features"]["values"]["suggested_tier"].is_null());
    EXPECT_EQ(one["features"]["values"]["strategic_fit"], 2);  // partner stage, no industries
    ASSERT_EQ(engine.Stop(30s), 0);
  }

  EngineProcess engine;
  ASSERT_TRUE(engine.Start(
      {broker.bootstrap(),
       "pyramid-params",
       dir_.Sub("state-2"),
       dir_.Sub("engine-2.log"),
       {"--rules", rules, "--as-of", "2026-03-01T00:00:00Z", "--pyramid-params", params}}));
  ASSERT_TRUE(engine.WaitReady(60s));
  ASSERT_TRUE(WaitUntil(
      [&] {
        json l = json::parse(engine.Get("/api/v1/accounts?sort=id").body, nullptr, false);
        return !l.is_discarded() && l["total"] == 8;
      },
      60s, "eight accounts"));
  json list = GetJson(engine, "/api/v1/accounts?sort=id&limit=100");
  std::set<std::string> top_m, high, suggested_key;
  for (const auto& a : list["accounts"]) {
    const std::string id = a["account_id"];
    const json& rfm = a["rfm"];
    EXPECT_EQ(rfm["basis"], "pyramid_params");
    EXPECT_EQ(rfm["fitted_as_of"], "2026-02-28");
    // The fitted portfolio is this one: the same scores as the instance quintiles.
    for (const char* k : {"r", "f", "m", "segment"})
      EXPECT_EQ(rfm[k], instance[id]["rfm"][k]) << id << " " << k;
    json detail = GetJson(engine, "/api/v1/accounts/" + id);
    const json& values = detail["features"]["values"];
    EXPECT_EQ(values["rfm_r"], rfm["r"]) << id;
    EXPECT_EQ(values["rfm_f"], rfm["f"]) << id;
    EXPECT_EQ(values["rfm_m"], rfm["m"]) << id;
    const int segment = rfm["segment"] == "high" ? 1 : rfm["segment"] == "medium" ? 2 : 3;
    EXPECT_EQ(values["value_segment"], segment) << id;
    EXPECT_EQ(detail["suggested_tier"], a["suggested_tier"]);
    if (rfm["m"] == 5) top_m.insert(id);
    if (rfm["segment"] == "high") high.insert(id);
    if (a["suggested_tier"] == "key") suggested_key.insert(id);
  }
  EXPECT_FALSE(top_m.empty());
  // A1 and A8 are strategic partners in the strategic industry (fit points 3: high).
  EXPECT_EQ(list["accounts"][7]["strategic_fit"]["level"], "high");
  EXPECT_EQ(list["accounts"][7]["suggested_tier"], "strategic");  // the most valuable as well
  // The filters return exactly the accounts with that placement.
  auto ids = [&](const std::string& query) {
    std::set<std::string> out;
    const json page = GetJson(engine, "/api/v1/accounts?limit=100&" + query);
    for (const auto& a : page["accounts"]) out.insert(a["account_id"]);
    return out;
  };
  EXPECT_EQ(ids("segment=high"), high);
  EXPECT_EQ(ids("suggested_tier=KEY"), suggested_key);
  EXPECT_EQ(ids("segment=high").size() + ids("segment=medium").size() + ids("segment=low").size(),
            8u);
  for (const char* bad : {"segment=top", "segment=HIGH", "suggested_tier=vip",
                          "suggested_tier=%3Cscript%3E", "segment=high&segment=low"}) {
    auto r = engine.Get(std::string("/api/v1/accounts?") + bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_NE(r.body.find(std::string(bad).substr(0, std::string(bad).find('='))),
              std::string::npos)
        << r.body;
  }
  // The rule on rfm_m fires on exactly the accounts the API scores 5.
  std::set<std::string> firing;
  EXPECT_TRUE(WaitUntil(
      [&] {
        firing.clear();
        const json page = GetJson(engine, "/api/v1/accounts?limit=100");
        for (const auto& a : page["accounts"])
          for (const auto& r : a["firing_rules"])
            if (r["rule"] == "top_monetary") firing.insert(a["account_id"]);
        return firing == top_m;
      },
      60s, "top_monetary on the accounts scored m = 5"));

  // The monthly review lists the accounts whose tier and suggested tier disagree.
  CommandResult report =
      Run({"report", "--engine", "http://127.0.0.1:" + std::to_string(engine.port()), "--month",
           "2026-03", "--format", "json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  json review = json::parse(report.out);
  EXPECT_EQ(review["tier_mismatch"]["basis"], "pyramid_params");
  std::set<std::string> want, got;
  for (const auto& a : list["accounts"]) {
    std::string tier = a["tier"];
    if (a["suggested_tier"].is_string() && tier != a["suggested_tier"])
      want.insert(a["account_id"]);
  }
  for (const auto& a : review["tier_mismatch"]["accounts"]) {
    got.insert(a["account_id"]);
    EXPECT_NE(a["gap"], 0);
  }
  EXPECT_EQ(got, want);
  EXPECT_FALSE(got.empty());
  CommandResult html =
      Run({"report", "--engine", "http://127.0.0.1:" + std::to_string(engine.port()), "--month",
           "2026-03", "--lang", "en"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("Accounts whose tier and measured value disagree"), std::string::npos);
  EXPECT_NE(html.out.find("class=\"tier-mismatch\""), std::string::npos);
  ASSERT_EQ(engine.Stop(30s), 0);
}

}  // namespace
}  // namespace churnwatch::test
