// Fitting a BoostedTreesRiskModel: gradient-boosted trees with XGBoost (binary:logistic, exact
// greedy splits, one thread, no sampling — the same rows give the same model), on the raw
// feature values with NaN as missing. What `churnwatch train --algorithm boosted_trees` runs.
//
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/boosted_trees_model.h"
#include "model/training_set.h"
#include "model/xgboost_booster.h"

namespace churnwatch::model {

struct BoostedTreesOptions {
  std::vector<std::string> features;  // catalog names; empty = DefaultModelFeatures()
  XgbTrainParams trees;
  int folds = 5;            // cross-validation folds (by a hash of the account id)
  TrainingSummary summary;  // calibration_end and labels, copied into the model
};

// InvalidArgument when a feature is unknown or churn_risk, the rows hold no churned or no
// retained account, folds < 2, or a tree parameter is out of range (rounds 1-5000, depth
// 1-12, learning rate in (0, 1], l2 and min_child_weight 0 or more); Internal when XGBoost
// fails.
Result<std::unique_ptr<BoostedTreesRiskModel>> FitBoostedTrees(const std::vector<TrainingRow>& rows,
                                                               const BoostedTreesOptions& options);

}  // namespace churnwatch::model
