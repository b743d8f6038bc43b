#include "http/portfolio_pyramid.h"

#include <cmath>

#include "ingest/engine.h"
#include "pyramid/customer_pyramid.h"
#include "rules/alert_lifecycle.h"

namespace churnwatch::http {

using nlohmann::json;

PortfolioPyramid::PortfolioPyramid(std::shared_ptr<const pyramid::PyramidParams> configured)
    : configured_(std::move(configured)), active_(configured_) {}

void PortfolioPyramid::FitOverInstance(const std::vector<features::FeatureValues>& portfolio) {
  if (configured_) return;
  std::vector<pyramid::RfmMeasures> measures;
  measures.reserve(portfolio.size());
  for (const auto& v : portfolio) measures.push_back(pyramid::MeasuresOf(v));
  auto cuts = pyramid::FitCutPoints(measures);
  if (!cuts.ok()) return;  // too few accounts with orders: no placement
  auto params = std::make_shared<pyramid::PyramidParams>();
  params->cuts = *cuts;
  active_ = std::move(params);
}

Status PortfolioPyramid::FitOverInstance(const ingest::Engine& engine, UnixMicros at) {
  if (configured_) return Status::Ok();
  auto ids = engine.AccountIds();
  if (!ids.ok()) return ids.status();
  std::vector<features::FeatureValues> portfolio;
  for (const auto& id : *ids) {
    auto snap = engine.FindAccount(id);
    if (!snap.ok()) return snap.status();
    if (!snap->has_value()) continue;
    portfolio.push_back(
        rules::AccountFeatures(**snap, at, engine.calendar(), engine.config().evaluation.alert));
  }
  FitOverInstance(portfolio);
  return Status::Ok();
}

json PortfolioPyramid::Describe(const features::FeatureValues& values) const {
  static const std::vector<std::string> kNone;
  const auto& industries = active_ ? active_->strategic_industries : kNone;
  const int points = pyramid::StrategicFitPoints(values, industries);
  json out = {{"rfm", nullptr},
              {"strategic_fit",
               {{"level", pyramid::LevelName(pyramid::FitLevel(points))}, {"points", points}}},
              {"suggested_tier", nullptr}};
  if (!active_) return out;
  const pyramid::Placement p = pyramid::Place(values, active_->cuts, industries);
  auto number = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  out["rfm"] = {{"r", p.scores.r},
                {"f", p.scores.f},
                {"m", p.scores.m},
                {"segment", pyramid::LevelName(p.value)},
                {"score", p.scores.total()},
                {"recency_days", number(p.measures.recency_days)},
                {"frequency", p.measures.frequency},
                {"monetary_minor", p.measures.monetary},
                {"basis", configured_ ? "pyramid_params" : "instance"},
                {"portfolio_accounts", active_->cuts.accounts},
                {"fitted_as_of", active_->as_of.empty() ? json(nullptr) : json(active_->as_of)}};
  out["suggested_tier"] = pyramid::TierName(p.suggested_tier);
  return out;
}

}  // namespace churnwatch::http
