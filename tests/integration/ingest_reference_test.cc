// The engine's per-account state equals a reference the test computes itself.
//
// 20,000 seeded events for 500 accounts go through `churnwatch produce` (half the orders as
// binary protobuf) into a real broker; one `churnwatch run` consumes them; then every
// account's /api/v1/accounts/{id} is compared field by field with ReferenceModel, which buckets
// periods with a fixed +08:00 offset and shares no code with the engine.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/churnwatch_processes.h"
#include "support/civil_time.h"
#include "support/reference_model.h"
#include "support/scenario.h"
#include "support/temp_dir.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kLagSeries = 4 * 6;  // input topics x partitions

TEST(ReferenceModelSelfCheck, QuarterEdgesUseUtcPlus8) {
  // The reference itself: the instant the contract names is Q2 locally, one second earlier Q1.
  EXPECT_EQ(LocalQuarterLabel(UtcSeconds(2026, 3, 31, 16)), "2026Q2");
  EXPECT_EQ(LocalQuarterLabel(UtcSeconds(2026, 3, 31, 15, 59, 59)), "2026Q1");
  EXPECT_EQ(LocalMonthLabel(UtcSeconds(2026, 3, 31, 16)), "2026-04");
  EXPECT_EQ(LocalQuarterLabel(UtcSeconds(1990, 1, 1)), "1990Q1");
  EXPECT_EQ(LocalQuarterLabel(UtcSeconds(2025, 12, 31, 16)), "2026Q1");
  EXPECT_EQ(ParseTimestamp("2026-04-01T00:00:00+08:00"), UtcSeconds(2026, 3, 31, 16));
  EXPECT_EQ(ParseTimestamp("2026-03-31T11:00:00-05:00"), UtcSeconds(2026, 3, 31, 16));
  EXPECT_EQ(FormatWithOffset(UtcSeconds(2026, 3, 31, 16), 480), "2026-04-01T00:00:00+08:00");
}

TEST(ReferenceModelSelfCheck, ScenarioCoversWhatTheTestClaims) {
  Scenario sc = GenerateScenario({});
  ReferenceModel ref(sc);
  EXPECT_EQ(sc.total_events(), 20000u);
  EXPECT_EQ(sc.account_ids.size(), 500u);
  EXPECT_EQ(ref.applied_total() + ref.duplicates(), 20000);
  EXPECT_GT(ref.duplicates(), 100);
  EXPECT_EQ(ref.applied("accounts"), 500 + 80);
  const json& edge = ref.views().at("acct-0001")["quarters"];
  int q1 = 0, q2 = 0;
  for (const auto& [k, v] : edge.items()) {
    if (k.ends_with("|2026Q1")) q1 += v["orders"].get<int>();
    if (k.ends_with("|2026Q2")) q2 += v["orders"].get<int>();
  }
  EXPECT_GE(q1, 1);
  EXPECT_GE(q2, 1);
  int profiles = 0, left = 0, dm_left = 0, returned = 0, surveys = 0, held = 0;
  for (const auto& [id, v] : ref.views()) {
    profiles += v["profile"].is_null() ? 0 : 1;
    left += v["contact_totals"]["contacts_left"].get<int>();
    dm_left += v["contact_totals"]["decision_makers_left"].get<int>();
    for (const auto& [k, q] : v["quarters"].items()) returned += q["returned_orders"].get<int>();
    for (const auto& [k, m] : v["service_months"].items()) surveys += m["nps_count"].get<int>();
    for (const auto& [k, n] : v["contact_totals"]["meetings"]["held"].items()) {
      held += n.get<int>();
    }
  }
  EXPECT_EQ(profiles, 500);
  EXPECT_GT(left, 50);
  EXPECT_GT(dm_left, 5);
  EXPECT_GT(returned, 100);
  EXPECT_GT(surveys, 100);
  EXPECT_GT(held, 100);
}

TEST(IngestReference, EveryAccountMatchesTheReference) {
  TempDir dir;
  Scenario sc = GenerateScenario({});
  ReferenceModel ref(sc);
  ASSERT_EQ(sc.total_events(), 20000u);

  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir.Sub("broker.log"), {"--partitions", "6"}));
  ASSERT_TRUE(ProduceScenario(broker.bootstrap(), sc, dir));

  EngineProcess engine;
  ASSERT_TRUE(engine.Start(
      {broker.bootstrap(), "it-reference", dir.Sub("state"), dir.Sub("engine.log"), {}}));
  ASSERT_TRUE(engine.WaitAllHandled(20000, kLagSeries, seconds(150)));

  // Counters: exactly the reference's, nothing dead-lettered.
  Metrics m = engine.ScrapeMetrics();
  for (const char* topic : {"orders", "service", "contacts", "accounts"}) {
    EXPECT_EQ(SumMetric(m, "churnwatch_events_applied_total", {{"topic", topic}}),
              ref.applied(topic))
        << topic;
  }
  EXPECT_EQ(SumMetric(m, "churnwatch_events_consumed_total", {{"topic", "orders"}}),
            sc.orders_proto.size() + sc.orders_json.size());
  EXPECT_EQ(SumMetric(m, "churnwatch_events_consumed_total", {{"topic", "contacts"}}),
            sc.contacts.size());
  EXPECT_EQ(SumMetric(m, "churnwatch_events_duplicate_total"), ref.duplicates());
  EXPECT_EQ(SumMetric(m, "churnwatch_events_deadlettered_total"), 0);
  EXPECT_EQ(SumMetric(m, "churnwatch_assigned_partitions"), 6);

  // Every account, every compared field.
  int mismatches = 0;
  for (const auto& id : sc.account_ids) {
    HttpResponse r = engine.Get("/api/v1/accounts/" + id);
    ASSERT_EQ(r.status, 200) << id << ": " << r.body;
    json api = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(api.is_discarded()) << id << ": " << r.body;
    EXPECT_EQ(api.value("account_id", ""), id);
    json actual = ViewOfApiAccount(api);
    const json& expected = ref.views().at(id);
    if (actual != expected) {
      ++mismatches;
      if (mismatches <= 5) {  // enough to diagnose, not a wall of text
        ADD_FAILURE() << "account " << id << " differs from the reference; JSON patch from "
                      << "expected to actual:\n"
                      << json::diff(expected, actual).dump(1);
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << "accounts whose state differs from the reference";

  // The edge the contract names, spelled out: account 1's 16:00:00Z order is in 2026Q2.
  {
    json api = json::parse(engine.Get("/api/v1/accounts/" + sc.account_ids[1]).body);
    bool q2_edge = false;
    for (const auto& q : api["orders"]["quarters"]) {
      if (q["quarter"] == "2026Q2" && q["first_order_at"] == "2026-03-31T16:00:00Z") q2_edge = true;
    }
    EXPECT_TRUE(q2_edge) << api["orders"]["quarters"].dump();
  }

  HttpResponse unknown = engine.Get("/api/v1/accounts/no-such-account");
  EXPECT_EQ(unknown.status, 404);
  json err = json::parse(unknown.body, nullptr, false);
  EXPECT_TRUE(err.is_object() && err.contains("error")) << unknown.body;

  EXPECT_EQ(engine.Stop(seconds(30)), 0) << engine.process().Stderr();
}

}  // namespace
}  // namespace churnwatch::test
