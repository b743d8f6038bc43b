#include "clv/customer_summary.h"

namespace churnwatch::clv {

std::optional<CustomerSummary> Summarise(const std::vector<int64_t>& days, int64_t calibration_end,
                                         double time_unit_days) {
  if (days.empty() || days.front() > calibration_end) return std::nullopt;
  const int64_t first = days.front();
  int64_t last = first;
  double repeat = 0;
  for (size_t i = 1; i < days.size() && days[i] <= calibration_end; ++i) {
    last = days[i];
    ++repeat;
  }
  CustomerSummary s;
  s.x = repeat;
  s.t_x = static_cast<double>(last - first) / time_unit_days;
  s.T = static_cast<double>(calibration_end - first) / time_unit_days;
  return s;
}

}  // namespace churnwatch::clv
