// Warnings reach account managers through a real Alertmanager (Debian's
// prometheus-alertmanager on loopback) and webhook receivers the test runs — one per manager
// and one for directors — with a real broker and engine. Alertmanager routes by the `owner`
// label, inhibits warnings under a critical alert and sends escalated="true" to directors, as
// deploy/alertmanager/alertmanager.yml does. It groups by account and alert name here (the
// shipped file groups by account): a planted history fires and resolves other signals too,
// and each change of a group re-sends the whole group, which would blur "notified once".
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/alertmanager_process.h"
#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using SysClock = std::chrono::system_clock;

constexpr const char* kToken = "test-token-0123456789abcdef";
constexpr const char* kRiskRule = "external_credit_risk";
constexpr const char* kDeclineRule = "volume_decline_two_quarters";

std::string Iso(SysClock::time_point t) {
  std::time_t tt = SysClock::to_time_t(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
  return buf;
}

json Account(const std::string& id, const std::string& owner, const std::string& credit,
             SysClock::time_point at, const std::string& tier = "KEY") {
  static int n = 0;
  return {{"event_id", "acct-" + id + "-" + std::to_string(++n)},
          {"account_id", id},
          {"occurred_at", Iso(at)},
          {"name", "客户 " + id},
          {"tier", tier},
          {"owner", {{"id", owner}, {"name", "经理 " + owner}, {"email", owner + "@example.com"}}},
          {"region", "华东"},
          {"credit_risk", credit}};
}

json Order(const std::string& account, int n, SysClock::time_point at, int quantity) {
  return {{"event_id", "ord-" + account + "-" + std::to_string(n)},
          {"account_id", account},
          {"occurred_at", Iso(at)},
          {"order_id", "o-" + std::to_string(n)},
          {"product_line", "valves"},
          {"quantity", quantity},
          {"amount_minor", quantity * 1000},
          {"currency", "CNY"},
          {"status", "PLACED"}};
}

// The UTC start of the quarter `back` quarters before the current one.
SysClock::time_point QuarterStart(int back) {
  std::time_t now = SysClock::to_time_t(SysClock::now());
  std::tm tm = *std::gmtime(&now);
  int q = tm.tm_year * 4 + tm.tm_mon / 3 - back;
  std::tm start{};
  start.tm_year = q / 4;
  start.tm_mon = (q % 4) * 3;
  start.tm_mday = 1;
  return SysClock::from_time_t(timegm(&start));
}

class AlertmanagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start(dir_.Sub("broker.log"), {"--partitions", "2"}));
    WriteAlertmanagerConfig();
    ASSERT_TRUE(am_.Start(dir_.Sub("alertmanager.yml"), dir_.Sub("am-data"), dir_.Sub("am.log")));
  }

  void WriteAlertmanagerConfig() {
    auto hook = [&](const std::string& name) {
      return "  - name: " + name +
             "\n    webhook_configs:\n      - url: " + hooks_.url("/" + name) +
             "\n        send_resolved: true\n";
    };
    std::ofstream(dir_.Sub("alertmanager.yml"))
        << "route:\n"
           "  receiver: fallback\n"
           "  group_by: [account_id, alertname]\n"
           "  group_wait: 1s\n"
           "  group_interval: 2s\n"
           "  repeat_interval: 1h\n"
           "  routes:\n"
           "    - matchers: ['escalated=\"true\"']\n"
           "      receiver: directors\n"
           "    - matchers: ['owner=\"mgr-a\"']\n"
           "      receiver: mgr-a\n"
           "    - matchers: ['owner=\"mgr-b\"']\n"
           "      receiver: mgr-b\n"
           "inhibit_rules:\n"
           "  - source_matchers: ['severity=\"critical\"']\n"
           "    target_matchers: ['severity=\"warning\"']\n"
           "    equal: [account_id]\n"
           "receivers:\n"
        << hook("fallback") << hook("mgr-a") << hook("mgr-b") << hook("directors");
  }

  void StartEngine(const std::string& ack_timeout = "1h", const std::string& extra_url = "") {
    std::ofstream(dir_.Sub("engine.yaml"))
        << "time_zone: UTC\n"
           "evaluation: {interval: 1s}\n"
           "http: {token: \""
        << kToken
        << "\"}\n"
           "alertmanager:\n"
           "  urls: [\""
        << am_.url() << "\"" << (extra_url.empty() ? "" : ", \"" + extra_url + "\"")
        << "]\n"
           "  resend_interval: 10s\n"
           "  max_backoff: 2s\n"
           "  ack_timeout: "
        << ack_timeout << "\n  dashboard_url: http://dashboard.example.com\n";
    ASSERT_TRUE(engine_->Start(EngineConfig()));
    ASSERT_TRUE(engine_->WaitReady(std::chrono::seconds(60)));
  }

  EngineOptions EngineConfig() {
    return {broker_.bootstrap(),
            "am-test",
            dir_.Sub("state"),
            dir_.Sub("engine.log"),
            {"--config", dir_.Sub("engine.yaml")}};
  }

  void KillAndRestartEngine() {
    engine_->Kill();
    engine_ = std::make_unique<EngineProcess>();
    ASSERT_TRUE(engine_->Start(EngineConfig()));
  }

  void Send(const std::string& topic, const std::vector<json>& events) {
    static int batch = 0;
    std::string path = dir_.Sub(topic + std::to_string(++batch) + ".ndjson");
    std::ofstream out(path);
    for (const auto& e : events) out << e.dump() << "\n";
    out.close();
    ASSERT_TRUE(
        Produce(broker_.bootstrap(), topic, path, "json", events.size(), dir_.Sub("produce.log")));
  }

  // Waits until `path` got a notification with `alertname` for `account` in `status`.
  ::testing::AssertionResult WaitNotified(const std::string& path, const std::string& alertname,
                                          const std::string& account, const std::string& status,
                                          std::chrono::seconds timeout = seconds(60)) {
    auto r = WaitUntil(
        [&] {
          for (const auto& [s, labels] : hooks_.AlertsFor(path, alertname, account)) {
            if (s == status) return true;
          }
          return false;
        },
        timeout, path + " to receive " + alertname + " " + status + " for " + account);
    if (!r) r << "\nengine log tail:\n" << Tail(engine_->process().Stderr());
    return r;
  }

  static std::string Tail(const std::string& s) {
    return s.size() > 4000 ? s.substr(s.size() - 4000) : s;
  }

  int Count(const std::string& path, const std::string& alertname, const std::string& account,
            const std::string& status) const {
    int n = 0;
    for (const auto& [s, labels] : hooks_.AlertsFor(path, alertname, account)) n += s == status;
    return n;
  }

  std::string FiringAlertId(const std::string& account, const std::string& rule) {
    std::string id;
    EXPECT_TRUE(WaitUntil(
        [&] {
          auto res =
              engine_->Get("/api/v1/alerts?state=firing&account_id=" + account + "&rule=" + rule);
          if (res.status != 200) return false;
          auto body = json::parse(res.body);
          if (body["alerts"].empty()) return false;
          id = body["alerts"][0]["id"];
          return true;
        },
        seconds(60), "a firing " + rule + " alert for " + account));
    return id;
  }

  httplib::Result Ack(const std::string& id, const std::string& token, const std::string& body) {
    httplib::Client client("127.0.0.1", engine_->port());
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Post("/api/v1/alerts/" + id + "/ack", headers, body, "application/json");
  }

  TempDir dir_;
  WebhookReceiver hooks_;
  BrokerProcess broker_;
  AlertmanagerProcess am_;
  std::unique_ptr<EngineProcess> engine_ = std::make_unique<EngineProcess>();
};

TEST_F(AlertmanagerTest, PlantedDeclineReachesItsOwnerOnceAndNeverAnother) {
  StartEngine();
  // Three quarters of decline (1000 → 800 → 500 units), then a normal start of this quarter.
  std::vector<json> orders;
  int n = 0;
  const int per_quarter[4] = {0, 125, 200, 250};  // quantity per order, quarters back 1..3
  for (int back = 3; back >= 1; --back) {
    for (int i = 0; i < 4; ++i)
      orders.push_back(Order("acct-decline", ++n,
                             QuarterStart(back) + std::chrono::hours(24 * (5 + 20 * i)),
                             per_quarter[back]));
  }
  orders.push_back(Order("acct-decline", ++n, SysClock::now() - std::chrono::hours(48), 400));
  Send("accounts",
       {Account("acct-decline", "mgr-a", "NONE", QuarterStart(4) + std::chrono::hours(24))});
  Send("orders", orders);

  ASSERT_TRUE(WaitNotified("/mgr-a", kDeclineRule, "acct-decline", "firing"));
  // Re-sent every 10 s, grouped every 2 s: it must still have reached the manager only once.
  std::this_thread::sleep_for(seconds(12));
  EXPECT_EQ(Count("/mgr-a", kDeclineRule, "acct-decline", "firing"), 1)
      << json(hooks_.Received("/mgr-a")).dump(1);
  EXPECT_TRUE(hooks_.Received("/mgr-b").empty());
  EXPECT_TRUE(hooks_.Received("/directors").empty());

  // What the manager's phone shows: labels to route by, Chinese text, evidence, a link.
  json alert;
  for (const auto& note : hooks_.Received("/mgr-a")) {
    for (const auto& a : note["alerts"]) {
      if (a["labels"].value("alertname", "") == kDeclineRule) alert = a;
    }
  }
  ASSERT_TRUE(alert.is_object());
  const json& labels = alert["labels"];
  EXPECT_EQ(labels.value("owner", ""), "mgr-a");
  EXPECT_EQ(labels.value("owner_email", ""), "mgr-a@example.com");
  EXPECT_EQ(labels.value("account_name", ""), "客户 acct-decline");
  EXPECT_EQ(labels.value("tier", ""), "key");
  EXPECT_EQ(labels.value("severity", ""), "critical");
  EXPECT_EQ(labels.value("signal", ""), "volume_decline");
  EXPECT_EQ(labels.value("region", ""), "华东");
  const json& ann = alert["annotations"];
  EXPECT_NE(ann.value("summary", "").find("采购量连续两季度下降"), std::string::npos) << ann;
  EXPECT_NE(ann.value("action", "").find("24 小时内"), std::string::npos) << ann;
  EXPECT_NE(ann.value("evidence", "").find("qty_q1 = 500"), std::string::npos) << ann;
  EXPECT_EQ(ann.value("dashboard", ""), "http://dashboard.example.com/#/account/acct-decline");

  auto metrics = engine_->ScrapeMetrics();
  EXPECT_GE(SumMetric(metrics, "churnwatch_alertmanager_notifications_sent_total"), 1);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_alertmanager_notifications_queued"), 0);
}

TEST_F(AlertmanagerTest, SilenceCreatedInAlertmanagerSuppressesTheWarning) {
  StartEngine();
  ASSERT_FALSE(am_.Silence("account_id", "acct-silenced").empty());
  Send("accounts", {Account("acct-silenced", "mgr-a", "DISTRESSED", SysClock::now()),
                    Account("acct-loud", "mgr-a", "DISTRESSED", SysClock::now())});
  // The unsilenced twin proves notifications flow; the silenced one must not arrive.
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-loud", "firing"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        json alerts = am_.Alerts();
        if (!alerts.is_array()) return false;
        for (const auto& a : alerts) {
          if (a["labels"].value("account_id", "") == "acct-silenced")
            return a["status"].value("state", "") == "suppressed";
        }
        return false;
      },
      seconds(30), "the Alertmanager to hold acct-silenced's alert as suppressed"));
  std::this_thread::sleep_for(seconds(6));
  EXPECT_EQ(Count("/mgr-a", kRiskRule, "acct-silenced", "firing"), 0);
}

TEST_F(AlertmanagerTest, ResolutionArrives) {
  StartEngine();
  Send("accounts", {Account("acct-r", "mgr-a", "DISTRESSED", SysClock::now() - seconds(30))});
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-r", "firing"));
  Send("accounts", {Account("acct-r", "mgr-a", "NONE", SysClock::now())});
  // Sooner than the Alertmanager would resolve it by itself (endsAt = last send + 40 s).
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-r", "resolved", seconds(20)));
  auto res = engine_->Get("/api/v1/accounts/acct-r/alerts");
  ASSERT_EQ(res.status, 200) << res.body;
  auto history = json::parse(res.body)["history"];
  std::vector<std::string> kinds;
  for (const auto& h : history) {
    if (h["rule"] == kRiskRule) kinds.push_back(h["kind"]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"FIRING", "RESOLVED"})) << history;
}

TEST_F(AlertmanagerTest, NotificationSurvivesAlertmanagerOutageAndEngineCrash) {
  StartEngine();
  am_.Stop();
  Send("accounts", {Account("acct-down", "mgr-a", "DISTRESSED", SysClock::now())});
  // Queued and failing, yet the engine stays ready: delivery lag is a metric, not an outage.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto m = engine_->ScrapeMetrics();
        return SumMetric(m, "churnwatch_alertmanager_notifications_queued") >= 1 &&
               SumMetric(m, "churnwatch_alertmanager_notifications_failed_total") >= 1;
      },
      seconds(60), "the notification to be queued and its delivery to fail"));
  EXPECT_EQ(engine_->Get("/readyz").status, 200);

  // SIGKILL: the queued notification lives in the store, not in memory.
  ASSERT_NO_FATAL_FAILURE(KillAndRestartEngine());
  ASSERT_TRUE(am_.Start(dir_.Sub("alertmanager.yml"), dir_.Sub("am-data"), dir_.Sub("am.log")));
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-down", "firing"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SumMetric(engine_->ScrapeMetrics(),
                         "churnwatch_alertmanager_notifications_queued") == 0;
      },
      seconds(30), "the queue to drain"));

  // The resolution while the Alertmanager is down, across another crash, arrives too.
  am_.Stop();
  Send("accounts", {Account("acct-down", "mgr-a", "NONE", SysClock::now())});
  ASSERT_TRUE(WaitUntil(
      [&] {
        return SumMetric(engine_->ScrapeMetrics(),
                         "churnwatch_alertmanager_notifications_queued") >= 1;
      },
      seconds(60), "the resolution to be queued"));
  ASSERT_NO_FATAL_FAILURE(KillAndRestartEngine());
  ASSERT_TRUE(am_.Start(dir_.Sub("alertmanager.yml"), dir_.Sub("am-data"), dir_.Sub("am.log")));
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-down", "resolved"));
}

// An HA pair with one member down: the other delivers, and only the dead URL counts failures
// and a queue.
TEST_F(AlertmanagerTest, HaPairWithOneMemberDownStillDelivers) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(FreeLoopbackPort());
  StartEngine("1h", dead);
  Send("accounts", {Account("acct-ha", "mgr-a", "DISTRESSED", SysClock::now())});
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-ha", "firing"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto m = engine_->ScrapeMetrics();
        return MetricValue(m, "churnwatch_alertmanager_notifications_failed_total", {{"url", dead}})
                       .value_or(0) >= 1 &&
               MetricValue(m, "churnwatch_alertmanager_notifications_queued", {{"url", dead}})
                       .value_or(0) >= 1;
      },
      seconds(30), "the dead URL to count a failure and keep the entry"));
  auto m = engine_->ScrapeMetrics();
  EXPECT_EQ(
      MetricValue(m, "churnwatch_alertmanager_notifications_failed_total", {{"url", am_.url()}})
          .value_or(-1),
      0);
  // The gauge is refreshed every second: the live URL's queue drains.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return MetricValue(engine_->ScrapeMetrics(), "churnwatch_alertmanager_notifications_queued",
                           {{"url", am_.url()}})
                   .value_or(-1) == 0;
      },
      seconds(10), "the live URL's queue to drain"));
  EXPECT_EQ(engine_->Get("/readyz").status, 200);
}

TEST_F(AlertmanagerTest, OwnerChangeReroutesTheOpenAlert) {
  StartEngine();
  Send("accounts", {Account("acct-move", "mgr-a", "DISTRESSED", SysClock::now() - seconds(30))});
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-move", "firing"));
  EXPECT_EQ(Count("/mgr-b", kRiskRule, "acct-move", "firing"), 0);
  // The CRM hands the account to manager B; the alert is still open.
  Send("accounts", {Account("acct-move", "mgr-b", "DISTRESSED", SysClock::now())});
  ASSERT_TRUE(WaitNotified("/mgr-b", kRiskRule, "acct-move", "firing"));
  // A's copy is closed, so A's view no longer shows an alert that is not A's any more.
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-move", "resolved", seconds(20)));
  auto res = engine_->Get("/api/v1/accounts/acct-move/alerts");
  ASSERT_EQ(res.status, 200);
  bool rerouted = false;
  const json body = json::parse(res.body);
  for (const auto& h : body["history"]) {
    if (h["kind"] == "REROUTED") rerouted = h.value("previous_owner", "") == "mgr-a";
  }
  EXPECT_TRUE(rerouted) << res.body;
}

TEST_F(AlertmanagerTest, UnacknowledgedCriticalAlertEscalatesAcknowledgedDoesNot) {
  StartEngine("20s");
  Send("accounts", {Account("acct-acked", "mgr-a", "DISTRESSED", SysClock::now()),
                    Account("acct-ignored", "mgr-a", "DISTRESSED", SysClock::now())});
  ASSERT_TRUE(WaitNotified("/mgr-a", kRiskRule, "acct-acked", "firing"));
  std::string id = FiringAlertId("acct-acked", kRiskRule);
  ASSERT_FALSE(id.empty());

  // Writes need the token.
  auto refused = Ack(id, "", R"({"by":"mgr-a"})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto wrong = Ack(id, "test-token-0123456789abcdeX", R"({"by":"mgr-a"})");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto bad = Ack(id, kToken, R"({"by":""})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  auto unknown = Ack("no-such-alert", kToken, R"({"by":"mgr-a"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  auto ok = Ack(id, kToken, R"({"by":"经理 mgr-a","note":"明天拜访客户，制定修复计划"})");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(json::parse(ok->body)["ack"]["by"], "经理 mgr-a");

  ASSERT_TRUE(WaitNotified("/directors", kRiskRule, "acct-ignored", "firing", seconds(60)));
  std::this_thread::sleep_for(seconds(4));
  EXPECT_EQ(Count("/directors", kRiskRule, "acct-acked", "firing"), 0);
  // The directors see the manager's alert: same account, owner and severity.
  for (const auto& [status, labels] : hooks_.AlertsFor("/directors", kRiskRule, "acct-ignored")) {
    EXPECT_EQ(labels.value("owner", ""), "mgr-a");
    EXPECT_EQ(labels.value("severity", ""), "critical");
  }

  // The API shows both: who acknowledged, and what escalated.
  auto alerts = json::parse(
      engine_->Get("/api/v1/alerts?state=firing&rule=" + std::string(kRiskRule)).body)["alerts"];
  for (const auto& a : alerts) {
    if (a["account_id"] == "acct-acked") {
      EXPECT_EQ(a["ack"]["note"], "明天拜访客户，制定修复计划");
      EXPECT_EQ(a["escalated"], false);
    } else if (a["account_id"] == "acct-ignored") {
      EXPECT_TRUE(a["ack"].is_null());
      EXPECT_EQ(a["escalated"], true);
    }
  }
  EXPECT_GE(SumMetric(engine_->ScrapeMetrics(), "churnwatch_alert_escalations_total"), 1);
  EXPECT_GE(SumMetric(engine_->ScrapeMetrics(), "churnwatch_alert_acks_total"), 1);
  // A late acknowledgement closes the directors' copy (well before its endsAt would).
  std::string ignored = FiringAlertId("acct-ignored", kRiskRule);
  auto late = Ack(ignored, kToken, R"({"by":"经理 mgr-a","note":"已处理"})");
  ASSERT_TRUE(late);
  ASSERT_EQ(late->status, 200) << late->body;
  ASSERT_TRUE(WaitNotified("/directors", kRiskRule, "acct-ignored", "resolved", seconds(20)));
  EXPECT_EQ(Count("/mgr-a", kRiskRule, "acct-ignored", "resolved"), 0);

  auto history = json::parse(engine_->Get("/api/v1/accounts/acct-acked/alerts").body)["history"];
  ASSERT_EQ(history.size(), 2u) << history;
  EXPECT_EQ(history[1]["kind"], "ACKNOWLEDGED");
  EXPECT_EQ(history[1]["ack"]["by"], "经理 mgr-a");
}

}  // namespace
}  // namespace churnwatch::test
