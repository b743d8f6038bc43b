#include "state/partition_store.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

#include "state/key_codec.h"
#include "state/store_resources.h"

namespace churnwatch::state {
namespace {

constexpr const char* kFamilyNames[kFamilyCount] = {
    "default",    "orders",   "service", "engagement", "contacts", "profiles", "dedup",
    "order_days", "accounts", "alerts",  "outbox",     "notify",   "history",  "acks"};

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Corruption(context + ": " + s.ToString());
  return IoError(context + ": " + s.ToString());
}

// Combines counter records slot by slot (counters.h). Associative, so RocksDB may combine
// operands in any grouping.
class CounterMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    auto operand = CounterRecord::Decode(std::string_view(value.data(), value.size()));
    if (!operand.ok()) return false;
    if (existing == nullptr) {
      *new_value = operand->Encode();
      return true;
    }
    auto base = CounterRecord::Decode(std::string_view(existing->data(), existing->size()));
    if (!base.ok() || base->layout() != operand->layout()) return false;
    base->MergeFrom(*operand);
    *new_value = base->Encode();
    return true;
  }
  const char* Name() const override { return "churnwatch.CounterMerge.v1"; }
};

// Drops dedup entries whose event time fell behind the horizon (stream time - window).
class DedupExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  explicit DedupExpiryFilter(const std::atomic<int64_t>* horizon) : horizon_(horizon) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    auto v = DecodeDedupValue(std::string_view(value.data(), value.size()));
    return v.has_value() && v->occurred_at < horizon_->load(std::memory_order_relaxed);
  }
  const char* Name() const override { return "churnwatch.DedupExpiry.v1"; }

 private:
  const std::atomic<int64_t>* horizon_;
};

}  // namespace

const char* FamilyName(Family f) { return kFamilyNames[static_cast<int>(f)]; }

struct PartitionStore::Impl {
  std::shared_ptr<StoreResources> resources;
  StoreOptions options;
  std::atomic<int64_t> dedup_horizon{INT64_MIN};
  std::unique_ptr<DedupExpiryFilter> dedup_filter;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // indexed by Family
  rocksdb::WriteOptions write_options;
  mutable std::mutex error_mu;
  Status latched;

  ~Impl() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      db->Close().PermitUncheckedError();
    }
  }
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles[static_cast<int>(f)]; }
};

struct StoreBatch::Impl {
  const PartitionStore::Impl* store;
  rocksdb::WriteBatch batch;
};

StoreBatch::StoreBatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreBatch::StoreBatch(StoreBatch&&) noexcept = default;
StoreBatch::~StoreBatch() = default;

void StoreBatch::MergeCounters(Family family, std::string_view key, const CounterRecord& delta) {
  // WriteBatch only fails on size overflow (> 4 GiB), which a consumed batch can not reach.
  impl_->batch
      .Merge(impl_->store->cf(family), rocksdb::Slice(key.data(), key.size()), delta.Encode())
      .PermitUncheckedError();
}

void StoreBatch::Put(Family family, std::string_view key, std::string_view value) {
  impl_->batch
      .Put(impl_->store->cf(family), rocksdb::Slice(key.data(), key.size()),
           rocksdb::Slice(value.data(), value.size()))
      .PermitUncheckedError();
}

void StoreBatch::Delete(Family family, std::string_view key) {
  impl_->batch.Delete(impl_->store->cf(family), rocksdb::Slice(key.data(), key.size()))
      .PermitUncheckedError();
}

void StoreBatch::PutOffset(std::string_view topic, int64_t next_offset) {
  Put(Family::kMeta, OffsetKey(topic), EncodeInt64(next_offset));
}

void StoreBatch::PutStreamTime(UnixMicros t) { Put(Family::kMeta, kStreamTimeKey, EncodeInt64(t)); }

size_t StoreBatch::count() const { return impl_->batch.Count(); }

PartitionStore::PartitionStore(std::unique_ptr<Impl> impl, Partition partition, std::string dir)
    : impl_(std::move(impl)), partition_(partition), dir_(std::move(dir)) {}

PartitionStore::~PartitionStore() = default;

Result<std::unique_ptr<PartitionStore>> PartitionStore::Open(
    const std::string& dir, Partition partition, const StoreOptions& options,
    std::shared_ptr<StoreResources> resources) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create state directory " + dir + ": " + ec.message());

  auto impl = std::make_unique<Impl>();
  impl->resources = resources;
  impl->options = options;
  impl->dedup_filter = std::make_unique<DedupExpiryFilter>(&impl->dedup_horizon);
  impl->write_options.sync = options.sync_writes;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.write_buffer_manager = resources->write_buffers();
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 3;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = resources->block_cache();
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  auto table_factory =
      std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(table));
  auto merge = std::make_shared<CounterMergeOperator>();

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < kFamilyCount; ++i) {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.table_factory = table_factory;
    auto f = static_cast<Family>(i);
    if (f == Family::kOrders || f == Family::kService || f == Family::kEngagement ||
        f == Family::kOrderDays || f == Family::kAccounts) {
      cf.merge_operator = merge;
    }
    if (f == Family::kDedup) cf.compaction_filter = impl->dedup_filter.get();
    families.emplace_back(kFamilyNames[i], cf);
  }
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, dir, families, &impl->handles, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open state store " + dir);
  impl->db.reset(raw);

  std::unique_ptr<PartitionStore> store(new PartitionStore(std::move(impl), partition, dir));
  auto stream_time = store->ReadStreamTime();
  if (!stream_time.ok()) return stream_time.status();
  if (stream_time->has_value()) store->AdvanceStreamTime(**stream_time);
  return store;
}

StoreBatch PartitionStore::NewBatch() {
  auto impl = std::make_unique<StoreBatch::Impl>();
  impl->store = impl_.get();
  return StoreBatch(std::move(impl));
}

Status PartitionStore::Write(StoreBatch& batch) {
  {
    std::lock_guard lock(impl_->error_mu);
    if (!impl_->latched.ok()) return impl_->latched;
  }
  auto s = impl_->db->Write(impl_->write_options, &batch.impl_->batch);
  if (s.ok()) return Status::Ok();
  Status st = FromRocks(s, "write to state store " + dir_ + " failed");
  std::lock_guard lock(impl_->error_mu);
  if (impl_->latched.ok()) impl_->latched = st;
  return st;
}

Status PartitionStore::latched_error() const {
  std::lock_guard lock(impl_->error_mu);
  return impl_->latched;
}

Result<std::optional<std::string>> PartitionStore::Get(Family family, std::string_view key) const {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(family),
                          rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read from " + dir_);
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<int64_t>> PartitionStore::ReadOffset(std::string_view topic) const {
  auto v = Get(Family::kMeta, OffsetKey(topic));
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<int64_t>();
  auto off = DecodeInt64(**v);
  if (!off)
    return Corruption("stored offset of " + std::string(topic) + " in " + dir_ + " is not 8 bytes");
  return std::optional<int64_t>(*off);
}

Result<std::optional<UnixMicros>> PartitionStore::ReadStreamTime() const {
  auto v = Get(Family::kMeta, kStreamTimeKey);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<UnixMicros>();
  auto t = DecodeInt64(**v);
  if (!t) return Corruption("stored stream time in " + dir_ + " is not 8 bytes");
  return std::optional<UnixMicros>(*t);
}

Status PartitionStore::MultiGet(Family family, const std::vector<std::string>& keys,
                                std::vector<std::optional<std::string>>* values) const {
  values->assign(keys.size(), std::nullopt);
  if (keys.empty()) return Status::Ok();
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> pinned(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->cf(family), keys.size(), slices.data(),
                      pinned.data(), statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].ok()) {
      (*values)[i] = pinned[i].ToString();
    } else if (!statuses[i].IsNotFound()) {
      return FromRocks(statuses[i], "multiget in " + dir_);
    }
  }
  return Status::Ok();
}

Status PartitionStore::MultiExists(Family family, const std::vector<std::string>& keys,
                                   std::vector<bool>* found) const {
  std::vector<std::optional<std::string>> values;
  CW_RETURN_IF_ERROR(MultiGet(family, keys, &values));
  found->assign(keys.size(), false);
  for (size_t i = 0; i < keys.size(); ++i) (*found)[i] = values[i].has_value();
  return Status::Ok();
}

Status PartitionStore::ScanPrefix(
    Family family, std::string_view prefix,
    const std::function<void(std::string_view, std::string_view)>& fn) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(family)));
  rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    fn(std::string_view(it->key().data(), it->key().size()),
       std::string_view(it->value().data(), it->value().size()));
  }
  return FromRocks(it->status(), "scan of " + dir_);
}

Status PartitionStore::ScanAll(
    Family family, const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(family)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan of " + dir_);
}

void PartitionStore::AdvanceStreamTime(UnixMicros stream_time) {
  int64_t horizon = stream_time - impl_->options.dedup_window_micros;
  int64_t cur = impl_->dedup_horizon.load();
  while (horizon > cur && !impl_->dedup_horizon.compare_exchange_weak(cur, horizon)) {
  }
}

StoreStats PartitionStore::Stats() const {
  StoreStats s;
  uint64_t v = 0;
  if (impl_->db->GetAggregatedIntProperty("rocksdb.total-sst-files-size", &v))
    s.live_bytes += static_cast<int64_t>(v);
  if (impl_->db->GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &v))
    s.live_bytes += static_cast<int64_t>(v);
  if (impl_->db->GetAggregatedIntProperty("rocksdb.estimate-pending-compaction-bytes", &v)) {
    s.pending_compaction_bytes = static_cast<int64_t>(v);
  }
  if (impl_->db->GetAggregatedIntProperty("rocksdb.estimate-num-keys", &v))
    s.estimated_keys = static_cast<int64_t>(v);
  return s;
}

}  // namespace churnwatch::state
