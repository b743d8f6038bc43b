// The 24-hour response and the customer file (issue 14 items 3 and 4) on a real engine and
// broker: repair plans on acknowledgements — validated at the edge (hostile bodies get a 400 or
// 409 naming the problem), stored with the alert state, surviving a SIGKILL, marked done, gone
// overdue, measured in churnwatch_alert_ack_seconds — and an account's decision chain and
// timeline as the account page reads them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>
#include <string>

#include "support/churnwatch_processes.h"
#include "support/civil_time.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using SysClock = std::chrono::system_clock;

constexpr const char* kToken = "review-test-token-0123456789";
constexpr const char* kCritical = "ACC-PLAN-1";  // strategic, reference withdrawn: critical
constexpr const char* kWarning = "ACC-PLAN-2";   // growth, strategy meeting cancelled: warning

// "2026-12-02T08:00:00Z" (tests/support's own formatter, not the engine's).
std::string Iso(SysClock::time_point t) { return FormatUtc(SysClock::to_time_t(t)); }

json Event(const std::string& id, const std::string& account, SysClock::time_point at,
           json fields) {
  fields["event_id"] = id;
  fields["account_id"] = account;
  fields["occurred_at"] = Iso(at);
  return fields;
}

class KeyAccountReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start(dir_.Sub("broker.log")));
    const auto now = SysClock::now();
    const auto day = std::chrono::hours(24);
    Send("accounts",
         {Event("a1", kCritical, now - 30 * day,
                {{"name", "华东精密"}, {"tier", "STRATEGIC"}, {"owner", {{"id", "mgr-a"}}}}),
          Event("a2", kWarning, now - 30 * day,
                {{"name", "西南机电"}, {"tier", "GROWTH"}, {"owner", {{"id", "mgr-b"}}}})});
    Send("contacts",
         {Event("c1", kCritical, now - 20 * day,
                {{"kind", "CONTACT_ADDED"},
                 {"contact_id", "p-dm"},
                 {"contact_role", "DECISION_MAKER"},
                 {"level", "EXECUTIVE"}}),
          Event("c2", kCritical, now - 20 * day,
                {{"kind", "CONTACT_ADDED"},
                 {"contact_id", "p-inf"},
                 {"contact_role", "INFLUENCER"},
                 {"level", "MANAGEMENT"}}),
          Event("c3", kCritical, now - 10 * day,
                {{"kind", "CONTACT_LEFT"}, {"contact_id", "p-inf"}}),
          Event("c4", kCritical, now - std::chrono::minutes(5), {{"kind", "REFERENCE_WITHDRAWN"}}),
          Event("c5", kWarning, now - std::chrono::minutes(5),
                {{"kind", "MEETING_CANCELLED"}, {"meeting_type", "STRATEGY"}})});
    ASSERT_TRUE(WriteFile(dir_.Sub("engine.yaml"), std::string("time_zone: UTC\n"
                                                                "evaluation: {interval: 1s}\n"
                                                                "http: {token: \"") +
                                                        kToken + "\"}\n"));
    ASSERT_TRUE(engine_->Start(Options()));
    ASSERT_TRUE(engine_->WaitReady(seconds(60)));
    critical_ = WaitFiring(kCritical, "reference_withdrawn");
    warning_ = WaitFiring(kWarning, "strategy_meeting_cancelled");
    ASSERT_FALSE(critical_.empty());
    ASSERT_FALSE(warning_.empty());
  }

  EngineOptions Options() {
    return {broker_.bootstrap(), "review-test", dir_.Sub("state"), dir_.Sub("engine.log"),
            {"--config", dir_.Sub("engine.yaml")}};
  }

  void Send(const std::string& topic, const std::vector<json>& events) {
    std::string body;
    for (const auto& e : events) body += e.dump() + "\n";
    const std::string file = dir_.Sub(topic + ".ndjson");
    ASSERT_TRUE(WriteFile(file, body));
    ASSERT_TRUE(Produce(broker_.bootstrap(), topic, file, "json", events.size(),
                        dir_.Sub("produce.log")));
  }

  // The id of the account's firing alert of `rule` ("" after 90 s without one).
  std::string WaitFiring(const std::string& account, const std::string& rule) {
    std::string id;
    EXPECT_TRUE(WaitUntil(
        [&] {
          auto r = engine_->Get("/api/v1/alerts?state=firing&account_id=" + account + "&rule=" + rule);
          json body = json::parse(r.body, nullptr, false);
          if (r.status != 200 || body["alerts"].empty()) return false;
          id = body["alerts"][0]["id"];
          return true;
        },
        seconds(90), account + " to fire " + rule));
    return id;
  }

  // POST with the token; {status, parsed body}.
  std::pair<int, json> Post(const std::string& path, const std::string& body) {
    httplib::Client client("127.0.0.1", engine_->port());
    client.set_read_timeout(10, 0);
    auto r = client.Post(path.c_str(), {{"Authorization", std::string("Bearer ") + kToken}}, body,
                         "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

  json GetJson(const std::string& path) {
    auto r = engine_->Get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // The firing alert `id` of `account` as GET /api/v1/alerts shows it.
  json AlertJson(const std::string& account, const std::string& id) {
    const json alerts = GetJson("/api/v1/alerts?account_id=" + account);
    for (const auto& a : alerts["alerts"])
      if (a["id"] == id) return a;
    return json();
  }

  TempDir dir_;
  BrokerProcess broker_;
  // Each incarnation of the engine is a process of its own; engine_ is the current one.
  EngineProcess first_, restarted_;
  EngineProcess* engine_ = &first_;
  std::string critical_, warning_;
};

TEST_F(KeyAccountReviewTest, HostileAckBodiesAreRefusedNamingTheProblem) {
  const std::string ack = "/api/v1/alerts/" + critical_ + "/ack";
  const std::string soon = Iso(SysClock::now() + std::chrono::hours(20));
  struct Case {
    std::string body;
    int status;
    std::string names;  // a word the error must contain
  } cases[] = {
      {R"({"by":"王经理","plan":{"text":"拜访","due_at":"tomorrow"}})", 400, "plan.due_at"},
      {R"({"by":"王经理","plan":{"text":"拜访","due_at":"2020-01-01T00:00:00Z"}})", 400,
       "not in the future"},
      {R"({"by":"王经理","plan":{"text":"拜访","due_at":"2099-01-01T00:00:00Z"}})", 400,
       "more than a year"},
      {R"({"by":"王经理","plan":{"text":"拜访"}})", 400, "plan.due_at"},
      {R"({"by":"王经理","plan":{"due_at":")" + soon + R"("}})", 400, "plan.text"},
      {R"({"by":"王经理","plan":{"text":")" + std::string(2001, 'x') + R"(","due_at":")" + soon +
           R"("}})",
       400, "plan.text"},
      {R"({"by":"王经理","plan":{"text":"拜访","due_at":")" + soon + R"(","budget":1}})", 400,
       "plan.budget"},
      {R"({"by":"王经理","plan":{"text":"\u0007","due_at":")" + soon + R"("}})", 400,
       "plan.text"},
      {"{\"by\":\"\xff\xfe\",\"plan\":{\"text\":\"x\",\"due_at\":\"" + soon + "\"}}", 400, "JSON"},
      {R"({"by":"王经理","plan":"call them"})", 400, "'plan' must be an object"},
      {R"({"by":"王经理","plan":{"text":"x","owner":7,"due_at":")" + soon + R"("}})", 400,
       "plan.owner"},
      {R"({"by":"王经理","planned":true})", 400, "planned"},
  };
  for (const auto& c : cases) {
    auto [status, body] = Post(ack, c.body);
    EXPECT_EQ(status, c.status) << c.body.substr(0, 120) << " -> " << body;
    ASSERT_TRUE(body.is_object() && body["error"].is_string()) << body;
    EXPECT_NE(body["error"].get<std::string>().find(c.names), std::string::npos)
        << "error names '" << c.names << "': " << body["error"];
  }
  // A plan on a warning is a conflict with what the alert is, not a malformed body.
  auto [status, body] =
      Post("/api/v1/alerts/" + warning_ + "/ack",
           R"({"by":"李经理","plan":{"text":"回访","due_at":")" + soon + R"("}})");
  EXPECT_EQ(status, 409) << body;
  EXPECT_NE(body.value("error", "").find("not critical"), std::string::npos) << body;
  auto [unknown, unknown_body] =
      Post("/api/v1/alerts/no-such-alert/ack",
           R"({"by":"王经理","plan":{"text":"x","due_at":")" + soon + R"("}})");
  EXPECT_EQ(unknown, 404) << unknown_body;
  auto [done_unknown, done_body] = Post("/api/v1/alerts/no-such-alert/plan/done", R"({"by":"x"})");
  EXPECT_EQ(done_unknown, 404) << done_body;
  auto [done_bad, done_bad_body] = Post("/api/v1/alerts/" + critical_ + "/plan/done", R"({"who":1})");
  EXPECT_EQ(done_bad, 400) << done_bad_body;
  // Nothing of the refused requests was stored.
  EXPECT_TRUE(AlertJson(kCritical, critical_)["ack"].is_null());
  EXPECT_TRUE(AlertJson(kWarning, warning_)["ack"].is_null());

  // Today's body still works, and a plan-less acknowledgement has no plan to mark done.
  auto [plain, plain_body] = Post("/api/v1/alerts/" + warning_ + "/ack", R"({"by":"李经理"})");
  ASSERT_EQ(plain, 200) << plain_body;
  EXPECT_FALSE(plain_body["ack"].contains("plan"));
  auto [no_plan, no_plan_body] = Post("/api/v1/alerts/" + warning_ + "/plan/done", R"({"by":"x"})");
  EXPECT_EQ(no_plan, 409) << no_plan_body;
  EXPECT_NE(no_plan_body.value("error", "").find("no repair plan"), std::string::npos);
}

TEST_F(KeyAccountReviewTest, RepairPlanSurvivesSigkillThenIsDoneAndAnotherGoesOverdue) {
  const std::string due = Iso(SysClock::now() + std::chrono::hours(20));
  auto [status, body] = Post("/api/v1/alerts/" + critical_ + "/ack",
                             R"({"by":"王经理","note":"已致电","plan":{"text":"明天拜访决策人，)"
                             R"(提交服务复盘","owner":"张总监","due_at":")" +
                                 due + R"("}})");
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(body["ack"]["plan"]["state"], "open");
  EXPECT_EQ(body["ack"]["plan"]["owner"], "张总监");
  EXPECT_EQ(body["ack"]["plan"]["due_at"], due);

  // The response time is measured once per alert, labelled by severity only.
  Metrics m = engine_->ScrapeMetrics();
  EXPECT_EQ(SumMetric(m, "churnwatch_alert_ack_seconds_count", {{"severity", "critical"}}), 1);
  EXPECT_EQ(SumMetric(m, "churnwatch_alert_ack_seconds_count"), 1);

  // SIGKILL right after the 200: the plan was in the store before the answer.
  engine_->Kill();
  engine_ = &restarted_;
  ASSERT_TRUE(engine_->Start(Options()));
  ASSERT_TRUE(engine_->WaitReady(seconds(90)));
  json alert;
  ASSERT_TRUE(WaitUntil(
      [&] {
        alert = AlertJson(kCritical, critical_);
        return alert.is_object();
      },
      seconds(60), "the alert after the restart"));
  ASSERT_TRUE(alert["ack"].is_object()) << alert;
  EXPECT_EQ(alert["ack"]["plan"]["text"], "明天拜访决策人，提交服务复盘");
  EXPECT_EQ(alert["ack"]["plan"]["due_at"], due);
  EXPECT_EQ(alert["ack"]["plan"]["state"], "open");
  // The account page reads the same from the account JSON.
  json account = GetJson(std::string("/api/v1/accounts/") + kCritical);
  bool on_page = false;
  for (const auto& a : account["alerts"])
    on_page |= a["id"] == critical_ && a["ack"]["plan"]["owner"] == "张总监";
  EXPECT_TRUE(on_page) << account["alerts"];

  auto [done, done_body] =
      Post("/api/v1/alerts/" + critical_ + "/plan/done", R"({"by":"张总监"})");
  ASSERT_EQ(done, 200) << done_body;
  EXPECT_EQ(done_body["ack"]["plan"]["state"], "done");
  EXPECT_EQ(done_body["ack"]["plan"]["done_by"], "张总监");
  auto [again, again_body] =
      Post("/api/v1/alerts/" + critical_ + "/plan/done", R"({"by":"someone else"})");
  ASSERT_EQ(again, 200) << again_body;
  EXPECT_EQ(again_body["ack"]["plan"]["done_by"], "张总监") << "done once, not re-done";

  // A new plan due in two seconds: open now, overdue (by the wall clock) once it has passed.
  auto [replan, replan_body] =
      Post("/api/v1/alerts/" + critical_ + "/ack",
           R"({"by":"王经理","plan":{"text":"补充方案","due_at":")" +
               Iso(SysClock::now() + seconds(2)) + R"("}})");
  ASSERT_EQ(replan, 200) << replan_body;
  EXPECT_EQ(replan_body["ack"]["plan"]["state"], "open");
  EXPECT_EQ(replan_body["ack"]["plan"]["owner"], "王经理") << "owner defaults to who acknowledged";
  ASSERT_TRUE(WaitUntil(
      [&] { return AlertJson(kCritical, critical_)["ack"]["plan"]["state"] == "overdue"; },
      seconds(10), "the new plan to be overdue"));
  // A repeated acknowledgement is not a second response time.
  EXPECT_EQ(SumMetric(engine_->ScrapeMetrics(), "churnwatch_alert_ack_seconds_count"), 0)
      << "a restarted engine observes only first acknowledgements it records";

  // The history has every step, oldest first.
  json history = GetJson(std::string("/api/v1/accounts/") + kCritical + "/alerts")["history"];
  std::vector<std::string> kinds;
  json mine = json::array();
  for (const auto& h : history) {
    if (h["alert_id"] != critical_) continue;  // other rules may fire on the account too
    kinds.push_back(h["kind"]);
    mine.push_back(h);
  }
  history = mine;
  EXPECT_EQ(kinds, (std::vector<std::string>{"FIRING", "ACKNOWLEDGED", "PLAN_DONE",
                                             "ACKNOWLEDGED"}));
  EXPECT_EQ(history[2]["ack"]["plan"]["done_by"], "张总监");
  EXPECT_EQ(history[3]["ack"]["plan"]["text"], "补充方案");
}

TEST_F(KeyAccountReviewTest, CustomerFileShowsTheDecisionChainAndEveryEventKind) {
  json file = GetJson(std::string("/api/v1/accounts/") + kCritical + "/contacts");
  ASSERT_EQ(file["decision_chain"].size(), 2u) << file;
  EXPECT_EQ(file["decision_chain"][0]["role"], "DECISION_MAKER");
  EXPECT_EQ(file["decision_chain"][0]["people"][0]["level"], "EXECUTIVE");
  EXPECT_EQ(file["decision_chain"][1]["role"], "INFLUENCER");
  ASSERT_EQ(file["departed"].size(), 1u);
  EXPECT_EQ(file["departed"][0]["contact_id"], "p-inf");
  EXPECT_TRUE(file["departed"][0]["left_at"].is_string());
  EXPECT_EQ(file["active_contacts"], 1);
  EXPECT_EQ(file["single_threaded"]["warning"], true);
  EXPECT_EQ(file["single_threaded"]["kind"], "single_threaded");
  EXPECT_EQ(file["single_threaded"]["carried_by"]["contact_id"], "p-dm");
  json none = GetJson(std::string("/api/v1/accounts/") + kWarning + "/contacts");
  EXPECT_TRUE(none["decision_chain"].empty());
  EXPECT_EQ(none["single_threaded"]["warning"], false);

  json timeline = GetJson(std::string("/api/v1/accounts/") + kCritical + "/timeline");
  std::set<std::string> kinds;
  std::string previous = "9999";
  for (const auto& e : timeline["entries"]) {
    kinds.insert(e["kind"].get<std::string>());
    EXPECT_LE(e["date"].get<std::string>(), previous) << "newest first";
    previous = e["date"];
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"contact", "contact_added", "contact_left", "alert"}))
      << timeline;
  EXPECT_EQ(timeline["truncated"], false);
  json one = GetJson(std::string("/api/v1/accounts/") + kCritical + "/timeline?limit=1");
  EXPECT_EQ(one["entries"].size(), 1u);
  EXPECT_EQ(one["truncated"], true);

  for (const std::string& bad : {std::string("/timeline?limit=0"), std::string("/timeline?x=1"),
                                 std::string("/contacts?x=1")}) {
    auto r = engine_->Get(std::string("/api/v1/accounts/") + kCritical + bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
  }
  EXPECT_EQ(engine_->Get("/api/v1/accounts/nobody/contacts").status, 404);
  EXPECT_EQ(engine_->Get("/api/v1/accounts/nobody/timeline").status, 404);
  EXPECT_EQ(engine_->Get("/api/v1/accounts/%FF%FE/contacts").status, 400);
}

}  // namespace
}  // namespace churnwatch::test
