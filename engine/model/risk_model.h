// RiskModel: one number per account, the probability that it churns, learned from the
// customer's own history (`churnwatch train`) — feature `churn_risk` — and why: each input
// feature's contribution to it, in log-odds.
//
// Two kinds stand behind this interface:
//   - LogisticRiskModel (logistic_model.h): coefficients × standardised features;
//   - BoostedTreesRiskModel (boosted_trees_model.h): gradient-boosted trees through XGBoost,
//     contributions by TreeSHAP.
// Both express a contribution as the log-odds it adds beside the training population's
// average, so the evidence reads the same whichever kind a business trains.
//
// Thread-safety: implementations are immutable after construction; Score() and Apply() may be
// called from several threads at once.
#pragma once

#include <string>
#include <vector>

#include "features/features.h"

namespace churnwatch::model {

// What the training saw, kept in the file so a reader knows what the model stands on.
struct TrainingSummary {
  std::string calibration_end;  // YYYY-MM-DD: features as of this day, labels after it
  std::string labels;           // the labels file
  int accounts = 0, churned = 0;
  double l2 = 0;
  double auc_train = 0;  // on the training rows
  double auc_cv = 0;     // 5-fold cross-validated (folds by a hash of the account id)
  double log_loss = 0;   // mean, on the training rows
  // Boosted trees only (0 for a logistic model): boosting rounds, depth, learning rate.
  int trees = 0, max_depth = 0;
  double learning_rate = 0;
};

struct Contribution {
  std::string feature;
  double log_odds = 0;  // > 0 raises the risk
  double share = 0;     // |log_odds| / Σ|log_odds|, 0..1
};

struct RiskScore {
  double probability = 0;
  std::vector<Contribution> contributions;  // largest |log_odds| first
};

class RiskModel {
 public:
  virtual ~RiskModel() = default;

  // "logistic" or "boosted_trees": the model file's "kind".
  virtual const char* kind() const = 0;
  // The catalog features the model reads, in its input order.
  virtual std::vector<std::string> input_features() const = 0;
  // Risk and contributions for an account's features (churn_risk itself is not read; a
  // feature that is NaN counts as missing).
  virtual RiskScore Score(const features::FeatureValues& values) const = 0;

  const TrainingSummary& training() const { return training_; }

  // Sets `churn_risk` and the text field `churn_risk_drivers` of `values`: the three largest
  // contributions as "feature +41%, feature -22%, ..." (sign: raises or lowers the risk).
  void Apply(features::FeatureValues* values) const;

 protected:
  explicit RiskModel(TrainingSummary training) : training_(std::move(training)) {}
  // Shares from the log-odds, then the contributions largest first.
  static void RankContributions(std::vector<Contribution>* contributions);

 private:
  TrainingSummary training_;
};

// The logistic function, overflow-safe.
double Logistic(double log_odds);

}  // namespace churnwatch::model
