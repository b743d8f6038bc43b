#include "backtest/purchase_days.h"

#include <algorithm>
#include <chrono>

namespace churnwatch::backtest {

Result<PurchaseDays> ReadPurchaseDays(const std::vector<HistoryInput>& inputs,
                                      const Calendar& calendar,
                                      const std::function<void(uint64_t, uint64_t)>& progress) {
  std::vector<HistoryInput> orders;
  for (const auto& in : inputs) {
    if (in.kind == EventKind::kOrder) orders.push_back(in);
  }
  if (orders.empty()) return InvalidArgument("--events: no orders file among the inputs");
  auto reader = HistoryReader::Open(orders);
  if (!reader.ok()) return reader.status();
  PurchaseDays days;
  HistoryEvent e;
  auto last_report = std::chrono::steady_clock::now();
  for (;;) {
    auto more = (*reader)->Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (e.rejection) return InvalidArgument(e.where + ": " + e.rejection->detail);
    const auto& order = std::get<v1::OrderEvent>(e.event->message);
    if (order.status() != v1::ORDER_STATUS_PLACED) continue;
    days[std::string(e.event->account_id())].push_back(
        Calendar::DayNumber(calendar.DayOf(e.occurred_at)));
    auto now = std::chrono::steady_clock::now();
    if (progress && now - last_report >= std::chrono::seconds(1)) {
      progress((*reader)->bytes_read(), (*reader)->total_bytes());
      last_report = now;
    }
  }
  for (auto& [account, list] : days) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return days;
}

}  // namespace churnwatch::backtest
