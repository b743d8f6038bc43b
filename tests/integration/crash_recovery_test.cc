// Crash safety: state built through crashes equals state built without them.
//
// 12,000 seeded events are produced first. Engine A consumes them uninterrupted (own group,
// own state dir) and every account's JSON is recorded. Engine B (new group, new state dir) is
// SIGKILLed five times while it consumes — at random handled-event thresholds or 100-400 ms
// after its first event — and restarted with the same group and state dir each time; then it
// finishes. Every account's JSON must be identical to A's, and B must have made progress in
// several incarnations (so the kills really fell mid-stream). Engine C does the same with
// SIGTERM, which must exit 0 every time.
//
// Small batches and synchronous store writes (config file) slow the engine down enough that
// the kills land while it is consuming, not after it caught up.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "support/account_compare.h"
#include "support/churnwatch_processes.h"
#include "support/scenario.h"
#include "support/temp_dir.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kLagSeries = 4 * 6;

ScenarioOptions CrashScenario() {
  ScenarioOptions o;
  o.seed = 777;
  o.accounts = 300;
  o.orders = 5400;
  o.service = 3000;
  o.contacts = 3240;
  o.account_events = 360;
  o.profile_updates = 40;
  o.account_prefix = "crash";
  return o;
}

uint64_t Seed() {
  const char* s = std::getenv("CHURNWATCH_TEST_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : std::random_device{}();
}

class CrashRecovery : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_ = GenerateScenario(CrashScenario());
    ASSERT_TRUE(broker_.Start(dir_.Sub("broker.log"), {"--partitions", "6"}));
    ASSERT_TRUE(ProduceScenario(broker_.bootstrap(), sc_, dir_));
    ASSERT_TRUE(WriteFile(dir_.Sub("slow.yaml"),
                          "# small batches, fsync per batch: many store writes to crash into\n"
                          "ingest:\n"
                          "  max_batch_messages: 25\n"
                          "state:\n"
                          "  sync_writes: true\n"));
  }

  // The shipped rules (found next to the binary) run too, so alerts are compared as well as
  // ingested state. The wall clock is pinned so nothing depends on when the test runs.
  EngineOptions Options(const std::string& name) {
    return {broker_.bootstrap(),
            "it-crash-" + name,
            dir_.Sub("state-" + name),
            dir_.Sub("engine-" + name + ".log"),
            {"--config", dir_.Sub("slow.yaml"), "--as-of", "2026-11-01T00:00:00Z"}};
  }

  // Starts an incarnation and sends it `signo` once it has handled `threshold` events or, with
  // `delay` > 0, `delay` after its first handled event, whichever comes first — or, should it
  // catch up before, then (the progress assertions tell whether the kills fell mid-stream).
  // Returns the handled count last seen before the signal.
  double RunUntilSignal(EngineProcess& engine, const EngineOptions& options, double threshold,
                        milliseconds delay, int signo) {
    EXPECT_TRUE(engine.Start(options));
    double handled = 0;
    std::optional<Deadline> fire_at;
    // Generous: a restart waits for the group to evict the killed member and rebalance, and
    // CI runs other engines at the same time. A hang still fails.
    Deadline give_up = DeadlineIn(seconds(120));
    // A tight 5 ms poll: this picks the moment to crash, it does not wait for a result.
    while (Clock::now() < give_up && engine.process().running()) {
      Metrics m = engine.ScrapeMetrics();
      double h = SumMetric(m, "churnwatch_events_applied_total") +
                 SumMetric(m, "churnwatch_events_deadlettered_total") +
                 SumMetric(m, "churnwatch_events_duplicate_total");
      if (h > handled) handled = h;
      if (handled >= threshold) break;
      if (delay.count() > 0) {
        if (!fire_at && handled > 0) fire_at = Clock::now() + delay;
        if (fire_at && Clock::now() >= *fire_at) break;
      }
      bool caught_up = CountSeries(m, "churnwatch_consumer_lag") == kLagSeries &&
                       MaxMetric(m, "churnwatch_consumer_lag") == 0.0;
      if (caught_up && handled > 0) break;
      std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_TRUE(engine.process().running()) << "engine exited by itself:\n"
                                            << engine.process().Stderr();
    EXPECT_LT(Clock::now(), give_up) << "the engine made no progress in 120 s";
    engine.process().Signal(signo);
    return handled;
  }

  // C: SIGTERM mid-stream twice, at thresholds drawn from `rng`; each stop is clean (exit 0)
  // and the state and alerts end as the uninterrupted run's.
  void SigtermPhase(std::mt19937_64& rng, const std::map<std::string, json>& reference) {
    EngineOptions c_options = Options("c");
    for (int i = 0; i < 2; ++i) {
      EngineProcess c;
      double threshold = static_cast<double>(std::uniform_int_distribution<int>(200, 1500)(rng));
      RunUntilSignal(c, c_options, threshold, milliseconds(0), SIGTERM);
      EXPECT_EQ(c.process().Wait(DeadlineIn(seconds(30))), 0) << c.process().Stderr();
    }
    EngineProcess c;
    ASSERT_TRUE(c.Start(c_options));
    ASSERT_TRUE(c.WaitCaughtUp(kLagSeries, seconds(150)));
    EXPECT_EQ(CompareAccounts(reference, AllAccounts(c, sc_.account_ids), "after SIGTERMs"), 0);
    EXPECT_EQ(c.Stop(seconds(30)), 0) << c.process().Stderr();
  }

  std::map<std::string, json> UninterruptedRun(const std::string& name) {
    EngineProcess a;
    auto started = a.Start(Options(name));
    if (!started) {
      ADD_FAILURE() << started.message();
      return {};
    }
    EXPECT_TRUE(
        a.WaitAllHandled(static_cast<double>(sc_.total_events()), kLagSeries, seconds(150)));
    auto out = AllAccounts(a, sc_.account_ids);
    EXPECT_EQ(a.Stop(seconds(30)), 0) << a.process().Stderr();
    return out;
  }

  TempDir dir_;
  Scenario sc_;
  BrokerProcess broker_;
};

TEST_F(CrashRecovery, StateAfterKillsEqualsUninterruptedRun) {
  const uint64_t seed = Seed();
  SCOPED_TRACE("CHURNWATCH_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const double total = static_cast<double>(sc_.total_events());

  // A: uninterrupted.
  std::map<std::string, json> reference;
  {
    EngineProcess a;
    ASSERT_TRUE(a.Start(Options("a")));
    ASSERT_TRUE(a.WaitAllHandled(total, kLagSeries, seconds(150)));
    reference = AllAccounts(a, sc_.account_ids);
    EXPECT_EQ(a.Stop(seconds(30)), 0) << a.process().Stderr();
  }
  ASSERT_EQ(reference.size(), sc_.account_ids.size());
  int alerts = 0;
  for (const auto& [id, account] : reference) {
    alerts +=
        account.is_object() ? static_cast<int>(account.value("alerts", json::array()).size()) : 0;
  }
  RecordProperty("alerts_in_reference", alerts);

  // Baseline: a second uninterrupted run agrees with the first (else differences after
  // crashes would say nothing about crashes).
  {
    EngineProcess a2;
    ASSERT_TRUE(a2.Start(Options("a2")));
    ASSERT_TRUE(a2.WaitAllHandled(total, kLagSeries, seconds(150)));
    EXPECT_EQ(CompareAccounts(reference, AllAccounts(a2, sc_.account_ids), "second clean run"), 0);
    EXPECT_EQ(a2.Stop(seconds(30)), 0) << a2.process().Stderr();
  }

  // B: five SIGKILLs mid-stream, same group and state dir each time.
  EngineOptions b_options = Options("b");
  std::vector<double> progress;
  for (int i = 0; i < 5; ++i) {
    EngineProcess b;
    // Odd incarnations die a random time after their first event (at most 1500 events in,
    // so work is left for the next ones), even ones at a random handled count.
    double threshold =
        i % 2 == 1 ? 1500 : static_cast<double>(std::uniform_int_distribution<int>(100, 1000)(rng));
    milliseconds delay(i % 2 == 1 ? std::uniform_int_distribution<int>(100, 400)(rng) : 0);
    progress.push_back(RunUntilSignal(b, b_options, threshold, delay, SIGKILL));
    EXPECT_EQ(b.process().Wait(DeadlineIn(seconds(10))), 128 + SIGKILL);
    if (HasFailure()) return;
  }
  EngineProcess b;
  ASSERT_TRUE(b.Start(b_options));
  ASSERT_TRUE(b.WaitCaughtUp(kLagSeries, seconds(150)));
  progress.push_back(b.HandledCount());
  std::string progress_text;
  for (double p : progress) progress_text += std::to_string(static_cast<int64_t>(p)) + " ";
  RecordProperty("handled_per_incarnation", progress_text);

  // Progress between kills: the first incarnation did some work, and work was left for the
  // incarnations after the first kill (nothing was all done before it).
  EXPECT_GT(progress.front(), 0) << progress_text;
  EXPECT_LT(progress.front(), total) << progress_text;
  int working = 0;
  for (double p : progress) working += p > 0 ? 1 : 0;
  EXPECT_GE(working, 4) << "incarnations that handled events: " << progress_text;
  EXPECT_GT(progress.back(), 0) << "the last incarnation had nothing left: " << progress_text;

  EXPECT_EQ(CompareAccounts(reference, AllAccounts(b, sc_.account_ids), "after SIGKILLs"), 0);
  EXPECT_EQ(b.Stop(seconds(30)), 0) << b.process().Stderr();

  SigtermPhase(rng, reference);
}

// Issue 10, item 3: with this seed the SIGTERM restarts once ended with the same state but other
// alert ids and resolved_at for 33 accounts. The cause was the split of a partition between the
// consumer queue and its own queue after an assignment: when the later offsets (own queue) were
// queued first and the earlier ones (consumer queue) after them but before any commit, every
// event was applied — counters are sums, so the state matched — but in the wrong order, so the
// evaluation points and with them the alert episodes moved. The same draws as the random test
// give the same SIGTERM thresholds.
TEST_F(CrashRecovery, SigtermRestartsOfSeed1509138094EvaluateAsAnUninterruptedRun) {
  std::mt19937_64 rng(1509138094);
  for (int i = 0; i < 5; ++i) {  // the SIGKILL phase's draws, skipped
    if (i % 2 == 1) {
      (void)std::uniform_int_distribution<int>(100, 400)(rng);
    } else {
      (void)std::uniform_int_distribution<int>(100, 1000)(rng);
    }
  }
  auto reference = UninterruptedRun("a");
  ASSERT_EQ(reference.size(), sc_.account_ids.size());
  SigtermPhase(rng, reference);
}

}  // namespace
}  // namespace churnwatch::test
