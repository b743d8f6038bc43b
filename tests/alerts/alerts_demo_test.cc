// Rules and alerts end to end, through a real broker (`churnwatch broker`) and engine
// (`churnwatch run`) with the shipped ruleset:
//  - every loss pattern the demo generator plants raises its signal, and healthy accounts raise
//    nothing at warning or above;
//  - an engine SIGKILLed at random moments while it consumes and evaluates publishes the same
//    alert stream (ids and transitions) and ends in the same alert state as an uninterrupted one.
// The engine runs with --as-of (a frozen wall clock at the dataset's `now`), so when it follows
// the wall clock after catching up it stops at the same instant in every run.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "common/calendar.h"
#include "demo/demo_generator.h"
#include "kafka/producer.h"
#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kNow = "2026-11-16T04:00:00Z";  // Monday noon in Asia/Shanghai
constexpr int kLagSeries = 4 * 6;                     // 4 input topics × 6 partitions

demo::DemoDataset Dataset() {
  demo::DemoOptions o;
  o.seed = 42;
  o.accounts = 300;
  o.now = *ParseRfc3339(kNow);
  return demo::GenerateDemo(o);
}

::testing::AssertionResult ProduceAll(const std::string& bootstrap, const demo::DemoDataset& data) {
  auto producer = kafka::Producer::Create(bootstrap);
  if (!producer.ok()) return ::testing::AssertionFailure() << producer.status().ToString();
  for (const auto& m : data.messages) {
    Status s = (*producer)->Send(m.topic, m.key, m.json);
    if (!s.ok()) return ::testing::AssertionFailure() << s.ToString();
  }
  Status flushed = (*producer)->Flush(60'000);
  if (!flushed.ok()) return ::testing::AssertionFailure() << flushed.ToString();
  return ::testing::AssertionSuccess();
}

std::vector<std::string> EngineArgs() {
  return {"--as-of", kNow, "--rules", CHURNWATCH_SHIPPED_RULES};
}

// Waits until the engine has applied everything and finished the evaluation at `now`: lag 0
// and no new rule evaluation for two consecutive scrapes a second apart.
::testing::AssertionResult WaitSettled(EngineProcess& engine) {
  auto caught_up = engine.WaitCaughtUp(kLagSeries, 180s);
  if (!caught_up) return caught_up;
  double last = -1;
  int stable = 0;
  return WaitUntil(
      [&] {
        double evals = SumMetric(engine.ScrapeMetrics(), "churnwatch_rule_evaluations_total");
        double outbox_published =
            SumMetric(engine.ScrapeMetrics(), "churnwatch_alerts_published_total");
        (void)outbox_published;
        stable = (evals == last) ? stable + 1 : 0;
        last = evals;
        return stable >= 14;  // ~1 s of polls at 75 ms
      },
      60s, "rule evaluations to settle");
}

// All alert records the engine knows (any state), keyed by account and rule.
std::map<std::string, json> AlertRecords(EngineProcess& engine) {
  std::map<std::string, json> out;
  auto res = engine.Get("/api/v1/alerts");
  EXPECT_EQ(res.status, 200) << res.body;
  json body = json::parse(res.body);
  for (auto& a : body["alerts"]) {
    out[a["account_id"].get<std::string>() + "/" + a["rule"].get<std::string>()] = a;
  }
  return out;
}

// Distinct (id, state) of the alerts topic, as `churnwatch consume` prints them.
std::set<std::string> PublishedTransitions(const std::string& bootstrap, const std::string& log) {
  std::set<std::string> out;
  for (const auto& line : ConsumeLines(bootstrap, "alerts", 3, log)) {
    json a = json::parse(line);
    out.insert(a["id"].get<std::string>() + " " + a["state"].get<std::string>() + " " +
               a["rule"].get<std::string>());
  }
  return out;
}

TEST(AlertsDemoTest, PlantedPatternsRaiseTheirSignalsAndHealthyAccountsStayQuiet) {
  TempDir dir;
  auto data = Dataset();
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir.Sub("broker.log")));
  ASSERT_TRUE(ProduceAll(broker.bootstrap(), data));
  EngineProcess engine;
  ASSERT_TRUE(engine.Start(
      {broker.bootstrap(), "alerts-demo", dir.Sub("state"), dir.Sub("engine.log"), EngineArgs()}));
  ASSERT_TRUE(WaitSettled(engine));

  auto res = engine.Get("/api/v1/alerts?state=firing");
  ASSERT_EQ(res.status, 200) << res.body;
  std::map<std::string, std::set<std::string>> signals;  // account → firing signals
  std::map<std::string, std::vector<std::string>> loud;  // account → warning+ alerts
  json firing = json::parse(res.body);
  for (auto& a : firing["alerts"]) {
    std::string account = a["account_id"], signal = a["signal"], severity = a["severity"];
    signals[account].insert(signal);
    if (severity != "info")
      loud[account].push_back(a["rule"].get<std::string>() + "(" + severity + ")");
  }
  // signal → (accounts, detected, misses). The generator plants each pattern with random
  // strength and noise (a line may hold steady while the others fall), so a few plants are
  // too weak for the shipped thresholds; at least 80 % of each pattern must be caught.
  std::map<std::string, std::tuple<int, int, std::string>> by_pattern;
  for (const auto& account : data.accounts) {
    std::string planted = demo::PatternSignal(account.pattern);
    if (account.pattern == demo::Pattern::kHealthy) {
      std::string what;
      for (const auto& r : loud[account.account_id]) what += " " + r;
      EXPECT_TRUE(loud[account.account_id].empty())
          << "healthy " << account.account_id << " (" << account.tier << ") raised:" << what;
      continue;
    }
    auto& [n, detected, misses] = by_pattern[planted];
    ++n;
    if (signals[account.account_id].count(planted)) {
      ++detected;
    } else {
      std::string got;
      for (const auto& s : signals[account.account_id]) got += " " + s;
      misses += " " + account.account_id + "(" + account.tier +
                ", fires:" + (got.empty() ? " nothing" : got) + ")";
    }
  }
  EXPECT_EQ(by_pattern.size(), 11u) << "every loss pattern is planted";
  for (const auto& [signal, counts] : by_pattern) {
    const auto& [n, detected, misses] = counts;
    std::cout << "  " << signal << ": " << detected << "/" << n << " detected" << misses << "\n";
    EXPECT_GE(detected * 5, n * 4)
        << signal << ": fewer than 80 % of planted accounts raise it; missed:" << misses;
  }
}

TEST(AlertsDemoTest, SigkillDuringEvaluationYieldsTheSameAlertStream) {
  auto data = Dataset();
  TempDir dir;
  // Run A: uninterrupted.
  BrokerProcess broker_a;
  ASSERT_TRUE(broker_a.Start(dir.Sub("broker-a.log")));
  ASSERT_TRUE(ProduceAll(broker_a.bootstrap(), data));
  std::map<std::string, json> records_a;
  {
    EngineProcess a;
    ASSERT_TRUE(a.Start({broker_a.bootstrap(), "alerts-a", dir.Sub("state-a"),
                         dir.Sub("engine-a.log"), EngineArgs()}));
    ASSERT_TRUE(WaitSettled(a));
    records_a = AlertRecords(a);
    ASSERT_EQ(a.Stop(30s), std::optional<int>(0));
  }
  auto stream_a = PublishedTransitions(broker_a.bootstrap(), dir.Sub("consume-a.log"));
  ASSERT_GT(stream_a.size(), 50u) << "the demo raises many alerts";

  // Run B: SIGKILLed at random points of its progress, restarted each time.
  BrokerProcess broker_b;
  ASSERT_TRUE(broker_b.Start(dir.Sub("broker-b.log")));
  ASSERT_TRUE(ProduceAll(broker_b.bootstrap(), data));
  std::mt19937 rng(20261123);
  double total = static_cast<double>(data.messages.size());
  int kills = 0;
  for (int round = 0; round < 3; ++round) {
    EngineProcess b;
    ASSERT_TRUE(b.Start({broker_b.bootstrap(), "alerts-b", dir.Sub("state-b"),
                         dir.Sub("engine-b.log"), EngineArgs()}));
    // Kill once this process has handled a random share of what is left.
    double target = total * std::uniform_real_distribution<double>(0.1, 0.3)(rng);
    bool progressed =
        WaitUntil([&] { return b.HandledCount() >= target; }, 120s, "progress before the kill");
    if (!progressed) break;  // it may simply have finished: then the remaining rounds are moot
    b.Kill();
    ++kills;
  }
  EXPECT_GE(kills, 2) << "the engine must be killed mid-stream at least twice";
  EngineProcess b;
  ASSERT_TRUE(b.Start({broker_b.bootstrap(), "alerts-b", dir.Sub("state-b"),
                       dir.Sub("engine-b.log"), EngineArgs()}));
  ASSERT_TRUE(WaitSettled(b));
  auto records_b = AlertRecords(b);
  ASSERT_EQ(b.Stop(30s), std::optional<int>(0));
  auto stream_b = PublishedTransitions(broker_b.bootstrap(), dir.Sub("consume-b.log"));

  EXPECT_EQ(records_a.size(), records_b.size());
  for (const auto& [key, a] : records_a) {
    auto it = records_b.find(key);
    if (it == records_b.end()) {
      ADD_FAILURE() << key << " missing after crashes";
      continue;
    }
    EXPECT_EQ(a.dump(), it->second.dump()) << key;
  }
  EXPECT_EQ(stream_a, stream_b) << "published (id, state) pairs differ";
}

}  // namespace
}  // namespace churnwatch::test
