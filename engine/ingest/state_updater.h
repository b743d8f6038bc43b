// StateUpdater: turns accepted events into state-store writes for one partition, coalescing
// within a consumed batch so that all events of one account-period become a single merge
// operand. This is what keeps the store, the engine's wall, at one write per aggregate per
// batch instead of one per event (architecture.md: ~0.3 M writes/s).
//
// What each event kind changes (periods are calendar periods in the configured zone):
//   orders    orders[account, product line, month]: PLACED adds quantity, amount, order count
//             and first/last order time; CANCELLED / RETURNED add to their own quantity,
//             count and amount slots. order_days[account, day]: PLACED orders, quantity, amount.
//   service   service[account, day]: tickets opened/resolved/escalated, complaints, SLA
//             breaches, HIGH/CRITICAL count, CSAT and NPS sums and counts, promoters/detractors.
//   contacts  engagement[account, day]: meetings by status × type, calls, visits, people
//             added/left, decision-makers left, role changes, references withdrawn, manager
//             changes, last held contact per level; contacts[account, contact]: the person.
//   accounts  profiles[account]: the full profile, last message wins (compacted topic).
//   every     accounts[account]: first and last event time, event count.
//
// The pending (not yet written) changes can be laid over a snapshot read from the store, so
// rules evaluated mid-batch see exactly the events applied so far.
//
// Thread-safety: one instance per task thread.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "churnwatch/v1/state.pb.h"
#include "common/calendar.h"
#include "events/event.h"
#include "state/account_snapshot.h"
#include "state/partition_store.h"

namespace churnwatch::ingest {

class StateUpdater {
 public:
  // `cache_accounts`: how many accounts' stored snapshots to keep in memory (0 = none).
  StateUpdater(const Calendar* calendar, const state::PartitionStore* store,
               size_t cache_accounts = 1024)
      : calendar_(calendar), store_(store), cache_capacity_(cache_accounts) {}

  // Adds the effect of one accepted event to the pending writes. Contact events may read the
  // person's record from the store; IoError/Corruption if that read fails.
  Status Add(const Event& event, int64_t source_offset);

  // Records a new alert state for (account, rule); written by Drain().
  void PutAlert(const std::string& account_id, v1::AlertRecord record);

  // The account as of every event applied so far: what the store will hold once the pending
  // writes are drained and written. Kept in memory (an LRU of `cache_accounts` accounts) and
  // updated in place by Add() and PutAlert(), so an evaluation neither reads the store nor
  // copies the account; an account not in memory is read from the store once and the pending
  // changes laid over it. This updater is the store's only writer of these rows, so what it
  // holds is what the store holds. A caller may keep the returned snapshot: a later change to
  // the account copies it first (copy on write), the caller's copy stays as it was.
  Result<std::shared_ptr<const state::AccountSnapshot>> Snapshot(const std::string& account_id);

  // Accounts with pending (unwritten) changes.
  std::vector<std::string> PendingAccounts() const {
    std::vector<std::string> out;
    for (const auto& [account, p] : pending_) out.push_back(account);
    return out;
  }

  // Moves all pending writes into `batch` and forgets them.
  void Drain(state::StoreBatch* batch);

 private:
  struct PendingAccount {
    std::map<std::pair<std::string, MonthKey>, state::CounterRecord> order_months;
    std::map<DayKey, state::CounterRecord> order_days, service_days, engagement_days;
    std::map<std::string, v1::ContactRecord> contacts;
    std::optional<v1::ProfileRecord> profile;
    std::optional<state::CounterRecord> activity;
    std::map<std::string, v1::AlertRecord> alerts;
  };
  // The store's merge, in memory: counters merge, records replace.
  static void MergeInto(PendingAccount&& delta, PendingAccount* into);
  static void LayOver(const PendingAccount& delta, state::AccountSnapshot* snapshot);
  // Applies one change (the effect of an event, or an alert) to the pending writes and to the
  // account's snapshot in memory, if it is there.
  void Apply(const std::string& account_id, PendingAccount delta);

  void AddOrder(PendingAccount& p, const v1::OrderEvent& e, UnixMicros t);
  void AddService(PendingAccount& p, const v1::ServiceEvent& e, UnixMicros t);
  Status AddContact(PendingAccount& p, const v1::ContactEvent& e, UnixMicros t);
  // The person's record as of the events applied so far (this event's change, then pending,
  // then the store), copied into `p` to be changed.
  Result<v1::ContactRecord*> Person(PendingAccount& p, const std::string& account,
                                    const std::string& contact_id);

  const Calendar* calendar_;
  const state::PartitionStore* store_;
  std::unordered_map<std::string, PendingAccount> pending_;
  // Current snapshots by account (store + pending), least recently used at the back of
  // cache_order_.
  size_t cache_capacity_;
  std::list<std::string> cache_order_;
  std::unordered_map<std::string, std::pair<std::shared_ptr<state::AccountSnapshot>,
                                            std::list<std::string>::iterator>>
      cache_;
};

}  // namespace churnwatch::ingest
