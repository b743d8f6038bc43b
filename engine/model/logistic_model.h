// LogisticRiskModel: churn_risk as a logistic regression over features of the catalog.
//
// Each term takes one feature x, applies its transform (identity, or log1p(max(x, 0)) for
// counts, days and amounts, whose effect flattens), replaces NaN (a feature not defined for the
// account) by the training mean `fill`, standardises z = (t - mean) / scale and contributes
// coef·z log-odds:
//   churn_risk = 1 / (1 + exp(-(intercept + Σ coef·z)))
// A contribution above 0 raises the risk; an account at the training mean contributes 0.
//
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <vector>

#include "model/risk_model.h"

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

class LogisticRiskModel : public RiskModel {
 public:
  // `terms` must name catalog features other than churn_risk (checked by the file reader and
  // the trainer; here a term with an unknown feature reads NaN and contributes 0).
  LogisticRiskModel(double intercept, std::vector<ModelTerm> terms, TrainingSummary training = {});

  const char* kind() const override { return "logistic"; }
  std::vector<std::string> input_features() const override;
  RiskScore Score(const features::FeatureValues& values) const override;

  double intercept() const { return intercept_; }
  const std::vector<ModelTerm>& terms() const { return terms_; }
  // The standardised input of term i for `x` (transform, fill, standardise).
  double Standardise(size_t i, double x) const;

 private:
  double intercept_;
  std::vector<ModelTerm> terms_;
};

}  // namespace churnwatch::model
