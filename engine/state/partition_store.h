// PartitionStore: the RocksDB store of one task (input partition p of every input topic).
//
// Column families by concern (key layouts in key_codec.h):
//   default (meta: offsets, stream time), orders, service, engagement, contacts, profiles, dedup.
// Counter families use the counter merge operator (counters.h), so the hot path only writes.
//
// Exactly-once: the engine puts the next offset of every topic it consumed into the SAME
// StoreBatch as the state those messages produced, and Write() applies it atomically (WAL on).
// After a crash, ReadOffset() says exactly where to resume.
//
// Errors are latched (LevelDB's bg_error_): after a failed write every later Write() returns
// the first error, so the engine stops committing and reports not-ready.
//
// Thread-safety: Write() and reads from any thread. The task thread writes state; the notifier
// and HTTP threads write only keys of their own (notify deletions, acks, history pruning).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "state/counters.h"

namespace churnwatch::state {

enum class Family : uint8_t {
  kMeta,        // offsets, stream time, outbox sequence
  kOrders,      // account × product line × month counters
  kService,     // account × day counters
  kEngagement,  // account × day counters
  kContacts,    // account × person records
  kProfiles,    // account profiles
  kDedup,       // event ids within the dedup window
  kOrderDays,   // account × day counters of PLACED orders (purchase cycle, BG/NBD)
  kAccounts,    // account activity counters (first/last event); lists the store's accounts
  kAlerts,      // account × rule alert state
  kOutbox,      // alert transitions not yet acknowledged by Kafka, by sequence number
  kNotify,      // alert notifications not yet accepted by an Alertmanager, by URL and sequence
  kHistory,     // account × time: alert transitions and acknowledgements, kept for retention
  kAcks,        // alert id: acknowledgement; first-notified time (escalation clock)
};
constexpr int kFamilyCount = 14;
const char* FamilyName(Family f);

struct StoreOptions {
  // fsync the WAL on every batch. Default false: a process crash (SIGKILL) loses nothing
  // either way; true also survives power loss, at a large cost in throughput. Not reloadable.
  bool sync_writes = false;
  // Memtable size per column family. Default 8 MiB: memtable inserts are memory-latency bound
  // and 8 MiB measured 1.6x faster than RocksDB's 64 MiB here (architecture.md).
  size_t write_buffer_bytes = 8 << 20;
  // A repeated event_id is recognised while its first occurrence's event time is within this
  // window of the partition's stream time. Default 30 days.
  int64_t dedup_window_micros = 30 * kMicrosPerDay;
};

class StoreResources;  // shared block cache and write-buffer budget (store_set.h)

class PartitionStore;

// A set of writes applied atomically by PartitionStore::Write().
class StoreBatch {
 public:
  ~StoreBatch();
  StoreBatch(StoreBatch&&) noexcept;

  void MergeCounters(Family family, std::string_view key, const CounterRecord& delta);
  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);
  // Records that everything before `next_offset` of `topic` is contained in this batch's store.
  void PutOffset(std::string_view topic, int64_t next_offset);
  void PutStreamTime(UnixMicros t);
  size_t count() const;

 private:
  friend class PartitionStore;
  struct Impl;
  explicit StoreBatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct StoreStats {
  int64_t live_bytes = 0;                // SST files + memtables
  int64_t pending_compaction_bytes = 0;  // RocksDB's estimate
  int64_t estimated_keys = 0;
};

class PartitionStore {
 public:
  // Opens (creating if missing) the store in `dir`. IoError / Corruption name the directory.
  static Result<std::unique_ptr<PartitionStore>> Open(const std::string& dir, Partition partition,
                                                      const StoreOptions& options,
                                                      std::shared_ptr<StoreResources> resources);
  ~PartitionStore();

  Partition partition() const { return partition_; }
  const std::string& dir() const { return dir_; }

  StoreBatch NewBatch();
  // Applies the batch atomically. Returns (and latches) IoError on failure.
  Status Write(StoreBatch& batch);
  // The first write error, or OK.
  Status latched_error() const;

  // The next offset to consume of `topic`, or nullopt if nothing of it was ever stored.
  Result<std::optional<int64_t>> ReadOffset(std::string_view topic) const;
  Result<std::optional<UnixMicros>> ReadStreamTime() const;

  Result<std::optional<std::string>> Get(Family family, std::string_view key) const;
  // values[i] = the value of keys[i], nullopt when absent. One MultiGet for the whole vector.
  Status MultiGet(Family family, const std::vector<std::string>& keys,
                  std::vector<std::optional<std::string>>* values) const;
  // found[i] = keys[i] exists. One MultiGet for the whole vector.
  Status MultiExists(Family family, const std::vector<std::string>& keys,
                     std::vector<bool>* found) const;
  // Calls fn for every row whose key starts with `prefix`, in key order.
  Status ScanPrefix(
      Family family, std::string_view prefix,
      const std::function<void(std::string_view key, std::string_view value)>& fn) const;
  // Calls fn for every row of the family (used to list accounts).
  Status ScanAll(Family family,
                 const std::function<bool(std::string_view key, std::string_view value)>& fn) const;

  // Moves the dedup horizon: dedup entries older than stream_time - window may be dropped.
  void AdvanceStreamTime(UnixMicros stream_time);

  StoreStats Stats() const;

 private:
  friend class StoreBatch;
  struct Impl;
  PartitionStore(std::unique_ptr<Impl> impl, Partition partition, std::string dir);
  std::unique_ptr<Impl> impl_;
  Partition partition_;
  std::string dir_;
};

}  // namespace churnwatch::state
