// Counter records: fixed vectors of int64 slots that the state store combines with a RocksDB
// merge operator, so applying an event never reads before it writes.
//
// Each record has a layout (which aggregate it is) and every slot of a layout has one combine
// operation: sum, min, max or bitwise or. All four are associative and commutative, so partial
// merges, coalescing inside a batch and replay order do not change the result.
//
// Encoding: [layout:u8][slot count:u8][slot count × int64 little-endian]. Slots are only ever
// appended to a layout; a stored record with fewer slots reads the missing ones as identity.
#pragma once

#include <algorithm>
#include <array>
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

// A decoded counter record. Slots beyond the layout's count are unused.
class CounterRecord {
 public:
  // A record whose every slot is its op's identity (0, +inf, -inf, 0).
  explicit CounterRecord(CounterLayout layout = CounterLayout::kOrderMonth);

  CounterLayout layout() const { return layout_; }
  int slot_count() const { return slot_count_; }
  int64_t Get(int slot) const { return slots_[slot]; }
  // True when a min/max slot still holds its identity (nothing recorded). Sum and bit-or slots
  // always hold a value (0 is one).
  bool IsUnset(int slot) const;

  void Add(int slot, int64_t v) { slots_[slot] += v; }
  void Min(int slot, int64_t v) { slots_[slot] = std::min(slots_[slot], v); }
  void Max(int slot, int64_t v) { slots_[slot] = std::max(slots_[slot], v); }
  void Or(int slot, int64_t v) { slots_[slot] |= v; }
  // Combines `other` (same layout) into this record, slot by slot.
  void MergeFrom(const CounterRecord& other);

  std::string Encode() const;
  // Corruption when the bytes are not a record.
  static Result<CounterRecord> Decode(std::string_view bytes);

 private:
  CounterLayout layout_;
  int slot_count_;
  std::array<int64_t, kMaxSlots> slots_;
};

int SlotCount(CounterLayout layout);
SlotOp SlotOpOf(CounterLayout layout, int slot);

}  // namespace churnwatch::state
