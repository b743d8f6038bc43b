#include "model/logistic_model.h"

#include <algorithm>
#include <cmath>

namespace churnwatch::model {

const char* TransformName(Transform t) { return t == Transform::kLog1p ? "log1p" : "identity"; }

LogisticRiskModel::LogisticRiskModel(double intercept, std::vector<ModelTerm> terms,
                                     TrainingSummary training)
    : RiskModel(std::move(training)), intercept_(intercept), terms_(std::move(terms)) {
  for (auto& t : terms_) t.index = features::FeatureIndex(t.feature);
}

std::vector<std::string> LogisticRiskModel::input_features() const {
  std::vector<std::string> names;
  for (const auto& t : terms_) names.push_back(t.feature);
  return names;
}

double LogisticRiskModel::Standardise(size_t i, double x) const {
  const ModelTerm& t = terms_[i];
  double v = x;
  if (!std::isnan(v) && t.transform == Transform::kLog1p) v = std::log1p(std::max(v, 0.0));
  if (std::isnan(v) || std::isinf(v)) v = t.fill;
  return (v - t.mean) / t.scale;
}

RiskScore LogisticRiskModel::Score(const features::FeatureValues& values) const {
  RiskScore score;
  double z = intercept_;
  score.contributions.reserve(terms_.size());
  for (size_t i = 0; i < terms_.size(); ++i) {
    const ModelTerm& t = terms_[i];
    double x = t.index >= 0 && static_cast<size_t>(t.index) < values.numbers.size()
                   ? values.numbers[t.index]
                   : NAN;
    double c = t.coef * Standardise(i, x);
    z += c;
    score.contributions.push_back({t.feature, c, 0});
  }
  RankContributions(&score.contributions);
  score.probability = Logistic(z);
  return score;
}

}  // namespace churnwatch::model
