// `churnwatch report` against a real `churnwatch demo` (its HTTP API, no mocks): the JSON's
// numbers equal what the API says (the at-risk list is the accounts with firing signals, the
// portfolio the profiles, acknowledgements and escalations the alert list, an acknowledged
// alert's response time the history's), the HTML in zh-CN and en has no script and shows a
// hostile account and owner name as text, and bad flags or an unreachable engine get one-line
// errors with exit 2 / 1.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/civil_time.h"
#include "support/demo_suite.h"
#include "support/metrics_text.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

const std::string kToken = "report-cli-test-token-0123456789";
const std::string kHostileName = "<script>alert(1)</script>\"'&";
const std::string kHostileOwner = "<img src=x onerror=alert(2)>";

// Whole seconds of an RFC 3339 text (fractions dropped).
int64_t Secs(const std::string& t) {
  std::string whole = t.substr(0, 19) + (t.back() == 'Z' ? "Z" : t.substr(t.size() - 6));
  auto s = ParseTimestamp(whole);
  EXPECT_TRUE(s.has_value()) << t;
  return s.value_or(0);
}

class ReportCli : public DemoSuite {
 protected:
  static json GetJson(const std::string& path) {
    auto r = demo().Get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static void SetUpTestSuite() {
    StartDemo({"--accounts", "40", "--seed", "3"},
              [] {
                auto r = demo().Get("/api/v1/alerts?state=firing");
                json alerts = json::parse(r.body, nullptr, false);
                if (r.status != 200 || !alerts.is_object() || alerts["alerts"].empty())
                  return false;
                // Everything the generator produced is applied.
                Metrics m = ParseMetrics(demo().Get("/metrics").body);
                return CountSeries(m, "churnwatch_consumer_lag") > 0 &&
                       SumMetric(m, "churnwatch_consumer_lag") == 0;
              },
              "the demo to apply its history and raise alerts",
              {{"CHURNWATCH_HTTP_TOKEN", kToken}});
  }
  static void TearDownTestSuite() { StopDemo(); }

  CommandResult Report(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"report", "--engine",
                                     "http://127.0.0.1:" + std::to_string(demo().port())};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCommand(ChurnwatchBin(), args,
                      dir().Sub("report-" + std::to_string(++runs_) + ".log"), seconds(180));
  }
  json ReportJson(const std::string& month) {
    const std::string out = dir().Sub("report-" + month + ".json");
    CommandResult r = Report({"--month", month, "--format", "json", "--out", out});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(out);
    return json::parse(in, nullptr, false);
  }
  std::string ReportHtml(const std::string& month, const std::string& lang) {
    CommandResult r = Report({"--month", month, "--lang", lang});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  int runs_ = 0;
};

TEST_F(ReportCli, NumbersEqualTheApiAndHostileNamesStayText) {
  // A firing account renamed (an accounts event through `produce`) to hostile text, and one of
  // its alerts acknowledged.
  json firing = GetJson("/api/v1/alerts?state=firing");
  ASSERT_FALSE(firing["alerts"].empty());
  const std::string account = firing["alerts"][0]["account_id"];
  const std::string alert_id = firing["alerts"][0]["id"];
  const json list0 = GetJson("/api/v1/accounts?limit=500");
  const std::string now = list0["as_of"].get<std::string>().substr(0, 19) + "Z";
  {
    std::ofstream(dir().Sub("hostile.ndjson"))
        << json({{"event_id", "report-cli-test-rename"},
                 {"account_id", account},
                 {"occurred_at", now},
                 {"name", kHostileName},
                 {"tier", "STRATEGIC"},
                 {"owner", {{"id", "E-HOSTILE"}, {"name", kHostileOwner}}}})
               .dump()
        << "\n";
  }
  ASSERT_TRUE(Produce(demo().bootstrap(), "accounts", dir().Sub("hostile.ndjson"), "json", 1,
                      dir().Sub("produce.log")));
  ASSERT_TRUE(WaitUntil(
      [&] {
        json d = GetJson("/api/v1/accounts/" + account);
        return d["profile"].value("name", "") == kHostileName;
      },
      seconds(60), "the rename to be applied"));
  httplib::Client client("127.0.0.1", demo().port());
  auto acked = client.Post(("/api/v1/alerts/" + alert_id + "/ack").c_str(),
                           {{"Authorization", "Bearer " + kToken}},
                           R"({"by":"report-cli-test","note":"call the CIO"})", "application/json");
  ASSERT_TRUE(acked);
  ASSERT_EQ(acked->status, 200) << acked->body;
  const std::string ack_at = json::parse(acked->body)["ack"]["at"];

  const std::string month = LocalMonthLabel(Secs(ack_at));
  // The at-risk list is the API's accounts with firing signals, with the same signals. The
  // demo engine keeps evaluating while the test reads (a contact gap crosses its threshold as
  // the clock runs), so the API and the report are read again until both were taken between
  // the same two evaluations; a report that disagrees with a quiet engine fails below.
  json r, list;
  std::map<std::string, std::set<std::string>> want_risk, got_risk;
  auto read_both = [&] {
    list = GetJson("/api/v1/accounts?limit=500");
    r = ReportJson(month);
    want_risk.clear();
    got_risk.clear();
    for (const auto& a : list["accounts"])
      if (!a["firing_signals"].empty())
        want_risk[a["account_id"]] = a["firing_signals"].get<std::set<std::string>>();
    if (r.is_object())
      for (const auto& a : r["at_risk"])
        got_risk[a["account_id"]] = a["signals"].get<std::set<std::string>>();
    return got_risk == want_risk;
  };
  (void)WaitUntil(read_both, seconds(30), "the report's at-risk list to equal the API's");
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["month"], month);
  EXPECT_EQ(r["complete"], false);
  EXPECT_EQ(got_risk, want_risk);
  std::map<std::string, int> want_tier, want_stage;
  for (const auto& a : list["accounts"]) {
    json d = GetJson("/api/v1/accounts/" + a["account_id"].get<std::string>());
    ++want_tier[d["profile"].value("tier", "UNSPECIFIED")];
    ++want_stage[d["profile"].value("stage", "UNSPECIFIED")];
  }
  EXPECT_EQ(r["portfolio"]["accounts"], list["total"]);
  EXPECT_EQ(r["portfolio"]["by_tier"].get<decltype(want_tier)>(), want_tier);
  EXPECT_EQ(r["portfolio"]["by_stage"].get<decltype(want_stage)>(), want_stage);

  // Acknowledged: ours is the only one; escalated: the alert list's escalations this month.
  EXPECT_EQ(r["alerts"]["acknowledged"], 1);
  int escalated = 0;
  const json all_alerts = GetJson("/api/v1/alerts");
  for (const auto& a : all_alerts["alerts"]) {
    if (a.value("escalated_at", json()).is_string() &&
        LocalMonthLabel(Secs(a["escalated_at"])) == month)
      ++escalated;
  }
  EXPECT_EQ(r["alerts"]["escalated"], escalated);

  // The renamed account: its name and owner as data.
  bool found = false;
  for (const auto& a : r["at_risk"]) {
    if (a["account_id"] != account) continue;
    found = true;
    EXPECT_EQ(a["name"], kHostileName);
    EXPECT_EQ(a["owner"]["name"], kHostileOwner);
    EXPECT_EQ(a["tier"], "STRATEGIC");
    EXPECT_FALSE(a["evidence"].empty());
  }
  EXPECT_TRUE(found) << account << " is firing, so at risk";

  // Its response time: from the history's FIRING row of the acknowledged alert to the ack, in
  // the month the alert fired, for the alert's owner then.
  json history = GetJson("/api/v1/accounts/" + account + "/alerts?limit=5000");
  json fired;
  for (const auto& h : history["history"]) {
    if (h["alert_id"] == alert_id && h["kind"] == "FIRING") fired = h;
  }
  ASSERT_TRUE(fired.is_object());
  const std::string fired_month = LocalMonthLabel(Secs(fired["at"]));
  const std::string owner = fired["alert"]["owner"]["id"];
  json then = fired_month == month ? r : ReportJson(fired_month);
  const double hours = static_cast<double>(Secs(ack_at) - Secs(fired["at"])) / 3600.0;
  bool owner_found = false;
  for (const auto& row : then["response"]) {
    if (row["owner"] != owner) continue;
    owner_found = true;
    EXPECT_EQ(row["acknowledged"], 1);
    EXPECT_NEAR(row["median_hours_to_ack"].get<double>(), hours, 0.01);
    EXPECT_EQ(row["within_24h"], hours <= 24 ? 1 : 0);
  }
  EXPECT_TRUE(owner_found) << then["response"].dump();

  for (const std::string lang : {"zh-CN", "en"}) {
    std::string html = ReportHtml(month, lang);
    EXPECT_EQ(html.find("<script"), std::string::npos) << lang;
    EXPECT_EQ(html.find("<img"), std::string::npos) << lang;
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
              std::string::npos);
    EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
    for (const auto& [id, signals] : want_risk)
      EXPECT_NE(html.find("<small>" + id + "</small>"), std::string::npos) << id;
    EXPECT_NE(html.find(lang == "en" ? "Monthly key-account review " + month
                                     : "重点客户月度经营回顾 " + month),
              std::string::npos);
  }
}

// GET /reports/YYYY-MM on the engine's port: the same review as the command, the page with its
// own no-script policy, bad parameters 400 naming them.
TEST_F(ReportCli, TheDashboardServesTheSameReview) {
  const std::string month = LocalMonthLabel(Secs(GetJson("/api/v1/accounts?limit=1")["as_of"]));
  json cli = ReportJson(month);
  json served = GetJson("/reports/" + month + "?format=json");
  ASSERT_TRUE(served.is_object());
  // Not "health": scores are computed at each request's time.
  for (const char* key :
       {"month", "portfolio", "at_risk", "left_at_risk", "alerts", "response", "volume"})
    EXPECT_EQ(served[key], cli[key]) << key;

  httplib::Client client("127.0.0.1", demo().port());
  client.set_read_timeout(120, 0);
  auto page = client.Get(("/reports/" + month + "?lang=en").c_str());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"),
            "default-src 'none'; style-src 'unsafe-inline'");
  EXPECT_EQ(page->body.find("<script"), std::string::npos);
  EXPECT_NE(page->body.find("Monthly key-account review " + month), std::string::npos);
  for (const auto& [query, needle] : std::vector<std::pair<std::string, std::string>>{
           {"/reports/2026-13", "month '2026-13' is not YYYY-MM"},
           {"/reports/" + month + "?format=pdf", "format must be html or json"},
           {"/reports/" + month + "?lang=fr", "lang 'fr' is not zh-CN or en"},
           {"/reports/" + month + "?x=1", "unknown parameter 'x'"}}) {
    auto r = demo().Get(query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_NE(r.body.find(needle), std::string::npos) << query << ": " << r.body;
  }
}

// --format pdf: the HTML printed by Debian's headless Chromium (the browser suite's).
TEST_F(ReportCli, PdfIsPrintedByHeadlessChromium) {
  const std::string month = LocalMonthLabel(Secs(GetJson("/api/v1/accounts?limit=1")["as_of"]));
  const std::string pdf = dir().Sub("review.pdf");
  CommandResult r = Report({"--month", month, "--format", "pdf", "--lang", "en", "--out", pdf});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(pdf, std::ios::binary);
  std::string head(5, '\0');
  in.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  in.seekg(0, std::ios::end);
  EXPECT_GT(in.tellg(), 10'000) << "a report of 40 accounts is more than an empty page";

  CommandResult missing = Report(
      {"--month", month, "--format", "pdf", "--out", pdf, "--chromium", "/nonexistent/chromium"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("no headless Chromium at /nonexistent/chromium"), std::string::npos)
      << missing.err;
}

TEST_F(ReportCli, BadFlagsAndAnUnreachableEngineAreOneLineErrors) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string needle;
  };
  for (const Case& c : std::vector<Case>{
           {{"--month", "2026-13"}, 2, "--month '2026-13' is not YYYY-MM"},
           {{"--month", "2026-11", "--format", "docx"},
            2,
            "--format 'docx' is not html, json or pdf"},
           {{"--month", "2026-11", "--format", "pdf"}, 2, "--format pdf needs --out FILE"},
           {{"--month", "2026-11", "--lang", "de"}, 2, "--lang 'de' is not zh-CN or en"},
           {{"--month", "2026-11", "--state-dir", "/tmp"}, 2, "--state-dir is not supported yet"},
       }) {
    CommandResult r = Report(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << "want '" << c.needle << "' in " << r.err;
  }
  CommandResult down = RunCommand(
      ChurnwatchBin(), {"report", "--month", "2026-11", "--engine", "http://127.0.0.1:1"},
      dir().Sub("down.log"), seconds(60));
  EXPECT_EQ(down.exit_code, 1) << down.err;
  EXPECT_NE(down.err.find("cannot reach http://127.0.0.1:1"), std::string::npos) << down.err;
  CommandResult bad_url =
      RunCommand(ChurnwatchBin(), {"report", "--month", "2026-11", "--engine", "127.0.0.1:8080"},
                 dir().Sub("url.log"), seconds(60));
  EXPECT_EQ(bad_url.exit_code, 2) << bad_url.err;
  EXPECT_NE(bad_url.err.find("--engine '127.0.0.1:8080' is not http://HOST:PORT"),
            std::string::npos)
      << bad_url.err;
}

}  // namespace
}  // namespace churnwatch::test
