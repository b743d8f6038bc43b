// Unit tests of engine/state/counters.h: slot identities, merge semantics, and the byte
// encoding (round trip, corrupt input, records written with fewer slots).
#include "state/counters.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace churnwatch::state {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Encoded header + `n` little-endian slots with values 1..n.
std::string RawRecord(CounterLayout layout, int n) {
  std::string out;
  out.push_back(static_cast<char>(layout));
  out.push_back(static_cast<char>(n));
  for (int i = 0; i < n; ++i) {
    uint64_t v = static_cast<uint64_t>(i + 1);
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
  }
  return out;
}

TEST(Counters, SlotCountsPerLayout) {
  EXPECT_EQ(SlotCount(CounterLayout::kOrderMonth), 12);
  EXPECT_EQ(SlotCount(CounterLayout::kServiceDay), 13);
  EXPECT_EQ(SlotCount(CounterLayout::kEngagementDay), 26);
  EXPECT_LE(SlotCount(CounterLayout::kEngagementDay), kMaxSlots);
  EXPECT_EQ(MeetingSlot(0, 0), 0);
  EXPECT_EQ(MeetingSlot(2, 4), 14);
  EXPECT_EQ(MeetingSlot(kMeetingStatusCount - 1, kMeetingTypeCount - 1) + 1, kEngCalls);
}

TEST(Counters, SlotOpsPerLayout) {
  EXPECT_EQ(SlotOpOf(CounterLayout::kOrderMonth, kOrderQuantity), SlotOp::kSum);
  EXPECT_EQ(SlotOpOf(CounterLayout::kOrderMonth, kOrderReturnedAmount), SlotOp::kSum);
  EXPECT_EQ(SlotOpOf(CounterLayout::kOrderMonth, kOrderFirstAt), SlotOp::kMin);
  EXPECT_EQ(SlotOpOf(CounterLayout::kOrderMonth, kOrderLastAt), SlotOp::kMax);
  EXPECT_EQ(SlotOpOf(CounterLayout::kOrderMonth, kOrderPlacedDays), SlotOp::kBitOr);
  EXPECT_EQ(SlotOpOf(CounterLayout::kServiceDay, kSvcNpsDetractors), SlotOp::kSum);
  EXPECT_EQ(SlotOpOf(CounterLayout::kServiceDay, kSvcLastAt), SlotOp::kMax);
  EXPECT_EQ(SlotOpOf(CounterLayout::kEngagementDay, kEngManagerChanges), SlotOp::kSum);
  EXPECT_EQ(SlotOpOf(CounterLayout::kEngagementDay, kEngLastExecutiveAt), SlotOp::kMax);
  EXPECT_EQ(SlotOpOf(CounterLayout::kEngagementDay, kEngLastManagementAt), SlotOp::kMax);
  EXPECT_EQ(SlotOpOf(CounterLayout::kEngagementDay, kEngLastOperationalAt), SlotOp::kMax);
}

TEST(Counters, NewRecordHoldsIdentityOfEverySlot) {
  CounterRecord r(CounterLayout::kOrderMonth);
  EXPECT_EQ(r.layout(), CounterLayout::kOrderMonth);
  EXPECT_EQ(r.slot_count(), kOrderSlotCount);
  for (int i = 0; i < kOrderSlotCount; ++i) {
    if (i == kOrderFirstAt) {
      EXPECT_EQ(r.Get(i), kMax);
    } else if (i == kOrderLastAt) {
      EXPECT_EQ(r.Get(i), kMin);
    } else {
      EXPECT_EQ(r.Get(i), 0) << i;
    }
  }
  CounterRecord e(CounterLayout::kEngagementDay);
  EXPECT_EQ(e.Get(kEngCalls), 0);
  EXPECT_EQ(e.Get(kEngLastOperationalAt), kMin);
}

TEST(Counters, IsUnsetOnlyForMinMaxSlotsAtIdentity) {
  CounterRecord r(CounterLayout::kOrderMonth);
  EXPECT_TRUE(r.IsUnset(kOrderFirstAt));
  EXPECT_TRUE(r.IsUnset(kOrderLastAt));
  EXPECT_FALSE(r.IsUnset(kOrderQuantity));  // a sum of 0 is a value, not "unset"
  r.Min(kOrderFirstAt, 100);
  r.Max(kOrderLastAt, 100);
  EXPECT_FALSE(r.IsUnset(kOrderFirstAt));
  EXPECT_FALSE(r.IsUnset(kOrderLastAt));
  CounterRecord s(CounterLayout::kServiceDay);
  EXPECT_TRUE(s.IsUnset(kSvcLastAt));
  s.Max(kSvcLastAt, -5);  // a pre-epoch time is a value too
  EXPECT_FALSE(s.IsUnset(kSvcLastAt));
}

TEST(Counters, PlacedDaysAreABitSetMergedByOr) {
  // Days 1 and 3 in one partial merge, 3 and 31 in another: the union, whatever the order.
  CounterRecord a(CounterLayout::kOrderMonth), b(CounterLayout::kOrderMonth);
  a.Or(kOrderPlacedDays, 1 << 0);
  a.Or(kOrderPlacedDays, 1 << 2);
  b.Or(kOrderPlacedDays, 1 << 2);
  b.Or(kOrderPlacedDays, int64_t{1} << 30);
  CounterRecord ab = a, ba = b;
  ab.MergeFrom(b);
  ba.MergeFrom(a);
  EXPECT_EQ(ab.Get(kOrderPlacedDays), (int64_t{1} << 30) | 0b101);
  EXPECT_EQ(ba.Get(kOrderPlacedDays), ab.Get(kOrderPlacedDays));
  EXPECT_FALSE(CounterRecord(CounterLayout::kOrderMonth).IsUnset(kOrderPlacedDays));
  auto back = CounterRecord::Decode(ab.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Get(kOrderPlacedDays), ab.Get(kOrderPlacedDays));
}

TEST(Counters, AddMinMaxMutateOneSlot) {
  CounterRecord r(CounterLayout::kOrderMonth);
  r.Add(kOrderQuantity, 5);
  r.Add(kOrderQuantity, -2);
  r.Min(kOrderFirstAt, 300);
  r.Min(kOrderFirstAt, 200);
  r.Min(kOrderFirstAt, 250);
  r.Max(kOrderLastAt, 300);
  r.Max(kOrderLastAt, 200);
  EXPECT_EQ(r.Get(kOrderQuantity), 3);
  EXPECT_EQ(r.Get(kOrderFirstAt), 200);
  EXPECT_EQ(r.Get(kOrderLastAt), 300);
  EXPECT_EQ(r.Get(kOrderAmountMinor), 0);
}

TEST(Counters, MergeFromSumsMinsAndMaxes) {
  CounterRecord a(CounterLayout::kOrderMonth);
  a.Add(kOrderQuantity, 10);
  a.Add(kOrderCount, 1);
  a.Min(kOrderFirstAt, 1000);
  a.Max(kOrderLastAt, 1000);
  CounterRecord b(CounterLayout::kOrderMonth);
  b.Add(kOrderQuantity, 7);
  b.Add(kOrderCancelledQty, 3);
  b.Min(kOrderFirstAt, 500);
  b.Max(kOrderLastAt, 900);
  a.MergeFrom(b);
  EXPECT_EQ(a.Get(kOrderQuantity), 17);
  EXPECT_EQ(a.Get(kOrderCount), 1);
  EXPECT_EQ(a.Get(kOrderCancelledQty), 3);
  EXPECT_EQ(a.Get(kOrderFirstAt), 500);
  EXPECT_EQ(a.Get(kOrderLastAt), 1000);
}

TEST(Counters, IdentityRecordIsNeutralForMerge) {
  CounterRecord a(CounterLayout::kServiceDay);
  a.Add(kSvcComplaints, 2);
  a.Max(kSvcLastAt, 42);
  CounterRecord merged = a;
  merged.MergeFrom(CounterRecord(CounterLayout::kServiceDay));
  EXPECT_EQ(merged.Encode(), a.Encode());
  CounterRecord other_way(CounterLayout::kServiceDay);
  other_way.MergeFrom(a);
  EXPECT_EQ(other_way.Encode(), a.Encode());
  EXPECT_FALSE(other_way.IsUnset(kSvcLastAt));
}

TEST(Counters, MergeIsCommutativeAndAssociative) {
  auto make = [](int64_t q, int64_t first, int64_t last) {
    CounterRecord r(CounterLayout::kOrderMonth);
    r.Add(kOrderQuantity, q);
    r.Min(kOrderFirstAt, first);
    r.Max(kOrderLastAt, last);
    return r;
  };
  CounterRecord x = make(1, 30, 30), y = make(2, 10, 20), z = make(4, 20, 40);
  CounterRecord xy_z = x;
  xy_z.MergeFrom(y);
  xy_z.MergeFrom(z);
  CounterRecord yz = y;
  yz.MergeFrom(z);
  CounterRecord x_yz = x;
  x_yz.MergeFrom(yz);
  CounterRecord zyx = z;
  zyx.MergeFrom(y);
  zyx.MergeFrom(x);
  EXPECT_EQ(xy_z.Encode(), x_yz.Encode());
  EXPECT_EQ(xy_z.Encode(), zyx.Encode());
  EXPECT_EQ(xy_z.Get(kOrderQuantity), 7);
  EXPECT_EQ(xy_z.Get(kOrderFirstAt), 10);
  EXPECT_EQ(xy_z.Get(kOrderLastAt), 40);
}

TEST(Counters, EncodingIsHeaderPlusLittleEndianSlots) {
  CounterRecord r(CounterLayout::kServiceDay);
  r.Add(kSvcTicketsOpened, 0x0102030405060708);
  std::string bytes = r.Encode();
  ASSERT_EQ(bytes.size(), 2u + 8u * kServiceSlotCount);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 2);
  EXPECT_EQ(static_cast<uint8_t>(bytes[1]), kServiceSlotCount);
  EXPECT_EQ(bytes.substr(2, 8), std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
}

TEST(Counters, EncodeDecodeRoundTripsEveryLayoutAndExtremeValues) {
  for (CounterLayout layout :
       {CounterLayout::kOrderMonth, CounterLayout::kServiceDay, CounterLayout::kEngagementDay}) {
    CounterRecord r(layout);
    for (int i = 0; i < r.slot_count(); ++i) {
      if (SlotOpOf(layout, i) == SlotOp::kSum) r.Add(i, (i % 2 ? -1 : 1) * (int64_t{1} << (2 * i)));
    }
    if (layout == CounterLayout::kOrderMonth) r.Min(kOrderFirstAt, kMin);  // extreme, not identity
    auto back = CounterRecord::Decode(r.Encode());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->layout(), layout);
    EXPECT_EQ(back->slot_count(), r.slot_count());
    for (int i = 0; i < r.slot_count(); ++i) EXPECT_EQ(back->Get(i), r.Get(i)) << i;
    EXPECT_EQ(back->Encode(), r.Encode());
  }
}

TEST(Counters, DecodeKeepsUnsetSlotsUnset) {
  CounterRecord r(CounterLayout::kEngagementDay);
  r.Add(kEngCalls, 3);
  auto back = CounterRecord::Decode(r.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->IsUnset(kEngLastExecutiveAt));
  EXPECT_EQ(back->Get(kEngCalls), 3);
}

TEST(Counters, DecodeOfCorruptBytesIsCorruption) {
  std::string good = CounterRecord(CounterLayout::kOrderMonth).Encode();
  std::string unknown_layout0 = good, unknown_layout9 = good,
              too_many = RawRecord(CounterLayout::kOrderMonth, 33);
  unknown_layout0[0] = 0;
  unknown_layout9[0] = 9;
  for (const std::string& bytes :
       {std::string(), std::string("\x01", 1), unknown_layout0, unknown_layout9,
        good.substr(0, good.size() - 1), good + std::string(1, '\0'), good + std::string(8, '\0'),
        std::string("\x01\x02", 2) + std::string(8, '\0'), too_many}) {
    auto r = CounterRecord::Decode(bytes);
    ASSERT_FALSE(r.ok()) << "decoded " << bytes.size() << " bytes";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << bytes.size();
  }
}

TEST(Counters, RecordWithFewerStoredSlotsReadsIdentityForTheRest) {
  // An older writer stored only the first 9 order slots (before first/last were appended).
  auto r = CounterRecord::Decode(RawRecord(CounterLayout::kOrderMonth, 9));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->slot_count(), kOrderSlotCount);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(r->Get(i), i + 1) << i;
  EXPECT_TRUE(r->IsUnset(kOrderFirstAt));
  EXPECT_TRUE(r->IsUnset(kOrderLastAt));
  EXPECT_EQ(r->Get(kOrderFirstAt), kMax);
  EXPECT_EQ(r->Get(kOrderLastAt), kMin);
  // Re-encoding writes the full, current layout.
  EXPECT_EQ(r->Encode().size(), 2u + 8u * kOrderSlotCount);
}

TEST(Counters, RecordWithZeroStoredSlotsIsAllIdentity) {
  auto r = CounterRecord::Decode(std::string("\x03\x00", 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Encode(), CounterRecord(CounterLayout::kEngagementDay).Encode());
}

TEST(Counters, RecordWithMoreStoredSlotsKeepsTheKnownOnes) {
  // A newer writer appended slots this build does not know; they are ignored.
  auto r = CounterRecord::Decode(RawRecord(CounterLayout::kServiceDay, kServiceSlotCount + 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->slot_count(), kServiceSlotCount);
  EXPECT_EQ(r->Get(0), 1);
  EXPECT_EQ(r->Get(kSvcLastAt), kSvcLastAt + 1);
}

TEST(Counters, CompactRecordsHoldTheirLayoutAndRoundTripThroughTheFullOne) {
  // Each family keeps its rows in a record sized to its layout (issue 12: resident bytes).
  EXPECT_EQ(sizeof(OrderDayCounters), sizeof(int64_t) * (kOrderDaySlotCount + 1));
  EXPECT_LT(sizeof(EngagementDayCounters), sizeof(CounterRecord));
  CounterRecord full(CounterLayout::kServiceDay);
  full.Add(kSvcComplaints, 4);
  full.Max(kSvcLastAt, 1234);
  ServiceDayCounters compact(full);
  EXPECT_EQ(compact.layout(), CounterLayout::kServiceDay);
  EXPECT_EQ(compact.slot_count(), kServiceSlotCount);
  EXPECT_EQ(compact.Encode(), full.Encode()) << "same bytes in the store whatever the capacity";
  auto decoded = ServiceDayCounters::Decode(full.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->Get(kSvcComplaints), 4);
  EXPECT_EQ(decoded->Get(kSvcLastAt), 1234);
  // A compact record merges into a full one and back, slot by slot.
  CounterRecord sum(CounterLayout::kServiceDay);
  sum.MergeFrom(compact);
  sum.MergeFrom(compact);
  compact.MergeFrom(sum);
  EXPECT_EQ(compact.Get(kSvcComplaints), 12);
  EXPECT_EQ(compact.Get(kSvcLastAt), 1234);
  // A view reads either the same way.
  CounterView view = compact;
  EXPECT_EQ(view.Get(kSvcComplaints), 12);
  EXPECT_FALSE(view.IsUnset(kSvcLastAt));
  EXPECT_TRUE(CounterView(ServiceDayCounters(CounterLayout::kServiceDay)).IsUnset(kSvcLastAt));
}

TEST(Counters, DecodeIntoARecordTooSmallForTheLayoutIsCorruption) {
  // Engagement days have 26 slots: an order-day record (3) cannot hold one, so a row of the wrong
  // family in a store is reported, never truncated.
  auto r = OrderDayCounters::Decode(CounterRecord(CounterLayout::kEngagementDay).Encode());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("at most 3 slots"), std::string::npos)
      << r.status().message();
  auto fits = OrderDayCounters::Decode(CounterRecord(CounterLayout::kAccountActivity).Encode());
  EXPECT_TRUE(fits.ok()) << "the capacity check alone lets a 3-slot layout in; the family check "
                            "(account_snapshot) rejects it";
}

}  // namespace
}  // namespace churnwatch::state
