#include "model/risk_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace churnwatch::model {

double Logistic(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  double e = std::exp(z);
  return e / (1 + e);
}

void RiskModel::RankContributions(std::vector<Contribution>* contributions) {
  double total = 0;
  for (const auto& c : *contributions) total += std::abs(c.log_odds);
  for (auto& c : *contributions) c.share = total > 0 ? std::abs(c.log_odds) / total : 0;
  std::stable_sort(contributions->begin(), contributions->end(),
                   [](const Contribution& a, const Contribution& b) {
                     return std::abs(a.log_odds) > std::abs(b.log_odds);
                   });
}

void RiskModel::Apply(features::FeatureValues* values) const {
  static const int kChurnRisk = features::FeatureIndex("churn_risk");
  RiskScore score = Score(*values);
  values->numbers[kChurnRisk] = score.probability;
  std::string drivers;
  for (size_t i = 0; i < score.contributions.size() && i < 3; ++i) {
    const Contribution& c = score.contributions[i];
    if (c.share <= 0) break;
    char share[16];
    std::snprintf(share, sizeof share, "%c%.0f%%", c.log_odds > 0 ? '+' : '-', 100 * c.share);
    if (!drivers.empty()) drivers += ", ";
    drivers += c.feature + " " + share;
  }
  values->text["churn_risk_drivers"] = drivers;
}

}  // namespace churnwatch::model
