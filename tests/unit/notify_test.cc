// The Alertmanager payload (labels, annotations, endsAt), history keys, the token comparison,
// the Notifier's durable, coalescing outbox against a real RocksDB store (no delivery thread:
// delivery is proven against a real Alertmanager in tests/alertmanager), and history pruning.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/calendar.h"
#include "http/http_server.h"
#include "notify/alertmanager_payload.h"
#include "notify/notifier.h"
#include "state/key_codec.h"
#include "state/partition_store.h"
#include "state/store_resources.h"
#include "temp_dir.h"

namespace churnwatch {
namespace {

using nlohmann::json;

v1::Alert SampleAlert() {
  v1::Alert a;
  a.set_id("abc123");
  a.set_account_id("客户/1 a");
  a.set_rule("volume_decline_two_quarters");
  a.set_signal("volume_decline");
  a.set_severity("critical");
  a.set_state(v1::ALERT_STATE_FIRING);
  a.mutable_started_at()->set_seconds(1'700'000'000);
  (*a.mutable_labels())["owner"] = "E1001";
  (*a.mutable_labels())["region"] = "";  // empty labels are left out
  (*a.mutable_annotations())["summary"] = "采购量连续两季度下降";
  (*a.mutable_evidence())["qty_change_q1"].set_number_value(-0.375);
  (*a.mutable_evidence())["days_since_last_order"].set_number_value(12);
  (*a.mutable_evidence())["quarter_q1"].set_string_value("2026Q3");
  (*a.mutable_evidence())["silence_ratio"].set_null_value(google::protobuf::NULL_VALUE);
  return a;
}

TEST(AlertmanagerPayload, LabelsAnnotationsAndTimes) {
  v1::AckRecord ack;
  ack.set_by("张伟");
  ack.set_note("明天拜访");
  notify::OutgoingAlert out{SampleAlert(), 1'700'000'240'000'000, true, &ack};
  // startsAt never after endsAt (Alertmanager refuses that): an early end clamps the start.
  json early = json::parse(
      notify::RenderPostableAlerts({{SampleAlert(), 1'600'000'000'000'000, false, nullptr}}, {}));
  EXPECT_EQ(early[0]["startsAt"], early[0]["endsAt"]);
  json body = json::parse(notify::RenderPostableAlerts({out}, {"https://cw.example/", "zh-CN"}));
  ASSERT_EQ(body.size(), 1u);
  const json& a = body[0];
  EXPECT_EQ(a["labels"]["alertname"], "volume_decline_two_quarters");
  EXPECT_EQ(a["labels"]["account_id"], "客户/1 a");
  EXPECT_EQ(a["labels"]["severity"], "critical");
  EXPECT_EQ(a["labels"]["signal"], "volume_decline");
  EXPECT_EQ(a["labels"]["owner"], "E1001");
  EXPECT_EQ(a["labels"]["escalated"], "true");
  EXPECT_FALSE(a["labels"].contains("region"));
  EXPECT_EQ(a["annotations"]["summary"], "采购量连续两季度下降");
  EXPECT_EQ(a["annotations"]["acknowledged_by"], "张伟");
  EXPECT_EQ(a["annotations"]["ack_note"], "明天拜访");
  EXPECT_EQ(a["annotations"]["dashboard"],
            "https://cw.example/#/account/%E5%AE%A2%E6%88%B7%2F1%20a");
  EXPECT_EQ(a["generatorURL"], a["annotations"]["dashboard"]);
  EXPECT_EQ(ParseRfc3339(a["startsAt"].get<std::string>()).value(), 1'700'000'000'000'000);
  EXPECT_EQ(ParseRfc3339(a["endsAt"].get<std::string>()).value(), 1'700'000'240'000'000);
}

TEST(AlertmanagerPayload, EvidenceInWordsBothLanguages) {
  EXPECT_EQ(notify::EvidenceInWords(SampleAlert(), "zh-CN"),
            "days_since_last_order = 12 天；qty_change_q1 = -37.5%；quarter_q1 = 2026Q3；"
            "silence_ratio = 无数据");
  EXPECT_EQ(notify::EvidenceInWords(SampleAlert(), "en"),
            "days_since_last_order = 12 days; qty_change_q1 = -37.5%; quarter_q1 = 2026Q3; "
            "silence_ratio = no data");
}

TEST(AlertmanagerPayload, NoDashboardNoLink) {
  json body = json::parse(notify::RenderPostableAlerts({{SampleAlert(), 0, false, nullptr}}, {}));
  EXPECT_FALSE(body[0]["annotations"].contains("dashboard"));
  EXPECT_FALSE(body[0].contains("generatorURL"));
  EXPECT_FALSE(body[0]["labels"].contains("escalated"));
}

TEST(HistoryKeys, SortByTimeWithinAccountAndParseBack) {
  std::string before = state::HistoryKey("a", -5, 9, state::kHistoryFromTask);
  std::string zero = state::HistoryKey("a", 0, 1, state::kHistoryFromApi);
  std::string later = state::HistoryKey("a", 1'700'000'000'000'000, 0, state::kHistoryFromTask);
  EXPECT_LT(before, zero);
  EXPECT_LT(zero, later);
  EXPECT_EQ(state::HistoryKeyTime(before), -5);
  EXPECT_EQ(state::HistoryKeyTime(later), 1'700'000'000'000'000);
  EXPECT_EQ(later.rfind(state::AccountPrefix("a"), 0), 0u);
  EXPECT_FALSE(state::HistoryKeyTime(state::AccountPrefix("a") + "short").has_value());
  EXPECT_NE(state::HistoryKey("a", 7, 1, state::kHistoryFromTask),
            state::HistoryKey("a", 7, 1, state::kHistoryFromApi));
}

TEST(BearerToken, ConstantTimeEquals) {
  EXPECT_TRUE(http::ConstantTimeEquals("0123456789abcdef", "0123456789abcdef"));
  EXPECT_FALSE(http::ConstantTimeEquals("0123456789abcdef", "0123456789abcdeF"));
  EXPECT_FALSE(http::ConstantTimeEquals("0123456789abcdef", "0123456789abcde"));
  EXPECT_FALSE(http::ConstantTimeEquals("", "x"));
  EXPECT_TRUE(http::ConstantTimeEquals("", ""));
}

// Entries staged in a batch survive a restart (a new Notifier attaching the same store) and
// are dropped when their URL is no longer configured.
TEST(Notifier, OutboxIsDurableAndFollowsTheConfiguredUrls) {
  testutil::TempDir dir;
  auto resources = state::StoreResources::Create(8 << 20, 8 << 20);
  auto opened = state::PartitionStore::Open(dir.path() + "/p0", Partition(0), {}, resources);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<state::PartitionStore> store = std::move(*opened);
  prometheus::Registry registry;
  ManualClock clock(1'700'000'000'000'000);
  notify::NotifyOptions options;
  options.alertmanager_urls = {"http://127.0.0.1:1", "http://127.0.0.1:2"};  // nothing listens
  {
    notify::Notifier notifier(options, &registry, &clock);
    ASSERT_TRUE(notifier.Attach(Partition(0), store).ok());
    uint64_t seq = 0;
    state::StoreBatch batch = store->NewBatch();
    std::vector<notify::Notifier::Staged> staged;
    notifier.Stage(SampleAlert(), nullptr, 42, &seq, &batch, &staged);
    EXPECT_EQ(staged.size(), 2u);  // one per URL
    EXPECT_EQ(seq, 2u);
    ASSERT_TRUE(store->Write(batch).ok());
    notifier.Committed(Partition(0), std::move(staged));
    EXPECT_EQ(notifier.queued("http://127.0.0.1:1"), 1u);
    notifier.Detach(Partition(0));
    EXPECT_EQ(notifier.queued("http://127.0.0.1:1"), 0u);
  }
  int entries = 0;
  ASSERT_TRUE(store
                  ->ScanAll(state::Family::kNotify,
                            [&](std::string_view, std::string_view v) {
                              v1::NotificationEntry e;
                              EXPECT_TRUE(e.ParseFromArray(v.data(), static_cast<int>(v.size())));
                              EXPECT_EQ(e.alert().id(), "abc123");
                              EXPECT_EQ(e.fired_at_us(), 42);
                              ++entries;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(entries, 2);

  // Restarted with only the first URL: its entry stays, the other URL's is dropped.
  prometheus::Registry registry2;
  options.alertmanager_urls = {"http://127.0.0.1:1"};
  notify::Notifier again(options, &registry2, &clock);
  ASSERT_TRUE(again.Attach(Partition(0), store).ok());
  std::vector<std::string> urls;
  ASSERT_TRUE(store
                  ->ScanAll(state::Family::kNotify,
                            [&](std::string_view, std::string_view v) {
                              v1::NotificationEntry e;
                              e.ParseFromArray(v.data(), static_cast<int>(v.size()));
                              urls.push_back(e.url());
                              return true;
                            })
                  .ok());
  EXPECT_EQ(urls, std::vector<std::string>{"http://127.0.0.1:1"});
  EXPECT_EQ(again.queued("http://127.0.0.1:1"), 1u);

  // The alert resolves while the URL is still down: the queue keeps only its newest state.
  v1::Alert resolved = SampleAlert();
  resolved.set_state(v1::ALERT_STATE_RESOLVED);
  uint64_t seq = 10;
  state::StoreBatch batch = store->NewBatch();
  std::vector<notify::Notifier::Staged> staged;
  again.Stage(resolved, nullptr, 42, &seq, &batch, &staged);
  ASSERT_TRUE(store->Write(batch).ok());
  again.Committed(Partition(0), std::move(staged));
  EXPECT_EQ(again.queued("http://127.0.0.1:1"), 1u);
  again.Detach(Partition(0));
  // The replaced entry is deleted from the store at once: the store is bounded too.
  int stored = 0;
  ASSERT_TRUE(store
                  ->ScanAll(state::Family::kNotify,
                            [&](std::string_view, std::string_view) { return ++stored > 0; })
                  .ok());
  EXPECT_EQ(stored, 1);
  // And after a restart.
  prometheus::Registry registry3;
  notify::Notifier third(options, &registry3, &clock);
  ASSERT_TRUE(third.Attach(Partition(0), store).ok());
  EXPECT_EQ(third.queued("http://127.0.0.1:1"), 1u);
  third.Detach(Partition(0));
}

// History rows and acknowledgements older than the retention are deleted by the notifier's
// thread; newer ones stay.
TEST(Notifier, PrunesHistoryPastRetention) {
  testutil::TempDir dir;
  auto resources = state::StoreResources::Create(8 << 20, 8 << 20);
  auto opened = state::PartitionStore::Open(dir.path() + "/p0", Partition(0), {}, resources);
  ASSERT_TRUE(opened.ok());
  std::shared_ptr<state::PartitionStore> store = std::move(*opened);
  const UnixMicros now = 1'800'000'000'000'000;
  const UnixMicros old = now - 40 * kMicrosPerDay, recent = now - 2 * kMicrosPerDay;
  state::StoreBatch batch = store->NewBatch();
  v1::HistoryEntry h;
  h.set_kind("FIRING");
  batch.Put(state::Family::kHistory, state::HistoryKey("a", old, 1, state::kHistoryFromTask),
            h.SerializeAsString());
  batch.Put(state::Family::kHistory, state::HistoryKey("a", recent, 2, state::kHistoryFromTask),
            h.SerializeAsString());
  v1::AckRecord ack_old, ack_new;
  ack_old.set_at_us(old);
  ack_new.set_at_us(recent);
  batch.Put(state::Family::kAcks, state::AckKey("x"), ack_old.SerializeAsString());
  batch.Put(state::Family::kAcks, state::AckKey("y"), ack_new.SerializeAsString());
  ASSERT_TRUE(store->Write(batch).ok());

  prometheus::Registry registry;
  ManualClock clock(now);
  notify::NotifyOptions options;
  options.history_retention_us = 30 * kMicrosPerDay;
  notify::Notifier notifier(options, &registry, &clock);
  ASSERT_TRUE(notifier.Attach(Partition(0), store).ok());
  notifier.Start();
  auto count = [&](state::Family f) {
    int n = 0;
    store->ScanAll(f, [&](std::string_view, std::string_view) { return ++n > 0; }).IgnoreError();
    return n;
  };
  for (int i = 0; i < 100 && count(state::Family::kHistory) != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(count(state::Family::kHistory), 1);
  EXPECT_EQ(count(state::Family::kAcks), 1);
  EXPECT_TRUE(store->Get(state::Family::kAcks, state::AckKey("y")).value().has_value());
  notifier.Stop();
  notifier.Detach(Partition(0));
}

}  // namespace
}  // namespace churnwatch
