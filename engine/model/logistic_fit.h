// Fitting a LogisticRiskModel: L2-regularised logistic regression on standardised features, by
// maximum likelihood with NLopt's L-BFGS and the analytic gradient (no hand-written
// optimiser). What `churnwatch train` runs on the rows the backtest replay builds.
//
// Each term's transform follows its feature's unit (log1p for counts, days, units, amounts;
// identity for ratios, probabilities, scores and codes); NaN is filled with the training mean;
// a feature that is constant on the training rows is dropped (it can say nothing). The
// intercept is not penalised.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "features/features.h"
#include "model/logistic_model.h"
#include "model/training_set.h"

namespace churnwatch::model {

struct FitOptions {
  std::vector<std::string> features;  // catalog names; empty = DefaultModelFeatures()
  double l2 = 1.0;                    // penalty on the squared coefficients
  int folds = 5;                      // cross-validation folds (by a hash of the account id)
  TrainingSummary summary;            // calibration_end and labels, copied into the model
};

struct FitReport {
  LogisticRiskModel model;
  std::vector<std::string> dropped;  // features constant on the training rows
};

// InvalidArgument when a feature is unknown or churn_risk, the rows hold no churned or no
// retained account, l2 is negative, or folds < 2; Internal when the optimiser fails.
Result<FitReport> FitRiskModel(const std::vector<TrainingRow>& rows, const FitOptions& options);

}  // namespace churnwatch::model
