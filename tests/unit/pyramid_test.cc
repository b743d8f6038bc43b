// Unit tests of engine/pyramid: the RFM quintile cut points and scores at their boundaries,
// the value × strategic-fit grid, the parameters file (round trip and hostile files), and the
// pyramid features as rules see them (NaN without parameters; a rule on them fires with).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "features/features.h"
#include "pyramid/customer_pyramid.h"
#include "pyramid/pyramid_params_file.h"
#include "pyramid/rfm_cut_points.h"
#include "rules/alert_lifecycle.h"
#include "rules/rule_evaluator.h"
#include "rules/rule_loader.h"
#include "state/counters.h"
#include "temp_dir.h"

namespace churnwatch::pyramid {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Accounts with recency 10, 20, ... 100 days, frequency 1..10, monetary 100..1000.
std::vector<RfmMeasures> TenAccounts() {
  std::vector<RfmMeasures> p;
  for (int i = 1; i <= 10; ++i) p.push_back({10.0 * i, 1.0 * i, 100.0 * i});
  return p;
}

TEST(RfmCutPoints, QuintilesInterpolateBetweenAccounts) {
  auto cuts = FitCutPoints(TenAccounts());
  ASSERT_TRUE(cuts.ok()) << cuts.status().ToString();
  // GSL's quantile of 1..10 at 0.2 is 1 + 0.2 * 9 = 2.8.
  EXPECT_DOUBLE_EQ(cuts->frequency[0], 2.8);
  EXPECT_DOUBLE_EQ(cuts->frequency[3], 8.2);
  EXPECT_DOUBLE_EQ(cuts->recency_days[1], 46);
  EXPECT_DOUBLE_EQ(cuts->monetary[2], 640);
  EXPECT_EQ(cuts->accounts, 10u);
}

TEST(RfmCutPoints, ScoresAtTheBoundaries) {
  RfmCutPoints cuts;
  cuts.recency_days = {10, 20, 30, 40};
  cuts.frequency = {1, 2, 3, 4};
  cuts.monetary = {100, 200, 300, 400};
  // On a cut point: the lower score (ties fall down).
  RfmScores on = Score(cuts, {10, 1, 100});
  EXPECT_EQ(on.r, 4);  // 10 days is not below the first cut (10)
  EXPECT_EQ(on.f, 1);
  EXPECT_EQ(on.m, 1);
  RfmScores best = Score(cuts, {9.9, 4.1, 400.5});
  EXPECT_EQ(best.r, 5);
  EXPECT_EQ(best.f, 5);
  EXPECT_EQ(best.m, 5);
  RfmScores worst = Score(cuts, {41, 0, 0});
  EXPECT_EQ(worst.r, 1);
  EXPECT_EQ(worst.f, 1);
  EXPECT_EQ(worst.m, 1);
  RfmScores middle = Score(cuts, {25, 2.5, 250});
  EXPECT_EQ(middle.r, 3);
  EXPECT_EQ(middle.f, 3);
  EXPECT_EQ(middle.m, 3);
  // Never ordered: the bottom of every measure, whatever the other numbers say.
  RfmScores never = Score(cuts, {kNaN, 9, 9000});
  EXPECT_EQ(never.total(), 3);
}

TEST(RfmCutPoints, AccountsWithoutOrdersAreLeftOutOfTheFit) {
  std::vector<RfmMeasures> p = TenAccounts();
  for (int i = 0; i < 50; ++i) p.push_back({kNaN, 0, 0});
  auto cuts = FitCutPoints(p);
  ASSERT_TRUE(cuts.ok());
  EXPECT_EQ(cuts->accounts, 10u);
  EXPECT_DOUBLE_EQ(cuts->frequency[0], 2.8);  // as without them
}

TEST(RfmCutPoints, RefusesTooFewAccountsAndBadMeasures) {
  std::vector<RfmMeasures> four(4, RfmMeasures{1, 1, 1});
  four.push_back({kNaN, 0, 0});
  auto few = FitCutPoints(four);
  ASSERT_FALSE(few.ok());
  EXPECT_NE(few.status().message().find("at least 5"), std::string::npos) << few.status().message();
  std::vector<RfmMeasures> bad = TenAccounts();
  bad[3].monetary = -1;
  EXPECT_FALSE(FitCutPoints(bad).ok());
  bad[3].monetary = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(FitCutPoints(bad).ok());
}

TEST(CustomerPyramid, ValueAndFitLevels) {
  EXPECT_EQ(ValueLevel({5, 5, 2}), Level::kHigh);  // 12
  EXPECT_EQ(ValueLevel({4, 4, 3}), Level::kMedium);
  EXPECT_EQ(ValueLevel({3, 3, 2}), Level::kMedium);  // 8
  EXPECT_EQ(ValueLevel({3, 2, 2}), Level::kLow);     // 7
  EXPECT_EQ(FitLevel(4), Level::kHigh);
  EXPECT_EQ(FitLevel(3), Level::kHigh);
  EXPECT_EQ(FitLevel(2), Level::kMedium);
  EXPECT_EQ(FitLevel(1), Level::kLow);
  EXPECT_EQ(FitLevel(0), Level::kLow);
}

TEST(CustomerPyramid, TheGridSuggestsATier) {
  const Level H = Level::kHigh, M = Level::kMedium, L = Level::kLow;
  struct Cell {
    Level value, fit;
    const char* tier;
  };
  for (const Cell& c : {Cell{H, H, "strategic"}, Cell{H, M, "key"}, Cell{H, L, "growth"},
                        Cell{M, H, "key"}, Cell{M, M, "growth"}, Cell{M, L, "ordinary"},
                        Cell{L, H, "potential"}, Cell{L, M, "potential"}, Cell{L, L, "ordinary"}}) {
    EXPECT_STREQ(TierName(SuggestedTier(c.value, c.fit)), c.tier)
        << LevelName(c.value) << " value, " << LevelName(c.fit) << " fit";
  }
  EXPECT_STREQ(TierName(0), "");
  EXPECT_STREQ(TierName(6), "");
}

features::FeatureValues Values() {
  features::FeatureValues v;
  v.numbers.assign(features::FeatureCatalog().size(), kNaN);
  for (const auto& name : features::TextFieldNames()) v.text[name] = "";
  return v;
}
void Set(features::FeatureValues& v, const char* name, double x) {
  ASSERT_GE(features::FeatureIndex(name), 0) << name;
  v.numbers[static_cast<size_t>(features::FeatureIndex(name))] = x;
}

TEST(CustomerPyramid, StrategicFitPoints) {
  features::FeatureValues v = Values();
  EXPECT_EQ(StrategicFitPoints(v, {}), 0);  // nothing known
  Set(v, "stage", 4);                       // strategic partner
  EXPECT_EQ(StrategicFitPoints(v, {}), 2);
  Set(v, "stage", 3);  // developing
  EXPECT_EQ(StrategicFitPoints(v, {}), 1);
  Set(v, "stage", 5);  // interrupted
  EXPECT_EQ(StrategicFitPoints(v, {}), 0);
  Set(v, "contacts_active_executive", 1);
  EXPECT_EQ(StrategicFitPoints(v, {}), 1);
  v.text["industry"] = "Automotive";
  EXPECT_EQ(StrategicFitPoints(v, {"automotive"}), 2);  // ASCII case ignored
  EXPECT_EQ(StrategicFitPoints(v, {"Automotive parts"}), 1);
  v.text["industry"] = "汽车";
  EXPECT_EQ(StrategicFitPoints(v, {"新能源", "汽车"}), 2);
}

PyramidParams SampleParams() {
  PyramidParams p;
  p.cuts.recency_days = {10, 20, 30, 40};
  p.cuts.frequency = {1, 2, 3, 4};
  p.cuts.monetary = {100, 200, 300, 400};
  p.cuts.accounts = 42;
  p.strategic_industries = {"汽车", "Energy"};
  p.as_of = "2026-09-30";
  p.time_zone = "Asia/Shanghai";
  return p;
}

TEST(CustomerPyramid, FeaturesAreNaNWithoutParametersAndSetWithThem) {
  features::FeatureValues v = Values();
  Set(v, "days_since_last_order", 5);
  Set(v, "orders_365d", 10);
  Set(v, "amount_12m", 50);
  Set(v, "stage", 4);
  ApplyPyramidFeatures(nullptr, &v);
  for (const char* name : {"rfm_r", "rfm_f", "rfm_m", "value_segment", "suggested_tier"})
    EXPECT_TRUE(std::isnan(v.Get(name))) << name;
  EXPECT_EQ(v.Get("strategic_fit"), 2);  // medium: partner stage alone
  PyramidParams p = SampleParams();
  ApplyPyramidFeatures(&p, &v);
  EXPECT_EQ(v.Get("rfm_r"), 5);
  EXPECT_EQ(v.Get("rfm_f"), 5);
  EXPECT_EQ(v.Get("rfm_m"), 1);
  EXPECT_EQ(v.Get("value_segment"), 2);   // 11: medium
  EXPECT_EQ(v.Get("suggested_tier"), 3);  // medium value, medium fit: growth
}

// ------------------------------------------------------------------ the parameters file

TEST(PyramidParamsFile, RoundTrip) {
  const PyramidParams p = SampleParams();
  auto back = ParsePyramidParams(FormatPyramidJson(p), "p.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->cuts.recency_days, p.cuts.recency_days);
  EXPECT_EQ(back->cuts.frequency, p.cuts.frequency);
  EXPECT_EQ(back->cuts.monetary, p.cuts.monetary);
  EXPECT_EQ(back->cuts.accounts, 42u);
  EXPECT_EQ(back->strategic_industries, p.strategic_industries);
  EXPECT_EQ(back->as_of, "2026-09-30");
}

TEST(PyramidParamsFile, HostileFilesAreRefusedNamingTheField) {
  const std::string good = FormatPyramidJson(SampleParams());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
  };
  struct Case {
    std::string text, expect;
  };
  const std::vector<Case> cases = {
      {"", "not JSON"},
      {"{", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {"null", "not a JSON object"},
      {with("churnwatch.pyramid", "churnwatch.model"), "\"format\""},
      {with("\"version\": 1", "\"version\": 2"), "version 2 is not supported"},
      {with("\"version\": 1", "\"version\": \"1\""), "\"version\""},
      {with("\"version\": 1", "\"version\": 1.5"), "\"version\""},
      {with("\"as_of\": \"2026-09-30\"", "\"as_of\": 7"), "\"as_of\""},
      {with("\"accounts\": 42", "\"accounts\": -1"), "\"accounts\""},
      {with("\"cut_points\"", "\"cutpoints\""), "unknown key \"cutpoints\""},
      {with("\"format\"", "\"extra\": 1, \"format\""), "unknown key \"extra\""},
      {with("\"frequency\"", "\"freq\""), "cut_points.freq"},
      {with("\"recency_days\": [", "\"recency_days\": [5, "), "cut_points.recency_days"},
      {with("\"monetary\": [\n      100.0,", "\"monetary\": [\n      \"100\","),
       "cut_points.monetary"},
      {with("\"frequency\": [\n      1.0,", "\"frequency\": [\n      -1.0,"),
       "frequency cut points must be finite"},
      {with("\"frequency\": [\n      1.0,", "\"frequency\": [\n      9.0,"),
       "frequency cut points must not decrease"},
      {with("\"frequency\": [\n      1.0,", "\"frequency\": [\n      1e999,"), "not JSON"},
      {with("\"汽车\"", "7"), "\"strategic_industries\" must be an array of strings"},
      {with("\"汽车\"", "\"\""), "1 to 128 bytes"},
      {with("\"汽车\"", "\"" + std::string(129, 'x') + "\""), "1 to 128 bytes"},
      {with("\"汽车\"", "\"\xff\xfe\""), "not JSON"},  // not UTF-8
  };
  for (const auto& c : cases) {
    auto r = ParsePyramidParams(c.text, "p.json");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("p.json: ", 0), 0u) << r.status().message();
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in: " << r.status().message();
  }
  PyramidParams many = SampleParams();
  many.strategic_industries.assign(kMaxStrategicIndustries + 1, "x");
  auto r = ParsePyramidParams(FormatPyramidJson(many), "p.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than 1000"), std::string::npos);
  EXPECT_FALSE(CheckStrategicIndustries({"\xc3\x28"}).ok());  // invalid UTF-8 from a flag
  EXPECT_TRUE(CheckStrategicIndustries({"汽车"}).ok());
}

TEST(PyramidParamsFile, LoadRefusesMissingDirectoriesAndHugeFiles) {
  testutil::TempDir dir;
  auto missing = LoadPyramidParams(dir.path() + "/nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(LoadPyramidParams(dir.path()).ok());  // a directory
  const std::string huge = dir.path() + "/huge.json";
  {
    std::ofstream out(huge);
    out << std::string((1 << 20) + 10, ' ');
  }
  auto big = LoadPyramidParams(huge);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("1 MiB"), std::string::npos) << big.status().message();
  const std::string good = dir.path() + "/good.json";
  {
    std::ofstream out(good);
    out << FormatPyramidJson(SampleParams());
  }
  auto loaded = LoadPyramidParams(good);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->cuts.accounts, 42u);
}

// ------------------------------------------------------------------ through the rules

UnixMicros T(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

// An account with one PLACED order of `amount` cents on `when`.
state::AccountSnapshot OneOrder(const std::string& id, UnixMicros when, int64_t amount,
                                const Calendar& cal) {
  state::AccountSnapshot s;
  s.account_id = id;
  const DayKey day = cal.DayOf(when);
  state::OrderMonthCounters month(state::CounterLayout::kOrderMonth);
  month.Add(state::kOrderQuantity, 1);
  month.Add(state::kOrderAmountMinor, amount);
  month.Add(state::kOrderCount, 1);
  month.Min(state::kOrderFirstAt, when);
  month.Max(state::kOrderLastAt, when);
  s.order_months.push_back({"widgets", day / 100, month});
  state::OrderDayCounters d(state::CounterLayout::kOrderDay);
  d.Add(state::kDayOrders, 1);
  s.order_days.push_back({day, d});
  return s;
}

TEST(CustomerPyramid, RulesSeeTheFeaturesOnlyWithParameters) {
  const Calendar cal = *Calendar::Load("Asia/Shanghai");
  const UnixMicros at = T("2026-10-15T04:00:00Z");
  // An order 5 days ago worth 500.00 (and one 13 months ago, outside amount_12m).
  state::AccountSnapshot s = OneOrder("A1", T("2026-10-10T04:00:00Z"), 50000, cal);
  state::AccountSnapshot old = OneOrder("A1", T("2025-09-10T04:00:00Z"), 90000, cal);
  s.order_months.insert(s.order_months.begin(), old.order_months[0]);
  s.order_days.insert(s.order_days.begin(), old.order_days[0]);
  rules::AlertOptions options;
  features::FeatureValues without = rules::AccountFeatures(s, at, cal, options);
  EXPECT_EQ(without.Get("amount_12m"), 50000);
  EXPECT_TRUE(std::isnan(without.Get("rfm_m")));

  rules::LoadResult loaded = rules::LoadRulesText(
      "groups:\n  - name: g\n    rules:\n      - id: r\n        expr: \"rfm_r >= 5 && rfm_m "
      ">= 5 && value_segment <= 2\"\n        labels: {signal: health_low}\n        "
      "annotations: {summary: \"s\"}\n",
      "pyramid.yaml");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems[0].ToString();
  auto ev = rules::RuleEvaluator::Compile(std::make_shared<rules::RuleSet>(std::move(loaded.set)));
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_FALSE((*ev)->Holds(0, without));  // NaN never fires

  PyramidParams p = SampleParams();
  p.cuts.monetary = {100, 200, 300, 40000};
  options.pyramid = std::make_shared<const PyramidParams>(p);
  features::FeatureValues with = rules::AccountFeatures(s, at, cal, options);
  EXPECT_EQ(with.Get("rfm_r"), 5);
  EXPECT_EQ(with.Get("rfm_f"), 1);  // 1 order in 365 days: on the first cut point, ties fall
  EXPECT_EQ(with.Get("rfm_m"), 5);
  EXPECT_EQ(with.Get("value_segment"), 2);  // 5 + 1 + 5 = 11: medium
  EXPECT_TRUE((*ev)->Holds(0, with));
}

}  // namespace
}  // namespace churnwatch::pyramid
