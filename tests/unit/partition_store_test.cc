// Unit tests of engine/state/partition_store.h against a real RocksDB in a temporary
// directory: counter merges across batches and reopen, offsets + stream time committed with
// state, point/multi reads, prefix scans, error mapping and stats.
#include "state/partition_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "state/counters.h"
#include "state/key_codec.h"
#include "state/store_resources.h"
#include "temp_dir.h"

namespace churnwatch::state {
namespace {

using testutil::TempDir;

class PartitionStoreTest : public testing::Test {
 protected:
  std::unique_ptr<PartitionStore> Open() {
    auto store = PartitionStore::Open(dir_, Partition(3), StoreOptions{}, resources_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  // Closes the current store (if any) and opens the directory again.
  void Reopen() {
    store_.reset();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void SetUp() override { Reopen(); }

  void WriteOk(StoreBatch& batch) {
    Status s = store_->Write(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  CounterRecord ReadCounters(Family family, const std::string& key) {
    auto v = store_->Get(family, key);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok() || !v->has_value()) {
      ADD_FAILURE() << "no row for key in " << FamilyName(family);
      return CounterRecord();
    }
    auto rec = CounterRecord::Decode(**v);
    EXPECT_TRUE(rec.ok()) << rec.status().ToString();
    return rec.ok() ? *rec : CounterRecord();
  }
  static CounterRecord Order(int64_t qty, int64_t at) {
    CounterRecord r(CounterLayout::kOrderMonth);
    r.Add(kOrderQuantity, qty);
    r.Add(kOrderCount, 1);
    r.Min(kOrderFirstAt, at);
    r.Max(kOrderLastAt, at);
    return r;
  }

  TempDir tmp_;
  std::string dir_ = tmp_.Sub("store");
  std::shared_ptr<StoreResources> resources_ = StoreResources::Create(8 << 20, 16 << 20);
  std::unique_ptr<PartitionStore> store_;
};

TEST_F(PartitionStoreTest, OpenCreatesTheDirectoryAndKeepsPartition) {
  EXPECT_TRUE(std::filesystem::is_directory(dir_));
  EXPECT_EQ(store_->partition(), Partition(3));
  EXPECT_EQ(store_->dir(), dir_);
  EXPECT_TRUE(store_->latched_error().ok());
}

TEST_F(PartitionStoreTest, FamilyNames) {
  EXPECT_STREQ(FamilyName(Family::kMeta), "default");
  EXPECT_STREQ(FamilyName(Family::kOrders), "orders");
  EXPECT_STREQ(FamilyName(Family::kDedup), "dedup");
}

TEST_F(PartitionStoreTest, FreshStoreHasNoOffsetsOrStreamTime) {
  auto off = store_->ReadOffset("orders");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->has_value());
  auto t = store_->ReadStreamTime();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(t->has_value());
}

TEST_F(PartitionStoreTest, CounterMergesCombineWithinAndAcrossBatches) {
  const std::string key = OrderMonthKey("acct-1", "pumps", 202607);
  auto b1 = store_->NewBatch();
  b1.MergeCounters(Family::kOrders, key, Order(5, 1000));
  b1.MergeCounters(Family::kOrders, key, Order(1, 500));
  EXPECT_EQ(b1.count(), 2u);
  WriteOk(b1);
  auto b2 = store_->NewBatch();
  b2.MergeCounters(Family::kOrders, key, Order(10, 3000));
  WriteOk(b2);

  CounterRecord r = ReadCounters(Family::kOrders, key);
  EXPECT_EQ(r.Get(kOrderQuantity), 16);
  EXPECT_EQ(r.Get(kOrderCount), 3);
  EXPECT_EQ(r.Get(kOrderFirstAt), 500);
  EXPECT_EQ(r.Get(kOrderLastAt), 3000);
  EXPECT_EQ(r.Get(kOrderCancelledQty), 0);
}

TEST_F(PartitionStoreTest, CounterMergesSurviveReopenAndKeepCombining) {
  const std::string key = AccountPeriodKey("acct-1", 202607);
  for (int i = 1; i <= 3; ++i) {
    auto b = store_->NewBatch();
    CounterRecord svc(CounterLayout::kServiceDay);
    svc.Add(kSvcComplaints, i);
    svc.Max(kSvcLastAt, 100 * i);
    b.MergeCounters(Family::kService, key, svc);
    CounterRecord eng(CounterLayout::kEngagementDay);
    eng.Add(MeetingSlot(2, 0), 1);
    eng.Max(kEngLastExecutiveAt, -100 * i);
    b.MergeCounters(Family::kEngagement, key, eng);
    WriteOk(b);
  }
  Reopen();
  CounterRecord svc = ReadCounters(Family::kService, key);
  EXPECT_EQ(svc.Get(kSvcComplaints), 6);
  EXPECT_EQ(svc.Get(kSvcLastAt), 300);
  CounterRecord eng = ReadCounters(Family::kEngagement, key);
  EXPECT_EQ(eng.Get(MeetingSlot(2, 0)), 3);
  EXPECT_EQ(eng.Get(kEngLastExecutiveAt), -100);
  EXPECT_TRUE(eng.IsUnset(kEngLastManagementAt));

  auto b = store_->NewBatch();
  CounterRecord more(CounterLayout::kServiceDay);
  more.Add(kSvcComplaints, 4);
  b.MergeCounters(Family::kService, key, more);
  WriteOk(b);
  EXPECT_EQ(ReadCounters(Family::kService, key).Get(kSvcComplaints), 10);
  Reopen();
  EXPECT_EQ(ReadCounters(Family::kService, key).Get(kSvcComplaints), 10);
  EXPECT_EQ(ReadCounters(Family::kService, key).Get(kSvcLastAt), 300);
}

TEST_F(PartitionStoreTest, MergeOntoAPutRecordCombinesWithIt) {
  const std::string key = OrderMonthKey("acct-1", "gears", 202601);
  auto b = store_->NewBatch();
  b.Put(Family::kOrders, key, Order(7, 200).Encode());
  b.MergeCounters(Family::kOrders, key, Order(3, 100));
  WriteOk(b);
  CounterRecord r = ReadCounters(Family::kOrders, key);
  EXPECT_EQ(r.Get(kOrderQuantity), 10);
  EXPECT_EQ(r.Get(kOrderFirstAt), 100);
  EXPECT_EQ(r.Get(kOrderLastAt), 200);
}

TEST_F(PartitionStoreTest, MergesOfDifferentKeysStaySeparate) {
  auto b = store_->NewBatch();
  b.MergeCounters(Family::kOrders, OrderMonthKey("acct-1", "pumps", 202606), Order(1, 1));
  b.MergeCounters(Family::kOrders, OrderMonthKey("acct-1", "pumps", 202607), Order(2, 2));
  b.MergeCounters(Family::kOrders, OrderMonthKey("acct-10", "pumps", 202607), Order(4, 4));
  WriteOk(b);
  EXPECT_EQ(
      ReadCounters(Family::kOrders, OrderMonthKey("acct-1", "pumps", 202606)).Get(kOrderQuantity),
      1);
  EXPECT_EQ(
      ReadCounters(Family::kOrders, OrderMonthKey("acct-1", "pumps", 202607)).Get(kOrderQuantity),
      2);
  EXPECT_EQ(
      ReadCounters(Family::kOrders, OrderMonthKey("acct-10", "pumps", 202607)).Get(kOrderQuantity),
      4);
}

TEST_F(PartitionStoreTest, UndecodableMergeOperandReadsAsCorruption) {
  const std::string key = OrderMonthKey("acct-1", "pumps", 202607);
  auto b = store_->NewBatch();
  b.Put(Family::kOrders, key, "not a counter record");
  b.MergeCounters(Family::kOrders, key, Order(1, 1));
  WriteOk(b);
  auto v = store_->Get(Family::kOrders, key);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption) << v.status().ToString();
}

TEST_F(PartitionStoreTest, MergeOfDifferentLayoutsReadsAsCorruption) {
  const std::string key = AccountPeriodKey("acct-1", 202607);
  auto b = store_->NewBatch();
  b.MergeCounters(Family::kService, key, CounterRecord(CounterLayout::kServiceDay));
  b.MergeCounters(Family::kService, key, CounterRecord(CounterLayout::kEngagementDay));
  WriteOk(b);
  auto v = store_->Get(Family::kService, key);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption) << v.status().ToString();
}

TEST_F(PartitionStoreTest, OffsetsAndStreamTimeInTheStateBatchSurviveReopen) {
  const std::string key = OrderMonthKey("acct-1", "pumps", 202607);
  auto b = store_->NewBatch();
  b.MergeCounters(Family::kOrders, key, Order(5, 1));
  b.PutOffset("orders", 101);
  b.PutOffset("service", 7);
  b.PutStreamTime(1'782'892'800'000'000);
  EXPECT_EQ(b.count(), 4u);
  WriteOk(b);
  Reopen();
  auto orders = store_->ReadOffset("orders");
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  EXPECT_EQ(*orders, std::optional<int64_t>(101));
  EXPECT_EQ(*store_->ReadOffset("service"), std::optional<int64_t>(7));
  EXPECT_FALSE(store_->ReadOffset("contacts")->has_value());
  auto t = store_->ReadStreamTime();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, std::optional<UnixMicros>(1'782'892'800'000'000));
  EXPECT_EQ(ReadCounters(Family::kOrders, key).Get(kOrderQuantity), 5);
}

TEST_F(PartitionStoreTest, LaterOffsetsReplaceEarlierOnesAndOthersStay) {
  auto b1 = store_->NewBatch();
  b1.PutOffset("orders", 101);
  b1.PutOffset("service", 7);
  b1.PutStreamTime(-5);
  WriteOk(b1);
  auto b2 = store_->NewBatch();
  b2.PutOffset("orders", 205);
  b2.PutStreamTime(1000);
  WriteOk(b2);
  Reopen();
  EXPECT_EQ(*store_->ReadOffset("orders"), std::optional<int64_t>(205));
  EXPECT_EQ(*store_->ReadOffset("service"), std::optional<int64_t>(7));
  EXPECT_EQ(*store_->ReadStreamTime(), std::optional<UnixMicros>(1000));
}

TEST_F(PartitionStoreTest, ExtremeOffsetAndNegativeStreamTimeRoundTrip) {
  auto b = store_->NewBatch();
  b.PutOffset("orders", 0);
  b.PutOffset("x", INT64_MAX);
  b.PutStreamTime(-1);
  WriteOk(b);
  Reopen();
  EXPECT_EQ(*store_->ReadOffset("orders"), std::optional<int64_t>(0));
  EXPECT_EQ(*store_->ReadOffset("x"), std::optional<int64_t>(INT64_MAX));
  EXPECT_EQ(*store_->ReadStreamTime(), std::optional<UnixMicros>(-1));
}

TEST_F(PartitionStoreTest, StoredOffsetOfWrongSizeIsCorruption) {
  auto b = store_->NewBatch();
  b.Put(Family::kMeta, OffsetKey("orders"), "abc");
  b.Put(Family::kMeta, kStreamTimeKey, "123456789");
  WriteOk(b);
  auto off = store_->ReadOffset("orders");
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.status().code(), StatusCode::kCorruption);
  EXPECT_NE(off.status().message().find("orders"), std::string::npos) << off.status().message();
  auto t = store_->ReadStreamTime();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorruption);
}

TEST_F(PartitionStoreTest, CorruptStreamTimeFailsReopenWithCorruption) {
  auto b = store_->NewBatch();
  b.Put(Family::kMeta, kStreamTimeKey, "x");
  WriteOk(b);
  store_.reset();
  auto reopened = PartitionStore::Open(dir_, Partition(3), StoreOptions{}, resources_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
}

TEST_F(PartitionStoreTest, EmptyBatchWritesNothing) {
  auto b = store_->NewBatch();
  EXPECT_EQ(b.count(), 0u);
  WriteOk(b);
  EXPECT_FALSE(store_->ReadOffset("orders")->has_value());
}

TEST_F(PartitionStoreTest, GetDistinguishesFamiliesAndAbsentKeys) {
  auto b = store_->NewBatch();
  b.Put(Family::kProfiles, "k", "profile");
  b.Put(Family::kContacts, "k", std::string("a\0b", 3));
  WriteOk(b);
  auto p = store_->Get(Family::kProfiles, "k");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, std::optional<std::string>("profile"));
  EXPECT_EQ(*store_->Get(Family::kContacts, "k"),
            std::optional<std::string>(std::string("a\0b", 3)));
  EXPECT_FALSE(store_->Get(Family::kDedup, "k")->has_value());
  EXPECT_FALSE(store_->Get(Family::kProfiles, "k2")->has_value());
  EXPECT_FALSE(store_->Get(Family::kProfiles, "")->has_value());
}

TEST_F(PartitionStoreTest, MultiExistsReportsEachKeyInOrder) {
  auto b = store_->NewBatch();
  b.Put(Family::kDedup, DedupKey(0, "e1"), EncodeInt64(1));
  b.Put(Family::kDedup, DedupKey(0, "e3"), EncodeInt64(3));
  b.Put(Family::kDedup, DedupKey(1, "e2"), EncodeInt64(2));
  WriteOk(b);
  std::vector<std::string> keys = {DedupKey(0, "e1"), DedupKey(0, "e2"), DedupKey(0, "e3"),
                                   DedupKey(1, "e1"), DedupKey(1, "e2"), DedupKey(0, "e1")};
  std::vector<bool> found = {true};  // stale content must be replaced
  Status s = store_->MultiExists(Family::kDedup, keys, &found);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(found, (std::vector<bool>{true, false, true, false, true, true}));
  // Another family does not see them.
  s = store_->MultiExists(Family::kProfiles, keys, &found);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(found, std::vector<bool>(keys.size(), false));
}

TEST_F(PartitionStoreTest, MultiExistsOfNoKeysIsEmpty) {
  std::vector<bool> found = {true, true};
  Status s = store_->MultiExists(Family::kDedup, {}, &found);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(found.empty());
}

TEST_F(PartitionStoreTest, MultiExistsSeesMergedCounterRowsAndSurvivesReopen) {
  auto b = store_->NewBatch();
  b.MergeCounters(Family::kOrders, OrderMonthKey("a", "l", 202607), Order(1, 1));
  WriteOk(b);
  Reopen();
  std::vector<bool> found;
  Status s = store_->MultiExists(
      Family::kOrders, {OrderMonthKey("a", "l", 202607), OrderMonthKey("a", "l", 202608)}, &found);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(found, (std::vector<bool>{true, false}));
}

TEST_F(PartitionStoreTest, ScanPrefixVisitsOnlyMatchingRowsInKeyOrder) {
  auto b = store_->NewBatch();
  b.Put(Family::kContacts, ContactKey("acct-1", "p2"), "v12");
  b.Put(Family::kContacts, ContactKey("acct-10", "p1"), "v101");
  b.Put(Family::kContacts, ContactKey("acct-1", "p1"), "v11");
  b.Put(Family::kContacts, ContactKey("acct-2", "p1"), "v21");
  b.Put(Family::kContacts, ContactKey("acct-", "p1"), "v-1");
  WriteOk(b);
  std::vector<std::pair<std::string, std::string>> rows;
  auto collect = [&](std::string_view k, std::string_view v) { rows.emplace_back(k, v); };

  ASSERT_TRUE(store_->ScanPrefix(Family::kContacts, AccountPrefix("acct-1"), collect).ok());
  EXPECT_EQ(rows, (std::vector<std::pair<std::string, std::string>>{
                      {ContactKey("acct-1", "p1"), "v11"}, {ContactKey("acct-1", "p2"), "v12"}}));

  rows.clear();
  ASSERT_TRUE(store_->ScanPrefix(Family::kContacts, AccountPrefix("acct-3"), collect).ok());
  EXPECT_TRUE(rows.empty());

  rows.clear();
  ASSERT_TRUE(store_->ScanPrefix(Family::kContacts, "", collect).ok());
  EXPECT_EQ(rows.size(), 5u);

  rows.clear();
  ASSERT_TRUE(store_->ScanPrefix(Family::kProfiles, AccountPrefix("acct-1"), collect).ok());
  EXPECT_TRUE(rows.empty());
}

TEST_F(PartitionStoreTest, ScanPrefixReturnsMergedCounterValues) {
  const std::string key = OrderMonthKey("acct-1", "pumps", 202607);
  for (int i = 0; i < 3; ++i) {
    auto b = store_->NewBatch();
    b.MergeCounters(Family::kOrders, key, Order(2, 10 + i));
    WriteOk(b);
  }
  int rows = 0;
  ASSERT_TRUE(store_
                  ->ScanPrefix(Family::kOrders, AccountPrefix("acct-1"),
                               [&](std::string_view k, std::string_view v) {
                                 ++rows;
                                 EXPECT_EQ(k, key);
                                 auto r = CounterRecord::Decode(v);
                                 ASSERT_TRUE(r.ok());
                                 EXPECT_EQ(r->Get(kOrderQuantity), 6);
                                 EXPECT_EQ(r->Get(kOrderFirstAt), 10);
                                 EXPECT_EQ(r->Get(kOrderLastAt), 12);
                               })
                  .ok());
  EXPECT_EQ(rows, 1);
}

TEST_F(PartitionStoreTest, ScanAllStopsWhenTheCallbackSaysSo) {
  auto b = store_->NewBatch();
  for (const char* k : {"a", "b", "c", "d"}) b.Put(Family::kProfiles, k, k);
  WriteOk(b);
  std::vector<std::string> seen;
  ASSERT_TRUE(store_
                  ->ScanAll(Family::kProfiles,
                            [&](std::string_view k, std::string_view) {
                              seen.emplace_back(k);
                              return seen.size() < 2;
                            })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  seen.clear();
  ASSERT_TRUE(store_
                  ->ScanAll(Family::kProfiles,
                            [&](std::string_view k, std::string_view) {
                              seen.emplace_back(k);
                              return true;
                            })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(PartitionStoreTest, StatsAreNonNegativeAndCountWrittenData) {
  StoreStats empty = store_->Stats();
  EXPECT_GE(empty.live_bytes, 0);
  EXPECT_GE(empty.pending_compaction_bytes, 0);
  EXPECT_GE(empty.estimated_keys, 0);
  auto b = store_->NewBatch();
  for (int i = 0; i < 100; ++i) {
    b.Put(Family::kProfiles, AccountPrefix("acct-" + std::to_string(i)), std::string(100, 'x'));
  }
  WriteOk(b);
  StoreStats s = store_->Stats();
  EXPECT_GT(s.live_bytes, 0);
  EXPECT_GE(s.pending_compaction_bytes, 0);
  EXPECT_GE(s.estimated_keys, 100);
}

TEST_F(PartitionStoreTest, AdvancingStreamTimeDoesNotAffectReads) {
  auto b = store_->NewBatch();
  b.Put(Family::kDedup, DedupKey(0, "old"), EncodeInt64(0));
  WriteOk(b);
  store_->AdvanceStreamTime(365 * kMicrosPerDay);
  store_->AdvanceStreamTime(0);  // moving backwards is ignored
  std::vector<bool> found;
  ASSERT_TRUE(store_->MultiExists(Family::kDedup, {DedupKey(0, "old")}, &found).ok());
  EXPECT_EQ(found, std::vector<bool>{true});  // only compaction may drop it
}

TEST_F(PartitionStoreTest, SecondOpenOfAnOpenStoreFailsWithIoErrorNamingTheDirectory) {
  auto second = PartitionStore::Open(dir_, Partition(3), StoreOptions{}, resources_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError) << second.status().ToString();
  EXPECT_NE(second.status().message().find(dir_), std::string::npos) << second.status().message();
  EXPECT_TRUE(store_->latched_error().ok());
}

TEST_F(PartitionStoreTest, OpenWhereAFileIsFailsWithIoError) {
  std::string file = tmp_.Sub("plain-file");
  std::ofstream(file) << "x";
  auto store = PartitionStore::Open(file + "/store", Partition(0), StoreOptions{}, resources_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << store.status().ToString();
}

TEST_F(PartitionStoreTest, SyncWritesOptionStillCommits) {
  store_.reset();
  StoreOptions opts;
  opts.sync_writes = true;
  auto store = PartitionStore::Open(dir_, Partition(3), opts, resources_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto b = (*store)->NewBatch();
  b.PutOffset("orders", 9);
  ASSERT_TRUE((*store)->Write(b).ok());
  EXPECT_EQ(*(*store)->ReadOffset("orders"), std::optional<int64_t>(9));
}

TEST_F(PartitionStoreTest, TwoStoresShareResourcesIndependently) {
  auto other = PartitionStore::Open(tmp_.Sub("other"), Partition(4), StoreOptions{}, resources_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto b1 = store_->NewBatch();
  b1.PutOffset("orders", 1);
  WriteOk(b1);
  auto b2 = (*other)->NewBatch();
  b2.PutOffset("orders", 2);
  ASSERT_TRUE((*other)->Write(b2).ok());
  EXPECT_EQ(*store_->ReadOffset("orders"), std::optional<int64_t>(1));
  EXPECT_EQ(*(*other)->ReadOffset("orders"), std::optional<int64_t>(2));
  EXPECT_EQ((*other)->partition(), Partition(4));
}

}  // namespace
}  // namespace churnwatch::state
