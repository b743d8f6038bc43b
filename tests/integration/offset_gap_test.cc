// Issue 10: a task never stores an offset past a message it has not applied.
//
// Two faults injected into the engine's real Kafka consumer (kafka::ConsumerFaults, through the
// CHURNWATCH_TEST_* variables of `churnwatch run`), each on an engine that is stopped mid-stream
// and restarted from its stored offsets, which is when the lost-events defect struck:
// - DROP: after every assignment the consumer silently loses the first messages of each
//   partition. Only the engine's offset check can notice (a later offset arrives) or its stall
//   watchdog (nothing arrives while the high watermark is ahead); it must refetch, so the state
//   ends exactly as an uninterrupted run's. (Before the fix the stored offset jumped them.)
// - DELAY: the assignment sleeps right after assign() started fetching. Before the fix what was
//   fetched meanwhile reached the consumer queue and the partition arrived through two queues;
//   now the partition queues are detached before fetching starts, so nothing needs refetching.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>

#include "support/account_compare.h"
#include "support/churnwatch_processes.h"
#include "support/scenario.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kLagSeries = 4 * 6;

ScenarioOptions GapScenario() {
  ScenarioOptions o;
  o.seed = 1010;
  o.accounts = 120;
  o.orders = 2400;
  o.service = 1200;
  o.contacts = 1300;
  o.account_events = 150;
  o.profile_updates = 20;
  o.account_prefix = "gap";
  return o;
}

class OffsetGap : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_ = GenerateScenario(GapScenario());
    ASSERT_TRUE(broker_.Start(dir_.Sub("broker.log"), {"--partitions", "6"}));
    ASSERT_TRUE(ProduceScenario(broker_.bootstrap(), sc_, dir_));
    // Small batches, fsync per batch: the stop falls mid-stream, with stored offsets to restart
    // from.
    ASSERT_TRUE(WriteFile(dir_.Sub("slow.yaml"),
                          "ingest:\n  max_batch_messages: 5\nstate:\n  sync_writes: true\n"));
    total_ = static_cast<double>(sc_.total_events());
  }

  EngineOptions Options(const std::string& name, std::map<std::string, std::string> env = {}) {
    return {broker_.bootstrap(),
            "it-gap-" + name,
            dir_.Sub("state-" + name),
            dir_.Sub("engine-" + name + ".log"),
            {"--config", dir_.Sub("slow.yaml"), "--as-of", "2026-11-01T00:00:00Z"},
            std::move(env)};
  }

  std::map<std::string, json> Reference() {
    EngineProcess a;
    auto started = a.Start(Options("reference"));
    if (!started) {
      ADD_FAILURE() << started.message();
      return {};
    }
    EXPECT_TRUE(a.WaitAllHandled(total_, kLagSeries, seconds(150)));
    auto out = AllAccounts(a, sc_.account_ids);
    EXPECT_EQ(a.Stop(seconds(30)), 0) << a.process().Stderr();
    return out;
  }

  // Runs an engine with `env` until it has handled about a quarter of the events, stops it with
  // SIGTERM, restarts it (same group, same state, same faults) and lets it catch up. Returns
  // the refetches the two incarnations counted.
  double InterruptedRun(const std::string& name, const std::map<std::string, std::string>& env,
                        const std::map<std::string, json>& reference) {
    // The stop must fall mid-stream. A fast engine can handle everything between two polls;
    // then that attempt proves nothing and a fresh group with fresh stores tries again.
    for (int attempt = 0; attempt < 5; ++attempt) {
      EngineOptions options = Options(name + "-" + std::to_string(attempt), env);
      double refetches = 0;
      {
        EngineProcess first;
        auto started = first.Start(options);
        if (!started) {
          ADD_FAILURE() << started.message();
          return -1;
        }
        EXPECT_TRUE(WaitUntil([&] { return first.HandledCount() >= total_ / 4; }, seconds(120),
                              "a quarter of the events handled"));
        refetches += SumMetric(first.ScrapeMetrics(), "churnwatch_offset_refetches_total");
        bool mid_stream = first.HandledCount() < total_;
        first.process().Signal(SIGTERM);
        EXPECT_EQ(first.process().Wait(DeadlineIn(seconds(30))), 0) << first.process().Stderr();
        if (!mid_stream) continue;
      }
      return refetches + FinishRun(options, reference, name);
    }
    ADD_FAILURE() << "in five attempts the stop never fell mid-stream";
    return -1;
  }

  // Restarts the stopped engine of `options` and lets it catch up; its accounts must equal the
  // reference's. Returns the refetches it counted.
  double FinishRun(const EngineOptions& options, const std::map<std::string, json>& reference,
                   const std::string& name) {
    double refetches = 0;
    EngineProcess second;
    EXPECT_TRUE(second.Start(options));
    EXPECT_TRUE(second.WaitCaughtUp(kLagSeries, seconds(150)));
    refetches += SumMetric(second.ScrapeMetrics(), "churnwatch_offset_refetches_total");
    EXPECT_EQ(CompareAccounts(reference, AllAccounts(second, sc_.account_ids), name), 0);
    EXPECT_EQ(second.Stop(seconds(30)), 0) << second.process().Stderr();
    return refetches;
  }

  TempDir dir_;
  Scenario sc_;
  BrokerProcess broker_;
  double total_ = 0;
};

TEST_F(OffsetGap, MessagesLostInDeliveryAreRefetchedNotSkipped) {
  auto reference = Reference();
  ASSERT_EQ(reference.size(), sc_.account_ids.size());
  double refetches =
      InterruptedRun("drop", {{"CHURNWATCH_TEST_DROP_AFTER_ASSIGN", "40"}}, reference);
  // Every partition of every topic lost its first 40 messages at both assignments: the orders
  // partitions (~900 messages each) show a gap at the next message, the accounts partitions
  // (~25) lose everything they have, which only the stall watchdog can notice.
  EXPECT_GE(refetches, kLagSeries) << "the injected loss did not happen";
}

TEST_F(OffsetGap, ASlowAssignmentDoesNotSplitAPartitionBetweenTwoQueues) {
  auto reference = Reference();
  ASSERT_EQ(reference.size(), sc_.account_ids.size());
  double refetches =
      InterruptedRun("delay", {{"CHURNWATCH_TEST_ASSIGN_DELAY_MS", "400"}}, reference);
  EXPECT_EQ(refetches, 0) << "messages arrived out of order after a slow assignment";
}

}  // namespace
}  // namespace churnwatch::test
