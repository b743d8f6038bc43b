#include "ingest/offset_sequencer.h"

namespace churnwatch::ingest {

OffsetSequencer::Verdict OffsetSequencer::Accept(int64_t offset) {
  next_ = offset + 1;
  state_ = State::kInOrder;
  refetches_ = 0;
  return Verdict::kAccept;
}

Result<OffsetSequencer::Verdict> OffsetSequencer::Offer(int64_t offset) {
  switch (state_) {
    case State::kAwaitingSeek:
      return Verdict::kDrop;  // the fetch the seek will replace
    case State::kAwaitingRefetch: {
      if (next_ && offset < *next_) return Verdict::kDrop;
      if (!next_ || offset == *next_) return Accept(offset);
      if (offset <= suspect_) {
        // The broker, asked from *next_, answers with `offset`: nothing exists in between.
        hole_ = Hole{*next_, offset};
        return Accept(offset);
      }
      if (++refetches_ >= kMaxRefetches) {
        return FailedPrecondition(
            "offsets " + std::to_string(*next_) + ".." + std::to_string(offset - 1) +
            " were skipped by " + std::to_string(kMaxRefetches) +
            " fetches in a row (first seen past them: " + std::to_string(suspect_) + ")");
      }
      state_ = State::kAwaitingSeek;
      return Verdict::kRefetch;
    }
    case State::kInOrder:
      break;
  }
  if (!next_) {
    if (offset == 0) return Accept(offset);
  } else {
    if (offset < *next_) return Verdict::kDrop;
    if (offset == *next_) return Accept(offset);
  }
  suspect_ = offset;
  state_ = State::kAwaitingSeek;
  return Verdict::kRefetch;
}

void OffsetSequencer::RefetchIssued() {
  if (state_ == State::kAwaitingSeek) state_ = State::kAwaitingRefetch;
}

bool OffsetSequencer::RequestRefetch(int64_t end) {
  if (state_ == State::kAwaitingSeek) return false;
  if (state_ == State::kInOrder) suspect_ = end;
  state_ = State::kAwaitingSeek;
  return true;
}

std::optional<OffsetSequencer::Hole> OffsetSequencer::TakeHole() {
  std::optional<Hole> h = hole_;
  hole_.reset();
  return h;
}

}  // namespace churnwatch::ingest
