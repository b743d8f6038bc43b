// Counter records: fixed vectors of int64 slots that the state store combines with a RocksDB
// merge operator, so applying an event never reads before it writes.
//
// Each record has a layout (which aggregate it is) and every slot of a layout has one combine
// operation: sum, min, max or bitwise or. All four are associative and commutative, so partial
// merges, coalescing inside a batch and replay order do not change the result.
//
// Encoding: [layout:u8][slot count:u8][slot count × int64 little-endian]. Slots are only ever
// appended to a layout; a stored record with fewer slots reads the missing ones as identity.
//
// In memory a record has a fixed capacity: `CounterRecord` fits every layout (write deltas, the
// merge operator), the per-layout aliases fit one (an account's rows), and `CounterView` reads
// any of them. The bytes in the store are the same whatever the capacity.
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace churnwatch::state {

enum class SlotOp : uint8_t { kSum, kMin, kMax, kBitOr };

enum class CounterLayout : uint8_t {
  kOrderMonth = 1,       // account × product line × month
  kServiceDay = 2,       // account × day
  kEngagementDay = 3,    // account × day: meetings, calls, visits, people, references
  kOrderDay = 4,         // account × day: PLACED orders
  kAccountActivity = 5,  // account: first/last event time, events
};

// Slots of kOrderDay.
enum OrderDaySlot : uint8_t { kDayOrders, kDayQuantity, kDayAmountMinor, kOrderDaySlotCount };

// Slots of kAccountActivity.
enum ActivitySlot : uint8_t { kActFirstAt, kActLastAt, kActEvents, kActivitySlotCount };

// Slots of kOrderMonth.
enum OrderSlot : uint8_t {
  kOrderQuantity,         // units of PLACED orders
  kOrderAmountMinor,      // amount of PLACED orders, minor units
  kOrderCount,            // number of PLACED orders
  kOrderCancelledQty,     // units cancelled
  kOrderReturnedQty,      // units returned
  kOrderCancelledCount,   // CANCELLED events
  kOrderReturnedCount,    // RETURNED events
  kOrderCancelledAmount,  // amount of CANCELLED events
  kOrderReturnedAmount,   // amount of RETURNED events
  kOrderFirstAt,          // min occurred_at of PLACED (unix micros)
  kOrderLastAt,           // max occurred_at of PLACED (unix micros)
  kOrderPlacedDays,       // bit d-1 set when day d of the month had a PLACED order (bit or):
                          // the line's distinct order days, for per-line p_alive
  kOrderSlotCount
};

// Slots of kServiceDay.
enum ServiceSlot : uint8_t {
  kSvcTicketsOpened,
  kSvcTicketsResolved,
  kSvcTicketsEscalated,
  kSvcComplaints,
  kSvcSlaBreaches,
  kSvcHighSeverity,  // tickets/complaints with severity HIGH or CRITICAL
  kSvcCsatSum,
  kSvcCsatCount,
  kSvcNpsSum,
  kSvcNpsCount,
  kSvcNpsPromoters,   // nps 9-10
  kSvcNpsDetractors,  // nps 0-6
  kSvcLastAt,         // max occurred_at of any service event
  kServiceSlotCount
};

// Slots of kEngagementDay. Meetings are indexed [status][type] with status in
// {scheduled, held, cancelled} and type in {strategy, business_review, executive, routine,
// training}.
enum EngagementSlot : uint8_t {
  kEngMeetingsBase = 0,  // 15 slots: kEngMeetingsBase + status * 5 + type
  kEngCalls = 15,
  kEngVisits,
  kEngContactsAdded,
  kEngContactsLeft,
  kEngDecisionMakersLeft,
  kEngRoleChanges,
  kEngReferencesWithdrawn,
  kEngManagerChanges,
  kEngLastExecutiveAt,    // max occurred_at of a held meeting, call or visit at executive level
  kEngLastManagementAt,   // ... at management level
  kEngLastOperationalAt,  // ... at operational level
  kEngagementSlotCount
};
constexpr int kMeetingStatusCount = 3;  // scheduled, held, cancelled
constexpr int kMeetingTypeCount = 5;    // strategy, business_review, executive, routine, training
constexpr uint8_t MeetingSlot(int status, int type) {
  return static_cast<uint8_t>(kEngMeetingsBase + status * kMeetingTypeCount + type);
}

constexpr int kMaxSlots = 32;

int SlotCount(CounterLayout layout);
SlotOp SlotOpOf(CounterLayout layout, int slot);
// The identity of `op`: 0 for sums and bit-ors, +inf for min, -inf for max.
int64_t SlotIdentity(SlotOp op);

// A read-only view of any counter record's slots, for code that reads records of several
// capacities (features, the API). Valid while the record it views lives.
class CounterView {
 public:
  CounterView(CounterLayout layout, int slot_count, const int64_t* slots)
      : layout_(layout), slot_count_(slot_count), slots_(slots) {}
  CounterLayout layout() const { return layout_; }
  int slot_count() const { return slot_count_; }
  int64_t Get(int slot) const { return slots_[slot]; }
  bool IsUnset(int slot) const {
    SlotOp op = SlotOpOf(layout_, slot);
    return (op == SlotOp::kMin || op == SlotOp::kMax) && slots_[slot] == SlotIdentity(op);
  }

 private:
  CounterLayout layout_;
  int slot_count_;
  const int64_t* slots_;
};

// [layout][slot count][slots]: the encoding above.
std::string EncodeCounters(CounterView record);
// The layout of an encoded record, or Corruption when the bytes are not one (short, unknown
// layout, size not matching the slot count) or its layout has more than `capacity` slots.
Result<CounterLayout> CheckEncodedCounters(std::string_view bytes, int capacity);
// Writes the first min(stored, count) slots of checked bytes to `slots`.
void ReadEncodedSlots(std::string_view bytes, int count, int64_t* slots);

// A decoded counter record with room for `kCapacity` slots. `CounterRecord` has room for every
// layout (write deltas, the merge operator); the per-layout aliases below are what an account's
// rows keep in memory, so a day of orders holds 3 slots, not 32 (issue 12: resident state).
// Slots beyond the layout's count are unused.
template <int kCapacity>
class BasicCounterRecord {
  static_assert(kCapacity > 0 && kCapacity <= kMaxSlots);

 public:
  // A record whose every slot is its op's identity (0, +inf, -inf, 0). The layout must fit.
  explicit BasicCounterRecord(CounterLayout layout = CounterLayout::kOrderMonth)
      : layout_(layout), slot_count_(static_cast<uint8_t>(SlotCount(layout))) {
    assert(slot_count_ <= kCapacity && "layout does not fit this record");
    for (int i = 0; i < kCapacity; ++i)
      slots_[i] = i < slot_count_ ? SlotIdentity(SlotOpOf(layout, i)) : 0;
  }
  // The same record in another capacity; the layout must fit.
  template <int kOther>
  explicit BasicCounterRecord(const BasicCounterRecord<kOther>& other)
      : BasicCounterRecord(other.layout()) {
    for (int i = 0; i < slot_count_; ++i) slots_[i] = other.Get(i);
  }

  CounterLayout layout() const { return layout_; }
  int slot_count() const { return slot_count_; }
  int64_t Get(int slot) const { return slots_[slot]; }
  // True when a min/max slot still holds its identity (nothing recorded). Sum and bit-or slots
  // always hold a value (0 is one).
  bool IsUnset(int slot) const { return view().IsUnset(slot); }
  CounterView view() const { return CounterView(layout_, slot_count_, slots_.data()); }
  operator CounterView() const { return view(); }  // NOLINT: a cheap view, like string_view

  void Add(int slot, int64_t v) { slots_[slot] += v; }
  void Min(int slot, int64_t v) { slots_[slot] = std::min(slots_[slot], v); }
  void Max(int slot, int64_t v) { slots_[slot] = std::max(slots_[slot], v); }
  void Or(int slot, int64_t v) { slots_[slot] |= v; }
  // Combines `other` (same layout, any capacity) into this record, slot by slot.
  template <int kOther>
  void MergeFrom(const BasicCounterRecord<kOther>& other) {
    for (int i = 0; i < slot_count_; ++i) {
      switch (SlotOpOf(layout_, i)) {
        case SlotOp::kSum:
          slots_[i] += other.Get(i);
          break;
        case SlotOp::kMin:
          slots_[i] = std::min(slots_[i], other.Get(i));
          break;
        case SlotOp::kMax:
          slots_[i] = std::max(slots_[i], other.Get(i));
          break;
        case SlotOp::kBitOr:
          slots_[i] |= other.Get(i);
          break;
      }
    }
  }

  std::string Encode() const { return EncodeCounters(view()); }
  // Corruption when the bytes are not a record, or hold a layout with more slots than fit.
  static Result<BasicCounterRecord> Decode(std::string_view bytes) {
    auto layout = CheckEncodedCounters(bytes, kCapacity);
    if (!layout.ok()) return layout.status();
    BasicCounterRecord r(*layout);
    ReadEncodedSlots(bytes, r.slot_count_, r.slots_.data());
    return r;
  }

 private:
  CounterLayout layout_;
  uint8_t slot_count_;
  std::array<int64_t, kCapacity> slots_;
};

using CounterRecord = BasicCounterRecord<kMaxSlots>;
using OrderMonthCounters = BasicCounterRecord<kOrderSlotCount>;
using ServiceDayCounters = BasicCounterRecord<kServiceSlotCount>;
using EngagementDayCounters = BasicCounterRecord<kEngagementSlotCount>;
using OrderDayCounters = BasicCounterRecord<kOrderDaySlotCount>;
using ActivityCounters = BasicCounterRecord<kActivitySlotCount>;

}  // namespace churnwatch::state
