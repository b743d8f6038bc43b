// The monthly review (engine/report) on a hand-built engine snapshot: every figure computed by
// hand for November 2026 in Asia/Shanghai (month = [2026-10-31T16:00Z, 2026-11-30T16:00Z)),
// including alerts just inside and just outside the local month, entering and leaving the
// at-risk list, response times against the 24-hour rule, truncated histories; and the HTML:
// both languages, nothing executable or loaded from elsewhere, hostile names escaped.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/html_escape.h"
#include "report/engine_snapshot.h"
#include "report/monthly_review.h"
#include "report/review_html.h"

namespace churnwatch::report {
namespace {

using json = nlohmann::json;

const char* kHostile = "<script>alert(1)</script>\"'&";

json Alert(const std::string& owner, const std::string& started) {
  return {{"owner", {{"id", owner}, {"name", owner == "E1" ? "王伟" : "Li Na"}}},
          {"started_at", started},
          {"evidence", {{"qty_change_q1", -0.4}}}};
}

json Row(const std::string& kind, const std::string& at, const std::string& id,
         const std::string& signal, const std::string& severity, const json& alert) {
  return {{"kind", kind},          {"at", at},         {"alert_id", id},
          {"rule", "r_" + signal}, {"signal", signal}, {"severity", severity},
          {"alert", alert}};
}

json Ack(const std::string& at, const std::string& id) {
  return {
      {"kind", "ACKNOWLEDGED"}, {"at", at}, {"alert_id", id}, {"ack", {{"by", "x"}, {"at", at}}}};
}

EngineSnapshot November() {
  EngineSnapshot s;
  s.source = "http://127.0.0.1:8080";
  s.as_of = "2026-12-02T00:00:00Z";
  json a1 = Alert("E1", "2026-11-02T00:00:00Z");
  s.accounts.push_back(
      {{{"account_id", "A"}, {"name", "Alpha"}, {"owner", {{"id", "E1"}, {"name", "王伟"}}}},
       {{"profile", {{"tier", "STRATEGIC"}, {"stage", "DEVELOPING"}}},
        {"health", {{"score", 85.0}}},
        {"orders",
         {{"quarters",
           {{{"quarter", "2026Q4"},
             {"product_line", "bearings"},
             {"quantity", 10},
             {"amount_minor", 1000},
             {"orders", 1}},
            {{"quarter", "2025Q4"},
             {"product_line", "bearings"},
             {"quantity", 99},
             {"amount_minor", 9900},
             {"orders", 9}}}}}}},
       {{"history",
         {Row("FIRING", "2026-11-03T00:00:00Z", "a1", "volume_decline", "critical", a1),
          Ack("2026-11-03T06:00:00Z", "a1")}},
        {"truncated", false},
        {"retention_days", 365}}});
  json b1 = Alert("E1", "2026-10-20T00:00:00Z");
  s.accounts.push_back(
      {{{"account_id", "B"}, {"name", kHostile}, {"owner", {{"id", "E1"}, {"name", kHostile}}}},
       {{"profile", {{"tier", "KEY"}}}, {"health", {{"score", nullptr}}}},
       {{"history",
         {Row("FIRING", "2026-10-20T00:00:00Z", "b1", "health_low", "warning", b1),
          Row("RESOLVED", "2026-11-10T00:00:00Z", "b1", "health_low", "warning", b1)}},
        {"truncated", true},
        {"retention_days", 365}}});
  json c1 = Alert("E2", "2026-09-01T00:00:00Z"), c2 = Alert("E2", "2026-11-29T17:00:00Z"),
       c3 = Alert("E2", "2026-11-30T17:00:00Z"), c4 = Alert("E2", "2026-11-15T00:00:00Z");
  s.accounts.push_back(
      {{{"account_id", "C"}, {"name", "Gamma"}, {"owner", {{"id", "E2"}, {"name", "Li Na"}}}},
       {{"profile", {{"tier", "KEY"}, {"stage", "INITIAL"}}},
        {"health", {{"score", 39.9}}},
        {"orders",
         {{"quarters",
           {{{"quarter", "2026Q4"},
             {"product_line", "bearings"},
             {"quantity", 5},
             {"amount_minor", 500},
             {"orders", 1}}}}}}},
       {{"history",
         {Row("FIRING", "2026-09-01T00:00:00Z", "c1", "purchase_silence", "warning", c1),
          Row("FIRING", "2026-11-15T00:00:00Z", "c4", "complaints", "critical", c4),
          Row("RESOLVED", "2026-11-16T00:00:00Z", "c4", "complaints", "critical", c4),
          // 01:00 on 30 November in Shanghai: November's.
          Row("FIRING", "2026-11-29T17:00:00Z", "c2", "service_degradation", "critical", c2),
          // 01:00 on 1 December in Shanghai: December's.
          Row("FIRING", "2026-11-30T17:00:00Z", "c3", "exec_contact_gap", "warning", c3),
          Ack("2026-12-01T05:00:00Z", "c2")}},
        {"truncated", false},
        {"retention_days", 365}}});
  s.alerts = {{{"id", "a1"}, {"escalated_at", "2026-11-05T00:00:00Z"}},
              {{"id", "b1"}, {"escalated_at", nullptr}},
              {{"id", "c1"}, {"escalated_at", "2026-10-31T15:59:59Z"}}};  // 23:59:59 local, Oct
  return s;
}

json Review() {
  auto calendar = Calendar::Load("Asia/Shanghai");
  EXPECT_TRUE(calendar.ok());
  return BuildMonthlyReview(November(), 202611, *calendar);
}

TEST(MonthlyReview, FiguresOfAHandComputedMonth) {
  json r = Review();
  EXPECT_EQ(r["month"], "2026-11");
  EXPECT_EQ(r["complete"], true);
  EXPECT_EQ(r["portfolio"]["accounts"], 3);
  EXPECT_EQ(r["portfolio"]["by_tier"], json({{"STRATEGIC", 1}, {"KEY", 2}}));
  EXPECT_EQ(r["portfolio"]["by_stage"],
            json({{"DEVELOPING", 1}, {"INITIAL", 1}, {"UNSPECIFIED", 1}}));
  EXPECT_EQ(r["alerts"],
            json({{"raised", 3}, {"resolved", 2}, {"acknowledged", 1}, {"escalated", 1}}))
      << "raised a1, c4, c2 (not c3: December in Shanghai); c2's ack is December's";

  ASSERT_EQ(r["at_risk"].size(), 2u);
  const json& c = r["at_risk"][0];  // two signals first
  EXPECT_EQ(c["account_id"], "C");
  EXPECT_EQ(c["signals"], json({"purchase_silence", "service_degradation"}));
  EXPECT_EQ(c["entered"], false);
  EXPECT_EQ(c["since"], "2026-09-01T00:00:00Z");
  EXPECT_EQ(c["owner"], json({{"id", "E2"}, {"name", "Li Na"}}));
  const json& a = r["at_risk"][1];
  EXPECT_EQ(a["account_id"], "A");
  EXPECT_EQ(a["entered"], true);
  EXPECT_EQ(a["since"], "2026-11-02T00:00:00Z");
  EXPECT_EQ(a["tier"], "STRATEGIC");
  ASSERT_EQ(a["evidence"].size(), 1u);
  EXPECT_EQ(a["evidence"][0]["values"]["qty_change_q1"], -0.4);

  ASSERT_EQ(r["left_at_risk"].size(), 1u);
  EXPECT_EQ(r["left_at_risk"][0]["account_id"], "B");
  EXPECT_EQ(r["left_at_risk"][0]["left"], "2026-11-10T00:00:00Z");
  EXPECT_EQ(r["left_at_risk"][0]["signals"], json({"health_low"}));

  ASSERT_EQ(r["response"].size(), 2u);
  const json& e1 = r["response"][0];
  EXPECT_EQ(e1["owner"], "E1");
  EXPECT_EQ(e1["owner_name"], "王伟");
  EXPECT_EQ(e1["raised"], 1);
  EXPECT_EQ(e1["acknowledged"], 1);
  EXPECT_DOUBLE_EQ(e1["median_hours_to_ack"].get<double>(), 6.0);
  EXPECT_EQ(e1["within_24h"], 1);
  const json& e2 = r["response"][1];
  EXPECT_EQ(e2["raised"], 2);
  EXPECT_EQ(e2["acknowledged"], 1);
  EXPECT_DOUBLE_EQ(e2["median_hours_to_ack"].get<double>(), 36.0);  // 29th 17:00 -> 1st 05:00
  EXPECT_EQ(e2["within_24h"], 0);
  EXPECT_EQ(e2["critical_unacknowledged"], 1);  // c4

  EXPECT_EQ(r["health"]["unknown"], 1);
  EXPECT_EQ(r["health"]["buckets"][1]["accounts"], 1);  // 39.9
  EXPECT_EQ(r["health"]["buckets"][4]["accounts"], 1);  // 85
  ASSERT_EQ(r["volume"].size(), 1u) << "2025Q4 is not among the four quarters up to 2026Q4";
  EXPECT_EQ(r["volume"][0], json({{"amount_minor", 1500},
                                  {"orders", 2},
                                  {"product_line", "bearings"},
                                  {"quantity", 15},
                                  {"quarter", "2026Q4"}}));
  EXPECT_EQ(r["incomplete_history"], json({"B"}));
}

TEST(MonthlyReview, TheRunningMonthIsEvaluatedNow) {
  auto calendar = Calendar::Load("Asia/Shanghai");
  ASSERT_TRUE(calendar.ok());
  json r = BuildMonthlyReview(November(), 202612, *calendar);
  EXPECT_EQ(r["complete"], false);
  EXPECT_EQ(r["alerts"]["raised"], 1);  // c3
  EXPECT_EQ(r["alerts"]["acknowledged"], 1);
  std::vector<std::string> ids;
  for (const auto& a : r["at_risk"]) ids.push_back(a["account_id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"C", "A"}));
  EXPECT_EQ(r["at_risk"][0]["signals"].size(), 3u) << "c3 fired on 1 December";
}

// An acknowledgement with a repair plan, and the plan marked done (the history rows the API
// gives).
json PlanAck(const std::string& at, const std::string& id, const std::string& due) {
  json row = Ack(at, id);
  row["ack"]["plan"] = {{"text", "visit"}, {"owner", "x"}, {"due_at", due}, {"state", "open"}};
  return row;
}
json PlanDone(const std::string& at, const std::string& id, const std::string& due) {
  json row = PlanAck(at, id, due);
  row["kind"] = "PLAN_DONE";
  row["ack"]["plan"]["done_at"] = at;
  return row;
}

TEST(MonthlyReview, RepairPlansDoneAndOverdueAtTheMonthsEnd) {
  EngineSnapshot s;
  s.as_of = "2026-12-20T00:00:00Z";
  json a = Alert("E1", "2026-11-02T00:00:00Z");
  std::vector<json> rows;
  auto fire = [&](const std::string& id) {
    rows.push_back(Row("FIRING", "2026-11-02T00:00:00Z", id, "reference_withdrawn", "critical", a));
  };
  fire("done");  // due on the 5th, done on the 4th
  rows.push_back(PlanAck("2026-11-02T03:00:00Z", "done", "2026-11-05T00:00:00Z"));
  rows.push_back(PlanDone("2026-11-04T00:00:00Z", "done", "2026-11-05T00:00:00Z"));
  fire("late");  // due on the 10th, never done
  rows.push_back(PlanAck("2026-11-02T03:00:00Z", "late", "2026-11-10T00:00:00Z"));
  fire("open");  // due in December: neither
  rows.push_back(PlanAck("2026-11-02T03:00:00Z", "open", "2026-12-10T00:00:00Z"));
  fire("after");  // due on the 20th, done only in December: overdue as November ends
  rows.push_back(PlanAck("2026-11-02T03:00:00Z", "after", "2026-11-20T00:00:00Z"));
  rows.push_back(PlanDone("2026-12-01T00:00:00Z", "after", "2026-11-20T00:00:00Z"));
  fire("replanned");  // a second acknowledgement replaces an overdue plan with a later one
  rows.push_back(PlanAck("2026-11-02T03:00:00Z", "replanned", "2026-11-03T00:00:00Z"));
  rows.push_back(PlanAck("2026-11-04T03:00:00Z", "replanned", "2026-12-03T00:00:00Z"));
  fire("plain");  // acknowledged without a plan
  rows.push_back(Ack("2026-11-02T03:00:00Z", "plain"));
  s.accounts.push_back({{{"account_id", "A"}, {"owner", {{"id", "E1"}}}},
                        {{"profile", {{"tier", "KEY"}}}},
                        {{"history", rows}, {"truncated", false}, {"retention_days", 365}}});
  auto calendar = Calendar::Load("Asia/Shanghai");
  ASSERT_TRUE(calendar.ok());
  json r = BuildMonthlyReview(s, 202611, *calendar);
  ASSERT_EQ(r["response"].size(), 1u);
  EXPECT_EQ(r["response"][0]["raised"], 6);
  EXPECT_EQ(r["response"][0]["plans"], 5);
  EXPECT_EQ(r["response"][0]["plans_done"], 1);
  EXPECT_EQ(r["response"][0]["plans_overdue"], 2) << "late and after; replanned is open again";
  // Plans count with the month their alert was raised in, not the month they fell due.
  EXPECT_TRUE(BuildMonthlyReview(s, 202612, *calendar)["response"].empty());
  const std::string html = RenderReviewHtml(r, ReviewLang::kEn);
  EXPECT_NE(html.find("Plans overdue"), std::string::npos);
  EXPECT_NE(html.find("data-plans=\"overdue\">2<"), std::string::npos);
  EXPECT_NE(RenderReviewHtml(r, ReviewLang::kZhCn).find("计划逾期"), std::string::npos);
}

TEST(ReviewHtml, SelfContainedInBothLanguagesWithHostileNamesEscaped) {
  json r = Review();
  for (ReviewLang lang : {ReviewLang::kZhCn, ReviewLang::kEn}) {
    std::string html = RenderReviewHtml(r, lang);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
              std::string::npos);
    for (const char* outside : {"src=", "href=", "<link", "url(", "@import", "<iframe"})
      EXPECT_EQ(html.find(outside), std::string::npos) << outside;
    EXPECT_NE(html.find("<svg"), std::string::npos);
  }
  std::string zh = RenderReviewHtml(r, ReviewLang::kZhCn),
              en = RenderReviewHtml(r, ReviewLang::kEn);
  EXPECT_NE(zh.find("<html lang=\"zh-CN\">"), std::string::npos);
  EXPECT_NE(zh.find("重点客户月度经营回顾 2026-11"), std::string::npos);
  EXPECT_NE(zh.find("战略级"), std::string::npos);
  EXPECT_NE(zh.find("采购量下降"), std::string::npos);
  EXPECT_NE(en.find("Monthly key-account review 2026-11"), std::string::npos);
  EXPECT_NE(en.find("Volume decline"), std::string::npos);
  EXPECT_EQ(en.find("采购量下降"), std::string::npos);
  // Strategic before Key in the tier table (business order, not alphabetical).
  EXPECT_LT(en.find("<th>Strategic</th>"), en.find("<th>Key</th>"));
}

TEST(ReportFlags, HostileValuesAreRefusedWithTheFlag) {
  for (const char* bad : {"2026-13", "2026-1", "26-11", "2026/11", "abcd-ef", "1989-12"}) {
    auto m = ParseMonth(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().message().rfind("month '", 0), 0u) << m.status().message();
  }
  EXPECT_EQ(*ParseMonth("2026-02"), 202602);
  for (const char* bad : {"127.0.0.1:8080", "https://h:1", "http://h", "http://h:0",
                          "http://h:99999", "http://h:80/api", "http://:80"}) {
    auto e = ParseEngineUrl(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_NE(e.status().message().find("--engine"), std::string::npos);
  }
  auto ok = ParseEngineUrl("http://[::1]:8080/");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->host, "::1");
  EXPECT_EQ(ok->port, 8080);
  EXPECT_FALSE(ParseReviewLang("zh").ok());
  EXPECT_EQ(HtmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST(EngineSnapshot, AnEngineThatDoesNotAnswerIsUnavailable) {
  auto e = ParseEngineUrl("http://127.0.0.1:1");  // nothing listens on port 1
  ASSERT_TRUE(e.ok());
  auto s = FetchEngineSnapshot(*e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("cannot reach http://127.0.0.1:1 (/api/v1/accounts"),
            std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace churnwatch::report
