// StateUpdater: turns accepted events into state-store writes for one partition, coalescing
// within a consumed batch so that all events of one account-month (and product line) become a
// single merge operand. This is what keeps the store, the engine's wall, at one write per
// aggregate per batch instead of one per event (architecture.md: ~0.3 M writes/s).
//
// What each event kind changes:
//   orders    orders[account, product line, month]: PLACED adds quantity, amount, order count
//             and first/last order time; CANCELLED / RETURNED add to their own quantity,
//             count and amount slots (the placed figures stay as they were).
//   service   service[account, month]: tickets opened/resolved/escalated, complaints, SLA
//             breaches, HIGH/CRITICAL count, CSAT and NPS sums and counts, promoters/detractors.
//   contacts  engagement[account, month]: meetings by status × type, calls, visits, people
//             added/left, decision-makers left, role changes, references withdrawn, manager
//             changes, last held contact per level; contacts[account, contact]: the person.
//   accounts  profiles[account]: the full profile, last message wins (compacted topic).
//
// Thread-safety: one instance per task thread.
#pragma once

#include <string>
#include <unordered_map>

#include "churnwatch/v1/state.pb.h"
#include "common/calendar.h"
#include "events/event.h"
#include "state/partition_store.h"

namespace churnwatch::ingest {

class StateUpdater {
 public:
  StateUpdater(const Calendar* calendar, const state::PartitionStore* store)
      : calendar_(calendar), store_(store) {}

  // Adds the effect of one accepted event to the pending writes. Contact events may read the
  // person's record from the store; IoError/Corruption if that read fails.
  Status Add(const Event& event, int64_t source_offset);

  // Moves all pending writes into `batch` and forgets them.
  void Drain(state::StoreBatch* batch);

 private:
  void AddOrder(const v1::OrderEvent& e, UnixMicros t);
  void AddService(const v1::ServiceEvent& e, UnixMicros t);
  Status AddContact(const v1::ContactEvent& e, UnixMicros t);
  void AddAccount(const v1::AccountEvent& e, int64_t source_offset);
  state::CounterRecord& Pending(std::unordered_map<std::string, state::CounterRecord>& map,
                                std::string key, state::CounterLayout layout);
  // The person's record as of the events applied so far (pending first, then the store).
  Result<v1::ContactRecord*> Person(const std::string& account, const std::string& contact_id);

  const Calendar* calendar_;
  const state::PartitionStore* store_;
  std::unordered_map<std::string, state::CounterRecord> orders_, service_, engagement_;
  std::unordered_map<std::string, v1::ContactRecord> contacts_;
  std::unordered_map<std::string, std::string> profiles_;  // key → serialized ProfileRecord
};

}  // namespace churnwatch::ingest
