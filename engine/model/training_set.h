// What every risk-model fit shares: the training rows, the checks on them, the default
// features and the cross-validation that `churnwatch train` reports for either kind of model.
//
// The rows are the labelled accounts' features as of the calibration end — nothing after it —
// and the label says whether the account churned after it (the time split is the caller's:
// features from before the cutoff, labels from after).
//
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/features.h"
#include "model/risk_model.h"

namespace churnwatch::model {

struct TrainingRow {
  std::string account_id;
  features::FeatureValues values;
  bool churned = false;
};

// The features `train` uses by default: purchase rhythm and recency, BG/NBD, volume by
// quarter, product lines, service, people, meetings, credit, health.
const std::vector<std::string>& DefaultModelFeatures();

// InvalidArgument when a name is not in the catalog, is churn_risk, or appears twice.
Status CheckModelFeatures(const std::vector<std::string>& names);

// The number of churned rows; InvalidArgument when the rows hold no churned or no retained
// account (nothing to learn from).
Result<size_t> CountChurned(const std::vector<TrainingRow>& rows);

// ROC AUC of `model` on rows[i] for i in `subset`.
std::optional<double> AucOn(const RiskModel& model, const std::vector<TrainingRow>& rows,
                            const std::vector<size_t>& subset);

// Fits a model on the rows at the given indices.
using SubsetFit =
    std::function<Result<std::unique_ptr<RiskModel>>(const std::vector<size_t>& subset)>;

// Cross-validated ROC AUC: row i is in fold Fnv1a64(account_id) % folds — stable across runs
// and independent of the rows' order — and is scored by a model `fit` on the other folds.
// The first failing fit's status, if any.
Result<std::optional<double>> CrossValidatedAuc(const std::vector<TrainingRow>& rows, int folds,
                                                const SubsetFit& fit);

}  // namespace churnwatch::model
