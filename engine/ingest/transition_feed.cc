#include "ingest/transition_feed.h"

namespace churnwatch::ingest {

void TransitionFeed::Publish(FeedEntry entry) {
  {
    std::lock_guard lock(mu_);
    entry.seq = ++last_seq_;
    entries_.push_back(std::move(entry));
    while (entries_.size() > capacity_) entries_.pop_front();
  }
  cv_.notify_all();
}

std::vector<FeedEntry> TransitionFeed::After(uint64_t after, std::chrono::milliseconds wait,
                                             size_t max) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return last_seq_ > after; });
  std::vector<FeedEntry> out;
  for (const auto& e : entries_) {
    if (out.size() >= max) break;
    if (e.seq > after) out.push_back(e);
  }
  return out;
}

uint64_t TransitionFeed::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

}  // namespace churnwatch::ingest
