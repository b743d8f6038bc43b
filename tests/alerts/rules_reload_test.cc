// Rule reload on a running engine (real broker and engine processes): a changed rule file is
// picked up by itself, SIGHUP reloads at once, and an invalid set keeps the previous rules,
// says why in /api/v1/rules and sets churnwatch_rules_reload_success to 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kOneRule = R"(groups:
  - name: g
    rules:
      - id: risk
        kind: external_risk
        severity: critical
        annotations: {summary: "{{account_name}} credit risk"}
)";

constexpr const char* kTwoRules = R"(groups:
  - name: g
    rules:
      - id: risk
        kind: external_risk
        severity: critical
        annotations: {summary: "{{account_name}} credit risk"}
      - id: silence
        kind: purchase_silence
        annotations: {summary: "{{account_name}} silent"}
)";

constexpr const char* kBroken = R"(groups:
  - name: g
    rules:
      - id: risk
        expr: "no_such_feature > 1"
        labels: {signal: external_risk}
        annotations: {summary: "x"}
)";

json Rules(EngineProcess& engine) {
  auto res = engine.Get("/api/v1/rules");
  EXPECT_EQ(res.status, 200) << res.body;
  return json::parse(res.body, nullptr, false);
}

TEST(RulesReloadTest, ChangedFilesReloadInvalidOnesAreRejectedAndSighupReloads) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("rules"));
  const std::string file = dir.Sub("rules/rules.yaml");
  ASSERT_TRUE(WriteFile(file, kOneRule));
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir.Sub("broker.log")));
  EngineProcess engine;
  ASSERT_TRUE(engine.Start({broker.bootstrap(),
                            "reload",
                            dir.Sub("state"),
                            dir.Sub("engine.log"),
                            {"--rules", dir.Sub("rules")}}));
  ASSERT_TRUE(engine.WaitReady(60s));
  json first = Rules(engine);
  ASSERT_EQ(first["rules"].size(), 1u);
  EXPECT_TRUE(first["last_reload"]["ok"].get<bool>());
  const std::string v1 = first["version"];

  // A valid change is picked up without a signal.
  ASSERT_TRUE(WriteFile(file, kTwoRules));
  ASSERT_TRUE(WaitUntil([&] { return Rules(engine)["rules"].size() == 2u; }, 20s,
                        "the changed file to load"));
  const std::string v2 = Rules(engine)["version"];
  EXPECT_NE(v1, v2);
  EXPECT_EQ(MetricValue(engine.ScrapeMetrics(), "churnwatch_rules_loaded"),
            std::optional<double>(2));

  // An invalid change keeps the two rules and says why, with file:line.
  ASSERT_TRUE(WriteFile(file, kBroken));
  ASSERT_TRUE(WaitUntil([&] { return !Rules(engine)["last_reload"]["ok"].get<bool>(); }, 20s,
                        "the reload to be rejected"));
  json rejected = Rules(engine);
  EXPECT_EQ(rejected["version"], v2);
  EXPECT_EQ(rejected["rules"].size(), 2u);
  ASSERT_FALSE(rejected["last_reload"]["problems"].empty());
  std::string problem = rejected["last_reload"]["problems"][0];
  EXPECT_NE(problem.find("rules.yaml:5"), std::string::npos) << problem;
  EXPECT_NE(problem.find("no_such_feature"), std::string::npos) << problem;
  EXPECT_EQ(MetricValue(engine.ScrapeMetrics(), "churnwatch_rules_reload_success"),
            std::optional<double>(0));
  EXPECT_EQ(engine.Get("/readyz").status, 200) << "a rejected reload is not an outage";

  // SIGHUP reloads the (fixed) file.
  ASSERT_TRUE(WriteFile(file, kOneRule));
  engine.process().Signal(SIGHUP);
  ASSERT_TRUE(
      WaitUntil([&] { return Rules(engine)["rules"].size() == 1u; }, 20s, "SIGHUP to reload"));
  EXPECT_TRUE(Rules(engine)["last_reload"]["ok"].get<bool>());
  EXPECT_EQ(Rules(engine)["version"], v1) << "same content, same version";
  EXPECT_EQ(MetricValue(engine.ScrapeMetrics(), "churnwatch_rules_reload_success"),
            std::optional<double>(1));
  EXPECT_EQ(engine.Stop(30s), std::optional<int>(0));
}

}  // namespace
}  // namespace churnwatch::test
