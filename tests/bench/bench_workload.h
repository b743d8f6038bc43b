// The benchmarks' workload, shared so that ingest_bench (through Kafka) and backtest_bench
// (through `churnwatch backtest`) measure the same events: per account one profile, then
// orders (75%), service (15%) and contact events (10%) at deterministic pseudo-random times
// over two years from 2024-07, generated account by account.
#pragma once

#include <string>
#include <vector>

namespace churnwatch::bench {

struct Message {
  std::string topic, key, payload;
};

std::vector<Message> MakeWorkload(int accounts, int events_per_account);

// The payload's occurred_at text (every generated time has the same RFC 3339 length, so the
// text orders like the instant).
std::string OccurredAt(const std::string& payload);
// Orders the workload by occurred_at (stable), as a recorded history is.
void SortByTime(std::vector<Message>& workload);

}  // namespace churnwatch::bench
