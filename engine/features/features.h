// Features: the named per-account numbers rules are written in, computed from an account's
// state as of an evaluation time. The README's feature table lists each one; FeatureCatalog()
// is the single source of that table (names, units, meaning).
//
// Conventions:
//   - Quarters are calendar quarters in the engine's zone. q0 is the running quarter that
//     contains the evaluation time (to date), q1 the last complete one, q2 the one before...
//   - "_90d" windows are the 90 local days ending with the evaluation day (inclusive).
//   - A feature that is not defined for the account (no orders yet, no surveys...) is NaN.
//     <, <=, >, >= and == with NaN are false, so such comparisons never fire on missing data;
//     != with NaN is true (IEEE), so rules compare with > or < instead.
//
// Thread-safety: pure functions over their inputs.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "clv/bgnbd.h"
#include "common/calendar.h"
#include "state/account_snapshot.h"

namespace churnwatch::features {

// Weights of the health score's three dimensions (domain.md: 客户健康度审计). Normalised
// to sum 1. Defaults: satisfaction 0.4, value contribution 0.4, risk exposure 0.2.
struct HealthWeights {
  double satisfaction = 0.4;
  double value = 0.4;
  double risk = 0.2;
};

struct FeatureInfo {
  const char* name;
  const char* unit;  // "units", "CNY cents", "ratio", "days", "count", "score 0-100", "code"
  const char* meaning;
};

// Every numeric feature, in index order.
const std::vector<FeatureInfo>& FeatureCatalog();
// Index of a feature by name, or -1.
int FeatureIndex(std::string_view name);

// Text fields rules may quote in annotations (not usable in expressions): account_name,
// account_id, tier_name, owner_id, owner_name, owner_email, region, industry, quarter_q0,
// quarter_q1, quarter_q2, quarter_q3, dropped_product_lines, p_alive_lowest_line_name,
// churn_risk_drivers (set with churn_risk when a risk model is loaded: model/risk_model.h).
const std::vector<std::string>& TextFieldNames();

struct FeatureValues {
  std::vector<double> numbers;              // indexed like FeatureCatalog()
  std::map<std::string, std::string> text;  // TextFieldNames() → value ("" when unknown)
  double Get(std::string_view name) const;  // NaN for an unknown name
};

// Computes every feature of `snapshot` as of `at`. `clv` are the BG/NBD parameters behind
// p_alive, expected_purchases_next_quarter and p_alive_lowest_line (NaN when `clv` is null or
// invalid).
FeatureValues ComputeFeatures(const state::AccountSnapshot& snapshot, UnixMicros at,
                              const Calendar& calendar, const HealthWeights& weights = {},
                              const clv::BgNbdParams* clv = nullptr);

}  // namespace churnwatch::features
