#include "bench_workload.h"

#include <algorithm>
#include <random>

#include "common/calendar.h"

namespace churnwatch::bench {

std::vector<Message> MakeWorkload(int accounts, int events_per_account) {
  std::mt19937_64 rng(7);
  std::vector<Message> out;
  out.reserve(static_cast<size_t>(accounts) * events_per_account);
  const int64_t start = 1'720'000'000LL * kMicrosPerSecond;  // 2024-07
  const char* lines[] = {"bearings", "motors", "sensors"};
  const char* svc[] = {"TICKET_OPENED", "TICKET_RESOLVED", "COMPLAINT", "SLA_BREACHED"};
  const char* contact[] = {"CALL", "VISIT", "MEETING_HELD"};
  for (int a = 0; a < accounts; ++a) {
    std::string acc = "ACC-" + std::to_string(a);
    out.push_back({"accounts", acc,
                   "{\"event_id\":\"p-" + acc + "\",\"account_id\":\"" + acc +
                       "\",\"occurred_at\":\"2024-07-01T00:00:00Z\",\"name\":\"Account " + acc +
                       "\",\"tier\":\"KEY\",\"owner\":{\"id\":\"m1\",\"name\":\"Zhang Wei\"}}"});
    for (int e = 1; e < events_per_account; ++e) {
      int64_t t = start + static_cast<int64_t>(rng() % (730ULL * 86400)) * kMicrosPerSecond;
      std::string id = acc + "-" + std::to_string(e);
      std::string head = "{\"event_id\":\"" + id + "\",\"account_id\":\"" + acc +
                         "\",\"occurred_at\":\"" + FormatRfc3339(t) + "\",";
      int r = static_cast<int>(rng() % 100);
      if (r < 75) {
        out.push_back({"orders", acc,
                       head + "\"order_id\":\"" + id + "\",\"product_line\":\"" + lines[rng() % 3] +
                           "\",\"quantity\":" + std::to_string(1 + rng() % 50) +
                           ",\"amount_minor\":" + std::to_string(100 + rng() % 100000) +
                           ",\"currency\":\"CNY\",\"status\":\"PLACED\"}"});
      } else if (r < 90) {
        out.push_back({"service", acc,
                       head + "\"ticket_id\":\"" + id + "\",\"kind\":\"" + svc[rng() % 4] + "\"}"});
      } else {
        out.push_back({"contacts", acc,
                       head + "\"kind\":\"" + contact[rng() % 3] +
                           "\",\"meeting_type\":\"BUSINESS_REVIEW\",\"level\":\"MANAGEMENT\"}"});
      }
    }
  }
  return out;
}

std::string OccurredAt(const std::string& payload) {
  const std::string key = "\"occurred_at\":\"";
  auto at = payload.find(key) + key.size();
  return payload.substr(at, payload.find('"', at) - at);
}

void SortByTime(std::vector<Message>& workload) {
  std::vector<std::pair<std::string, size_t>> keys;
  keys.reserve(workload.size());
  for (size_t i = 0; i < workload.size(); ++i) keys.push_back({OccurredAt(workload[i].payload), i});
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Message> sorted;
  sorted.reserve(workload.size());
  for (const auto& [at, i] : keys) sorted.push_back(std::move(workload[i]));
  workload = std::move(sorted);
}

}  // namespace churnwatch::bench
