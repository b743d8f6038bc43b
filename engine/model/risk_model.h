// RiskModel: one number per account, the probability that it churns, learned from the
// customer's own history (`churnwatch train`) — feature `churn_risk` — and why: each input
// feature's contribution to it.
//
// A logistic regression over features of the catalog. Each term takes one feature x, applies
// its transform (identity, or log1p(max(x, 0)) for counts, days and amounts, whose effect
// flattens), replaces NaN (a feature not defined for the account) by the training mean `fill`,
// standardises z = (t - mean) / scale and contributes coef·z log-odds:
//   churn_risk = 1 / (1 + exp(-(intercept + Σ coef·z)))
// A contribution above 0 raises the risk; its share is |coef·z| / Σ|coef·z| over the terms
// (coefficients × standardised values, so an account at the training mean contributes 0).
//
// Thread-safety: immutable after construction; Score() and Apply() are const and pure.
#pragma once

#include <string>
#include <vector>

#include "features/features.h"

namespace churnwatch::model {

enum class Transform { kIdentity, kLog1p };
const char* TransformName(Transform t);

struct ModelTerm {
  std::string feature;
  Transform transform = Transform::kIdentity;
  double fill = 0;   // transformed value used for NaN
  double mean = 0;   // of the transformed, filled training values
  double scale = 1;  // their standard deviation (> 0)
  double coef = 0;   // log-odds per standard deviation
  int index = -1;    // FeatureIndex(feature); resolved when the model is built or loaded
};

// What the training saw, kept in the file so a reader knows what the model stands on.
struct TrainingSummary {
  std::string calibration_end;  // YYYY-MM-DD: features as of this day, labels after it
  std::string labels;           // the labels file
  int accounts = 0, churned = 0;
  double l2 = 0;
  double auc_train = 0;  // on the training rows
  double auc_cv = 0;     // 5-fold cross-validated (folds by a hash of the account id)
  double log_loss = 0;   // mean, on the training rows
};

struct Contribution {
  std::string feature;
  double log_odds = 0;  // coef·z: > 0 raises the risk
  double share = 0;     // |log_odds| / Σ|log_odds|, 0..1
};

struct RiskScore {
  double probability = 0;
  std::vector<Contribution> contributions;  // largest |log_odds| first
};

class RiskModel {
 public:
  // `terms` must name catalog features other than churn_risk (checked by the file reader and
  // the trainer; here a term with an unknown feature reads NaN and contributes 0).
  RiskModel(double intercept, std::vector<ModelTerm> terms, TrainingSummary training = {});

  double intercept() const { return intercept_; }
  const std::vector<ModelTerm>& terms() const { return terms_; }
  const TrainingSummary& training() const { return training_; }

  // The standardised input of term i for `x` (transform, fill, standardise).
  double Standardise(size_t i, double x) const;
  // Risk and contributions for an account's features (churn_risk itself is not read).
  RiskScore Score(const features::FeatureValues& values) const;
  // Sets `churn_risk` and the text field `churn_risk_drivers` of `values`: the three largest
  // contributions as "feature +41%, feature -22%, ..." (sign: raises or lowers the risk).
  void Apply(features::FeatureValues* values) const;

 private:
  double intercept_;
  std::vector<ModelTerm> terms_;
  TrainingSummary training_;
};

// The logistic function, overflow-safe.
double Logistic(double log_odds);

}  // namespace churnwatch::model
