// GroupConsumer against librdkafka's mock cluster (real wire protocol, in process).
//
// Issue 10: after an assignment, what librdkafka fetched before a partition's queue was
// detached reached the consumer queue, so one partition arrived through two queues and the
// engine stored offsets past messages it had not applied. The fault hook sleeps inside the
// assignment, after assign() has started fetching: every message of an assigned partition
// must still come through its own queue, in order, from the offset the listener chose.
#include "kafka/group_consumer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "kafka/mock_broker.h"
#include "kafka/producer.h"

namespace churnwatch::kafka {
namespace {

constexpr int kMessages = 3000;
constexpr int64_t kStoredOffset = 100;

class StoredOffsets final : public RebalanceListener {
 public:
  Result<std::vector<int64_t>> OnAssigned(const std::vector<TopicPartition>& p) override {
    assigned += static_cast<int>(p.size());
    return std::vector<int64_t>(p.size(), kStoredOffset);
  }
  void OnRevoked(const std::vector<TopicPartition>&) override {}
  int assigned = 0;
};

TEST(GroupConsumer, AnAssignedPartitionArrivesOnlyThroughItsOwnQueueInOrder) {
  auto broker = MockBroker::Start(1, {{"t", 2}});
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  auto producer = Producer::Create((*broker)->bootstrap());
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  for (int i = 0; i < kMessages; ++i) {
    for (int32_t p = 0; p < 2; ++p) {
      ASSERT_TRUE((*producer)->Send("t", "k", "m" + std::to_string(i), {}, p).ok());
    }
  }
  ASSERT_TRUE((*producer)->Flush(10000).ok());

  StoredOffsets listener;
  auto consumer = GroupConsumer::Create((*broker)->bootstrap(), "g",
                                        {{"session.timeout.ms", "6000"}}, &listener);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  (*consumer)->InjectFaults({/*assign_delay_ms=*/500, /*drop_after_assign=*/0});
  ASSERT_TRUE((*consumer)->Subscribe({"t"}).ok());

  std::vector<ConsumedMessage> from_consumer_queue;
  std::map<int32_t, std::vector<int64_t>> offsets;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto done = [&] {
    return offsets[0].size() + offsets[1].size() >= 2 * (kMessages - kStoredOffset);
  };
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    ASSERT_TRUE((*consumer)->Poll(1000, 50, &from_consumer_queue).ok());
    for (int32_t p = 0; p < 2; ++p) {
      std::vector<ConsumedMessage> got;
      (*consumer)->PollPartition({"t", Partition(p)}, 1000, &got);
      for (const auto& m : got) offsets[p].push_back(m.offset.value());
    }
  }
  EXPECT_EQ(listener.assigned, 2);
  EXPECT_TRUE(from_consumer_queue.empty())
      << from_consumer_queue.size() << " messages of assigned partitions reached the consumer "
      << "queue (first: partition " << from_consumer_queue.front().partition.value() << " offset "
      << from_consumer_queue.front().offset.value() << ")";
  for (int32_t p = 0; p < 2; ++p) {
    ASSERT_EQ(offsets[p].size(), static_cast<size_t>(kMessages - kStoredOffset))
        << "partition " << p;
    for (size_t i = 0; i < offsets[p].size(); ++i) {
      ASSERT_EQ(offsets[p][i], kStoredOffset + static_cast<int64_t>(i))
          << "partition " << p << " position " << i;
    }
  }
  (*consumer)->Close();
}

// Seek() restarts a partition's queue at the given offset; what the old fetch had queued is
// not delivered after it.
TEST(GroupConsumer, SeekRefetchesFromTheGivenOffset) {
  auto broker = MockBroker::Start(1, {{"t", 1}});
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  auto producer = Producer::Create((*broker)->bootstrap());
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 500; ++i) ASSERT_TRUE((*producer)->Send("t", "k", "m", {}, 0).ok());
  ASSERT_TRUE((*producer)->Flush(10000).ok());

  StoredOffsets listener;
  auto consumer = GroupConsumer::Create((*broker)->bootstrap(), "g",
                                        {{"session.timeout.ms", "6000"}}, &listener);
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Subscribe({"t"}).ok());
  std::vector<int64_t> seen;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::vector<ConsumedMessage> events;
  while (seen.size() < 50 && std::chrono::steady_clock::now() < give_up) {
    ASSERT_TRUE((*consumer)->Poll(100, 50, &events).ok());
    std::vector<ConsumedMessage> got;
    (*consumer)->PollPartition({"t", Partition(0)}, 50 - seen.size(), &got);
    for (const auto& m : got) seen.push_back(m.offset.value());
  }
  ASSERT_EQ(seen.size(), 50u);
  EXPECT_EQ(seen.front(), kStoredOffset);
  ASSERT_TRUE((*consumer)->Seek({"t", Partition(0)}, 120, 10000).ok());
  std::vector<ConsumedMessage> after;
  give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (after.empty() && std::chrono::steady_clock::now() < give_up) {
    ASSERT_TRUE((*consumer)->Poll(100, 50, &events).ok());
    (*consumer)->PollPartition({"t", Partition(0)}, 10, &after);
  }
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.front().offset.value(), 120);
  (*consumer)->Close();
}

}  // namespace
}  // namespace churnwatch::kafka
