// Unit tests of engine/ingest/state_updater.h: the snapshots kept in memory and changed in place
// by every event equal, at every step, what the store holds plus the pending writes — read
// cold from the store by an updater that keeps nothing in memory — and, once drained and
// written, what the store holds. Random histories over a few accounts, with a memory of fewer
// accounts than there are, so eviction and reload are exercised too.
#include "ingest/state_updater.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "state/account_snapshot.h"
#include "state/store_resources.h"
#include "temp_dir.h"

namespace churnwatch::ingest {
namespace {

using testutil::TempDir;

// The whole snapshot as bytes, so two snapshots compare equal exactly when every row does.
std::string Bytes(const state::AccountSnapshot& s) {
  std::string out = s.account_id + "|";
  if (s.profile) out += "P" + s.profile->SerializeAsString();
  for (const auto& r : s.order_months)
    out += "|O" + r.product_line + "/" + std::to_string(r.month) + "=" + r.counters.Encode();
  auto days = [&out](const auto& rows) {
    out += "|#";
    for (const auto& r : rows) out += "|" + std::to_string(r.period) + "=" + r.counters.Encode();
  };
  days(s.service_days);
  days(s.engagement_days);
  days(s.order_days);
  for (const auto& c : s.contacts) out += "|C" + c.SerializeAsString();
  if (s.activity) out += "|A" + s.activity->Encode();
  for (const auto& a : s.alerts) out += "|R" + a.SerializeAsString();
  return out;
}

Event RandomEvent(std::mt19937_64& rng, const std::string& account, UnixMicros at, int n) {
  Event e;
  int kind = static_cast<int>(rng() % 10);
  auto ts = [&](auto* m) {
    m->mutable_occurred_at()->set_seconds(at / 1'000'000);
    m->set_account_id(account);
    m->set_event_id("e" + std::to_string(n));
  };
  if (kind < 6) {
    v1::OrderEvent o;
    ts(&o);
    o.set_order_id("o" + std::to_string(n));
    o.set_product_line(rng() % 2 ? "bearings" : "seals");
    o.set_quantity(static_cast<int64_t>(rng() % 50) + 1);
    o.set_amount_minor(static_cast<int64_t>(rng() % 100000));
    o.set_status(rng() % 8 == 0 ? v1::ORDER_STATUS_RETURNED : v1::ORDER_STATUS_PLACED);
    e.kind = EventKind::kOrder;
    e.message = o;
  } else if (kind < 8) {
    v1::ServiceEvent s;
    ts(&s);
    s.set_ticket_id("t" + std::to_string(n));
    s.set_kind(rng() % 2 ? v1::SERVICE_KIND_COMPLAINT : v1::SERVICE_KIND_SURVEY);
    if (s.kind() == v1::SERVICE_KIND_SURVEY) s.set_csat(static_cast<int32_t>(rng() % 5) + 1);
    e.kind = EventKind::kService;
    e.message = s;
  } else if (kind < 9) {
    v1::ContactEvent c;
    ts(&c);
    c.set_contact_id("c" + std::to_string(rng() % 3));
    c.set_kind(rng() % 2 ? v1::CONTACT_KIND_CONTACT_ADDED : v1::CONTACT_KIND_CONTACT_LEFT);
    c.set_contact_role(v1::CONTACT_ROLE_DECISION_MAKER);
    c.set_level(v1::CONTACT_LEVEL_EXECUTIVE);
    e.kind = EventKind::kContact;
    e.message = c;
  } else {
    v1::AccountEvent a;
    ts(&a);
    a.set_name("Acme " + std::to_string(n));
    a.set_tier(static_cast<v1::Tier>(rng() % 5 + 1));
    e.kind = EventKind::kAccount;
    e.message = a;
  }
  return e;
}

class StateUpdaterTest : public testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    auto store = state::PartitionStore::Open(tmp_.Sub("store"), Partition(0), state::StoreOptions{},
                                             state::StoreResources::Create(8 << 20, 16 << 20));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto cal = Calendar::Load("Asia/Shanghai");
    ASSERT_TRUE(cal.ok());
    calendar_ = std::make_unique<Calendar>(std::move(*cal));
  }

  std::string Cold(StateUpdater& cold, const std::string& account) {
    auto s = cold.Snapshot(account);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? Bytes(**s) : "";
  }

  TempDir tmp_;
  std::unique_ptr<state::PartitionStore> store_;
  std::unique_ptr<Calendar> calendar_;
};

TEST_P(StateUpdaterTest, InMemorySnapshotsEqualTheStoreAtEveryStep) {
  std::mt19937_64 rng(GetParam());
  const std::vector<std::string> accounts = {"A1", "A2", "A3", "A4", "A5"};
  StateUpdater warm(calendar_.get(), store_.get(), /*cache_accounts=*/3);
  StateUpdater cold(calendar_.get(), store_.get(), /*cache_accounts=*/0);
  UnixMicros at = 1'735'689'600'000'000;  // 2025-01-01
  // Snapshots callers kept, with their bytes when taken: none may change later.
  std::vector<std::pair<std::shared_ptr<const state::AccountSnapshot>, std::string>> kept;
  for (int n = 0; n < 600; ++n) {
    const std::string& account = accounts[rng() % accounts.size()];
    at += static_cast<int64_t>(rng() % (3 * 86'400)) * 1'000'000;
    Event e = RandomEvent(rng, account, at, n);
    ASSERT_TRUE(warm.Add(e, n).ok());
    ASSERT_TRUE(cold.Add(e, n).ok());
    if (rng() % 5 == 0) {
      v1::AlertRecord alert;
      alert.set_rule(rng() % 2 ? "health_low" : "purchase_silence");
      alert.set_state(rng() % 2 ? v1::ALERT_STATE_FIRING : v1::ALERT_STATE_RESOLVED);
      alert.set_fired_at_us(at);
      warm.PutAlert(account, alert);
      cold.PutAlert(account, alert);
    }
    // A snapshot a caller keeps does not change under it (copy on write).
    auto snap = warm.Snapshot(account);
    ASSERT_TRUE(snap.ok());
    std::string before = Bytes(**snap);
    ASSERT_EQ(before, Cold(cold, account)) << "after event " << n;
    if (rng() % 7 == 0) kept.emplace_back(*snap, before);
    if (rng() % 4 == 0) {
      Event more = RandomEvent(rng, account, at, 10'000 + n);
      ASSERT_TRUE(warm.Add(more, n).ok());
      ASSERT_TRUE(cold.Add(more, n).ok());
      EXPECT_EQ(Bytes(**snap), before) << "a kept snapshot changed";
      ASSERT_EQ(Bytes(**warm.Snapshot(account)), Cold(cold, account));
    }
    if (rng() % 25 == 0) {
      // Drain both: the twin's writes are the same changes, so write only one batch.
      state::StoreBatch batch = store_->NewBatch();
      warm.Drain(&batch);
      state::StoreBatch discarded = store_->NewBatch();
      cold.Drain(&discarded);
      ASSERT_TRUE(store_->Write(batch).ok());
      for (const auto& a : accounts) {
        auto stored = state::ReadAccountSnapshot(*store_, a);
        ASSERT_TRUE(stored.ok());
        auto mine = warm.Snapshot(a);
        ASSERT_TRUE(mine.ok());
        ASSERT_EQ(Bytes(**mine), Bytes(*stored)) << a << " after the drain at event " << n;
      }
    }
  }
  for (const auto& [snapshot, bytes] : kept) EXPECT_EQ(Bytes(*snapshot), bytes);
}

INSTANTIATE_TEST_SUITE_P(Seeds, StateUpdaterTest, testing::Values(1, 2, 3, 42));

}  // namespace
}  // namespace churnwatch::ingest
