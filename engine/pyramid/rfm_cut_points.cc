#include "pyramid/rfm_cut_points.h"

#include <gsl/gsl_statistics_double.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace churnwatch::pyramid {
namespace {

std::array<double, 4> Quintiles(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::array<double, 4> cuts{};
  for (int k = 0; k < 4; ++k)
    cuts[k] = gsl_stats_quantile_from_sorted_data(values.data(), 1, values.size(), 0.2 * (k + 1));
  return cuts;
}

int CountAbove(const std::array<double, 4>& cuts, double v) {
  return static_cast<int>(std::count_if(cuts.begin(), cuts.end(), [v](double c) { return v > c; }));
}

Status CheckArray(const char* name, const std::array<double, 4>& a) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || a[i] < 0)
      return InvalidArgument(std::string(name) + " cut points must be finite numbers >= 0");
    if (i > 0 && a[i] < a[i - 1])
      return InvalidArgument(std::string(name) + " cut points must not decrease");
  }
  return Status::Ok();
}

}  // namespace

Result<RfmCutPoints> FitCutPoints(const std::vector<RfmMeasures>& portfolio) {
  std::vector<double> r, f, m;
  for (const auto& a : portfolio) {
    if (std::isnan(a.recency_days)) continue;
    for (double v : {a.recency_days, a.frequency, a.monetary}) {
      if (!std::isfinite(v) || v < 0)
        return InvalidArgument("RFM measures must be finite numbers >= 0");
    }
    r.push_back(a.recency_days);
    f.push_back(a.frequency);
    m.push_back(a.monetary);
  }
  if (r.size() < kMinFitAccounts) {
    return InvalidArgument("quintiles need at least " + std::to_string(kMinFitAccounts) +
                           " accounts with orders, the portfolio has " + std::to_string(r.size()));
  }
  RfmCutPoints cuts;
  cuts.accounts = r.size();
  cuts.recency_days = Quintiles(std::move(r));
  cuts.frequency = Quintiles(std::move(f));
  cuts.monetary = Quintiles(std::move(m));
  return cuts;
}

RfmScores Score(const RfmCutPoints& cuts, const RfmMeasures& m) {
  RfmScores s;
  if (std::isnan(m.recency_days)) return s;  // never ordered: the bottom of every measure
  s.r = 1 + static_cast<int>(std::count_if(cuts.recency_days.begin(), cuts.recency_days.end(),
                                           [&](double c) { return m.recency_days < c; }));
  s.f = 1 + CountAbove(cuts.frequency, m.frequency);
  s.m = 1 + CountAbove(cuts.monetary, m.monetary);
  return s;
}

Status CheckCutPoints(const RfmCutPoints& cuts) {
  if (Status s = CheckArray("recency_days", cuts.recency_days); !s.ok()) return s;
  if (Status s = CheckArray("frequency", cuts.frequency); !s.ok()) return s;
  return CheckArray("monetary", cuts.monetary);
}

}  // namespace churnwatch::pyramid
