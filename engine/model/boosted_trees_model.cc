#include "model/boosted_trees_model.h"

#include <cmath>

#include "model/xgboost_booster.h"

namespace churnwatch::model {

Result<std::unique_ptr<BoostedTreesRiskModel>> BoostedTreesRiskModel::FromJson(
    std::vector<std::string> features, const std::string& xgboost_json, TrainingSummary training) {
  auto booster = XgbBooster::FromJson(xgboost_json);
  if (!booster.ok()) return booster.status();
  auto columns = (*booster)->Columns();
  if (!columns.ok()) return columns.status();
  if (*columns != features.size())
    return InvalidArgument("the XGBoost model reads " + std::to_string(*columns) +
                           " columns but \"features\" names " + std::to_string(features.size()));
  return std::make_unique<BoostedTreesRiskModel>(std::move(features), std::move(*booster),
                                                 std::move(training));
}

BoostedTreesRiskModel::BoostedTreesRiskModel(std::vector<std::string> features,
                                             std::unique_ptr<XgbBooster> booster,
                                             TrainingSummary training)
    : RiskModel(std::move(training)), features_(std::move(features)), booster_(std::move(booster)) {
  for (const auto& f : features_) index_.push_back(features::FeatureIndex(f));
}

BoostedTreesRiskModel::~BoostedTreesRiskModel() = default;

std::vector<float> TreeInputRow(const std::vector<int>& feature_index,
                                const features::FeatureValues& values) {
  std::vector<float> row(feature_index.size(), NAN);
  for (size_t i = 0; i < feature_index.size(); ++i) {
    int at = feature_index[i];
    if (at < 0 || static_cast<size_t>(at) >= values.numbers.size()) continue;
    double v = values.numbers[at];
    if (std::isfinite(v)) row[i] = static_cast<float>(v);
  }
  return row;
}

RiskScore BoostedTreesRiskModel::Score(const features::FeatureValues& values) const {
  RiskScore score;
  std::vector<float> shap;
  if (!booster_->Contributions(TreeInputRow(index_, values), &shap).ok()) {
    score.probability = NAN;
    return score;
  }
  double margin = shap.back();  // the bias: the expected margin
  score.contributions.reserve(features_.size());
  for (size_t i = 0; i < features_.size(); ++i) {
    margin += shap[i];
    score.contributions.push_back({features_[i], shap[i], 0});
  }
  RankContributions(&score.contributions);
  score.probability = Logistic(margin);
  return score;
}

Result<std::vector<double>> BoostedTreesRiskModel::Probabilities(
    const std::vector<const features::FeatureValues*>& rows) const {
  std::vector<float> matrix;
  matrix.reserve(rows.size() * features_.size());
  for (const auto* values : rows) {
    std::vector<float> row = TreeInputRow(index_, *values);
    matrix.insert(matrix.end(), row.begin(), row.end());
  }
  std::vector<float> margins;
  if (Status s = booster_->Margins(matrix, rows.size(), features_.size(), &margins); !s.ok())
    return s;
  std::vector<double> p(margins.size());
  for (size_t i = 0; i < margins.size(); ++i) p[i] = Logistic(margins[i]);
  return p;
}

Result<std::string> BoostedTreesRiskModel::XgboostJson() const { return booster_->ToJson(); }

}  // namespace churnwatch::model
