// The model file `churnwatch train --out` writes and `run --model` (config `model.path`) and
// `backtest --model` read. JSON:
//   {"format": "churnwatch.risk_model.v1", "kind": "logistic", "intercept": -1.2,
//    "terms": [{"feature": "days_since_last_order", "transform": "log1p", "fill": 3.1,
//               "mean": 3.4, "scale": 1.1, "coef": 0.9}, ...],
//    "training": {"calibration_end": "1997-06-30", "labels": "...", "accounts": 9000,
//                 "churned": 4000, "l2": 1, "auc_train": 0.8, "auc_cv": 0.79, "log_loss": 0.5}}
// or, for gradient-boosted trees,
//   {"format": "churnwatch.risk_model.v1", "kind": "boosted_trees",
//    "features": ["days_since_last_order", ...], "xgboost": {XGBoost's own JSON model},
//    "training": {..., "trees": 300, "max_depth": 3, "learning_rate": 0.05}}
// "training" documents the fit; reading needs only format, kind and the kind's fields. A
// reader from before boosted trees refuses such a file by its kind, with the reason.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "model/risk_model.h"

namespace churnwatch::model {

// Pretty-printed JSON with a trailing newline (Internal when XGBoost cannot write its part).
Result<std::string> FormatRiskModel(const RiskModel& model);

// InvalidArgument "SOURCE: reason" when the text is not such a model: not JSON, another
// format or kind, a term or feature naming an unknown feature (or churn_risk itself, or one
// feature twice), an unknown transform, a number that is missing or not finite, a scale that
// is not positive, no terms or features, an "xgboost" model XGBoost refuses or whose column
// count differs from "features".
Result<std::unique_ptr<const RiskModel>> ParseRiskModel(const std::string& text,
                                                        const std::string& source);
// Same from a file; NotFound when it cannot be opened.
Result<std::unique_ptr<const RiskModel>> LoadRiskModel(const std::string& path);
// LoadRiskModel, ready to share between evaluators (AlertOptions::risk_model).
Result<std::shared_ptr<const RiskModel>> LoadSharedRiskModel(const std::string& path);

}  // namespace churnwatch::model
