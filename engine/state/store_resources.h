// StoreResources: what all partition stores of one process share — one block cache and one
// write-buffer (memtable) budget — so that memory is bounded by configuration, not by the
// number of assigned partitions.
#pragma once

#include <cstddef>
#include <memory>

namespace rocksdb {
class Cache;
class WriteBufferManager;
}  // namespace rocksdb

namespace churnwatch::state {

class StoreResources {
 public:
  // block_cache_bytes: shared LRU block cache (default 256 MiB).
  // write_buffer_budget_bytes: total memtable memory across all stores (default 256 MiB).
  static std::shared_ptr<StoreResources> Create(size_t block_cache_bytes = 256 << 20,
                                                size_t write_buffer_budget_bytes = 256 << 20);
  ~StoreResources();

  // For PartitionStore only (RocksDB types do not leave engine/state).
  const std::shared_ptr<rocksdb::Cache>& block_cache() const { return cache_; }
  const std::shared_ptr<rocksdb::WriteBufferManager>& write_buffers() const { return wbm_; }

 private:
  StoreResources() = default;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> wbm_;
};

}  // namespace churnwatch::state
