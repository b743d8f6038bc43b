// OffsetSequencer: guards one input partition's offsets so that a task applies them as one
// contiguous run and never stores an offset beyond a message it has not applied.
//
// Why: the stored offset is the truth about what is in the store (it is written in the same
// batch as the state), so an offset that jumps over a message drops that message for good,
// silently, with the lag reading 0. Kafka hands a consumer each partition in offset order, but
// a partition whose messages reach the engine by two routes (before issue 10, the consumer
// queue and the partition queue after an assignment) arrives out of order; and a topic may
// legitimately have holes (compaction, transaction markers, retention).
//
// The sequencer tells the two apart without trusting either: a message past the expected
// offset is not queued; the task asks for the partition to be re-read from the expected offset
// (a seek) and drops what the old fetch still delivers. The first message after the seek
// settles it: the expected offset itself (the jump was a delivery artefact, nothing is lost), or
// a later one at or before the offset first seen (the broker has nothing in between: a real
// hole, accepted and reported). Anything else is asked for again, up to kMaxRefetches times,
// then reported as an error that must stop the engine.
//
// A partition that stops delivering while its high watermark says more exists is refetched too
// (RequestRefetch): losses at its tail leave no later message to reveal them.
//
// Before anything is known (a partition never consumed) the first message must be offset 0,
// or the partition is re-read from its beginning and the first message of that is accepted.
//
// Thread-safety: none; one per (task, topic), used on the engine thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace churnwatch::ingest {

class OffsetSequencer {
 public:
  // What to do with an offered message.
  enum class Verdict {
    kAccept,   // queue it: it is the next offset (or the first after a confirmed hole)
    kDrop,     // already queued or applied, or delivered by a fetch being replaced
    kRefetch,  // do not queue it; seek to refetch_from() and call RefetchIssued()
  };
  // A hole the broker confirmed: offsets [from, to) do not exist there any more.
  struct Hole {
    int64_t from = 0;
    int64_t to = 0;
  };
  static constexpr int kMaxRefetches = 3;
  // Seek target meaning "the partition's first offset" (librdkafka's OFFSET_BEGINNING).
  static constexpr int64_t kBeginning = -2;

  // `next`: the next offset to apply as stored, or nullopt when the partition was never consumed.
  explicit OffsetSequencer(std::optional<int64_t> next) : next_(next) {}

  // Offers the next delivered message's offset. FailedPrecondition (naming the offsets) when
  // kMaxRefetches refetches in a row skipped the expected offset: the engine must stop.
  Result<Verdict> Offer(int64_t offset);
  // Where the refetch asked by kRefetch must seek: the expected offset, or kBeginning.
  int64_t refetch_from() const { return next_.value_or(kBeginning); }
  // The seek is done: the next offered message comes from it.
  void RefetchIssued();
  // Asks for a refetch although no later offset showed a gap: the partition has offsets up to
  // `end` (its high watermark) that have not arrived for too long — lost at the tail, where no
  // later message can reveal them, or a refetch whose answer never came. Returns true when a
  // refetch is now due (then seek to refetch_from() and call RefetchIssued()), false when one is
  // already waiting for its seek. The first message after the seek is judged as after a gap,
  // with `end` as the last offset a hole may reach.
  bool RequestRefetch(int64_t end);
  // True between kRefetch and the first message after the seek.
  bool refetching() const { return state_ != State::kInOrder; }
  // A hole confirmed by the last Offer(), once.
  std::optional<Hole> TakeHole();
  // The next offset expected (nullopt until the first message of a never-consumed partition).
  std::optional<int64_t> next() const { return next_; }

 private:
  enum class State { kInOrder, kAwaitingSeek, kAwaitingRefetch };
  Verdict Accept(int64_t offset);

  std::optional<int64_t> next_;
  State state_ = State::kInOrder;
  int64_t suspect_ = 0;  // the first offset seen past next_ (bounds an acceptable hole)
  int refetches_ = 0;
  std::optional<Hole> hole_;
};

}  // namespace churnwatch::ingest
