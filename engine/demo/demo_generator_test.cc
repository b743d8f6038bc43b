// Unit tests of engine/demo/demo_generator.h: determinism, the JSON contract of every message,
// the time frame, and that each planted pattern is really in the data (computed here
// independently, with a fixed +08:00 offset for Asia/Shanghai quarters).
#include "demo/demo_generator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/calendar.h"

namespace churnwatch::demo {
namespace {

using Json = nlohmann::json;

UnixMicros Utc(int y, unsigned mo, unsigned d, int h = 0) {
  using namespace std::chrono;
  sys_days day{year{y} / month{mo} / std::chrono::day{d}};
  return duration_cast<microseconds>(day.time_since_epoch()).count() +
         h * 3600LL * kMicrosPerSecond;
}

// Quarter index (year * 4 + quarter - 1) of t in Shanghai time (UTC+8, no DST since 1991).
int ShanghaiQuarter(UnixMicros t) {
  using namespace std::chrono;
  auto local = sys_time<microseconds>(microseconds(t)) + hours(8);
  year_month_day ymd{floor<days>(local)};
  return static_cast<int>(ymd.year()) * 4 +
         (static_cast<int>(static_cast<unsigned>(ymd.month())) - 1) / 3;
}

DemoOptions Options(UnixMicros now, uint64_t seed = 42) {
  DemoOptions o;
  o.seed = seed;
  o.now = now;
  return o;
}

struct Event {
  std::string topic;
  UnixMicros t;
  Json j;
};

// The dataset regrouped per account, in time order.
std::map<std::string, std::vector<Event>> ByAccount(const DemoDataset& d) {
  std::map<std::string, std::vector<Event>> out;
  for (const DemoMessage& m : d.messages)
    out[m.key].push_back({m.topic, m.occurred_at, Json::parse(m.json)});
  return out;
}

// Net quantity per Shanghai quarter (placed - cancelled - returned), optionally of one line.
std::map<int, int64_t> QuarterlyQuantity(const std::vector<Event>& events,
                                         const std::string& line = "") {
  std::map<int, int64_t> q;
  for (const Event& e : events) {
    if (e.topic != "orders" || (!line.empty() && e.j["product_line"] != line)) continue;
    int64_t qty = e.j["quantity"].get<int64_t>();
    q[ShanghaiQuarter(e.t)] += e.j["status"] == "PLACED" ? qty : -qty;
  }
  return q;
}

std::vector<UnixMicros> PlacedTimes(const std::vector<Event>& events) {
  std::vector<UnixMicros> out;
  for (const Event& e : events) {
    if (e.topic == "orders" && e.j["status"] == "PLACED") out.push_back(e.t);
  }
  return out;
}

// A fixed `now` in the middle, at the very start and at the very end of a quarter: patterns
// must stay visible wherever the wall clock falls.
class DemoGeneratorTest : public ::testing::TestWithParam<UnixMicros> {
 protected:
  static const DemoDataset& Data(UnixMicros now) {
    static std::map<UnixMicros, DemoDataset> cache;
    auto it = cache.find(now);
    if (it == cache.end()) it = cache.emplace(now, GenerateDemo(Options(now))).first;
    return it->second;
  }
  UnixMicros now() const { return GetParam(); }
  const DemoDataset& data() const { return Data(GetParam()); }
  std::vector<const DemoAccount*> WithPattern(Pattern p) const {
    std::vector<const DemoAccount*> out;
    for (const DemoAccount& a : data().accounts) {
      if (a.pattern == p) out.push_back(&a);
    }
    return out;
  }
  int NowQuarter() const { return ShanghaiQuarter(now()); }
};

INSTANTIATE_TEST_SUITE_P(Now, DemoGeneratorTest,
                         ::testing::Values(Utc(2026, 5, 14, 3), Utc(2026, 3, 31, 15),
                                           Utc(2026, 7, 2, 1)));

TEST(DemoGenerator, DeterministicForASeed) {
  DemoOptions o = Options(Utc(2026, 5, 14, 3));
  o.accounts = 80;
  DemoDataset a = GenerateDemo(o), b = GenerateDemo(o);
  ASSERT_EQ(a.messages.size(), b.messages.size());
  for (size_t i = 0; i < a.messages.size(); ++i) {
    EXPECT_EQ(a.messages[i].topic, b.messages[i].topic);
    EXPECT_EQ(a.messages[i].key, b.messages[i].key);
    EXPECT_EQ(a.messages[i].json, b.messages[i].json);
    EXPECT_EQ(a.messages[i].occurred_at, b.messages[i].occurred_at);
  }
  ASSERT_EQ(a.accounts.size(), 80u);
  for (size_t i = 0; i < a.accounts.size(); ++i) {
    EXPECT_EQ(a.accounts[i].name, b.accounts[i].name);
    EXPECT_EQ(a.accounts[i].pattern, b.accounts[i].pattern);
  }
  o.seed = 43;
  DemoDataset c = GenerateDemo(o);
  bool differs = c.messages.size() != a.messages.size();
  for (size_t i = 0; !differs && i < a.messages.size(); ++i)
    differs = a.messages[i].json != c.messages[i].json;
  EXPECT_TRUE(differs);
  EXPECT_NE(a.accounts[0].name, c.accounts[0].name);
}

TEST(DemoGenerator, ValidatesOptions) {
  DemoOptions o = Options(Utc(2026, 5, 14));
  EXPECT_TRUE(ValidateDemoOptions(o).ok());
  o.zone = "Mars/Olympus";
  EXPECT_FALSE(ValidateDemoOptions(o).ok());
  EXPECT_TRUE(GenerateDemo(o).messages.empty());
  o = Options(0);
  EXPECT_FALSE(ValidateDemoOptions(o).ok());
  o = Options(Utc(2026, 5, 14));
  o.quarters = 3;
  EXPECT_NE(ValidateDemoOptions(o).message().find("quarters"), std::string::npos);
}

TEST(DemoGenerator, HistoryStartIsTheFirstOfTheCompleteQuarters) {
  // now in 2026Q2 → 8 complete quarters start with 2024Q2 (Shanghai midnight = 16:00 UTC).
  EXPECT_EQ(HistoryStart(Options(Utc(2026, 5, 14, 3))), Utc(2024, 3, 31, 16));
}

TEST(DemoGenerator, SmallRosterIsValidToo) {
  DemoOptions o = Options(Utc(2026, 5, 14, 3));
  o.accounts = 5;
  DemoDataset d = GenerateDemo(o);
  EXPECT_EQ(d.accounts.size(), 5u);
  EXPECT_FALSE(d.messages.empty());
}

TEST_P(DemoGeneratorTest, EveryMessageFollowsTheContract) {
  const UnixMicros start = HistoryStart(Options(now()));
  EXPECT_LE(start, now() - 8 * 90 * kMicrosPerDay);
  std::set<std::string> ids;
  std::map<std::string, size_t> bytes;
  std::map<std::string, std::string> first_topic;
  UnixMicros previous = start;
  for (const DemoMessage& m : data().messages) {
    Json j = Json::parse(m.json);  // throws (fails the test) on malformed JSON
    ASSERT_TRUE(j.contains("event_id") && j.contains("account_id") && j.contains("occurred_at"))
        << m.json;
    EXPECT_EQ(j["account_id"], m.key);
    EXPECT_TRUE(ids.insert(j["event_id"].get<std::string>()).second)
        << "duplicate " << j["event_id"];
    auto t = ParseRfc3339(j["occurred_at"].get<std::string>());
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(*t, m.occurred_at);
    EXPECT_GE(m.occurred_at, previous) << "not sorted at " << m.json;
    EXPECT_LE(m.occurred_at, now());
    previous = m.occurred_at;
    bytes[m.topic] += m.json.size();
    first_topic.emplace(m.key, m.topic);
    if (m.topic == "orders") {
      EXPECT_GT(j["quantity"].get<int64_t>(), 0);
      EXPECT_GT(j["amount_minor"].get<int64_t>(), 0);
      EXPECT_EQ(j["currency"], "CNY");
    } else if (m.topic == "accounts") {
      for (const char* f : {"name", "tier", "owner", "executive_sponsor", "region", "industry",
                            "stage", "credit_risk"}) {
        EXPECT_TRUE(j.contains(f)) << f << " missing in " << m.json;
      }
      EXPECT_NE(j["owner"]["email"].get<std::string>().find("@example.com"), std::string::npos);
    } else if (m.topic == "service") {
      if (j["kind"] == "SURVEY") {
        EXPECT_GE(j["csat"].get<int>(), 1);
        EXPECT_LE(j["nps"].get<int>(), 10);
      }
    } else {
      EXPECT_EQ(m.topic, "contacts");
    }
  }
  EXPECT_LT(data().messages.size(), 60'000u);
  EXPECT_EQ(bytes.size(), 4u);
  for (const auto& [topic, n] : bytes) EXPECT_LT(n, 4'000'000u) << topic;
  EXPECT_EQ(first_topic.size(), data().accounts.size());
  for (const auto& [key, topic] : first_topic)
    EXPECT_EQ(topic, "accounts") << key << " starts without a profile";
}

TEST_P(DemoGeneratorTest, PyramidAndEveryPattern) {
  std::map<std::string, int> tiers;
  std::map<Pattern, int> patterns;
  for (const DemoAccount& a : data().accounts) {
    ++tiers[a.tier];
    ++patterns[a.pattern];
    EXPECT_FALSE(a.name.empty());
    EXPECT_FALSE(a.owner_id.empty());
  }
  EXPECT_EQ(tiers["strategic"], 15);
  EXPECT_EQ(tiers["key"], 30);
  EXPECT_EQ(tiers["ordinary"], 120);
  EXPECT_EQ(patterns.size(), static_cast<size_t>(kPatternCount));
  EXPECT_NEAR(patterns[Pattern::kHealthy], 195, 5);
  for (const DemoAccount* a : WithPattern(Pattern::kExecContactGap)) {
    EXPECT_TRUE(a->tier == "strategic" || a->tier == "key") << a->account_id;
  }
}

TEST_P(DemoGeneratorTest, HealthyAccountsBuyEveryLineEveryQuarterAndDoNotDecline) {
  auto all = ByAccount(data());
  const int last = NowQuarter() - 1, first = last - 7;
  for (const DemoAccount* a : WithPattern(Pattern::kHealthy)) {
    const auto& events = all[a->account_id];
    std::set<std::string> lines;
    for (const Event& e : events) {
      if (e.topic == "orders") lines.insert(e.j["product_line"].get<std::string>());
    }
    ASSERT_FALSE(lines.empty()) << a->account_id;
    for (const std::string& line : lines) {
      auto q = QuarterlyQuantity(events, line);
      for (int k = first; k <= last; ++k)
        EXPECT_GT(q[k], 0) << a->account_id << " " << line << " quarter " << k;
    }
    auto q = QuarterlyQuantity(events);
    for (int k = first + 2; k <= last; ++k) {
      bool two_falls = q[k - 1] < 0.9 * q[k - 2] && q[k] < 0.9 * q[k - 1];
      EXPECT_FALSE(two_falls) << a->account_id << " declines into quarter " << k;
    }
    for (const Event& e : events) {
      if (e.topic == "contacts") {
        EXPECT_NE(e.j["kind"], "CONTACT_LEFT") << a->account_id;
        EXPECT_NE(e.j["kind"], "MEETING_CANCELLED") << a->account_id;
        EXPECT_NE(e.j["kind"], "REFERENCE_WITHDRAWN") << a->account_id;
      }
      if (e.topic == "accounts") {
        EXPECT_EQ(e.j["credit_risk"], "NONE");
      }
      if (e.topic == "service" && e.j["kind"] == "SURVEY") {
        EXPECT_GE(e.j["csat"].get<int>(), 4);
      }
    }
  }
}

TEST_P(DemoGeneratorTest, VolumeDeclineFallsTwoQuartersInARow) {
  auto all = ByAccount(data());
  const int last = NowQuarter() - 1;
  for (const DemoAccount* a : WithPattern(Pattern::kVolumeDecline)) {
    auto q = QuarterlyQuantity(all[a->account_id]);
    EXPECT_LE(q[last - 1], 0.85 * q[last - 2]) << a->account_id;
    EXPECT_LE(q[last], 0.85 * q[last - 1]) << a->account_id;
    EXPECT_GT(q[last], 0) << a->account_id << " still buys";
  }
}

TEST_P(DemoGeneratorTest, PurchaseSilenceLastsSeveralCycles) {
  auto all = ByAccount(data());
  for (const DemoAccount* a : WithPattern(Pattern::kPurchaseSilence)) {
    std::vector<UnixMicros> placed = PlacedTimes(all[a->account_id]);
    ASSERT_GE(placed.size(), 10u) << a->account_id;
    double cycle = static_cast<double>(placed.back() - placed.front()) /
                   static_cast<double>(placed.size() - 1);
    EXPECT_GE(static_cast<double>(now() - placed.back()), 3 * cycle) << a->account_id;
    EXPECT_GE(now() - placed.back(), 40 * kMicrosPerDay) << a->account_id;
  }
}

TEST_P(DemoGeneratorTest, ProductLineDroppedWhileOthersContinue) {
  auto all = ByAccount(data());
  for (const DemoAccount* a : WithPattern(Pattern::kProductLineDropped)) {
    std::map<std::string, UnixMicros> last_order;
    for (const Event& e : all[a->account_id]) {
      if (e.topic == "orders" && e.j["status"] == "PLACED") last_order[e.j["product_line"]] = e.t;
    }
    int dropped = 0, active = 0;
    for (const auto& [line, t] : last_order) {
      if (now() - t > 85 * kMicrosPerDay) ++dropped;
      if (now() - t < 75 * kMicrosPerDay) ++active;
    }
    EXPECT_EQ(dropped, 1) << a->account_id;
    EXPECT_EQ(active, static_cast<int>(last_order.size()) - 1) << a->account_id;
    EXPECT_GE(active, 1) << a->account_id;
  }
}

TEST_P(DemoGeneratorTest, ContactPatterns) {
  auto all = ByAccount(data());
  const UnixMicros day = kMicrosPerDay;
  auto kinds = [&](const DemoAccount* a, const char* kind, UnixMicros since) {
    int n = 0;
    for (const Event& e : all[a->account_id])
      n += e.topic == "contacts" && e.j["kind"] == kind && e.t >= since;
    return n;
  };
  for (const DemoAccount* a : WithPattern(Pattern::kMeetingCancelled)) {
    bool found = false;
    for (const Event& e : all[a->account_id]) {
      found |= e.topic == "contacts" && e.j["kind"] == "MEETING_CANCELLED" &&
               e.j["meeting_type"] == "STRATEGY" && e.t >= now() - 92 * day;
    }
    EXPECT_TRUE(found) << a->account_id;
  }
  for (const DemoAccount* a : WithPattern(Pattern::kReferenceWithdrawn)) {
    EXPECT_EQ(kinds(a, "REFERENCE_WITHDRAWN", now() - 92 * day), 1) << a->account_id;
  }
  for (const DemoAccount* a : WithPattern(Pattern::kManagerTurnover)) {
    EXPECT_EQ(kinds(a, "MANAGER_CHANGED", now() - 365 * day), 3) << a->account_id;
    std::string last_manager;
    for (const Event& e : all[a->account_id]) {
      if (e.topic == "contacts" && e.j["kind"] == "MANAGER_CHANGED")
        last_manager = e.j["new_manager"]["id"];
    }
    EXPECT_EQ(last_manager, a->owner_id);
    EXPECT_EQ(all[a->account_id].back().topic.empty(), false);
  }
  for (const DemoAccount* a : WithPattern(Pattern::kKeyContactChange)) {
    std::set<std::string> present;
    bool decision_maker_left = false;
    for (const Event& e : all[a->account_id]) {
      if (e.topic != "contacts") continue;
      if (e.j["kind"] == "CONTACT_ADDED") present.insert(e.j["contact_id"].get<std::string>());
      if (e.j["kind"] == "CONTACT_LEFT") {
        present.erase(e.j["contact_id"].get<std::string>());
        decision_maker_left |= e.j["contact_role"] == "DECISION_MAKER" && e.t >= now() - 92 * day;
      }
    }
    EXPECT_TRUE(decision_maker_left) << a->account_id;
    EXPECT_EQ(present.size(), 1u) << a->account_id;
  }
  const int last = NowQuarter() - 1;
  for (const DemoAccount& a : data().accounts) {
    if (a.tier != "strategic" && a.tier != "key") continue;
    std::set<int> exec_quarters;
    for (const Event& e : all[a.account_id]) {
      if (e.topic == "contacts" && e.j.value("level", "") == "EXECUTIVE" &&
          e.j["kind"] != "MEETING_SCHEDULED") {
        exec_quarters.insert(ShanghaiQuarter(e.t));
      }
    }
    if (a.pattern == Pattern::kExecContactGap) {
      EXPECT_EQ(exec_quarters.count(last), 0u) << a.account_id;
      EXPECT_EQ(exec_quarters.count(last + 1), 0u) << a.account_id;
      EXPECT_EQ(exec_quarters.count(last - 1), 1u)
          << a.account_id << " had executive contact before";
    } else if (a.pattern == Pattern::kHealthy) {
      for (int k = last - 7; k <= last; ++k)
        EXPECT_EQ(exec_quarters.count(k), 1u) << a.account_id << " " << k;
    }
  }
}

TEST_P(DemoGeneratorTest, ServiceAndRiskPatterns) {
  auto all = ByAccount(data());
  const UnixMicros recent = now() - 90 * kMicrosPerDay;
  for (const DemoAccount* a : WithPattern(Pattern::kServiceDegradation)) {
    int complaints = 0, breaches = 0, last_csat = 0, last_nps = -1;
    for (const Event& e : all[a->account_id]) {
      if (e.topic != "service") continue;
      complaints += e.j["kind"] == "COMPLAINT" && e.t >= recent;
      breaches += e.j["kind"] == "SLA_BREACHED" && e.t >= recent;
      if (e.j["kind"] == "SURVEY") last_csat = e.j["csat"], last_nps = e.j["nps"];
    }
    EXPECT_GE(complaints, 3) << a->account_id;
    EXPECT_GE(breaches, 3) << a->account_id;
    EXPECT_LE(last_csat, 2) << a->account_id;
    EXPECT_LE(last_nps, 4) << a->account_id;
  }
  for (const DemoAccount* a : WithPattern(Pattern::kExternalRisk)) {
    std::string credit;
    for (const Event& e : all[a->account_id]) {
      if (e.topic == "accounts") credit = e.j["credit_risk"];
    }
    EXPECT_TRUE(credit == "DOWNGRADED" || credit == "DISTRESSED") << a->account_id;
  }
  const int last = NowQuarter() - 1;
  for (const DemoAccount* a : WithPattern(Pattern::kHealthLow)) {
    std::string credit;
    int low_surveys = 0;
    for (const Event& e : all[a->account_id]) {
      if (e.topic == "accounts") credit = e.j["credit_risk"];
      low_surveys +=
          e.topic == "service" && e.j["kind"] == "SURVEY" && e.t >= recent && e.j["csat"] <= 3;
    }
    EXPECT_EQ(credit, "WATCH") << a->account_id;
    EXPECT_GE(low_surveys, 1) << a->account_id;
    auto q = QuarterlyQuantity(all[a->account_id]);
    EXPECT_LT(q[last], q[last - 2]) << a->account_id;
  }
}

}  // namespace
}  // namespace churnwatch::demo
