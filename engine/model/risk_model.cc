#include "model/risk_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace churnwatch::model {

const char* TransformName(Transform t) { return t == Transform::kLog1p ? "log1p" : "identity"; }

double Logistic(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  double e = std::exp(z);
  return e / (1 + e);
}

RiskModel::RiskModel(double intercept, std::vector<ModelTerm> terms, TrainingSummary training)
    : intercept_(intercept), terms_(std::move(terms)), training_(std::move(training)) {
  for (auto& t : terms_) t.index = features::FeatureIndex(t.feature);
}

double RiskModel::Standardise(size_t i, double x) const {
  const ModelTerm& t = terms_[i];
  double v = x;
  if (!std::isnan(v) && t.transform == Transform::kLog1p) v = std::log1p(std::max(v, 0.0));
  if (std::isnan(v) || std::isinf(v)) v = t.fill;
  return (v - t.mean) / t.scale;
}

RiskScore RiskModel::Score(const features::FeatureValues& values) const {
  RiskScore score;
  double z = intercept_, total = 0;
  score.contributions.reserve(terms_.size());
  for (size_t i = 0; i < terms_.size(); ++i) {
    const ModelTerm& t = terms_[i];
    double x = t.index >= 0 && static_cast<size_t>(t.index) < values.numbers.size()
                   ? values.numbers[t.index]
                   : NAN;
    double c = t.coef * Standardise(i, x);
    z += c;
    total += std::abs(c);
    score.contributions.push_back({t.feature, c, 0});
  }
  for (auto& c : score.contributions) c.share = total > 0 ? std::abs(c.log_odds) / total : 0;
  std::stable_sort(score.contributions.begin(), score.contributions.end(),
                   [](const Contribution& a, const Contribution& b) {
                     return std::abs(a.log_odds) > std::abs(b.log_odds);
                   });
  score.probability = Logistic(z);
  return score;
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
