#include "model/boosted_trees_fit.h"

#include <algorithm>
#include <cmath>

#include "model/ranking.h"

namespace churnwatch::model {
namespace {

Result<std::unique_ptr<BoostedTreesRiskModel>> FitSubset(const std::vector<TrainingRow>& rows,
                                                         const std::vector<size_t>& subset,
                                                         const std::vector<std::string>& names,
                                                         const BoostedTreesOptions& options) {
  std::vector<int> index;
  for (const auto& name : names) index.push_back(features::FeatureIndex(name));
  std::vector<float> matrix, labels;
  matrix.reserve(subset.size() * names.size());
  for (size_t i : subset) {
    std::vector<float> row = TreeInputRow(index, rows[i].values);
    matrix.insert(matrix.end(), row.begin(), row.end());
    labels.push_back(rows[i].churned ? 1.0f : 0.0f);
  }
  auto booster = XgbBooster::Train(matrix, subset.size(), names.size(), labels, options.trees);
  if (!booster.ok()) return booster.status();
  TrainingSummary summary = options.summary;
  summary.l2 = options.trees.l2;
  summary.trees = options.trees.rounds;
  summary.max_depth = options.trees.max_depth;
  summary.learning_rate = options.trees.learning_rate;
  return std::make_unique<BoostedTreesRiskModel>(names, std::move(*booster), std::move(summary));
}

}  // namespace

Result<std::unique_ptr<BoostedTreesRiskModel>> FitBoostedTrees(const std::vector<TrainingRow>& rows,
                                                               const BoostedTreesOptions& options) {
  const std::vector<std::string>& names =
      options.features.empty() ? DefaultModelFeatures() : options.features;
  if (Status s = CheckModelFeatures(names); !s.ok()) return s;
  const XgbTrainParams& t = options.trees;
  if (t.rounds < 1 || t.rounds > 5000) return InvalidArgument("trees must be between 1 and 5000");
  if (t.max_depth < 1 || t.max_depth > 12)
    return InvalidArgument("max depth must be between 1 and 12");
  if (!(t.learning_rate > 0 && t.learning_rate <= 1))
    return InvalidArgument("learning rate must be above 0 and at most 1");
  if (!(t.l2 >= 0) || !std::isfinite(t.l2)) return InvalidArgument("l2 must be 0 or more");
  if (!(t.min_child_weight >= 0) || !std::isfinite(t.min_child_weight))
    return InvalidArgument("min child weight must be 0 or more");
  if (options.folds < 2) return InvalidArgument("folds must be at least 2");
  auto churned = CountChurned(rows);
  if (!churned.ok()) return churned.status();

  std::vector<size_t> all(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) all[i] = i;
  auto fit = FitSubset(rows, all, names, options);
  if (!fit.ok()) return fit.status();
  auto auc_cv = CrossValidatedAuc(
      rows, options.folds,
      [&](const std::vector<size_t>& subset) -> Result<std::unique_ptr<RiskModel>> {
        auto fold = FitSubset(rows, subset, names, options);
        if (!fold.ok()) return fold.status();
        return std::unique_ptr<RiskModel>(std::move(*fold));
      });
  if (!auc_cv.ok()) return auc_cv.status();

  std::vector<const features::FeatureValues*> values;
  std::vector<bool> positive;
  for (const auto& r : rows) {
    values.push_back(&r.values);
    positive.push_back(r.churned);
  }
  auto p = (*fit)->Probabilities(values);
  if (!p.ok()) return p.status();
  double log_loss = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    double q = std::clamp((*p)[i], 1e-15, 1 - 1e-15);
    log_loss -= rows[i].churned ? std::log(q) : std::log(1 - q);
  }
  TrainingSummary summary = (*fit)->training();
  summary.accounts = static_cast<int>(rows.size());
  summary.churned = static_cast<int>(*churned);
  summary.auc_train = RocAuc(*p, positive).value_or(NAN);
  summary.auc_cv = auc_cv->value_or(NAN);
  summary.log_loss = log_loss / static_cast<double>(rows.size());
  auto json = (*fit)->XgboostJson();
  if (!json.ok()) return json.status();
  return BoostedTreesRiskModel::FromJson(names, *json, std::move(summary));
}

}  // namespace churnwatch::model
