#include "state/counters.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace churnwatch::state {
namespace {

int64_t Identity(SlotOp op) {
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

}  // namespace

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

CounterRecord::CounterRecord(CounterLayout layout)
    : layout_(layout), slot_count_(SlotCount(layout)) {
  for (int i = 0; i < kMaxSlots; ++i)
    slots_[i] = i < slot_count_ ? Identity(SlotOpOf(layout, i)) : 0;
}

bool CounterRecord::IsUnset(int slot) const {
  SlotOp op = SlotOpOf(layout_, slot);
  return (op == SlotOp::kMin || op == SlotOp::kMax) && slots_[slot] == Identity(op);
}

void CounterRecord::MergeFrom(const CounterRecord& other) {
  for (int i = 0; i < slot_count_; ++i) {
    switch (SlotOpOf(layout_, i)) {
      case SlotOp::kSum:
        slots_[i] += other.slots_[i];
        break;
      case SlotOp::kMin:
        slots_[i] = std::min(slots_[i], other.slots_[i]);
        break;
      case SlotOp::kMax:
        slots_[i] = std::max(slots_[i], other.slots_[i]);
        break;
      case SlotOp::kBitOr:
        slots_[i] |= other.slots_[i];
        break;
    }
  }
}

std::string CounterRecord::Encode() const {
  std::string out(2 + 8 * slot_count_, '\0');
  out[0] = static_cast<char>(layout_);
  out[1] = static_cast<char>(slot_count_);
  for (int i = 0; i < slot_count_; ++i) {
    uint64_t v = static_cast<uint64_t>(slots_[i]);
    for (int b = 0; b < 8; ++b) out[2 + 8 * i + b] = static_cast<char>((v >> (8 * b)) & 0xff);
  }
  return out;
}

Result<CounterRecord> CounterRecord::Decode(std::string_view bytes) {
  if (bytes.size() < 2) return Corruption("counter record shorter than its header");
  auto layout = static_cast<CounterLayout>(static_cast<uint8_t>(bytes[0]));
  int stored = static_cast<uint8_t>(bytes[1]);
  int expected = SlotCount(layout);
  if (expected == 0)
    return Corruption("unknown counter layout " + std::to_string(static_cast<int>(bytes[0])));
  if (stored > kMaxSlots || bytes.size() != 2 + 8 * static_cast<size_t>(stored)) {
    return Corruption("counter record size does not match its slot count");
  }
  CounterRecord r(layout);
  for (int i = 0; i < std::min(stored, expected); ++i) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[2 + 8 * i + b])) << (8 * b);
    r.slots_[i] = static_cast<int64_t>(v);
  }
  return r;
}

}  // namespace churnwatch::state
