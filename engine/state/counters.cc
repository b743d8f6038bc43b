#include "state/counters.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace churnwatch::state {

int64_t SlotIdentity(SlotOp op) {
  switch (op) {
    case SlotOp::kSum:
      return 0;
    case SlotOp::kMin:
      return std::numeric_limits<int64_t>::max();
    case SlotOp::kMax:
      return std::numeric_limits<int64_t>::min();
    case SlotOp::kBitOr:
      return 0;
  }
  return 0;
}

int SlotCount(CounterLayout layout) {
  switch (layout) {
    case CounterLayout::kOrderMonth:
      return kOrderSlotCount;
    case CounterLayout::kServiceDay:
      return kServiceSlotCount;
    case CounterLayout::kEngagementDay:
      return kEngagementSlotCount;
    case CounterLayout::kOrderDay:
      return kOrderDaySlotCount;
    case CounterLayout::kAccountActivity:
      return kActivitySlotCount;
  }
  return 0;
}

SlotOp SlotOpOf(CounterLayout layout, int slot) {
  switch (layout) {
    case CounterLayout::kOrderMonth:
      if (slot == kOrderFirstAt) return SlotOp::kMin;
      if (slot == kOrderLastAt) return SlotOp::kMax;
      if (slot == kOrderPlacedDays) return SlotOp::kBitOr;
      return SlotOp::kSum;
    case CounterLayout::kServiceDay:
      return slot == kSvcLastAt ? SlotOp::kMax : SlotOp::kSum;
    case CounterLayout::kEngagementDay:
      return slot >= kEngLastExecutiveAt ? SlotOp::kMax : SlotOp::kSum;
    case CounterLayout::kOrderDay:
      return SlotOp::kSum;
    case CounterLayout::kAccountActivity:
      if (slot == kActFirstAt) return SlotOp::kMin;
      if (slot == kActLastAt) return SlotOp::kMax;
      return SlotOp::kSum;
  }
  return SlotOp::kSum;
}

std::string EncodeCounters(CounterView record) {
  int count = record.slot_count();
  std::string out(2 + 8 * count, '\0');
  out[0] = static_cast<char>(record.layout());
  out[1] = static_cast<char>(count);
  for (int i = 0; i < count; ++i) {
    uint64_t v = static_cast<uint64_t>(record.Get(i));
    for (int b = 0; b < 8; ++b) out[2 + 8 * i + b] = static_cast<char>((v >> (8 * b)) & 0xff);
  }
  return out;
}

Result<CounterLayout> CheckEncodedCounters(std::string_view bytes, int capacity) {
  if (bytes.size() < 2) return Corruption("counter record shorter than its header");
  auto layout = static_cast<CounterLayout>(static_cast<uint8_t>(bytes[0]));
  int stored = static_cast<uint8_t>(bytes[1]);
  int expected = SlotCount(layout);
  if (expected == 0)
    return Corruption("unknown counter layout " + std::to_string(static_cast<int>(bytes[0])));
  if (stored > kMaxSlots || bytes.size() != 2 + 8 * static_cast<size_t>(stored)) {
    return Corruption("counter record size does not match its slot count");
  }
  if (expected > capacity) {
    return Corruption("counter layout " + std::to_string(static_cast<uint8_t>(bytes[0])) +
                      " where a record of at most " + std::to_string(capacity) + " slots belongs");
  }
  return layout;
}

void ReadEncodedSlots(std::string_view bytes, int count, int64_t* slots) {
  int stored = static_cast<uint8_t>(bytes[1]);
  for (int i = 0; i < std::min(stored, count); ++i) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[2 + 8 * i + b])) << (8 * b);
    slots[i] = static_cast<int64_t>(v);
  }
}

}  // namespace churnwatch::state
