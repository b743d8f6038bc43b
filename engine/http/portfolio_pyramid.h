// PortfolioPyramid: the customer pyramid as the API and dashboard show it (the `rfm`,
// `strategic_fit` and `suggested_tier` fields of GET /api/v1/accounts and /accounts/{id}).
//
// With `pyramid.params` configured the placement is the rules' own (basis "pyramid_params":
// the fitted cut points, the same on every instance). Without, the API still shows portfolio
// quintiles, fitted per request over the accounts this instance holds (basis "instance", with
// the number of accounts): useful on one instance, but they move with the partitions an
// instance owns, which is why the rule features stay NaN then. Fewer than 5 accounts with
// orders: no placement (rfm and suggested_tier null).
//
// Thread-safety: a value; build one per request.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "features/features.h"
#include "pyramid/pyramid_params_file.h"

namespace churnwatch::ingest {
class Engine;
}

namespace churnwatch::http {

class PortfolioPyramid {
 public:
  // The engine's configured parameters, or null.
  explicit PortfolioPyramid(std::shared_ptr<const pyramid::PyramidParams> configured);

  // True when the placement needs every account's features (no configured parameters).
  bool needs_portfolio() const { return configured_ == nullptr; }
  // Fits instance cut points over the features of every held account (only when
  // needs_portfolio()).
  void FitOverInstance(const std::vector<features::FeatureValues>& portfolio);
  // Reads every held account's features as of `at` for FitOverInstance. An error Status when
  // a store read fails.
  Status FitOverInstance(const ingest::Engine& engine, UnixMicros at);

  // The account's placement: {"rfm": {r, f, m, segment, score, recency_days, frequency,
  // monetary_minor, basis, portfolio_accounts, fitted_as_of} | null, "strategic_fit":
  // {level, points}, "suggested_tier": name | null}.
  nlohmann::json Describe(const features::FeatureValues& values) const;

 private:
  std::shared_ptr<const pyramid::PyramidParams> configured_;
  std::shared_ptr<const pyramid::PyramidParams> active_;  // configured_ or the instance fit
};

}  // namespace churnwatch::http
