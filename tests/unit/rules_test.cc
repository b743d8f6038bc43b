// Unit tests of engine/rules: every built-in kind at its boundaries over hand-built account
// snapshots (features::ComputeFeatures + RuleEvaluator), the alert lifecycle of
// EvaluateAccount, rule_loader problems with file:line, and TextTemplate filters.
//
// Times are in Asia/Shanghai (UTC+8): local midnight is 16:00Z the day before; 2026Q3 starts
// at 2026-06-30T16:00:00Z and 2026Q4 at 2026-09-30T16:00:00Z (92 days to 2026-12-31T16:00Z).
//
// Tests marked "Regression test" assert the behaviour of engine bugs found while writing these
// tests and since fixed; each names the bug it guards against.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "common/calendar.h"
#include "common/clock.h"
#include "features/features.h"
#include "ingest/replayer.h"
#include "rules/alert_lifecycle.h"
#include "rules/builtin_kinds.h"
#include "rules/rule_evaluator.h"
#include "rules/rule_loader.h"
#include "rules/text_template.h"
#include "state/account_snapshot.h"
#include "state/counters.h"
#include "temp_dir.h"

namespace churnwatch::rules {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

UnixMicros T(const std::string& rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : 0;
}

const Calendar& Shanghai() {
  static const Calendar cal = *Calendar::Load("Asia/Shanghai");
  return cal;
}

// ------------------------------------------------------------------ snapshot builder

// Builds a state::AccountSnapshot the way the state updater would fill it.
class Account {
 public:
  explicit Account(std::string id = "A1") { snap_.account_id = std::move(id); }

  Account& Profile(v1::Tier tier, v1::CreditRisk credit = v1::CREDIT_RISK_NONE) {
    v1::ProfileRecord p;
    p.mutable_profile()->set_account_id(snap_.account_id);
    p.mutable_profile()->set_name("Acme");
    p.mutable_profile()->set_tier(tier);
    p.mutable_profile()->set_credit_risk(credit);
    p.mutable_profile()->mutable_owner()->set_id("m1");
    p.mutable_profile()->mutable_owner()->set_name("Wang");
    snap_.profile = p;
    return *this;
  }
  // The first event of the account (account_age_days, and days_since_exec_contact when
  // there never was one). Every helper below also extends it.
  Account& Seen(UnixMicros t) {
    if (!snap_.activity) snap_.activity.emplace(state::CounterLayout::kAccountActivity);
    snap_.activity->Min(state::kActFirstAt, t);
    snap_.activity->Max(state::kActLastAt, t);
    snap_.activity->Add(state::kActEvents, 1);
    return *this;
  }
  // A PLACED order.
  Account& Order(UnixMicros t, const std::string& line, int64_t qty, int64_t amount = 0) {
    Seen(t);
    const Calendar& cal = Shanghai();
    DayKey day = cal.DayOf(t);
    state::OrderMonthRow* row = nullptr;
    for (auto& r : snap_.order_months) {
      if (r.product_line == line && r.month == day / 100) row = &r;
    }
    if (row == nullptr) {
      snap_.order_months.push_back(
          {line, day / 100, state::OrderMonthCounters(state::CounterLayout::kOrderMonth)});
      row = &snap_.order_months.back();
    }
    row->counters.Add(state::kOrderQuantity, qty);
    row->counters.Add(state::kOrderAmountMinor, amount);
    row->counters.Add(state::kOrderCount, 1);
    row->counters.Min(state::kOrderFirstAt, t);
    row->counters.Max(state::kOrderLastAt, t);
    row->counters.Or(state::kOrderPlacedDays, int64_t{1} << (day % 100 - 1));
    auto& d = Day(snap_.order_days, day, state::CounterLayout::kOrderDay);
    d.Add(state::kDayOrders, 1);
    d.Add(state::kDayQuantity, qty);
    d.Add(state::kDayAmountMinor, amount);
    return *this;
  }
  // Adds `n` to a service-day slot (kSvcComplaints, kSvcSlaBreaches...).
  Account& Service(UnixMicros t, int slot, int64_t n = 1) {
    Seen(t);
    Day(snap_.service_days, Shanghai().DayOf(t), state::CounterLayout::kServiceDay).Add(slot, n);
    return *this;
  }
  Account& Survey(UnixMicros t, int csat) {
    Service(t, state::kSvcCsatSum, csat);
    return Service(t, state::kSvcCsatCount, 1);
  }
  Account& Nps(UnixMicros t, int nps) {
    Service(t, state::kSvcNpsSum, nps);
    return Service(t, state::kSvcNpsCount, 1);
  }
  // Adds `n` to an engagement-day slot (MeetingSlot(...), kEngReferencesWithdrawn...).
  Account& Engagement(UnixMicros t, int slot, int64_t n = 1) {
    Seen(t);
    Day(snap_.engagement_days, Shanghai().DayOf(t), state::CounterLayout::kEngagementDay)
        .Add(slot, n);
    return *this;
  }
  // A held meeting, call or visit at executive level.
  Account& ExecContact(UnixMicros t) {
    Seen(t);
    Day(snap_.engagement_days, Shanghai().DayOf(t), state::CounterLayout::kEngagementDay)
        .Max(state::kEngLastExecutiveAt, t);
    return *this;
  }
  Account& Contact(const std::string& id, v1::ContactRole role, v1::ContactLevel level,
                   bool active = true) {
    v1::ContactRecord c;
    c.set_contact_id(id);
    c.set_role(role);
    c.set_level(level);
    c.set_active(active);
    snap_.contacts.push_back(c);
    return *this;
  }
  Account& TwoContacts() {
    Contact("c1", v1::CONTACT_ROLE_DECISION_MAKER, v1::CONTACT_LEVEL_EXECUTIVE);
    return Contact("c2", v1::CONTACT_ROLE_INFLUENCER, v1::CONTACT_LEVEL_MANAGEMENT);
  }

  const state::AccountSnapshot& snap() {
    auto by_day = [](const auto& a, const auto& b) { return a.period < b.period; };
    std::sort(snap_.order_days.begin(), snap_.order_days.end(), by_day);
    std::sort(snap_.service_days.begin(), snap_.service_days.end(), by_day);
    std::sort(snap_.engagement_days.begin(), snap_.engagement_days.end(), by_day);
    std::sort(snap_.order_months.begin(), snap_.order_months.end(),
              [](const auto& a, const auto& b) {
                return std::tie(a.product_line, a.month) < std::tie(b.product_line, b.month);
              });
    return snap_;
  }
  state::AccountSnapshot& mutable_snap() { return snap_; }

 private:
  template <class Counters>
  static Counters& Day(std::vector<state::PeriodRow<Counters>>& rows, DayKey day,
                       state::CounterLayout layout) {
    for (auto& r : rows) {
      if (r.period == day) return r.counters;
    }
    rows.push_back({day, Counters(layout)});
    return rows.back().counters;
  }
  state::AccountSnapshot snap_;
};

features::FeatureValues Features(Account& a, UnixMicros at) {
  return features::ComputeFeatures(a.snap(), at, Shanghai());
}

// ------------------------------------------------------------------ rule helpers

// One rule `r` of `kind` (with optional flow-mapping params and tiers) in a rule file.
std::string KindRule(const std::string& kind, const std::string& params = "",
                     const std::string& tiers = "") {
  std::string y = "groups:\n  - name: g\n    rules:\n      - id: r\n        kind: " + kind + "\n";
  if (!params.empty()) y += "        params: " + params + "\n";
  if (!tiers.empty()) y += "        tiers: " + tiers + "\n";
  y += "        annotations: {summary: \"{{account_name}}\"}\n";
  return y;
}
std::string ExprRule(const std::string& expr, const std::string& extra = "") {
  return "groups:\n  - name: g\n    rules:\n      - id: r\n        expr: \"" + expr +
         "\"\n        labels: {signal: health_low}\n        annotations: {summary: \"s\"}\n" +
         extra;
}

std::unique_ptr<RuleEvaluator> Compile(const std::string& yaml) {
  LoadResult loaded = LoadRulesText(yaml, "test.yaml");
  for (const auto& p : loaded.problems) ADD_FAILURE() << p.ToString();
  auto set = std::make_shared<RuleSet>(std::move(loaded.set));
  auto ev = RuleEvaluator::Compile(set);
  EXPECT_TRUE(ev.ok()) << ev.status().ToString();
  return ev.ok() ? std::move(*ev) : nullptr;
}

// Whether the single rule of `yaml` fires for the account at `at` (tier filter included).
bool Fires(const std::string& yaml, Account& a, UnixMicros at) {
  auto ev = Compile(yaml);
  if (!ev) return false;
  features::FeatureValues values = Features(a, at);
  return ev->set().rules[0].AppliesToTier(values.text.at("tier_name")) && ev->Holds(0, values);
}

// ------------------------------------------------------------------ volume_decline

// One order per quarter in the middle of 2026Q1..Q3, evaluated early in 2026Q4.
Account ThreeQuarters(int64_t q1, int64_t q2, int64_t q3) {
  Account a;
  a.Profile(v1::TIER_KEY)
      .Order(T("2026-02-15T02:00:00Z"), "bearings", q1)
      .Order(T("2026-05-15T02:00:00Z"), "bearings", q2)
      .Order(T("2026-08-15T02:00:00Z"), "bearings", q3);
  return a;
}

TEST(VolumeDeclineKind, ExactlyTenPercentTwiceHolds) {
  Account a = ThreeQuarters(100, 90, 81);
  features::FeatureValues f = Features(a, T("2026-10-10T16:00:00Z"));
  EXPECT_DOUBLE_EQ(f.Get("qty_change_q2"), -0.1);
  EXPECT_DOUBLE_EQ(f.Get("qty_change_q1"), -0.1);
  EXPECT_TRUE(Fires(KindRule("volume_decline"), a, T("2026-10-10T16:00:00Z")));
}

TEST(VolumeDeclineKind, JustShortOfTheThresholdDoesNotHold) {
  Account a = ThreeQuarters(100, 90, 82);  // -10%, -8.9%
  EXPECT_FALSE(Fires(KindRule("volume_decline"), a, T("2026-10-10T16:00:00Z")));
  Account b = ThreeQuarters(100, 91, 60);  // -9%, -34%
  EXPECT_FALSE(Fires(KindRule("volume_decline"), b, T("2026-10-10T16:00:00Z")));
}

// Quarterly quantities from 2025Q1 (one order mid-quarter each), evaluated early in 2026Q4.
Account Quarters(const std::vector<int64_t>& quantities) {
  Account a;
  a.Profile(v1::TIER_KEY);
  const char* mid[] = {"2025-02-15", "2025-05-15", "2025-08-15", "2025-11-15",
                       "2026-02-15", "2026-05-15", "2026-08-15"};
  for (size_t i = 0; i < quantities.size() && i < 7; ++i)
    a.Order(T(std::string(mid[i]) + "T02:00:00Z"), "bearings", quantities[i]);
  return a;
}

TEST(VolumeDeclineKind, JudgedAgainstTheAccountsOwnNormal) {
  UnixMicros at = T("2026-10-10T16:00:00Z");
  // Steady at 100, then 86 and 70: normal = mean(86, 100, 100, 100) = 96.5, spread floored at
  // 9.65; 70 is 27 % and 2.7 spreads below it, 30 % below 2025Q3.
  Account steady = Quarters({100, 100, 100, 100, 100, 86, 70});
  features::FeatureValues f = Features(steady, at);
  EXPECT_NEAR(f.Get("qty_q1_vs_normal"), 70 / 96.5 - 1, 1e-12);
  EXPECT_NEAR(f.Get("qty_q1_zscore"), (70 - 96.5) / 9.65, 1e-12);
  EXPECT_NEAR(f.Get("qty_yoy_change_q1"), -0.3, 1e-12);
  EXPECT_TRUE(Fires(KindRule("volume_decline"), steady, at));
  // Noisy: the same two dips (-12.7 %, -10.4 %) lie within its usual swings.
  Account noisy = Quarters({100, 140, 70, 130, 110, 96, 86});
  EXPECT_GT(Features(noisy, at).Get("qty_q1_zscore"), -1);
  EXPECT_FALSE(Fires(KindRule("volume_decline"), noisy, at));
  EXPECT_TRUE(Fires(KindRule("volume_decline", "{min_z: 0.5}"), noisy, at) ==
              (Features(noisy, at).Get("qty_q1_zscore") <= -0.5 &&
               !(Features(noisy, at).Get("qty_yoy_change_q1") > -0.1)));
  // Seasonal: Q2 and Q3 fall every year; this Q3 equals last year's.
  Account seasonal = Quarters({120, 100, 80, 120, 120, 100, 80});
  EXPECT_DOUBLE_EQ(Features(seasonal, at).Get("qty_yoy_change_q1"), 0);
  EXPECT_FALSE(Fires(KindRule("volume_decline"), seasonal, at));
  // No history a year back (first order in 2026Q1): the year-on-year check cannot hold it
  // back, and quarters before the first order are not zeros of its normal.
  Account young = ThreeQuarters(100, 80, 60);
  EXPECT_TRUE(std::isnan(Features(young, at).Get("qty_yoy_change_q1")));
  EXPECT_DOUBLE_EQ(Features(young, at).Get("qty_q1_vs_normal"), 60.0 / 90 - 1);
  EXPECT_TRUE(Fires(KindRule("volume_decline"), young, at));
}

TEST(VolumeDeclineKind, MinDropParameter) {
  Account a = ThreeQuarters(100, 80, 60);  // -20%, -25%
  EXPECT_TRUE(Fires(KindRule("volume_decline", "{min_drop: 0.2}"), a, T("2026-10-10T16:00:00Z")));
  EXPECT_FALSE(Fires(KindRule("volume_decline", "{min_drop: 0.21}"), a, T("2026-10-10T16:00:00Z")));
}

TEST(VolumeDeclineKind, OrderAtLocalMidnightOfJulyFirstBelongsToQ3) {
  // 2026-06-30T16:00:00Z is 2026-07-01 00:00 in Shanghai: 2026Q3.
  Account a;
  a.Profile(v1::TIER_KEY)
      .Order(T("2026-02-15T02:00:00Z"), "bearings", 100)
      .Order(T("2026-05-15T02:00:00Z"), "bearings", 90)
      .Order(T("2026-06-30T16:00:00Z"), "bearings", 81);
  features::FeatureValues f = Features(a, T("2026-10-10T16:00:00Z"));
  EXPECT_EQ(f.text.at("quarter_q1"), "2026Q3");
  EXPECT_EQ(f.Get("qty_q1"), 81);
  EXPECT_EQ(f.Get("qty_q2"), 90);
  EXPECT_TRUE(Fires(KindRule("volume_decline"), a, T("2026-10-10T16:00:00Z")));

  // One second earlier it is still June 30th local: 2026Q2 (90 + 81), and nothing in Q3.
  Account b;
  b.Profile(v1::TIER_KEY)
      .Order(T("2026-02-15T02:00:00Z"), "bearings", 100)
      .Order(T("2026-05-15T02:00:00Z"), "bearings", 90)
      .Order(T("2026-06-30T15:59:59Z"), "bearings", 81);
  features::FeatureValues g = Features(b, T("2026-10-10T16:00:00Z"));
  EXPECT_EQ(g.Get("qty_q1"), 0);
  EXPECT_EQ(g.Get("qty_q2"), 171);
}

TEST(VolumeDeclineKind, EvaluationAtQuarterStartShiftsTheQuarters) {
  Account a = ThreeQuarters(100, 90, 81);
  // The last instant of 2026Q3 local: q1 is still Q2.
  features::FeatureValues before = Features(a, T("2026-09-30T15:59:59Z"));
  EXPECT_EQ(before.text.at("quarter_q0"), "2026Q3");
  EXPECT_EQ(before.Get("qty_q1"), 90);
  EXPECT_FALSE(Fires(KindRule("volume_decline"), a, T("2026-09-30T15:59:59Z")));
  // Local midnight of October 1st: 2026Q4 starts, Q3 is the last complete quarter.
  features::FeatureValues after = Features(a, T("2026-09-30T16:00:00Z"));
  EXPECT_EQ(after.text.at("quarter_q0"), "2026Q4");
  EXPECT_EQ(after.Get("qty_q1"), 81);
  EXPECT_DOUBLE_EQ(after.Get("quarter_elapsed"), 0);
  EXPECT_TRUE(Fires(KindRule("volume_decline"), a, T("2026-09-30T16:00:00Z")));
}

TEST(VolumeDeclineKind, SingleOrderIsMissingDataNotADecline) {
  Account a;
  a.Profile(v1::TIER_KEY).Order(T("2026-02-15T02:00:00Z"), "bearings", 100);
  features::FeatureValues f = Features(a, T("2026-10-10T16:00:00Z"));
  EXPECT_TRUE(std::isnan(f.Get("qty_change_q1")));  // 0 after 0
  EXPECT_DOUBLE_EQ(f.Get("qty_change_q2"), -1);     // 0 after the order: one fall, never two
  EXPECT_FALSE(Fires(KindRule("volume_decline"), a, T("2026-10-10T16:00:00Z")));
  // The quarter after the order: q1 fell by 100%, q2 has nothing before it.
  features::FeatureValues g = Features(a, T("2026-07-10T16:00:00Z"));
  EXPECT_DOUBLE_EQ(g.Get("qty_change_q1"), -1);
  EXPECT_TRUE(std::isnan(g.Get("qty_change_q2")));
  EXPECT_FALSE(Fires(KindRule("volume_decline"), a, T("2026-07-10T16:00:00Z")));
}

TEST(VolumeDeclineKind, TierFilterAndAccountWithoutProfile) {
  const std::string rule = KindRule("volume_decline", "", "[strategic, key]");
  Account key = ThreeQuarters(100, 80, 60);
  EXPECT_TRUE(Fires(rule, key, T("2026-10-10T16:00:00Z")));

  Account growth = ThreeQuarters(100, 80, 60);
  growth.Profile(v1::TIER_GROWTH);
  EXPECT_FALSE(Fires(rule, growth, T("2026-10-10T16:00:00Z")));

  Account none;  // no profile: tier NaN, tier_name ""
  none.Order(T("2026-02-15T02:00:00Z"), "bearings", 100)
      .Order(T("2026-05-15T02:00:00Z"), "bearings", 80)
      .Order(T("2026-08-15T02:00:00Z"), "bearings", 60);
  features::FeatureValues f = Features(none, T("2026-10-10T16:00:00Z"));
  EXPECT_TRUE(std::isnan(f.Get("tier")));
  EXPECT_EQ(f.Get("has_profile"), 0);
  EXPECT_EQ(f.text.at("tier_name"), "");
  EXPECT_EQ(f.text.at("account_name"), "A1");
  EXPECT_FALSE(Fires(rule, none, T("2026-10-10T16:00:00Z")));
  // Without a tiers filter the condition alone decides.
  EXPECT_TRUE(Fires(KindRule("volume_decline"), none, T("2026-10-10T16:00:00Z")));
}

// ------------------------------------------------------------------ volume_decline_early

// 2026Q3: 100 in three orders (the kind's min_orders default is 3). 2026Q4 (92 days from
// 2026-09-30T16:00Z): `q0` ordered on October 2nd.
Account RunningQuarter(int64_t q0) {
  Account a;
  a.Profile(v1::TIER_KEY)
      .Order(T("2026-07-15T02:00:00Z"), "bearings", 34)
      .Order(T("2026-08-15T02:00:00Z"), "bearings", 33)
      .Order(T("2026-09-15T02:00:00Z"), "bearings", 33);
  if (q0 > 0) a.Order(T("2026-10-02T02:00:00Z"), "bearings", q0);
  return a;
}

TEST(VolumeDeclineEarlyKind, OnPaceForExactlyMinDropHolds) {
  Account a = RunningQuarter(40);               // 40 / 0.5 = 80: -20%
  UnixMicros half = T("2026-11-15T16:00:00Z");  // 46 of 92 days
  features::FeatureValues f = Features(a, half);
  EXPECT_DOUBLE_EQ(f.Get("quarter_elapsed"), 0.5);
  EXPECT_EQ(f.Get("qty_q1"), 100);
  EXPECT_EQ(f.Get("orders_q1"), 3);
  EXPECT_DOUBLE_EQ(f.Get("qty_pace_q0"), 80);
  EXPECT_DOUBLE_EQ(f.Get("qty_pace_change"), -0.2);
  EXPECT_TRUE(Fires(KindRule("volume_decline_early"), a, half));
  Account b = RunningQuarter(41);  // 82: -18%
  EXPECT_FALSE(Fires(KindRule("volume_decline_early"), b, half));
}

TEST(VolumeDeclineEarlyKind, NotBeforeMinElapsed) {
  Account a = RunningQuarter(0);
  EXPECT_FALSE(Fires(KindRule("volume_decline_early"), a, T("2026-10-30T16:00:00Z")));  // 30/92
  EXPECT_TRUE(Fires(KindRule("volume_decline_early"), a, T("2026-10-31T16:00:00Z")));   // 31/92
  // Before 10% of the quarter the pace is not even defined.
  features::FeatureValues f = Features(a, T("2026-10-05T16:00:00Z"));
  EXPECT_TRUE(std::isnan(f.Get("qty_pace_q0")));
}

TEST(VolumeDeclineEarlyKind, NoVolumeLastQuarterIsMissingData) {
  Account a;
  a.Profile(v1::TIER_KEY).Order(T("2026-10-02T02:00:00Z"), "bearings", 5);
  features::FeatureValues f = Features(a, T("2026-11-15T16:00:00Z"));
  EXPECT_TRUE(std::isnan(f.Get("qty_pace_change")));
  EXPECT_FALSE(Fires(KindRule("volume_decline_early"), a, T("2026-11-15T16:00:00Z")));
}

// Regression test (kind bug, domain): volume_decline_early had no history condition, so an
// account with one order ever (in the last quarter) was "on pace for -100%" a third into the
// next quarter; one order is no trend. The kind now has `orders_q1 >= ${min_orders}`, default 3.
TEST(VolumeDeclineEarlyKind, SingleOrderDoesNotHold) {
  UnixMicros at = T("2026-11-15T16:00:00Z");  // 46/92 of 2026Q4, nothing ordered in it
  Account a;
  a.Profile(v1::TIER_KEY).Order(T("2026-08-15T02:00:00Z"), "bearings", 100);
  EXPECT_EQ(Features(a, at).Get("orders_q1"), 1);
  EXPECT_DOUBLE_EQ(Features(a, at).Get("qty_pace_change"), -1);
  EXPECT_FALSE(Fires(KindRule("volume_decline_early"), a, at));
  // The boundary of the default: two orders in the last quarter no, three yes.
  a.Order(T("2026-09-01T02:00:00Z"), "bearings", 100);
  EXPECT_EQ(Features(a, at).Get("orders_q1"), 2);
  EXPECT_FALSE(Fires(KindRule("volume_decline_early"), a, at));
  a.Order(T("2026-09-15T02:00:00Z"), "bearings", 100);
  EXPECT_EQ(Features(a, at).Get("orders_q1"), 3);
  EXPECT_TRUE(Fires(KindRule("volume_decline_early"), a, at));
  // The parameter overrides the default.
  Account b;
  b.Profile(v1::TIER_KEY).Order(T("2026-08-15T02:00:00Z"), "bearings", 100);
  EXPECT_TRUE(Fires(KindRule("volume_decline_early", "{min_orders: 1}"), b, at));
  EXPECT_FALSE(Fires(KindRule("volume_decline_early", "{min_orders: 2}"), b, at));
}

// ------------------------------------------------------------------ product_line_dropped

// Bearings every 14 days all year (last 2026-12-20); seals (20 % of the volume by default) every
// 14 days from 2026-01-04, `seal_orders` times (12: the last on 2026-06-07).
Account TwoLines(int seal_orders, int64_t seal_quantity = 25) {
  Account a;
  a.Profile(v1::TIER_KEY);
  for (int i = 0; i < 26; ++i)
    a.Order(T("2026-01-04T02:00:00Z") + i * 14 * kMicrosPerDay, "bearings", 100);
  for (int i = 0; i < seal_orders; ++i)
    a.Order(T("2026-01-04T03:00:00Z") + i * 14 * kMicrosPerDay, "seals", seal_quantity);
  return a;
}

TEST(ProductLineDroppedKind, RegularLineSilentPastItsCycleWhileAnotherContinues) {
  Account a = TwoLines(12);
  // Local 2026-09-05, 90 days of silence: past 3 of its 14-day cycles, but not yet 91 days.
  EXPECT_FALSE(Fires(KindRule("product_line_dropped"), a, T("2026-09-04T16:00:00Z")));
  UnixMicros at = T("2026-09-05T16:00:00Z");  // local 2026-09-06: 91 days
  features::FeatureValues f = Features(a, at);
  EXPECT_EQ(f.Get("product_lines_dropped"), 1);
  EXPECT_EQ(f.Get("product_lines_total"), 2);
  EXPECT_EQ(f.text.at("dropped_product_lines"), "seals");
  EXPECT_TRUE(Fires(KindRule("product_line_dropped"), a, at));
  // Two lines required: not for one.
  EXPECT_FALSE(Fires(KindRule("product_line_dropped", "{min_lines: 2}"), a, at));
}

TEST(ProductLineDroppedKind, OccasionalOrSmallLinesAreTheAccountsNormalMix) {
  UnixMicros at = T("2026-10-02T16:00:00Z");
  // Three order days: not a regular line.
  Account three = TwoLines(3);
  EXPECT_EQ(Features(three, at).Get("product_lines_dropped"), 0);
  // Four order days in two quarters: regular.
  Account four = TwoLines(0);
  for (const char* t : {"2026-03-01T03:00:00Z", "2026-03-15T03:00:00Z", "2026-04-01T03:00:00Z",
                        "2026-04-15T03:00:00Z"})
    four.Order(T(t), "seals", 200);
  EXPECT_EQ(Features(four, at).Get("product_lines_dropped"), 1);
  // Four order days in one quarter: a burst, not a rhythm.
  Account burst = TwoLines(0);
  for (const char* t : {"2026-04-01T03:00:00Z", "2026-04-15T03:00:00Z", "2026-05-01T03:00:00Z",
                        "2026-05-15T03:00:00Z"})
    burst.Order(T(t), "seals", 200);
  EXPECT_EQ(Features(burst, at).Get("product_lines_dropped"), 0);
  // Regular but small: 12 x 5 against 13 x 100 of bearings in January to June: 4.4 %.
  for (auto [quantity, dropped] : {std::pair{5, 0}, {12, 0}, {13, 1}}) {  // 4.4, 9.97, 10.7 %
    Account small = TwoLines(12, quantity);
    EXPECT_EQ(Features(small, at).Get("product_lines_dropped"), dropped) << quantity;
  }
}

TEST(ProductLineDroppedKind, SilenceIsJudgedAgainstTheLinesOwnCycle) {
  // Seals every 45 days, 5 times (last 2026-07-03): dropped only after 3 x 45 = 135 days.
  Account a = TwoLines(0);
  for (int i = 0; i < 5; ++i)
    a.Order(T("2026-01-04T03:00:00Z") + i * 45 * kMicrosPerDay, "seals", 300);
  EXPECT_EQ(Features(a, T("2026-10-01T16:00:00Z")).Get("product_lines_dropped"), 0);  // 91 d
  EXPECT_EQ(Features(a, T("2026-11-14T16:00:00Z")).Get("product_lines_dropped"), 0);  // 135 d
  EXPECT_EQ(Features(a, T("2026-11-15T16:00:00Z")).Get("product_lines_dropped"), 1);  // 136 d
}

TEST(ProductLineDroppedKind, EverythingStoppedIsFullChurnNotPartial) {
  Account a;
  a.Profile(v1::TIER_KEY)
      .Order(T("2026-05-10T02:00:00Z"), "seals", 10)
      .Order(T("2026-05-10T02:00:00Z"), "bearings", 100);
  UnixMicros at = T("2026-10-02T16:00:00Z");
  features::FeatureValues f = Features(a, at);
  EXPECT_EQ(f.Get("product_lines_dropped"), 0);
  EXPECT_EQ(f.text.at("dropped_product_lines"), "");
  EXPECT_FALSE(Fires(KindRule("product_line_dropped"), a, at));
}

// ------------------------------------------------------------------ purchase_silence

// Orders every `gap` days at local midnight (16:00Z), `n` of them from 2026-01-04T16:00Z.
Account Cadence(int gap, int n) {
  Account a;
  a.Profile(v1::TIER_KEY);
  for (int i = 0; i < n; ++i)
    a.Order(T("2026-01-04T16:00:00Z") + i * gap * kMicrosPerDay, "bearings", 100);
  return a;
}

TEST(PurchaseSilenceKind, MinDaysBoundary) {
  Account a = Cadence(14, 8);
  UnixMicros last = T("2026-01-04T16:00:00Z") + 7 * 14 * kMicrosPerDay;
  features::FeatureValues f = Features(a, last + 90 * kMicrosPerDay);
  EXPECT_EQ(f.Get("median_order_gap_days"), 14);
  EXPECT_EQ(f.Get("days_since_last_order"), 90);
  EXPECT_TRUE(Fires(KindRule("purchase_silence"), a, last + 90 * kMicrosPerDay));
  EXPECT_FALSE(Fires(KindRule("purchase_silence"), a, last + 90 * kMicrosPerDay - 1));
  EXPECT_TRUE(Fires(KindRule("purchase_silence", "{min_days: 45}"), a, last + 45 * kMicrosPerDay));
}

TEST(PurchaseSilenceKind, RatioBoundary) {
  Account a = Cadence(60, 5);  // 2 x 60 = 120 days > min_days
  UnixMicros last = T("2026-01-04T16:00:00Z") + 4 * 60 * kMicrosPerDay;
  EXPECT_DOUBLE_EQ(Features(a, last + 120 * kMicrosPerDay).Get("silence_ratio"), 2);
  EXPECT_TRUE(Fires(KindRule("purchase_silence"), a, last + 120 * kMicrosPerDay));
  EXPECT_FALSE(Fires(KindRule("purchase_silence"), a, last + 119 * kMicrosPerDay));
}

TEST(PurchaseSilenceKind, WithoutACycleTheSilenceAloneDecidesFromTwoOrderDays) {
  for (int n : {1, 2}) {
    Account a = Cadence(14, n);
    features::FeatureValues f = Features(a, T("2026-12-01T16:00:00Z"));
    EXPECT_TRUE(std::isnan(f.Get("median_order_gap_days"))) << n;
    EXPECT_TRUE(std::isnan(f.Get("silence_ratio"))) << n;
    // One order is not yet a rhythm; two are a customer whose cycle is unknown.
    EXPECT_EQ(Fires(KindRule("purchase_silence"), a, T("2026-12-01T16:00:00Z")), n == 2) << n;
  }
  Account none;
  none.Profile(v1::TIER_KEY).Seen(T("2026-01-01T00:00:00Z"));
  EXPECT_TRUE(std::isnan(Features(none, T("2026-12-01T16:00:00Z")).Get("days_since_last_order")));
  EXPECT_FALSE(Fires(KindRule("purchase_silence"), none, T("2026-12-01T16:00:00Z")));
}

// ------------------------------------------------------------------ relationship kinds

TEST(MeetingCancelledKind, StrategyCancelCountsFor365LocalDays) {
  Account a;
  a.Profile(v1::TIER_KEY)
      .Engagement(T("2026-02-10T02:00:00Z"), state::MeetingSlot(2, 0));  // cancelled, strategy
  EXPECT_FALSE(Fires(KindRule("meeting_cancelled"), a, T("2026-02-09T15:00:00Z")));
  EXPECT_TRUE(Fires(KindRule("meeting_cancelled"), a, T("2026-02-10T16:00:00Z")));
  EXPECT_TRUE(Fires(KindRule("meeting_cancelled"), a,
                    T("2027-02-08T16:00:00Z")));  // local 2027-02-09: day 364
  EXPECT_FALSE(
      Fires(KindRule("meeting_cancelled"), a, T("2027-02-09T16:00:00Z")));  // local 2027-02-10
}

TEST(MeetingCancelledKind, ExecutiveCancelCountsFor180DaysOtherTypesNever) {
  Account a;
  a.Profile(v1::TIER_KEY)
      .Engagement(T("2026-02-10T02:00:00Z"), state::MeetingSlot(2, 2));  // executive
  EXPECT_TRUE(
      Fires(KindRule("meeting_cancelled"), a, T("2026-08-07T16:00:00Z")));  // local 08-08: day 179
  EXPECT_FALSE(Fires(KindRule("meeting_cancelled"), a, T("2026-08-08T16:00:00Z")));  // day 180
  Account b;
  b.Profile(v1::TIER_KEY)
      .Engagement(T("2026-02-10T02:00:00Z"), state::MeetingSlot(2, 1))  // business review cancelled
      .Engagement(T("2026-02-10T02:00:00Z"), state::MeetingSlot(2, 3))  // routine cancelled
      .Engagement(T("2026-02-10T02:00:00Z"), state::MeetingSlot(1, 0));  // strategy held
  EXPECT_FALSE(Fires(KindRule("meeting_cancelled"), b, T("2026-02-10T16:00:00Z")));
}

TEST(ReferenceWithdrawnKind, Window180Days) {
  Account a;
  a.Profile(v1::TIER_ORDINARY)
      .Engagement(T("2026-02-10T02:00:00Z"), state::kEngReferencesWithdrawn);
  EXPECT_TRUE(Fires(KindRule("reference_withdrawn"), a, T("2026-02-10T16:00:00Z")));
  EXPECT_TRUE(Fires(KindRule("reference_withdrawn"), a, T("2026-08-07T16:00:00Z")));
  EXPECT_FALSE(Fires(KindRule("reference_withdrawn"), a, T("2026-08-08T16:00:00Z")));
  EXPECT_FALSE(
      Fires(KindRule("reference_withdrawn", "{min_count: 2}"), a, T("2026-02-10T16:00:00Z")));
}

TEST(KeyContactChangeKind, DecisionMakerDeparture) {
  Account a;
  a.Profile(v1::TIER_KEY)
      .TwoContacts()
      .Engagement(T("2026-02-10T02:00:00Z"), state::kEngDecisionMakersLeft);
  EXPECT_TRUE(Fires(KindRule("key_contact_change"), a, T("2026-02-10T16:00:00Z")));
  EXPECT_FALSE(
      Fires(KindRule("key_contact_change"), a, T("2026-08-08T16:00:00Z")));  // 180 days later
  // Other contacts leaving do not count.
  Account b;
  b.Profile(v1::TIER_KEY)
      .TwoContacts()
      .Engagement(T("2026-02-10T02:00:00Z"), state::kEngContactsLeft);
  EXPECT_FALSE(Fires(KindRule("key_contact_change"), b, T("2026-02-10T16:00:00Z")));
}

TEST(KeyContactChangeKind, SingleThreadedFromDay90WithProfileOnly) {
  UnixMicros first = T("2026-01-04T16:00:00Z");
  Account a;
  a.Profile(v1::TIER_KEY)
      .Seen(first)
      .Contact("c1", v1::CONTACT_ROLE_DECISION_MAKER, v1::CONTACT_LEVEL_EXECUTIVE);
  EXPECT_FALSE(Fires(KindRule("key_contact_change"), a, first + 90 * kMicrosPerDay - 1));
  EXPECT_TRUE(Fires(KindRule("key_contact_change"), a, first + 90 * kMicrosPerDay));
  a.Contact("c2", v1::CONTACT_ROLE_USER, v1::CONTACT_LEVEL_OPERATIONAL);
  EXPECT_FALSE(Fires(KindRule("key_contact_change"), a, first + 90 * kMicrosPerDay));
  // An inactive contact does not count.
  a.Contact("c3", v1::CONTACT_ROLE_USER, v1::CONTACT_LEVEL_OPERATIONAL, /*active=*/false);
  EXPECT_EQ(Features(a, first + 90 * kMicrosPerDay).Get("contacts_active"), 2);
  // No profile: the single-thread arm needs has_profile.
  Account none;
  none.Seen(first);
  EXPECT_FALSE(Fires(KindRule("key_contact_change"), none, first + 200 * kMicrosPerDay));
}

TEST(ManagerTurnoverKind, TwoChangesInAYear) {
  Account a;
  a.Profile(v1::TIER_GROWTH).Engagement(T("2026-02-10T02:00:00Z"), state::kEngManagerChanges);
  EXPECT_FALSE(Fires(KindRule("manager_turnover"), a, T("2026-06-10T16:00:00Z")));
  a.Engagement(T("2026-06-10T02:00:00Z"), state::kEngManagerChanges);
  EXPECT_TRUE(Fires(KindRule("manager_turnover"), a, T("2026-06-10T16:00:00Z")));
  EXPECT_TRUE(Fires(KindRule("manager_turnover"), a, T("2027-02-08T16:00:00Z")));
  EXPECT_FALSE(Fires(KindRule("manager_turnover"), a, T("2027-02-09T16:00:00Z")));
}

TEST(ExecContactGapKind, StrictlyMoreThanMaxDays) {
  UnixMicros first = T("2026-01-04T16:00:00Z");
  UnixMicros exec = T("2026-01-11T16:00:00Z");
  Account a;
  a.Profile(v1::TIER_STRATEGIC).Seen(first).ExecContact(exec);
  EXPECT_EQ(Features(a, exec + 92 * kMicrosPerDay).Get("days_since_exec_contact"), 92);
  EXPECT_FALSE(Fires(KindRule("exec_contact_gap"), a, exec + 92 * kMicrosPerDay));
  EXPECT_TRUE(Fires(KindRule("exec_contact_gap"), a, exec + 92 * kMicrosPerDay + kMicrosPerSecond));
  // A newer executive contact resets it; management level does not.
  a.Engagement(exec + 80 * kMicrosPerDay, state::kEngCalls);
  EXPECT_TRUE(Fires(KindRule("exec_contact_gap"), a, exec + 93 * kMicrosPerDay));
  a.ExecContact(exec + 90 * kMicrosPerDay);
  EXPECT_FALSE(Fires(KindRule("exec_contact_gap"), a, exec + 93 * kMicrosPerDay));
}

TEST(ExecContactGapKind, NeverAnyCountsFromFirstSeenAndYoungAccountsAreSpared) {
  UnixMicros first = T("2026-01-04T16:00:00Z");
  Account a;
  a.Profile(v1::TIER_KEY).Seen(first);
  EXPECT_EQ(Features(a, first + 93 * kMicrosPerDay).Get("days_since_exec_contact"), 93);
  EXPECT_FALSE(Fires(KindRule("exec_contact_gap"), a, first + 92 * kMicrosPerDay));
  EXPECT_TRUE(Fires(KindRule("exec_contact_gap"), a, first + 93 * kMicrosPerDay));
}

// ------------------------------------------------------------------ service and risk kinds

TEST(ServiceDegradationKind, CountsAtThreeWithin90LocalDays) {
  Account a;
  a.Profile(v1::TIER_KEY).Service(T("2026-02-10T02:00:00Z"), state::kSvcComplaints, 2);
  EXPECT_FALSE(Fires(KindRule("service_degradation"), a, T("2026-02-10T16:00:00Z")));
  a.Service(T("2026-02-10T03:00:00Z"), state::kSvcComplaints, 1);
  EXPECT_TRUE(Fires(KindRule("service_degradation"), a, T("2026-02-10T16:00:00Z")));
  EXPECT_TRUE(
      Fires(KindRule("service_degradation"), a, T("2026-05-09T16:00:00Z")));  // local 05-10: day 89
  EXPECT_FALSE(
      Fires(KindRule("service_degradation"), a, T("2026-05-10T16:00:00Z")));  // local 05-11: day 90
  Account b;
  b.Profile(v1::TIER_KEY).Service(T("2026-02-10T02:00:00Z"), state::kSvcSlaBreaches, 3);
  EXPECT_TRUE(Fires(KindRule("service_degradation"), b, T("2026-02-10T16:00:00Z")));
  EXPECT_FALSE(Fires(KindRule("service_degradation", "{min_sla_breaches: 4}"), b,
                     T("2026-02-10T16:00:00Z")));
}

TEST(ServiceDegradationKind, SatisfactionThresholdsInclusive) {
  UnixMicros at = T("2026-02-10T16:00:00Z");
  Account a;
  a.Profile(v1::TIER_KEY).Survey(T("2026-02-01T02:00:00Z"), 2).Survey(T("2026-02-02T02:00:00Z"), 3);
  EXPECT_DOUBLE_EQ(Features(a, at).Get("csat_avg_90d"), 2.5);
  EXPECT_TRUE(Fires(KindRule("service_degradation"), a, at));
  a.Survey(T("2026-02-03T02:00:00Z"), 3);  // 2.67
  EXPECT_FALSE(Fires(KindRule("service_degradation"), a, at));
  Account b;
  b.Profile(v1::TIER_KEY).Nps(T("2026-02-01T02:00:00Z"), 4);
  EXPECT_TRUE(Fires(KindRule("service_degradation"), b, at));
  b.Nps(T("2026-02-02T02:00:00Z"), 5);  // 4.5
  EXPECT_FALSE(Fires(KindRule("service_degradation"), b, at));
  // No surveys at all: csat/nps NaN, nothing fires.
  Account c;
  c.Profile(v1::TIER_KEY).Service(T("2026-02-01T02:00:00Z"), state::kSvcTicketsOpened, 5);
  EXPECT_TRUE(std::isnan(Features(c, at).Get("csat_avg_90d")));
  EXPECT_FALSE(Fires(KindRule("service_degradation"), c, at));
}

TEST(ExternalRiskKind, DowngradedAndDistressedOnly) {
  UnixMicros at = T("2026-02-10T16:00:00Z");
  struct Case {
    v1::CreditRisk risk;
    double level;
    bool fires;
  };
  for (const Case& c :
       {Case{v1::CREDIT_RISK_UNSPECIFIED, 0, false}, Case{v1::CREDIT_RISK_NONE, 0, false},
        Case{v1::CREDIT_RISK_WATCH, 1, false}, Case{v1::CREDIT_RISK_DOWNGRADED, 2, true},
        Case{v1::CREDIT_RISK_DISTRESSED, 3, true}}) {
    Account a;
    a.Profile(v1::TIER_ORDINARY, c.risk).Seen(T("2026-02-01T00:00:00Z"));
    EXPECT_EQ(Features(a, at).Get("credit_risk"), c.level) << c.risk;
    EXPECT_EQ(Fires(KindRule("external_risk"), a, at), c.fires) << c.risk;
  }
  Account none;
  none.Seen(T("2026-02-01T00:00:00Z"));
  EXPECT_FALSE(Fires(KindRule("external_risk"), none, at));
}

// Two contacts, no surveys (satisfaction 70), risk 0: score = 48 + 0.4 x value, value =
// 100 x (1 + 2 x (amount Q3+Q4 / amount Q1+Q2 - 1)); evaluated 2027-01-06 (q1..q4 = 2026Q4..Q1).
Account HealthAccount(int64_t recent_amount_per_quarter) {
  Account a;
  a.Profile(v1::TIER_KEY).TwoContacts();
  a.Order(T("2026-02-10T02:00:00Z"), "bearings", 10, 300000)
      .Order(T("2026-05-10T02:00:00Z"), "bearings", 10, 300000);
  // Orders every 14 days in Q3 and Q4 keep silence_ratio low.
  for (int i = 0; i < 13; ++i) {
    UnixMicros t = T("2026-07-06T02:00:00Z") + i * 14 * kMicrosPerDay;
    a.Order(t, "bearings", 1, i == 0 || i == 7 ? recent_amount_per_quarter : 0);
  }
  return a;
}

// The kind's default threshold is 70 (health_score < 70), as in rules/service_and_risk.yaml.
TEST(HealthLowKind, StrictlyBelowThreshold) {
  UnixMicros at = T("2027-01-06T16:00:00Z");
  Account exactly = HealthAccount(232500);  // 0.775: value 55, score 70
  features::FeatureValues f = Features(exactly, at);
  EXPECT_DOUBLE_EQ(f.Get("health_satisfaction"), 70);
  EXPECT_DOUBLE_EQ(f.Get("health_risk"), 0);
  EXPECT_NEAR(f.Get("health_value"), 55, 1e-9);
  EXPECT_NEAR(f.Get("health_score"), 70, 1e-9);
  EXPECT_FALSE(Fires(KindRule("health_low"), exactly, at));
  Account below = HealthAccount(231000);  // 0.77: value 54, score 69.6
  EXPECT_NEAR(Features(below, at).Get("health_score"), 69.6, 1e-9);
  EXPECT_TRUE(Fires(KindRule("health_low"), below, at));
  // A lower threshold as a parameter: 69.6 is not below 65.
  EXPECT_FALSE(Fires(KindRule("health_low", "{threshold: 65}"), below, at));
}

// A threshold per tier: a key account at 69.6 fires under the default of 70, not under its own
// 65; a strategic one at 70 fires under its own 75; an account of unknown tier takes the default.
TEST(HealthLowKind, ThresholdPerTier) {
  UnixMicros at = T("2027-01-06T16:00:00Z");
  const std::string per_tier =
      KindRule("health_low", "{threshold: {default: 70, key: 65, strategic: 75}}");
  LoadResult loaded = LoadRulesText(per_tier, "rules.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  EXPECT_EQ(loaded.set.rules[0].expr,
            "health_score < (tier == 1 ? 75 : tier == 2 ? 65 : 70) && account_age_days >= 180");

  Account key = HealthAccount(231000);  // score 69.6
  EXPECT_FALSE(Fires(per_tier, key, at));
  EXPECT_TRUE(Fires(KindRule("health_low", "{threshold: {key: 69.7}}"), key, at));

  Account strategic = HealthAccount(232500);  // score 70
  strategic.Profile(v1::TIER_STRATEGIC).TwoContacts();
  EXPECT_NEAR(Features(strategic, at).Get("health_score"), 70, 1e-9);
  EXPECT_TRUE(Fires(per_tier, strategic, at));
  EXPECT_FALSE(Fires(KindRule("health_low"), strategic, at));

  Account growth = HealthAccount(231000);
  growth.Profile(v1::TIER_GROWTH).TwoContacts();
  EXPECT_TRUE(Fires(per_tier, growth, at));  // the default 70
  // Without a default the kind's own (70) applies to the tiers not named.
  EXPECT_TRUE(Fires(KindRule("health_low", "{threshold: {key: 60}}"), growth, at));
  EXPECT_FALSE(Fires(KindRule("health_low", "{threshold: {key: 60}}"), key, at));
}

TEST(HealthLowKind, NotBeforeMinAgeDays) {
  UnixMicros first = T("2026-01-04T16:00:00Z");
  Account a;  // no orders: value 0, score 48
  a.Profile(v1::TIER_GROWTH).TwoContacts().Seen(first);
  EXPECT_FALSE(Fires(KindRule("health_low"), a, first + 180 * kMicrosPerDay - 1));
  EXPECT_TRUE(Fires(KindRule("health_low"), a, first + 180 * kMicrosPerDay));
}

// ------------------------------------------------------------------ NaN never fires

TEST(RuleEvaluator, NaNNeverFires) {
  Account a;  // nothing measured: no surveys, no orders
  a.Profile(v1::TIER_KEY).Seen(T("2026-01-01T00:00:00Z"));
  UnixMicros at = T("2026-06-01T00:00:00Z");
  ASSERT_TRUE(std::isnan(Features(a, at).Get("csat_avg_90d")));
  for (const char* expr :
       {"csat_avg_90d <= 5", "csat_avg_90d >= 0", "csat_avg_90d > -1", "csat_avg_90d < 6",
        "csat_avg_90d == csat_avg_90d", "csat_avg_90d", "csat_avg_90d + 1",
        "qty_change_q1 <= 0 && qty_change_q2 <= 0", "qty_pace_change * 0 + 1"}) {
    EXPECT_FALSE(Fires(ExprRule(expr), a, at)) << expr;
  }
  // A NaN in one arm of || does not hide the other.
  EXPECT_TRUE(Fires(ExprRule("csat_avg_90d <= 2.5 || has_profile"), a, at));
}

// Documented behaviour, not a bug: comparisons follow IEEE 754, so NaN != x is true, and a
// negated comparison such as (NaN > 4) == 0 is true as well. RuleEvaluator::Holds rejects a
// NaN *result*, not a NaN operand: "missing data never fires" holds for <, <=, >, >= and ==,
// but a rule using `!=` or negating a comparison must guard the feature with a comparison.
TEST(RuleEvaluator, NaNThroughNotEqualFiresUnlessGuardedByAComparison) {
  Account a;  // no orders, no surveys: qty_change_q1 and csat_avg_90d are NaN
  a.Profile(v1::TIER_KEY).Seen(T("2026-01-01T00:00:00Z"));
  UnixMicros at = T("2026-06-01T00:00:00Z");
  ASSERT_TRUE(std::isnan(Features(a, at).Get("qty_change_q1")));
  ASSERT_TRUE(std::isnan(Features(a, at).Get("csat_avg_90d")));
  // Unguarded: fires on missing data.
  EXPECT_TRUE(Fires(ExprRule("qty_change_q1 != 0"), a, at));
  EXPECT_TRUE(Fires(ExprRule("(csat_avg_90d > 4) == 0"), a, at));
  // Guarded by comparisons (false for NaN): does not fire.
  EXPECT_FALSE(Fires(ExprRule("qty_change_q1 < 0 || qty_change_q1 > 0"), a, at));
  EXPECT_FALSE(Fires(ExprRule("qty_change_q1 >= -1 && qty_change_q1 != 0"), a, at));
  EXPECT_FALSE(Fires(ExprRule("csat_avg_90d <= 4"), a, at));
  // With the data present, the guarded forms fire like the unguarded ones.
  Account b = ThreeQuarters(100, 80, 60);  // qty_change_q1 -25%
  UnixMicros later = T("2026-10-10T16:00:00Z");
  EXPECT_TRUE(Fires(ExprRule("qty_change_q1 != 0"), b, later));
  EXPECT_TRUE(Fires(ExprRule("qty_change_q1 < 0 || qty_change_q1 > 0"), b, later));
  EXPECT_TRUE(Fires(ExprRule("qty_change_q1 >= -1 && qty_change_q1 != 0"), b, later));
}

// ------------------------------------------------------------------ EvaluateAccount lifecycle

class LifecycleTest : public testing::Test {
 protected:
  static std::unique_ptr<RuleEvaluator> Rules(const std::string& extra_rule = "") {
    return Compile(
        "groups:\n"
        "  - name: g\n"
        "    rules:\n"
        "      - id: complaints\n"
        "        expr: \"complaints_90d >= 1\"\n"
        "        for: 1h\n"
        "        severity: {default: warning, strategic: critical}\n"
        "        labels: {signal: service_degradation, team: ops}\n"
        "        annotations: {summary: \"{{account_name}}: {{complaints_90d|int}} complaint(s), "
        "{{severity}}\"}\n"
        "        evidence: [complaints_90d, owner_name]\n" +
        extra_rule);
  }
  // Applies the changes to the snapshot's alert records, as the engine persists them.
  static void Persist(state::AccountSnapshot& snap, const std::vector<AlertChange>& changes) {
    for (const auto& c : changes) {
      bool replaced = false;
      for (auto& r : snap.alerts) {
        if (r.rule() == c.record.rule()) {
          r = c.record;
          replaced = true;
        }
      }
      if (!replaced) snap.alerts.push_back(c.record);
    }
  }
  std::vector<AlertChange> Eval(RuleEvaluator& ev, Account& a, UnixMicros at) {
    auto changes = EvaluateAccount(ev, a.snap(), at, Shanghai(), options_);
    Persist(a.mutable_snap(), changes);
    return changes;
  }
  AlertOptions options_{.language = "en"};
};

TEST_F(LifecycleTest, PendingThenFiringAfterForThenResolved) {
  auto ev = Rules();
  Account a("ACC-1");
  a.Profile(v1::TIER_STRATEGIC).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
  UnixMicros t0 = T("2026-03-01T02:15:00Z");

  auto c0 = Eval(*ev, a, t0);
  ASSERT_EQ(c0.size(), 1u);
  EXPECT_EQ(c0[0].record.state(), v1::ALERT_STATE_PENDING);
  EXPECT_FALSE(c0[0].publish.has_value());
  EXPECT_EQ(c0[0].record.active_since_us(), t0);
  EXPECT_EQ(c0[0].record.id(), AlertId("ACC-1", "complaints", t0));

  // Still pending 45 minutes later: no change.
  EXPECT_TRUE(Eval(*ev, a, t0 + 45 * 60 * kMicrosPerSecond).empty());

  // Exactly `for` later: firing, published with everything an alert carries.
  UnixMicros t1 = t0 + 3600 * kMicrosPerSecond;
  auto c1 = Eval(*ev, a, t1);
  ASSERT_EQ(c1.size(), 1u);
  ASSERT_TRUE(c1[0].publish.has_value());
  const v1::Alert& fired = *c1[0].publish;
  EXPECT_EQ(fired.state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(fired.id(), AlertId("ACC-1", "complaints", t0));
  EXPECT_EQ(fired.account_id(), "ACC-1");
  EXPECT_EQ(fired.rule(), "complaints");
  EXPECT_EQ(fired.signal(), "service_degradation");
  EXPECT_EQ(fired.severity(), "critical");
  EXPECT_EQ(fired.labels().at("team"), "ops");
  EXPECT_EQ(fired.labels().at("tier"), "strategic");
  EXPECT_EQ(fired.labels().at("owner"), "m1");
  EXPECT_EQ(fired.labels().at("alertname"), "complaints");
  EXPECT_EQ(fired.annotations().at("summary"), "Acme: 1 complaint(s), critical");
  EXPECT_EQ(fired.evidence().at("complaints_90d").number_value(), 1);
  EXPECT_EQ(fired.evidence().at("owner_name").string_value(), "Wang");
  EXPECT_EQ(fired.owner().name(), "Wang");
  EXPECT_EQ(fired.started_at().seconds(), t0 / kMicrosPerSecond);
  EXPECT_EQ(c1[0].record.fired_at_us(), t1);

  // Firing and still holding: no change, nothing published again.
  EXPECT_TRUE(Eval(*ev, a, t1 + kMicrosPerDay).empty());

  // 90 local days later the complaint is out of the window: resolved, same id.
  UnixMicros t2 = T("2026-05-30T16:00:00Z");
  auto c2 = Eval(*ev, a, t2);
  ASSERT_EQ(c2.size(), 1u);
  ASSERT_TRUE(c2[0].publish.has_value());
  EXPECT_EQ(c2[0].publish->state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(c2[0].publish->id(), fired.id());
  EXPECT_EQ(c2[0].publish->resolved_at().seconds(), t2 / kMicrosPerSecond);
  EXPECT_EQ(c2[0].record.resolved_at_us(), t2);
}

// Hysteresis: after a resolution the condition holding again within `cooldown` starts no
// episode (no pending record, nothing published); once the cool-down is over it fires again
// with a new id.
TEST_F(LifecycleTest, CooldownKeepsAResolvedAlertFromReFiringUntilItHasPassed) {
  auto ev = Compile(
      "groups:\n"
      "  - name: g\n"
      "    rules:\n"
      "      - id: complaints\n"
      "        expr: \"complaints_90d >= 1\"\n"
      "        cooldown: 30d\n"
      "        labels: {signal: service_degradation}\n"
      "        annotations: {summary: s}\n");
  EXPECT_EQ(ev->set().rules[0].cooldown_micros, 30 * kMicrosPerDay);
  Account a("ACC-C");
  a.Profile(v1::TIER_KEY).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
  auto fired = Eval(*ev, a, T("2026-03-01T03:00:00Z"));
  ASSERT_EQ(fired.size(), 1u);
  UnixMicros resolved_at = T("2026-05-30T16:00:00Z");  // the complaint left the 90 days
  auto resolved = Eval(*ev, a, resolved_at);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].record.state(), v1::ALERT_STATE_RESOLVED);
  // A new complaint 10 days later: within the cool-down, nothing changes.
  a.Service(T("2026-06-09T02:00:00Z"), state::kSvcComplaints);
  EXPECT_TRUE(Eval(*ev, a, T("2026-06-09T03:00:00Z")).empty());
  EXPECT_TRUE(Eval(*ev, a, resolved_at + 30 * kMicrosPerDay - 1).empty());
  // The cool-down is over and the condition still holds: a new episode fires.
  auto again = Eval(*ev, a, resolved_at + 30 * kMicrosPerDay);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(again[0].publish.has_value());
  EXPECT_EQ(again[0].publish->state(), v1::ALERT_STATE_FIRING);
  EXPECT_NE(again[0].publish->id(), fired[0].publish->id());
}

// The other side of the hysteresis: a firing alert whose condition stops holding keeps firing
// (nothing published) until it has not held for keep_firing_for; holding again in between
// continues the same episode.
TEST_F(LifecycleTest, KeepFiringForMergesAFlickerIntoOneEpisode) {
  auto ev = Compile(
      "groups:\n"
      "  - name: g\n"
      "    rules:\n"
      "      - id: complaints\n"
      "        expr: \"complaints_90d >= 1\"\n"
      "        keep_firing_for: 14d\n"
      "        labels: {signal: service_degradation}\n"
      "        annotations: {summary: s}\n");
  EXPECT_EQ(ev->set().rules[0].keep_firing_micros, 14 * kMicrosPerDay);
  Account a("ACC-K");
  a.Profile(v1::TIER_KEY).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
  auto fired = Eval(*ev, a, T("2026-03-01T03:00:00Z"));
  ASSERT_EQ(fired.size(), 1u);
  const std::string id = fired[0].publish->id();
  // Out of the 90 days: still firing, the clock starts (a record change, nothing published).
  UnixMicros cleared = T("2026-05-30T16:00:00Z");
  auto c1 = Eval(*ev, a, cleared);
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_FALSE(c1[0].publish.has_value());
  EXPECT_EQ(c1[0].record.state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(c1[0].record.clearing_since_us(), cleared);
  EXPECT_TRUE(Eval(*ev, a, cleared + 13 * kMicrosPerDay).empty());
  // A new complaint within the 14 days: the same episode goes on, the clock stops.
  a.Service(T("2026-06-10T02:00:00Z"), state::kSvcComplaints);
  auto c2 = Eval(*ev, a, T("2026-06-10T03:00:00Z"));
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_FALSE(c2[0].publish.has_value());
  EXPECT_EQ(c2[0].record.clearing_since_us(), 0);
  EXPECT_EQ(c2[0].record.id(), id);
  // It stops holding again (90 days after 06-10) and resolves 14 days later, same id.
  UnixMicros cleared2 = T("2026-09-07T16:00:00Z");
  ASSERT_EQ(Eval(*ev, a, cleared2).size(), 1u);
  EXPECT_TRUE(Eval(*ev, a, cleared2 + 14 * kMicrosPerDay - 1).empty());
  auto resolved = Eval(*ev, a, cleared2 + 14 * kMicrosPerDay);
  ASSERT_EQ(resolved.size(), 1u);
  ASSERT_TRUE(resolved[0].publish.has_value());
  EXPECT_EQ(resolved[0].publish->state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(resolved[0].publish->id(), id);
  EXPECT_EQ(resolved[0].record.clearing_since_us(), 0);
}

TEST(RuleLoader, CooldownMustBeADuration) {
  auto r = LoadRulesText(
      "groups:\n  - name: g\n    rules:\n      - id: r\n        expr: \"p_alive < 0.3\"\n"
      "        cooldown: soon\n        labels: {signal: purchase_silence}\n"
      "        annotations: {summary: s}\n",
      "rules.yaml");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 6);
  EXPECT_NE(r.problems[0].message.find("cooldown: 'soon' is not a duration"), std::string::npos)
      << r.problems[0].message;
  // A run of digits too long for any duration is refused, not overflowed.
  auto big = LoadRulesText(
      "groups:\n  - name: g\n    rules:\n      - id: r\n        expr: \"p_alive < 0.3\"\n"
      "        cooldown: 99999999999999999999999d\n        labels: {signal: purchase_silence}\n"
      "        annotations: {summary: s}\n",
      "rules.yaml");
  ASSERT_EQ(big.problems.size(), 1u);
  EXPECT_NE(big.problems[0].message.find("is not a duration"), std::string::npos);
}

// Issue 15 defects 3 and 4: a resolution re-rendered the firing text with the resolving
// figures ("0 complaint(s)" as if it fired), and alerts carried the configured language only
// (the English dashboard showed Chinese). Alerts carry both languages; a resolution keeps the
// firing texts and evidence and adds its own words, in both languages.
TEST_F(LifecycleTest, AlertsCarryBothLanguagesAndResolutionsKeepTheFiringEvidence) {
  auto ev = Compile(
      "groups:\n"
      "  - name: g\n"
      "    rules:\n"
      "      - id: complaints\n"
      "        expr: \"complaints_90d >= 1\"\n"
      "        labels: {signal: service_degradation}\n"
      "        annotations:\n"
      "          summary: {zh-CN: \"投诉 {{complaints_90d|int}} 次\", en: \"{{complaints_90d|int}} "
      "complaint(s)\"}\n"
      "          action: {zh-CN: \"24 小时内回访\", en: \"Call back within 24 h\"}\n"
      "        evidence: [complaints_90d]\n");
  Account a("ACC-L");
  a.Profile(v1::TIER_KEY).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
  auto fired = Eval(*ev, a, T("2026-03-01T03:00:00Z"));
  ASSERT_EQ(fired.size(), 1u);
  const auto& ann = fired[0].publish->annotations();
  EXPECT_EQ(ann.at("summary"), "1 complaint(s)");  // options_: en
  EXPECT_EQ(ann.at("summary_en"), "1 complaint(s)");
  EXPECT_EQ(ann.at("summary_zh"), "投诉 1 次");
  EXPECT_EQ(ann.at("action_zh"), "24 小时内回访");
  EXPECT_EQ(ann.at("action_en"), "Call back within 24 h");

  auto resolved = Eval(*ev, a, T("2026-06-10T00:00:00Z"));
  ASSERT_EQ(resolved.size(), 1u);
  const v1::Alert& r = *resolved[0].publish;
  EXPECT_EQ(r.state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(r.evidence().at("complaints_90d").number_value(), 1) << "the firing evidence";
  EXPECT_EQ(r.annotations().at("summary_zh"), "投诉 1 次") << "not \"投诉 0 次\"";
  EXPECT_EQ(r.annotations().at("summary_en"), "1 complaint(s)");
  EXPECT_EQ(r.annotations().at("resolution_en"),
            "Resolved: the condition no longer holds as of 2026-06-10; the evidence above is "
            "from when it fired.");
  EXPECT_THAT(r.annotations().at("resolution_zh"), testing::HasSubstr("已解除"));
  EXPECT_EQ(r.annotations().at("resolution"), r.annotations().at("resolution_en"));
  EXPECT_EQ(r.labels().at("alertname"), "complaints");
  EXPECT_EQ(resolved[0].record.alert().annotations().at("resolution_en"),
            r.annotations().at("resolution_en"))
      << "history and the stored record say the same";
}

TEST_F(LifecycleTest, PendingThatStopsHoldingIsForgottenWithoutPublishing) {
  auto ev = Rules();
  Account a("ACC-2");
  a.Profile(v1::TIER_KEY).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
  ASSERT_EQ(Eval(*ev, a, T("2026-05-29T15:30:00Z")).size(),
            1u);                                     // pending on the window's last day
  auto c = Eval(*ev, a, T("2026-05-29T16:00:00Z"));  // out of the window before `for`
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].record.state(), v1::ALERT_STATE_UNSPECIFIED);
  EXPECT_FALSE(c[0].publish.has_value());
}

TEST_F(LifecycleTest, DeterministicIdsAndANewIdPerEpisode) {
  UnixMicros t0 = T("2026-03-01T02:15:00Z");
  std::string first_id;
  for (int run = 0; run < 2; ++run) {  // the same inputs twice: the same id
    auto ev = Rules();
    Account a("ACC-3");
    a.Profile(v1::TIER_KEY).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
    Eval(*ev, a, t0);
    auto fired = Eval(*ev, a, t0 + 3600 * kMicrosPerSecond);
    ASSERT_EQ(fired.size(), 1u);
    if (run == 0) first_id = fired[0].publish->id();
    EXPECT_EQ(fired[0].publish->id(), first_id);
  }
  EXPECT_EQ(first_id, AlertId("ACC-3", "complaints", t0));
  EXPECT_NE(AlertId("ACC-3", "complaints", t0), AlertId("ACC-4", "complaints", t0));
  EXPECT_NE(AlertId("ACC-3", "complaints", t0), AlertId("ACC-3", "other", t0));

  // Resolve, then a new complaint: a new episode with a new id.
  auto ev = Rules();
  Account a("ACC-3");
  a.Profile(v1::TIER_KEY).Service(T("2026-03-01T02:00:00Z"), state::kSvcComplaints);
  Eval(*ev, a, t0);
  Eval(*ev, a, t0 + 3600 * kMicrosPerSecond);
  auto resolved = Eval(*ev, a, T("2026-06-01T00:00:00Z"));
  ASSERT_EQ(resolved.size(), 1u);
  ASSERT_EQ(resolved[0].record.state(), v1::ALERT_STATE_RESOLVED);
  a.Service(T("2026-07-01T02:00:00Z"), state::kSvcComplaints);
  UnixMicros t3 = T("2026-07-01T02:15:00Z");
  auto again = Eval(*ev, a, t3);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].record.state(), v1::ALERT_STATE_PENDING);
  EXPECT_EQ(again[0].record.id(), AlertId("ACC-3", "complaints", t3));
  EXPECT_NE(again[0].record.id(), first_id);
}

TEST_F(LifecycleTest, RuleWithoutForFiresAtOnce) {
  auto ev = Compile(KindRule("reference_withdrawn"));
  Account a("ACC-5");
  a.Engagement(T("2026-03-01T02:00:00Z"), state::kEngReferencesWithdrawn);
  auto c = Eval(*ev, a, T("2026-03-01T02:15:00Z"));
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(c[0].publish.has_value());
  EXPECT_EQ(c[0].publish->state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(c[0].publish->severity(), "warning");  // default, no tier
  EXPECT_EQ(c[0].publish->labels().count("tier"), 0u);
  EXPECT_EQ(c[0].publish->annotations().at("summary"), "ACC-5");
}

TEST_F(LifecycleTest, RulesRemovedFromTheSetResolveTheirFiringAlerts) {
  auto both = Rules(
      "      - id: refs\n"
      "        kind: reference_withdrawn\n"
      "        annotations: {summary: \"refs\"}\n"
      "      - id: slow\n"
      "        kind: manager_turnover\n"
      "        params: {min_changes: 1}\n"
      "        for: 30d\n"
      "        annotations: {summary: \"slow\"}\n");
  Account a("ACC-6");
  a.Profile(v1::TIER_KEY)
      .Engagement(T("2026-03-01T02:00:00Z"), state::kEngReferencesWithdrawn)
      .Engagement(T("2026-03-01T02:00:00Z"), state::kEngManagerChanges);
  auto first = Eval(*both, a, T("2026-03-01T02:15:00Z"));
  ASSERT_EQ(first.size(), 2u);  // refs firing, slow pending (complaints: nothing to record)
  ASSERT_EQ(a.snap().alerts.size(), 2u);

  auto only_complaints = Rules();
  UnixMicros at = T("2026-03-01T02:30:00Z");
  auto changes = Eval(*only_complaints, a, at);
  ASSERT_EQ(changes.size(), 2u);
  for (const auto& c : changes) {
    if (c.record.rule() == "refs") {
      EXPECT_EQ(c.record.state(), v1::ALERT_STATE_RESOLVED);
      EXPECT_EQ(c.record.resolved_at_us(), at);
      ASSERT_TRUE(c.publish.has_value());
      EXPECT_EQ(c.publish->state(), v1::ALERT_STATE_RESOLVED);
      EXPECT_EQ(c.publish->rule(), "refs");
      EXPECT_EQ(c.publish->id(), AlertId("ACC-6", "refs", T("2026-03-01T02:15:00Z")));
    } else {
      EXPECT_EQ(c.record.rule(), "slow");
      EXPECT_EQ(c.record.state(), v1::ALERT_STATE_UNSPECIFIED);  // pending: forgotten silently
      EXPECT_FALSE(c.publish.has_value());
    }
  }
  // Once resolved, nothing more happens.
  EXPECT_TRUE(Eval(*only_complaints, a, at + kMicrosPerDay).empty());
}

// ------------------------------------------------------------------ rule_loader problems

// Loads `text` as "rules.yaml" and returns its problems as "file:line: message" strings.
std::vector<std::string> Problems(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& p : LoadRulesText(text, "rules.yaml").problems) out.push_back(p.ToString());
  return out;
}

// A rule file whose rule (at line 4) has `lines` added after its id.
std::string RuleWith(const std::string& lines) {
  return "groups:\n"
         "  - name: g\n"
         "    rules:\n"
         "      - id: r\n" +
         lines;
}

MATCHER_P2(ProblemAt, line, text, "") {
  std::string want = "rules.yaml:" + std::to_string(line) + ": ";
  return arg.rfind(want, 0) == 0 && arg.find(text) != std::string::npos;
}

TEST(RuleLoader, ShippedStyleRuleLoads) {
  LoadResult r = LoadRulesText(KindRule("volume_decline", "{min_drop: 0.1}", "[strategic, key]"),
                               "rules.yaml");
  ASSERT_TRUE(r.problems.empty());
  ASSERT_EQ(r.set.rules.size(), 1u);
  const Rule& rule = r.set.rules[0];
  EXPECT_EQ(rule.expr,
            "qty_change_q1 <= -0.1 && qty_change_q2 <= -0.1 && qty_q1_vs_normal <= -0.1 && "
            "qty_q1_zscore <= -1 && (qty_yoy_change_q1 > -0.1 ? 0 : 1)");
  EXPECT_EQ(rule.labels.at("signal"), "volume_decline");
  EXPECT_EQ(rule.file, "rules.yaml");
  EXPECT_EQ(rule.line, 4);
  EXPECT_EQ(rule.tiers, (std::vector<std::string>{"strategic", "key"}));
  EXPECT_FALSE(rule.evidence.empty());
}

TEST(RuleLoader, UnknownFeature) {
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q9 > 1\"\n"
                                "        labels: {signal: volume_decline}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(5, "unknown feature 'qty_q9'")));
}

TEST(RuleLoader, BadFor) {
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        for: 7x\n"
                                "        labels: {signal: volume_decline}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(6, "for: '7x' needs a unit")));
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        for: soon\n"
                                "        labels: {signal: volume_decline}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(6, "'soon' is not a duration")));
}

TEST(RuleLoader, MissingSignalLabel) {
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(4, "rule r needs a 'signal' label")));
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        labels: {signal: bored}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(6, "signal 'bored' is not a known loss signal")));
}

// Alertmanager routes by the labels the engine sets; a rule may not shadow them, and every
// label name must be one Alertmanager accepts.
TEST(RuleLoader, ReservedAndInvalidLabelNames) {
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        labels: {signal: volume_decline, region: east}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(6, "label 'region' is set by the engine")));
  EXPECT_THAT(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        labels: {signal: volume_decline, team-name: x}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(6, "label name 'team-name' is not")));
  EXPECT_TRUE(Problems(RuleWith("        expr: \"qty_q1 > 1\"\n"
                                "        labels: {signal: volume_decline, team: east_1}\n"
                                "        annotations: {summary: s}\n"))
                  .empty());
}

TEST(RuleLoader, UnknownKindAndUnknownParam) {
  EXPECT_THAT(Problems(RuleWith("        kind: volume_drop\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(5, "unknown kind 'volume_drop'"),
                                   ProblemAt(4, "rule r needs a 'signal' label")));
  EXPECT_THAT(Problems(RuleWith("        kind: volume_decline\n"
                                "        params: {min_dorp: 0.1}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(
                  ProblemAt(6,
                            "kind volume_decline has no parameter 'min_dorp' (known: min_drop, "
                            "min_loss, min_z)")));
  EXPECT_THAT(Problems(RuleWith("        kind: volume_decline\n"
                                "        params: {min_drop: lots}\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(6, "param min_drop must be a number")));
}

TEST(RuleLoader, PerTierParamErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"{threshold: {default: 70, vip: 80}}", "tier 'vip' is not one of strategic, key"},
      {"{threshold: {key: high}}", "param threshold.key must be a number"},
      {"{threshold: [70, 75]}", "param threshold must be a number or a mapping"},
      {"{threshold: .nan}", "param threshold must be a number"},
      {"{treshold: {key: 60}}", "kind health_low has no parameter 'treshold'"},
  };
  for (const auto& [params, problem] : cases) {
    EXPECT_THAT(Problems(RuleWith(std::string("        kind: health_low\n        params: ") +
                                  params + "\n        annotations: {summary: s}\n")),
                testing::ElementsAre(ProblemAt(6, problem)))
        << params;
  }
}

TEST(RuleLoader, TemplateErrors) {
  EXPECT_THAT(
      Problems(
          RuleWith("        kind: manager_turnover\n"
                   "        annotations:\n"
                   "          summary: \"{{account_name}} changed {{manager_changes}} times\"\n")),
      testing::ElementsAre(
          ProblemAt(7, "placeholder '{{manager_changes}}' is neither a feature nor a text field"),
          ProblemAt(4, "needs annotations.summary")));
  EXPECT_THAT(Problems(RuleWith("        kind: manager_turnover\n"
                                "        annotations:\n"
                                "          summary: ok\n"
                                "          description: \"{{account_name 更换\"\n")),
              testing::ElementsAre(ProblemAt(
                  8, "annotations.description (en): template has '{{' without a closing '}}'")));
  EXPECT_THAT(
      Problems(RuleWith("        kind: manager_turnover\n"
                        "        annotations: {summary: \"{{manager_changes_365d|percent}}\"}\n")),
      testing::Contains(ProblemAt(6, "unknown template filter 'percent'")));
}

// Regression test (minor engine bug): a template problem in one language of a localized
// annotation was reported at the line of the annotation's first language entry (the mapping
// node), not at the faulty entry. It is now reported at the faulty language's line, whichever
// entry comes first.
TEST(RuleLoader, TemplateErrorInOneLanguageNamesItsLine) {
  EXPECT_THAT(Problems(RuleWith("        kind: manager_turnover\n"
                                "        annotations:\n"
                                "          summary: ok\n"
                                "          description:\n"
                                "            en: \"fine\"\n"
                                "            zh-CN: \"{{account_name 更换\"\n")),
              testing::ElementsAre(
                  "rules.yaml:10: annotations.description (zh-CN): template has '{{' without a "
                  "closing '}}'"));
  EXPECT_THAT(Problems(RuleWith("        kind: manager_turnover\n"
                                "        annotations:\n"
                                "          summary: ok\n"
                                "          description:\n"
                                "            zh-CN: \"好\"\n"
                                "            en: \"{{qty_q1|percent}}\"\n")),
              testing::ElementsAre(ProblemAt(10,
                                             "annotations.description (en): unknown template "
                                             "filter 'percent'")));
}

TEST(RuleLoader, DuplicateIdAcrossGroups) {
  EXPECT_THAT(Problems("groups:\n"
                       "  - name: a\n"
                       "    rules:\n"
                       "      - id: r\n"
                       "        kind: manager_turnover\n"
                       "        annotations: {summary: s}\n"
                       "  - name: b\n"
                       "    rules:\n"
                       "      - id: r\n"
                       "        kind: reference_withdrawn\n"
                       "        annotations: {summary: s}\n"),
              testing::ElementsAre(ProblemAt(9, "rule id 'r' is declared twice")));
}

TEST(RuleLoader, KindSignalMismatch) {
  EXPECT_THAT(
      Problems(RuleWith("        kind: manager_turnover\n"
                        "        labels: {signal: key_contact_change}\n"
                        "        annotations: {summary: s}\n")),
      testing::ElementsAre(ProblemAt(
          6, "kind manager_turnover implies signal manager_turnover, not key_contact_change")));
}

TEST(RuleLoader, InvalidYaml) {
  auto problems = Problems(
      "groups:\n"
      "  - name: g\n"
      "    rules: [\n"
      "      - id: r\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], testing::StartsWith("rules.yaml:"));
  EXPECT_THAT(problems[0], testing::HasSubstr("not valid YAML"));
  EXPECT_THAT(
      Problems("groups:\n  - name: g\n    rules:\n      - id: r\n        kind: [unclosed\n"),
      testing::ElementsAre(testing::AllOf(testing::StartsWith("rules.yaml:"),
                                          testing::HasSubstr("not valid YAML"))));
}

TEST(RuleLoader, OtherStructuralProblems) {
  EXPECT_THAT(Problems("rules: []\n"),
              testing::ElementsAre(ProblemAt(1, "top-level 'groups' list")));
  EXPECT_THAT(
      Problems(RuleWith("        kind: manager_turnover\n"
                        "        severity: urgent\n"
                        "        tiers: [vip]\n"
                        "        annotations: {summary: s}\n")),
      testing::ElementsAre(ProblemAt(6, "severity 'urgent' is not info, warning or critical"),
                           ProblemAt(7, "tier 'vip' is not one of")));
  EXPECT_THAT(Problems(RuleWith("        kind: manager_turnover\n"
                                "        expr: \"qty_q1 > 1\"\n"
                                "        annotations: {summary: s}\n")),
              testing::ElementsAre(ProblemAt(4, "has both kind and expr")));
  // Loading goes on after a bad rule and reports every problem.
  EXPECT_EQ(Problems("groups:\n"
                     "  - name: g\n"
                     "    rules:\n"
                     "      - id: a\n"
                     "        kind: nope\n"
                     "        annotations: {summary: s}\n"
                     "      - id: b\n"
                     "        kind: manager_turnover\n"
                     "        for: 3\n"
                     "        annotations: {summary: s}\n")
                .size(),
            3u);
}

// ------------------------------------------------------------------ TextTemplate

TEST(TextTemplate, Filters) {
  EXPECT_EQ(FormatNumber(0.183, "pct"), "18.3%");
  EXPECT_EQ(FormatNumber(-0.25, "pct"), "-25%");
  EXPECT_EQ(FormatNumber(-0.1, "pct"), "-10%");
  EXPECT_EQ(FormatNumber(0, "pct"), "0%");
  EXPECT_EQ(FormatNumber(1.5, "pct"), "150%");
  EXPECT_EQ(FormatNumber(-0.50538, "pct"), "-50.5%");
  EXPECT_EQ(FormatNumber(45.54, "int"), "46");
  EXPECT_EQ(FormatNumber(2.5, "int"), "3");
  EXPECT_EQ(FormatNumber(-2.5, "int"), "-3");
  EXPECT_EQ(FormatNumber(1234567, "int"), "1234567");
  EXPECT_EQ(FormatNumber(2.5, "fixed1"), "2.5");
  EXPECT_EQ(FormatNumber(59.96, "fixed1"), "60.0");
  EXPECT_EQ(FormatNumber(48, "fixed1"), "48.0");
  EXPECT_EQ(FormatNumber(-3.14159, "fixed2"), "-3.14");
  EXPECT_EQ(FormatNumber(123456789, "money"), "1,234,567.89");
  EXPECT_EQ(FormatNumber(100000, "money"), "1,000.00");
  EXPECT_EQ(FormatNumber(99999, "money"), "999.99");
  EXPECT_EQ(FormatNumber(5, "money"), "0.05");
  EXPECT_EQ(FormatNumber(0, "money"), "0.00");
  EXPECT_EQ(FormatNumber(-123456, "money"), "-1,234.56");
  EXPECT_EQ(FormatNumber(-99, "money"), "-0.99");
  EXPECT_EQ(FormatNumber(-100000000000, "money"), "-1,000,000,000.00");
  EXPECT_EQ(FormatNumber(0.25, ""), "0.25");
  for (const char* filter : {"", "pct", "int", "fixed1", "fixed2", "money"}) {
    EXPECT_EQ(FormatNumber(kNaN, filter), "n/a") << filter;
  }
}

TEST(TextTemplate, RendersFeaturesTextFieldsRuleAndSeverity) {
  Account a;
  a.Profile(v1::TIER_KEY).Order(T("2026-08-15T02:00:00Z"), "bearings", 7, 1234567);
  features::FeatureValues f = Features(a, T("2026-10-10T16:00:00Z"));
  auto t = TextTemplate::Compile(
      "{{ account_name }} ({{tier_name}}, {{owner_name}}): {{quarter_q1}} {{qty_q1|int}} units, "
      "{{ amount_q1 | money }} CNY, change {{qty_change_q1|pct}} [{{rule}}/{{severity}}]");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Render(f, "r1", "critical"),
            "Acme (key, Wang): 2026Q3 7 units, 12,345.67 CNY, change n/a [r1/critical]");
  auto plain = TextTemplate::Compile("no placeholders");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Render(f, "r", "info"), "no placeholders");
}

TEST(TextTemplate, CompileErrors) {
  auto unknown = TextTemplate::Compile("{{account_name}} {{qty_q7}}");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(),
              testing::HasSubstr("'{{qty_q7}}' is neither a feature nor a text field"));
  auto unclosed = TextTemplate::Compile("{{account_name}} {{qty_q1|int");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_THAT(unclosed.status().message(), testing::HasSubstr("without a closing"));
  auto filter = TextTemplate::Compile("{{qty_q1|pcnt}}");
  ASSERT_FALSE(filter.ok());
  EXPECT_THAT(filter.status().message(), testing::HasSubstr("unknown template filter 'pcnt'"));
  auto text_filter = TextTemplate::Compile("{{account_name|int}}");
  ASSERT_FALSE(text_filter.ok());
  EXPECT_THAT(text_filter.status().message(), testing::HasSubstr("applies to numbers"));
  EXPECT_FALSE(TextTemplate::Compile("{{ }}").ok());
}

// ------------------------------------------------------------------ regression tests via the
// replayer and CLI

// Regression test (engine bug): the partition task evaluated only the *latest* sweep (and the
// latest interval point) at or before an event or AdvanceTo(t); the sweeps in between were
// skipped, although replayer.h says AdvanceTo "evaluat[es] every point it passes". It shifted
// started_at, ids and frozen evidence in `rules test` and the lead times of `backtest`. Now
// every sweep midnight passed is evaluated, and a changed account is evaluated at the first
// evaluation point after its change. Input: sweep_days 1, interval 15m, one account with four
// weekly orders (the last 2026-02-08T16:00Z), rule `days_since_last_order >= 30`.
TEST(Replayer, EvaluatesEverySweepItPasses) {
  testutil::TempDir dir;
  LoadResult loaded = LoadRulesText(ExprRule("days_since_last_order >= 30"), "test.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  ingest::ReplayOptions options;
  options.state_dir = dir.path();
  options.evaluation.sweep_days = 1;
  options.evaluation.interval_micros = 15 * 60 * kMicrosPerSecond;
  options.rules = std::make_shared<RuleSet>(std::move(loaded.set));
  auto replayer = ingest::Replayer::Create(options);
  ASSERT_TRUE(replayer.ok()) << replayer.status().ToString();
  auto order = [](int i, UnixMicros t) {
    return R"({"event_id":"e)" + std::to_string(i) + R"(","account_id":"A1","occurred_at":")" +
           FormatRfc3339(t) +
           R"(","order_id":"o","product_line":"bearings","quantity":1,"status":"PLACED"})";
  };
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE((*replayer)
                    ->Add(EventKind::kOrder,
                          order(i, T("2026-01-18T16:00:00Z") + i * 7 * kMicrosPerDay), "A1")
                    .ok());
  }
  ASSERT_TRUE((*replayer)->rejected().empty());
  // Day 29 (local midnight 2026-03-09T16:00Z): not yet.
  ASSERT_TRUE((*replayer)->AdvanceTo(T("2026-03-09T16:00:00Z")).ok());
  EXPECT_TRUE((*replayer)->transitions().empty());
  // Three weeks later in one step: the alert started at the first daily sweep where it held,
  // 2026-03-10T16:00Z (day 30), not at the last sweep passed.
  ASSERT_TRUE((*replayer)->AdvanceTo(T("2026-04-01T16:00:00Z")).ok());
  ASSERT_EQ((*replayer)->transitions().size(), 1u);
  EXPECT_EQ((*replayer)->transitions()[0].state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ((*replayer)->transitions()[0].started_at().seconds(),
            T("2026-03-10T16:00:00Z") / kMicrosPerSecond);
  // A new order at 2026-04-02T02:00Z, then time moves on past several sweeps: the account is
  // evaluated at the first point after its change, 02:15Z, and resolves there.
  ASSERT_TRUE((*replayer)->Add(EventKind::kOrder, order(4, T("2026-04-02T02:00:00Z")), "A1").ok());
  ASSERT_TRUE((*replayer)->AdvanceTo(T("2026-04-05T16:00:00Z")).ok());
  ASSERT_EQ((*replayer)->transitions().size(), 2u);
  EXPECT_EQ((*replayer)->transitions()[1].state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ((*replayer)->transitions()[1].resolved_at().seconds(),
            T("2026-04-02T02:15:00Z") / kMicrosPerSecond);
}

// Runs `churnwatch rules test` on `test_yaml` (rule file r.yaml holds `rule_yaml`); returns the
// exit code and fills `out` with the output.
int RunRulesTest(const std::string& rule_yaml, const std::string& test_yaml, std::string* out) {
  const char* bin = std::getenv("CHURNWATCH_BIN");
  if (bin == nullptr) {
    ADD_FAILURE() << "CHURNWATCH_BIN is set by ctest";
    return -1;
  }
  testutil::TempDir dir;
  std::ofstream(dir.Sub("r.yaml")) << rule_yaml;
  std::ofstream(dir.Sub("t.yaml")) << test_yaml;
  std::string cmd =
      std::string(bin) + " rules test " + dir.Sub("t.yaml") + " > " + dir.Sub("out") + " 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream in(dir.Sub("out"));
  out->assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return rc;
}

// Regression test (engine bug): `churnwatch rules test` checked the first `evaluate` point of a
// test against another point's `firing` list whenever a test had three or more points (and
// failed with "invalid node; first invalid key: \"firing\"" when a point omitted `firing`).
// Cause: rule_test_runner.cc std::stable_sort()ed a vector of structs holding YAML::Node, whose
// copy-assignment rebinds the *referenced* node. Now the points are sorted by time whatever
// their number and order in the file, and a point without `firing` means nothing fires.
TEST(RuleTestRunner, ThreeEvaluationPoints) {
  const std::string head =
      "rule_files: [r.yaml]\n"
      "evaluation: {interval: 15m, sweep_days: 1}\n"
      "tests:\n"
      "  - name: points out of order\n"
      "    account: {account_id: A1, tier: KEY, name: Acme}\n"
      "    events:\n"
      "      - {topic: contacts, at: 2026-03-05T02:00:00Z, kind: REFERENCE_WITHDRAWN}\n"
      "    evaluate:\n"
      "      - at: 2026-03-05T16:00:00Z\n"
      "        firing: [{rule: r}]\n"
      "      - at: 2026-03-01T16:00:00Z\n"
      "        firing: []\n"
      "      - at: 2026-03-06T16:00:00Z\n"
      "        firing: [{rule: r, severity: warning}]\n"
      "      - at: 2026-03-02T16:00:00Z\n";
  std::string out;
  EXPECT_EQ(RunRulesTest(KindRule("reference_withdrawn"), head, &out), 0) << out;
  EXPECT_THAT(out, testing::HasSubstr("PASS"));
  EXPECT_THAT(out, testing::HasSubstr("1 passed, 0 failed"));
  // The runner still fails what is wrong: a point without `firing` while the rule fires, and a
  // point expecting it before the event.
  const std::string wrong =
      "rule_files: [r.yaml]\n"
      "evaluation: {interval: 15m, sweep_days: 1}\n"
      "tests:\n"
      "  - name: wrong expectations\n"
      "    account: {account_id: A1, tier: KEY, name: Acme}\n"
      "    events:\n"
      "      - {topic: contacts, at: 2026-03-05T02:00:00Z, kind: REFERENCE_WITHDRAWN}\n"
      "    evaluate:\n"
      "      - at: 2026-03-06T16:00:00Z\n"
      "      - at: 2026-03-01T16:00:00Z\n"
      "        firing: []\n"
      "      - at: 2026-03-02T16:00:00Z\n"
      "        firing: [{rule: r}]\n";
  EXPECT_NE(RunRulesTest(KindRule("reference_withdrawn"), wrong, &out), 0) << out;
  EXPECT_THAT(out, testing::HasSubstr("at 2026-03-02T16:00:00Z: expected r to fire, it does not"));
  EXPECT_THAT(out, testing::HasSubstr("at 2026-03-06T16:00:00Z: unexpected r firing"));
  EXPECT_THAT(out, testing::Not(testing::HasSubstr("at 2026-03-01T16:00:00Z")));
  EXPECT_THAT(out, testing::HasSubstr("0 passed, 1 failed"));
}

// Issue 15 defect 10: the version hashed the file paths too, so `--rules rules` and
// `--rules /abs/rules` gave two versions of the same rules (and two instances of a group
// disagreed). It is the content only: same files, same version, however the path is spelled or
// wherever the directory lives; a changed rule changes it.
TEST(RuleLoader, VersionDependsOnlyOnTheContent) {
  testutil::TempDir dir;
  std::filesystem::create_directories(dir.Sub("a/rules"));
  std::filesystem::create_directories(dir.Sub("b/copy"));
  for (const char* d : {"a/rules/", "b/copy/"}) {
    std::ofstream(dir.Sub(std::string(d) + "10-silence.yaml"))
        << ExprRule("days_since_last_order >= 30");
  }
  LoadResult absolute = LoadRules(dir.Sub("a/rules"));
  ASSERT_TRUE(absolute.problems.empty()) << absolute.problems[0].ToString();
  std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.Sub("a"));
  LoadResult relative = LoadRules("rules");
  LoadResult dotted = LoadRules("./rules/");
  std::filesystem::current_path(cwd);
  LoadResult elsewhere = LoadRules(dir.Sub("b/copy"));
  EXPECT_EQ(relative.set.version, absolute.set.version);
  EXPECT_EQ(dotted.set.version, absolute.set.version);
  EXPECT_EQ(elsewhere.set.version, absolute.set.version);

  std::ofstream(dir.Sub("b/copy/10-silence.yaml")) << ExprRule("days_since_last_order >= 31");
  EXPECT_NE(LoadRules(dir.Sub("b/copy")).set.version, absolute.set.version);
}

}  // namespace
}  // namespace churnwatch::rules
