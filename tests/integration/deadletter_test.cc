// Hostile events: every rejected message lands in the dead-letter topic with the right reason
// and its exact source (topic, partition, offset), the per-reason counters match exactly, a
// repeated event_id is counted once as a duplicate and applied once (a reused id with other
// content is counted apart, as a conflict, whether the first is in the same batch or already in
// the store), and valid events sent
// after the bad ones are applied: the engine keeps going and stays ready.
//
// Messages are sent raw with the engine's Kafka producer (a real librdkafka client), each to
// an explicit partition, so the offset of the i-th message sent to a partition is i.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "churnwatch/v1/order.pb.h"
#include "kafka/producer.h"
#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kLagSeries = 4 * 6;

struct Message {
  std::string name;
  std::string topic;
  int32_t partition;
  std::string key;
  std::string payload;
  std::string reason;   // expected dead-letter reason; "" = accepted
  int64_t offset = -1;  // assigned when sent
};

std::string Order(const std::string& event_id, const std::string& account, int64_t quantity,
                  const std::string& status = "PLACED") {
  return json{{"event_id", event_id},
              {"account_id", account},
              {"occurred_at", "2026-05-10T08:00:00Z"},
              {"order_id", "SO-" + event_id},
              {"product_line", "PL-DL"},
              {"quantity", quantity},
              {"amount_minor", quantity * 1000},
              {"currency", "CNY"},
              {"status", status}}
      .dump();
}

std::vector<Message> HostileMessages() {
  std::vector<Message> m;
  auto orders = [&](std::string name, std::string key, std::string payload, std::string reason) {
    m.push_back(
        {std::move(name), "orders", 0, std::move(key), std::move(payload), std::move(reason)});
  };
  // A complete binary OrderEvent (valid) and its first half (not decodable).
  v1::OrderEvent proto;
  proto.set_event_id("dl-proto");
  proto.set_account_id("dl-ok");
  proto.mutable_occurred_at()->set_seconds(1'778'400'000);  // 2026-05-10
  proto.set_order_id("SO-proto");
  proto.set_product_line("PL-DL");
  proto.set_quantity(2);
  proto.set_amount_minor(2000);
  proto.set_currency("CNY");
  proto.set_status(v1::ORDER_STATUS_PLACED);
  std::string full = proto.SerializeAsString();
  std::string half = full.substr(0, full.size() / 2);

  json wrong_amount = json::parse(Order("dl-bad-amount", "dl-types", 1));
  wrong_amount["amount_minor"] = json{{"units", 5}};
  json wrong_qty = json::parse(Order("dl-bad-qty", "dl-types", 1));
  wrong_qty["quantity"] = "abc";
  json no_account = json::parse(Order("dl-no-account", "x", 1));
  no_account.erase("account_id");
  json big = json::parse(Order("dl-big", "dl-big", 1));
  big["padding"] = std::string(2'000'000, 'x');
  std::string bad_utf8 = Order("dl-utf8", "dl-utf8", 1);
  bad_utf8.replace(bad_utf8.find("PL-DL"), 5, "PL-\xff\xfe");
  json year_3000 = json::parse(Order("dl-3000", "dl-3000", 1));
  year_3000["occurred_at"] = "3000-01-01T00:00:00Z";

  orders("valid 1", "dl-ok", Order("dl-v1", "dl-ok", 5), "");
  orders("truncated protobuf", "dl-ok", half, "malformed");
  orders("valid protobuf", "dl-ok", full, "");
  orders("valid 2", "dl-ok", Order("dl-v2", "dl-ok", 7), "");
  orders("quantity \"abc\"", "dl-types", wrong_qty.dump(), "malformed");
  orders("amount_minor is an object", "dl-types", wrong_amount.dump(), "malformed");
  orders("missing account_id", "dl-no-account", no_account.dump(), "missing_field");
  orders("negative quantity", "dl-neg", Order("dl-neg", "dl-neg", -3), "out_of_range");
  orders("2 MB payload", "dl-big", big.dump(), "too_large");
  orders("invalid UTF-8 in a string", "dl-utf8", bad_utf8, "invalid_utf8");
  orders("status SHIPPED", "dl-enum", Order("dl-enum", "dl-enum", 1, "SHIPPED"), "unknown_enum");
  orders("occurred_at in year 3000", "dl-3000", year_3000.dump(), "bad_timestamp");
  orders("empty key", "", Order("dl-empty-key", "dl-ok", 100), "key_mismatch");
  orders("valid 3", "dl-ok", Order("dl-v3", "dl-ok", 11), "");
  orders("valid 3 again (duplicate)", "dl-ok", Order("dl-v3", "dl-ok", 11), "");
  orders("valid 3's id, other content (conflict)", "dl-ok", Order("dl-v3", "dl-ok", 12), "");
  orders("key differs from account_id", "someone-else", Order("dl-key", "dl-ok", 100),
         "key_mismatch");
  orders("garbage, not JSON", "dl-ok", "not json, not protobuf either \x01\x02", "malformed");
  orders("JSON cut short", "dl-ok", R"({"event_id": "dl-cut", "account_id": "dl-ok", )",
         "malformed");
  orders("valid 4, after all the bad ones", "dl-ok", Order("dl-v4", "dl-ok", 13), "");

  // Other topics, other partitions: the source is reported per message. One account per
  // partition, as the key partitioner would have it (the engine keeps an account's state in
  // the store of the partition its key maps to).
  auto add = [&](std::string name, std::string topic, int32_t partition, json payload,
                 std::string reason) {
    std::string key = payload.value("account_id", "");
    m.push_back(
        {std::move(name), std::move(topic), partition, key, payload.dump(), std::move(reason)});
  };
  json svc{
      {"event_id", "dl-s1"},     {"account_id", "dl-svc"}, {"occurred_at", "2026-05-11T08:00:00Z"},
      {"kind", "TICKET_OPENED"}, {"severity", "HIGH"},     {"ticket_id", "T-1"}};
  add("valid ticket", "service", 2, svc, "");
  add("csat 9", "service", 2,
      json{{"event_id", "dl-s2"},
           {"account_id", "dl-svc"},
           {"occurred_at", "2026-05-11T09:00:00Z"},
           {"kind", "SURVEY"},
           {"csat", 9}},
      "out_of_range");
  add("survey without csat or nps", "service", 2,
      json{{"event_id", "dl-s3"},
           {"account_id", "dl-svc"},
           {"occurred_at", "2026-05-11T09:00:00Z"},
           {"kind", "SURVEY"}},
      "missing_field");
  add("meeting without meeting_type", "contacts", 4,
      json{{"event_id", "dl-c1"},
           {"account_id", "dl-contact"},
           {"occurred_at", "2026-05-12T09:00:00Z"},
           {"kind", "MEETING_HELD"}},
      "missing_field");
  add("valid call", "contacts", 4,
      json{{"event_id", "dl-c2"},
           {"account_id", "dl-contact"},
           {"occurred_at", "2026-05-12T09:00:00Z"},
           {"kind", "CALL"},
           {"level", "EXECUTIVE"}},
      "");
  add("profile without tier", "accounts", 1,
      json{{"event_id", "dl-a1"},
           {"account_id", "dl-profile"},
           {"occurred_at", "2026-05-01T00:00:00Z"},
           {"name", "No Tier"}},
      "missing_field");
  add("valid profile", "accounts", 1,
      json{{"event_id", "dl-a2"},
           {"account_id", "dl-profile"},
           {"occurred_at", "2026-05-01T00:00:00Z"},
           {"name", "Dead Letter Test Co"},
           {"tier", "KEY"}},
      "");
  // Offsets: messages to one partition get consecutive offsets from 0, in send order.
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (auto& msg : m) msg.offset = next[{msg.topic, msg.partition}]++;
  return m;
}

TEST(DeadLetter, HostileEventsAreDeadLetteredAndTheEngineKeepsGoing) {
  TempDir dir;
  std::vector<Message> messages = HostileMessages();
  {  // The truncated protobuf really is undecodable, and not mistaken for JSON.
    v1::OrderEvent probe;
    ASSERT_FALSE(probe.ParseFromString(messages[1].payload));
    ASSERT_NE(messages[1].payload[0], '{');
  }

  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir.Sub("broker.log"), {"--partitions", "6"}));
  EngineProcess engine;
  ASSERT_TRUE(engine.Start(
      {broker.bootstrap(), "it-deadletter", dir.Sub("state"), dir.Sub("engine.log"), {}}));
  ASSERT_TRUE(engine.WaitReady(seconds(60)));

  auto producer = kafka::Producer::Create(broker.bootstrap(), {{"message.max.bytes", "3000000"}});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  for (const auto& m : messages) {
    Status s = (*producer)->Send(m.topic, m.key, m.payload, {}, m.partition);
    ASSERT_TRUE(s.ok()) << m.name << ": " << s.ToString();
  }
  Status flushed = (*producer)->Flush(30'000);
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  ASSERT_EQ((*producer)->delivered(), static_cast<int64_t>(messages.size()));

  ASSERT_TRUE(engine.WaitAllHandled(static_cast<double>(messages.size()), kLagSeries, seconds(60)));

  // Counters, exactly.
  std::map<std::string, double> want_reasons;
  for (const char* r : {"malformed", "invalid_utf8", "too_large", "missing_field", "out_of_range",
                        "unknown_enum", "bad_timestamp", "key_mismatch"}) {
    want_reasons[r] = 0;
  }
  size_t rejected = 0;
  for (const auto& m : messages) {
    if (!m.reason.empty()) {
      ++want_reasons[m.reason];
      ++rejected;
    }
  }
  Metrics metrics = engine.ScrapeMetrics();
  for (const auto& [reason, n] : want_reasons) {
    EXPECT_EQ(MetricValue(metrics, "churnwatch_events_deadlettered_total", {{"reason", reason}}), n)
        << "reason " << reason;
  }
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_duplicate_total"), 1);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_duplicate_conflict_total"), 1);
  EXPECT_EQ(MetricValue(metrics, "churnwatch_build_info", {{"version", "0.1.0"}}), 1);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_applied_total", {{"topic", "orders"}}), 5);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_applied_total", {{"topic", "service"}}), 1);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_applied_total", {{"topic", "contacts"}}), 1);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_applied_total", {{"topic", "accounts"}}), 1);

  // The dead-letter topic: one letter per rejected message, each naming its source.
  std::vector<std::string> lines =
      ConsumeLines(broker.bootstrap(), "deadletter", 3, dir.Sub("consume.log"));
  std::map<std::pair<std::string, int64_t>, json> letters;  // (topic:partition, offset)
  for (const auto& line : lines) {
    json l = json::parse(line, nullptr, false);
    ASSERT_TRUE(l.is_object()) << line.substr(0, 300);
    std::string src = l.value("source_topic", "?") + ":" +
                      std::to_string(l.value("source_partition", int64_t{-1}));
    EXPECT_TRUE(
        letters.emplace(std::make_pair(src, l.value("source_offset", int64_t{-1})), l).second)
        << "two dead letters for " << src << "@" << l.value("source_offset", int64_t{-1});
  }
  EXPECT_EQ(lines.size(), rejected);
  for (const auto& m : messages) {
    auto it = letters.find({m.topic + ":" + std::to_string(m.partition), m.offset});
    if (m.reason.empty()) {
      EXPECT_TRUE(it == letters.end()) << m.name << " was accepted but has a dead letter";
      continue;
    }
    if (it == letters.end()) {
      ADD_FAILURE() << m.name << ": no dead letter for " << m.topic << ":" << m.partition << "@"
                    << m.offset;
      continue;
    }
    const json& l = it->second;
    EXPECT_EQ(l.value("reason", ""), m.reason) << m.name << ": " << l.value("detail", "");
    EXPECT_FALSE(l.value("detail", "").empty()) << m.name;
    EXPECT_EQ(l.value("source_topic", ""), m.topic) << m.name;
    EXPECT_EQ(l.value("source_partition", int64_t{-1}), m.partition) << m.name;
    EXPECT_EQ(l.value("source_offset", int64_t{-1}), m.offset) << m.name;
    EXPECT_EQ(l.value("payload_bytes", int64_t{-1}), static_cast<int64_t>(m.payload.size()))
        << m.name;
    EXPECT_EQ(l.value("payload_truncated", false), m.reason == "too_large") << m.name;
    EXPECT_EQ(l.value("key", json()), json(m.key)) << m.name;
  }

  // The good events are applied once each, before and after the bad ones.
  HttpResponse r = engine.Get("/api/v1/accounts/dl-ok");
  ASSERT_EQ(r.status, 200) << r.body;
  json account = json::parse(r.body);
  int64_t quantity = 0, orders = 0;
  for (const auto& q : account["orders"]["quarters"]) {
    quantity += q.value("quantity", int64_t{0});
    orders += q.value("orders", int64_t{0});
  }
  EXPECT_EQ(quantity, 5 + 2 + 7 + 11 + 13) << account["orders"].dump();
  EXPECT_EQ(orders, 5) << account["orders"].dump();
  EXPECT_TRUE(account["profile"].is_null()) << account["profile"].dump();

  json svc = json::parse(engine.Get("/api/v1/accounts/dl-svc").body, nullptr, false);
  ASSERT_TRUE(svc.is_object());
  ASSERT_EQ(svc["service"]["months"].size(), 1u) << svc.dump();
  EXPECT_EQ(svc["service"]["months"][0].value("tickets_opened", -1), 1);
  EXPECT_EQ(svc["service"]["months"][0].value("high_severity", -1), 1);
  EXPECT_EQ(svc["service"]["months"][0].value("csat_count", -1), 0);
  json contact = json::parse(engine.Get("/api/v1/accounts/dl-contact").body, nullptr, false);
  ASSERT_TRUE(contact.is_object());
  EXPECT_EQ(contact["contacts"]["totals"].value("calls", -1), 1) << contact.dump();
  EXPECT_EQ(contact["contacts"]["totals"]["meetings"]["held"].value("strategy", -1), 0);
  EXPECT_EQ(contact["contacts"]["last_contact_at"].value("executive", ""), "2026-05-12T09:00:00Z");
  json profile = json::parse(engine.Get("/api/v1/accounts/dl-profile").body, nullptr, false);
  ASSERT_TRUE(profile.is_object());
  EXPECT_EQ(profile["profile"].value("tier", ""), "KEY") << profile.dump();
  EXPECT_EQ(profile["profile"].value("name", ""), "Dead Letter Test Co");
  for (const char* rejected_only :
       {"dl-types", "dl-neg", "dl-big", "dl-utf8", "dl-enum", "dl-3000", "someone-else"}) {
    EXPECT_EQ(engine.Get(std::string("/api/v1/accounts/") + rejected_only).status, 404)
        << rejected_only << " only sent rejected events";
  }

  // A reused id whose first event is in the store (not in the batch): a conflict too, logged.
  ASSERT_TRUE((*producer)->Send("orders", "dl-ok", Order("dl-v1", "dl-ok", 99), {}, 0).ok());
  ASSERT_TRUE((*producer)->Flush(30'000).ok());
  ASSERT_TRUE(
      engine.WaitAllHandled(static_cast<double>(messages.size() + 1), kLagSeries, seconds(60)));
  metrics = engine.ScrapeMetrics();
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_duplicate_conflict_total"), 2);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_duplicate_total"), 1);
  EXPECT_NE(engine.process().Stderr().find("event_id 'dl-v1' was applied before with other"),
            std::string::npos)
      << engine.process().Stderr();
  r = engine.Get("/api/v1/accounts/dl-ok");
  account = json::parse(r.body);  // kept: a temporary would die before the loop's body
  quantity = 0;
  for (const auto& q : account["orders"]["quarters"]) quantity += q.value("quantity", int64_t{0});
  EXPECT_EQ(quantity, 5 + 2 + 7 + 11 + 13) << "the conflicting event is not applied";

  HttpResponse ready = engine.Get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(json::parse(ready.body, nullptr, false).value("ready", false), true) << ready.body;
  EXPECT_EQ(engine.Stop(seconds(30)), 0) << engine.process().Stderr();
}

}  // namespace
}  // namespace churnwatch::test
