// BoostedTreesRiskModel: churn_risk from gradient-boosted trees (XGBoost, binary:logistic)
// over features of the catalog — for histories where risk is not linear in the features
// (a long silence matters more for a frequent buyer than for a yearly one).
//
// The inputs are the raw feature values in `features` order; NaN (a feature not defined for
// the account) and ±inf go to the trees as missing, which XGBoost routes down each split's
// learned default branch. The contributions are TreeSHAP values: each feature's log-odds
// beside the training population's expected margin, summing with it to the account's
// log-odds — the same reading as a logistic model's coef × standardised value.
//
// Thread-safety: immutable after construction; Score() serialises on the booster (XgbBooster).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/risk_model.h"

namespace churnwatch::model {

class XgbBooster;

// The trees' input row for `values`: the features at `feature_index` (catalog indices) in that
// order, NaN for a missing or non-finite value.
std::vector<float> TreeInputRow(const std::vector<int>& feature_index,
                                const features::FeatureValues& values);

class BoostedTreesRiskModel : public RiskModel {
 public:
  // `features` must be catalog features other than churn_risk (the caller checks) and as many
  // as the booster's columns; InvalidArgument when XGBoost refuses the JSON or the counts
  // differ.
  static Result<std::unique_ptr<BoostedTreesRiskModel>> FromJson(std::vector<std::string> features,
                                                                 const std::string& xgboost_json,
                                                                 TrainingSummary training);
  BoostedTreesRiskModel(std::vector<std::string> features, std::unique_ptr<XgbBooster> booster,
                        TrainingSummary training);
  ~BoostedTreesRiskModel() override;

  const char* kind() const override { return "boosted_trees"; }
  std::vector<std::string> input_features() const override { return features_; }
  // On an XGBoost failure (which a loaded model does not have) probability NaN, no
  // contributions: churn_risk is then undefined and no rule holds on it.
  RiskScore Score(const features::FeatureValues& values) const override;

  // Every row's probability, one XGBoost call (training and cross-validation).
  Result<std::vector<double>> Probabilities(
      const std::vector<const features::FeatureValues*>& rows) const;
  // XGBoost's JSON model, for the model file.
  Result<std::string> XgboostJson() const;

 private:
  std::vector<std::string> features_;
  std::vector<int> index_;
  std::unique_ptr<XgbBooster> booster_;
};

}  // namespace churnwatch::model
