#include "model/training_set.h"

#include <set>

#include "common/hash.h"
#include "model/ranking.h"

namespace churnwatch::model {

const std::vector<std::string>& DefaultModelFeatures() {
  static const std::vector<std::string> kFeatures = {"days_since_last_order",
                                                     "order_days_total",
                                                     "orders_365d",
                                                     "orders_q1",
                                                     "median_order_gap_days",
                                                     "silence_ratio",
                                                     "p_alive",
                                                     "expected_purchases_next_quarter",
                                                     "amount_q0",
                                                     "amount_q1",
                                                     "amount_q2",
                                                     "amount_q3",
                                                     "account_age_days",
                                                     "product_lines_active",
                                                     "product_lines_dropped",
                                                     "p_alive_lowest_line",
                                                     "complaints_90d",
                                                     "sla_breaches_90d",
                                                     "csat_avg_90d",
                                                     "nps_avg_90d",
                                                     "decision_maker_departures_180d",
                                                     "meetings_cancelled_90d",
                                                     "days_since_contact",
                                                     "credit_risk",
                                                     "health_score"};
  return kFeatures;
}

Status CheckModelFeatures(const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (features::FeatureIndex(name) < 0 || name == "churn_risk")
      return InvalidArgument("unknown model feature '" + name +
                             "' (see churnwatch rules features)");
    if (!seen.insert(name).second) return InvalidArgument("feature '" + name + "' named twice");
  }
  return Status::Ok();
}

Result<size_t> CountChurned(const std::vector<TrainingRow>& rows) {
  size_t churned = 0;
  for (const auto& r : rows) churned += r.churned ? 1 : 0;
  if (churned == 0 || churned == rows.size())
    return InvalidArgument("the labelled accounts must include churned and retained ones (" +
                           std::to_string(churned) + " of " + std::to_string(rows.size()) +
                           " churned)");
  return churned;
}

std::optional<double> AucOn(const RiskModel& model, const std::vector<TrainingRow>& rows,
                            const std::vector<size_t>& subset) {
  std::vector<double> scores;
  std::vector<bool> positive;
  for (size_t i : subset) {
    scores.push_back(model.Score(rows[i].values).probability);
    positive.push_back(rows[i].churned);
  }
  return RocAuc(scores, positive);
}

Result<std::optional<double>> CrossValidatedAuc(const std::vector<TrainingRow>& rows, int folds,
                                                const SubsetFit& fit) {
  std::vector<double> scores(rows.size());
  std::vector<bool> positive(rows.size());
  for (int f = 0; f < folds; ++f) {
    std::vector<size_t> train, held_out;
    for (size_t i = 0; i < rows.size(); ++i) {
      (static_cast<int>(Fnv1a64(rows[i].account_id) % static_cast<uint64_t>(folds)) == f ? held_out
                                                                                         : train)
          .push_back(i);
    }
    if (held_out.empty() || train.empty()) continue;
    auto fold = fit(train);
    if (!fold.ok()) return fold.status();
    for (size_t i : held_out) scores[i] = (*fold)->Score(rows[i].values).probability;
  }
  for (size_t i = 0; i < rows.size(); ++i) positive[i] = rows[i].churned;
  return RocAuc(scores, positive);
}

}  // namespace churnwatch::model
