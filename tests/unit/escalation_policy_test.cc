// The 24-hour response: when a critical alert escalates (escalation_policy.h), and the notifier
// escalating an overdue repair plan to a real HTTP receiver standing in for Alertmanager,
// driven by a clock the test moves — no waiting for real hours.
#include <gtest/gtest.h>
#include <httplib.h>
#include <prometheus/registry.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/calendar.h"
#include "notify/escalation_policy.h"
#include "notify/notifier.h"
#include "state/key_codec.h"
#include "state/partition_store.h"
#include "state/store_resources.h"
#include "temp_dir.h"

namespace churnwatch {
namespace {

using nlohmann::json;
using notify::EscalationDue;
using notify::EscalationReason;
using notify::PlanState;

constexpr UnixMicros kT0 = 1'800'000'000'000'000;
constexpr int64_t kHour = 3600 * kMicrosPerSecond;

v1::Alert Critical() {
  v1::Alert a;
  a.set_id("alert-1");
  a.set_account_id("ACC-1");
  a.set_rule("reference_withdrawn");
  a.set_signal("reference_withdrawn");
  a.set_severity("critical");
  a.set_state(v1::ALERT_STATE_FIRING);
  a.mutable_started_at()->set_seconds(kT0 / kMicrosPerSecond);
  return a;
}

v1::AckRecord AckWithPlan(UnixMicros due, UnixMicros done = 0) {
  v1::AckRecord ack;
  ack.set_alert_id("alert-1");
  ack.set_account_id("ACC-1");
  ack.set_by("王经理");
  ack.set_at_us(kT0 + kHour);
  ack.mutable_plan()->set_text("拜访决策人");
  ack.mutable_plan()->set_owner("张总监");
  ack.mutable_plan()->set_due_at_us(due);
  if (done != 0) {
    ack.mutable_plan()->set_done_at_us(done);
    ack.mutable_plan()->set_done_by("张总监");
  }
  return ack;
}

TEST(EscalationPolicy, UnacknowledgedCriticalEscalatesAfterTheTimeout) {
  const v1::Alert a = Critical();
  EXPECT_EQ(EscalationDue(a, nullptr, kT0, kT0 + 23 * kHour, 24 * kHour), EscalationReason::kNone);
  EXPECT_EQ(EscalationDue(a, nullptr, kT0, kT0 + 24 * kHour, 24 * kHour),
            EscalationReason::kUnacknowledged);
  // Not before anyone was told, and never below critical.
  EXPECT_EQ(EscalationDue(a, nullptr, 0, kT0 + 48 * kHour, 24 * kHour), EscalationReason::kNone);
  v1::Alert warning = a;
  warning.set_severity("warning");
  EXPECT_EQ(EscalationDue(warning, nullptr, kT0, kT0 + 48 * kHour, 24 * kHour),
            EscalationReason::kNone);
}

TEST(EscalationPolicy, AnOverduePlanEscalatesUntilDone) {
  const v1::Alert a = Critical();
  v1::AckRecord plain;
  plain.set_by("王经理");
  EXPECT_EQ(EscalationDue(a, &plain, kT0, kT0 + 100 * kHour, 24 * kHour), EscalationReason::kNone)
      << "an acknowledgement without a plan ends escalation for good";
  const v1::AckRecord open = AckWithPlan(kT0 + 5 * kHour);
  EXPECT_EQ(EscalationDue(a, &open, kT0, kT0 + 4 * kHour, 24 * kHour), EscalationReason::kNone);
  EXPECT_EQ(EscalationDue(a, &open, kT0, kT0 + 5 * kHour, 24 * kHour),
            EscalationReason::kPlanOverdue);
  const v1::AckRecord done = AckWithPlan(kT0 + 5 * kHour, kT0 + 6 * kHour);
  EXPECT_EQ(EscalationDue(a, &done, kT0, kT0 + 7 * kHour, 24 * kHour), EscalationReason::kNone);
  EXPECT_EQ(notify::PlanStateAt(open.plan(), kT0 + 4 * kHour), PlanState::kOpen);
  EXPECT_EQ(notify::PlanStateAt(open.plan(), kT0 + 5 * kHour), PlanState::kOverdue);
  EXPECT_EQ(notify::PlanStateAt(done.plan(), kT0 + 9 * kHour), PlanState::kDone);
  EXPECT_EQ(notify::PlanStateName(PlanState::kOverdue), "overdue");
  EXPECT_EQ(notify::EscalationReasonName(EscalationReason::kPlanOverdue), "plan_overdue");
}

// A real HTTP server taking POST /api/v2/alerts, as Alertmanager does; keeps every alert.
class AlertReceiver {
 public:
  AlertReceiver() {
    server_.Post("/api/v2/alerts", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      for (auto& a : json::parse(req.body)) alerts_.push_back(std::move(a));
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~AlertReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<json> alerts() const {
    std::lock_guard lock(mu_);
    return alerts_;
  }
  // Waits (polling, 10 s at most) until some received alert satisfies `pred`.
  bool WaitFor(const std::function<bool(const json&)>& pred) const {
    for (int i = 0; i < 500; ++i) {
      for (const auto& a : alerts())
        if (pred(a)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<json> alerts_;
};

bool Escalated(const json& a) { return a["labels"].value("escalated", "") == "true"; }

double CounterValue(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect())
    if (family.name == name && !family.metric.empty()) return family.metric[0].counter.value;
  return -1;
}

TEST(Notifier, EscalatesAnOverdueRepairPlanAndClosesTheCopyWhenItIsDone) {
  testutil::TempDir dir;
  auto resources = state::StoreResources::Create(8 << 20, 8 << 20);
  auto opened = state::PartitionStore::Open(dir.path() + "/p0", Partition(0), {}, resources);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<state::PartitionStore> store = std::move(*opened);
  // A critical alert firing since kT0, its manager notified then.
  v1::AlertRecord record;
  record.set_id("alert-1");
  record.set_rule("reference_withdrawn");
  record.set_state(v1::ALERT_STATE_FIRING);
  *record.mutable_alert() = Critical();
  state::StoreBatch batch = store->NewBatch();
  batch.Put(state::Family::kAlerts, state::AlertKey("ACC-1", "reference_withdrawn"),
            record.SerializeAsString());
  batch.Put(state::Family::kAcks, state::NotifiedKey("alert-1"), state::EncodeInt64(kT0));
  ASSERT_TRUE(store->Write(batch).ok());

  AlertReceiver receiver;
  prometheus::Registry registry;
  ManualClock clock(kT0 + kHour);
  notify::NotifyOptions options;
  options.alertmanager_urls = {receiver.url()};
  options.resend_interval_us = 10 * 60 * kMicrosPerSecond;
  notify::Notifier notifier(options, &registry, &clock);
  ASSERT_TRUE(notifier.Attach(Partition(0), store).ok());
  // Acknowledged an hour in with a plan due three hours later.
  notifier.Acknowledged(Partition(0), AckWithPlan(kT0 + 4 * kHour), Critical(), true);
  notifier.Start();
  ASSERT_TRUE(receiver.WaitFor([](const json& a) { return !Escalated(a); }));
  // Two hours in: a full re-send goes out (proof a round ran), without a directors' copy.
  clock.Set(kT0 + 2 * kHour);
  const size_t before = receiver.alerts().size();
  ASSERT_TRUE(receiver.WaitFor([&](const json&) { return receiver.alerts().size() > before; }));
  for (const auto& a : receiver.alerts()) EXPECT_FALSE(Escalated(a)) << a;
  EXPECT_EQ(notifier.PlanEscalatedAt("alert-1"), 0);

  // Past the plan's due time: the directors get the copy, with the plan in it.
  clock.Set(kT0 + 5 * kHour);
  ASSERT_TRUE(receiver.WaitFor([](const json& a) {
    return Escalated(a) && a["annotations"].value("repair_plan", "") == "拜访决策人";
  }));
  for (int i = 0; i < 100 && notifier.PlanEscalatedAt("alert-1") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(notifier.PlanEscalatedAt("alert-1"), kT0 + 5 * kHour);
  EXPECT_EQ(notifier.EscalatedAt("alert-1"), kT0 + 5 * kHour);
  EXPECT_EQ(CounterValue(registry, "churnwatch_alert_plan_escalations_total"), 1);
  EXPECT_EQ(CounterValue(registry, "churnwatch_alert_escalations_total"), 0);
  auto stored = store->Get(state::Family::kAcks, state::PlanEscalatedKey("alert-1"));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(state::DecodeInt64(**stored), kT0 + 5 * kHour);

  // Marked done: the directors' copy is resolved (endsAt now), and no new copy follows.
  clock.Set(kT0 + 6 * kHour);
  notifier.Acknowledged(Partition(0), AckWithPlan(kT0 + 4 * kHour, kT0 + 6 * kHour), Critical(),
                        false);
  const std::string now = FormatRfc3339(kT0 + 6 * kHour);
  ASSERT_TRUE(receiver.WaitFor(
      [&](const json& a) { return Escalated(a) && a.value("endsAt", "") == now; }));
  EXPECT_EQ(CounterValue(registry, "churnwatch_alert_plan_escalations_total"), 1);
  notifier.Stop();
  notifier.Detach(Partition(0));

  // A restart keeps when the plan escalated (it is in the store with the alert).
  prometheus::Registry registry2;
  notify::Notifier again(options, &registry2, &clock);
  ASSERT_TRUE(again.Attach(Partition(0), store).ok());
  EXPECT_EQ(again.PlanEscalatedAt("alert-1"), kT0 + 5 * kHour);
  again.Detach(Partition(0));
}

TEST(NotifyMetrics, ResponseTimeIsObservedOnceByBoundedSeverity) {
  testutil::TempDir dir;
  prometheus::Registry registry;
  ManualClock clock(kT0);
  notify::Notifier notifier({}, &registry, &clock);
  v1::Alert odd = Critical();
  odd.set_severity("account-ACC-1");  // never a label value of its own
  notifier.Acknowledged(Partition(0), AckWithPlan(kT0 + 5 * kHour), Critical(), true);
  notifier.Acknowledged(Partition(0), AckWithPlan(kT0 + 5 * kHour), Critical(), false);
  notifier.Acknowledged(Partition(0), AckWithPlan(kT0 + 5 * kHour), odd, true);
  std::map<std::string, uint64_t> counts;
  double sum = 0;
  for (const auto& family : registry.Collect()) {
    if (family.name != "churnwatch_alert_ack_seconds") continue;
    for (const auto& m : family.metric) {
      counts[m.label.at(0).value] = m.histogram.sample_count;
      sum += m.histogram.sample_sum;
    }
  }
  EXPECT_EQ(counts, (std::map<std::string, uint64_t>{{"critical", 1}, {"other", 1}}));
  EXPECT_DOUBLE_EQ(sum, 2 * 3600.0) << "an hour from firing to acknowledgement, twice";
}

}  // namespace
}  // namespace churnwatch
