// OffsetSequencer: the gap check that keeps a task from storing an offset past a message it
// never applied (issue 10).
#include "ingest/offset_sequencer.h"

#include <gtest/gtest.h>

namespace churnwatch::ingest {
namespace {

using V = OffsetSequencer::Verdict;

V Offer(OffsetSequencer& s, int64_t offset) {
  auto v = s.Offer(offset);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : V::kDrop;
}

TEST(OffsetSequencer, ContiguousOffsetsAreAcceptedAndRepeatsDropped) {
  OffsetSequencer s(10);
  EXPECT_EQ(Offer(s, 9), V::kDrop);  // applied before the restart
  EXPECT_EQ(Offer(s, 10), V::kAccept);
  EXPECT_EQ(Offer(s, 11), V::kAccept);
  EXPECT_EQ(Offer(s, 11), V::kDrop);  // queued already
  EXPECT_EQ(s.next(), 12);
  EXPECT_FALSE(s.TakeHole());
}

// The split of issue 10: offsets 16.. wait on a second queue while 258.. arrive first.
TEST(OffsetSequencer, AJumpIsRefetchedAndTheMissingOffsetsComeFirst) {
  OffsetSequencer s(16);
  EXPECT_EQ(Offer(s, 258), V::kRefetch);
  EXPECT_EQ(s.refetch_from(), 16);
  EXPECT_TRUE(s.refetching());
  EXPECT_EQ(Offer(s, 259), V::kDrop);  // the rest of the old fetch, before the seek
  s.RefetchIssued();
  EXPECT_EQ(Offer(s, 16), V::kAccept);  // the refetch starts where it must
  EXPECT_FALSE(s.refetching());
  EXPECT_FALSE(s.TakeHole());
  for (int64_t o = 17; o < 300; ++o) EXPECT_EQ(Offer(s, o), V::kAccept) << o;
  EXPECT_EQ(s.next(), 300);
}

// The other face of the split: the later block queued first, the earlier one after it. Before
// issue 10 both were applied, out of order (same state, other alert episodes); now the later
// block is not queued, and after the refetch both come in offset order.
TEST(OffsetSequencer, AnEarlierBlockArrivingAfterALaterOneIsPutBackInOrder) {
  OffsetSequencer s(16);
  for (int64_t o = 258; o < 300; ++o) EXPECT_NE(Offer(s, o), V::kAccept) << o;
  for (int64_t o = 16; o < 258; ++o) EXPECT_EQ(Offer(s, o), V::kDrop) << o;  // not yet re-read
  s.RefetchIssued();
  for (int64_t o = 16; o < 300; ++o) EXPECT_EQ(Offer(s, o), V::kAccept) << o;
  EXPECT_FALSE(s.TakeHole());
}

TEST(OffsetSequencer, AHoleTheBrokerConfirmsIsAcceptedAndReported) {
  OffsetSequencer s(100);
  EXPECT_EQ(Offer(s, 105), V::kRefetch);  // e.g. compacted away
  s.RefetchIssued();
  EXPECT_EQ(Offer(s, 103), V::kAccept);  // the broker's first offset from 100 on
  auto hole = s.TakeHole();
  ASSERT_TRUE(hole);
  EXPECT_EQ(hole->from, 100);
  EXPECT_EQ(hole->to, 103);
  EXPECT_FALSE(s.TakeHole());  // once
  EXPECT_EQ(Offer(s, 104), V::kAccept);
}

TEST(OffsetSequencer, RefetchesThatKeepSkippingStopTheTask) {
  OffsetSequencer s(100);
  EXPECT_EQ(Offer(s, 105), V::kRefetch);
  for (int i = 1; i < OffsetSequencer::kMaxRefetches; ++i) {
    s.RefetchIssued();
    EXPECT_EQ(Offer(s, 110), V::kRefetch) << "refetch " << i;  // later than first seen
  }
  s.RefetchIssued();
  auto v = s.Offer(110);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(v.status().message().find("offsets 100..109"), std::string::npos)
      << v.status().message();
}

TEST(OffsetSequencer, ANeverConsumedPartitionStartsAtZeroOrIsReadFromItsBeginning) {
  OffsetSequencer fresh(std::nullopt);
  EXPECT_EQ(Offer(fresh, 0), V::kAccept);
  EXPECT_EQ(fresh.next(), 1);

  OffsetSequencer truncated(std::nullopt);
  EXPECT_EQ(Offer(truncated, 500), V::kRefetch);
  EXPECT_EQ(truncated.refetch_from(), OffsetSequencer::kBeginning);
  truncated.RefetchIssued();
  EXPECT_EQ(Offer(truncated, 480), V::kAccept);  // the log's first offset, whatever it is
  EXPECT_FALSE(truncated.TakeHole());            // nothing was expected before it
  EXPECT_EQ(truncated.next(), 481);
}

// Lost at the tail: no later message reveals the gap; the task's watchdog asks for a refetch.
TEST(OffsetSequencer, AStalledPartitionIsRefetchedOnRequest) {
  OffsetSequencer s(20);
  EXPECT_TRUE(s.RequestRefetch(25));
  EXPECT_FALSE(s.RequestRefetch(25));  // already waiting for its seek
  EXPECT_EQ(s.refetch_from(), 20);
  s.RefetchIssued();
  EXPECT_TRUE(s.RequestRefetch(25));  // the refetch's answer never came: ask again
  s.RefetchIssued();
  EXPECT_EQ(Offer(s, 20), V::kAccept);
  EXPECT_FALSE(s.TakeHole());

  OffsetSequencer compacted(20);
  EXPECT_TRUE(compacted.RequestRefetch(25));
  compacted.RefetchIssued();
  EXPECT_EQ(Offer(compacted, 24), V::kAccept);  // 20..23 are not on the broker
  auto hole = compacted.TakeHole();
  ASSERT_TRUE(hole);
  EXPECT_EQ(hole->to, 24);
}

TEST(OffsetSequencer, BeforeTheSeekEverythingIsDropped) {
  OffsetSequencer s(0);
  EXPECT_EQ(Offer(s, 0), V::kAccept);
  EXPECT_EQ(Offer(s, 2), V::kRefetch);
  EXPECT_EQ(Offer(s, 1), V::kDrop);  // even the right one: it belongs to the replaced fetch
  s.RefetchIssued();
  EXPECT_EQ(Offer(s, 1), V::kAccept);
  EXPECT_EQ(Offer(s, 2), V::kAccept);
}

}  // namespace
}  // namespace churnwatch::ingest
