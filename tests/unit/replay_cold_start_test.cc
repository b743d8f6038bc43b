// The same history replayed twice through the engine's partition code (ingest/replayer.h) with
// the shipped rules: once with every account kept in memory (the fast path: snapshots changed
// in place by each event, never re-read), once with nothing kept, so that every evaluation
// reloads its account cold from the store plus the pending writes. Speed work on the in-memory
// path must not change an answer: the alert transitions are identical, and at checkpoints every
// account's features, computed from the in-memory state of the first replay, equal those
// computed from the second replay's store.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "bench_workload.h"
#include "ingest/replayer.h"
#include "rules/alert_lifecycle.h"
#include "rules/rule_loader.h"
#include "temp_dir.h"

namespace churnwatch::ingest {
namespace {

using testutil::TempDir;

std::unique_ptr<Replayer> NewReplay(const std::string& dir, size_t accounts_in_memory,
                                    std::shared_ptr<const rules::RuleSet> rules) {
  ReplayOptions o;
  o.state_dir = dir;
  o.rules = std::move(rules);
  o.evaluation.snapshot_cache_accounts = accounts_in_memory;
  auto r = Replayer::Create(o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : nullptr;
}

// Features as bytes: numbers bit for bit (NaN included), then the text fields.
std::string FeatureBytes(const features::FeatureValues& v) {
  std::string out(reinterpret_cast<const char*>(v.numbers.data()),
                  v.numbers.size() * sizeof(double));
  for (const auto& [k, t] : v.text) out += "|" + k + "=" + t;
  return out;
}

TEST(ReplayColdStart, InMemoryStateGivesTheSameAnswersAsReloadingEveryAccount) {
  rules::LoadResult loaded = rules::LoadRules(CHURNWATCH_SHIPPED_RULES);
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems[0].ToString();
  auto rules = std::make_shared<const rules::RuleSet>(std::move(loaded.set));

  // 60 accounts x 80 events over two years, in event-time order as a history replays.
  std::vector<bench::Message> history = bench::MakeWorkload(60, 80);
  bench::SortByTime(history);
  TempDir dir;
  auto warm = NewReplay(dir.Sub("warm"), 1 << 20, rules);
  auto cold = NewReplay(dir.Sub("cold"), 0, rules);
  ASSERT_TRUE(warm && cold);

  const rules::AlertOptions options;
  int checkpoints = 0;
  size_t accounts_compared = 0;
  auto compare_accounts = [&](UnixMicros at) {
    ++checkpoints;
    ASSERT_TRUE(
        cold->ForEachAccount([&](const state::AccountSnapshot& stored) {
              auto live = warm->AccountState(stored.account_id);
              if (!live.ok()) return live.status();
              EXPECT_EQ(FeatureBytes(rules::AccountFeatures(**live, at, warm->calendar(), options)),
                        FeatureBytes(rules::AccountFeatures(stored, at, cold->calendar(), options)))
                  << stored.account_id << " at checkpoint " << checkpoints;
              ++accounts_compared;
              return Status::Ok();
            })
            .ok());
  };

  const size_t batch = 250;
  for (size_t i = 0; i < history.size(); ++i) {
    const auto& m = history[i];
    auto kind = EventKindFromName(m.topic);
    ASSERT_TRUE(kind.ok());
    warm->Queue(*kind, m.payload, m.key);
    cold->Queue(*kind, m.payload, m.key);
    if ((i + 1) % batch == 0 || i + 1 == history.size()) {
      ASSERT_TRUE(warm->Flush().ok());
      ASSERT_TRUE(cold->Flush().ok());
      // A few checkpoints through the history, at the time of the last event applied.
      if ((i + 1) % (batch * 4) == 0) {
        auto at = ParseRfc3339(bench::OccurredAt(m.payload));
        ASSERT_TRUE(at.ok());
        compare_accounts(*at);
      }
    }
  }
  EXPECT_TRUE(warm->rejected().empty());
  EXPECT_GE(checkpoints, 4);
  EXPECT_GE(accounts_compared, 60u * 4);
  // The shipped rules raise alerts on this workload (random volumes cross thresholds), so the
  // comparison of transitions is not of two empty lists.
  ASSERT_GT(warm->transitions().size(), 50u);
  EXPECT_EQ(warm->transitions().size(), cold->transitions().size());
  // Compared as messages: the serialized order of a protobuf map (labels, annotations) follows
  // its insertion history, which is not part of an alert.
  for (size_t i = 0; i < warm->transitions().size() && i < cold->transitions().size(); ++i) {
    const v1::Alert& a = warm->transitions()[i];
    const v1::Alert& b = cold->transitions()[i];
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b))
        << "transition " << i << " differs:\n"
        << a.DebugString() << "\nagainst\n"
        << b.DebugString();
  }
}

}  // namespace
}  // namespace churnwatch::ingest
