// How well a numeric score ranks accounts that churned above those that did not: the measures
// `churnwatch train` reports on its training rows and `backtest` reports for churn_risk.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <vector>

namespace churnwatch::model {

// ROC AUC: the probability that a random positive scores above a random negative, ties
// counting one half (the Mann-Whitney U statistic / (positives x negatives)). NaN scores rank
// lowest. nullopt without at least one positive and one negative.
std::optional<double> RocAuc(const std::vector<double>& scores, const std::vector<bool>& positive);

// Precision among the `fraction` (0..1] highest-scored (at least one): the share of positives
// among them. Ties at the boundary are broken by input order. nullopt for no scores.
std::optional<double> PrecisionAtTop(const std::vector<double>& scores,
                                     const std::vector<bool>& positive, double fraction);

}  // namespace churnwatch::model
