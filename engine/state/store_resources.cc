#include "state/store_resources.h"

#include <rocksdb/cache.h>
#include <rocksdb/write_buffer_manager.h>

namespace churnwatch::state {

std::shared_ptr<StoreResources> StoreResources::Create(size_t block_cache_bytes,
                                                       size_t write_buffer_budget_bytes) {
  std::shared_ptr<StoreResources> r(new StoreResources());
  r->cache_ = rocksdb::NewLRUCache(block_cache_bytes);
  // Memtables are charged to the block cache too, so the two budgets bound memory together.
  r->wbm_ = std::make_shared<rocksdb::WriteBufferManager>(write_buffer_budget_bytes, r->cache_);
  return r;
}

StoreResources::~StoreResources() = default;

}  // namespace churnwatch::state
