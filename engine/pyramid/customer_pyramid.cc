#include "pyramid/customer_pyramid.h"

#include <algorithm>
#include <cmath>

namespace churnwatch::pyramid {
namespace {

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void Set(features::FeatureValues* values, const char* name, double v) {
  values->numbers[static_cast<size_t>(features::FeatureIndex(name))] = v;
}

// The stage feature's codes (events: Stage).
constexpr double kStageDeveloping = 3, kStageStrategicPartner = 4;

}  // namespace

const char* LevelName(Level level) {
  switch (level) {
    case Level::kHigh:
      return "high";
    case Level::kMedium:
      return "medium";
    case Level::kLow:
      break;
  }
  return "low";
}

RfmMeasures MeasuresOf(const features::FeatureValues& values) {
  return {values.Get("days_since_last_order"), values.Get("orders_365d"), values.Get("amount_12m")};
}

int StrategicFitPoints(const features::FeatureValues& values,
                       const std::vector<std::string>& strategic_industries) {
  int points = 0;
  const double stage = values.Get("stage");
  if (stage == kStageStrategicPartner) points += 2;
  if (stage == kStageDeveloping) points += 1;
  auto industry = values.text.find("industry");
  if (industry != values.text.end() && !industry->second.empty()) {
    const std::string mine = AsciiLower(industry->second);
    if (std::any_of(strategic_industries.begin(), strategic_industries.end(),
                    [&](const std::string& s) { return AsciiLower(s) == mine; }))
      points += 1;
  }
  if (values.Get("contacts_active_executive") >= 1) points += 1;
  return points;
}

Level ValueLevel(const RfmScores& scores) {
  const int total = scores.total();
  return total >= 12 ? Level::kHigh : total >= 8 ? Level::kMedium : Level::kLow;
}

Level FitLevel(int points) {
  return points >= 3 ? Level::kHigh : points == 2 ? Level::kMedium : Level::kLow;
}

int SuggestedTier(Level value, Level fit) {
  // [value][fit], rows and columns high, medium, low.
  static constexpr int kGrid[3][3] = {{1, 2, 3}, {2, 3, 5}, {4, 4, 5}};
  return kGrid[static_cast<int>(value) - 1][static_cast<int>(fit) - 1];
}

const char* TierName(int code) {
  static const char* kNames[] = {"strategic", "key", "growth", "potential", "ordinary"};
  return code >= 1 && code <= 5 ? kNames[code - 1] : "";
}

Placement Place(const features::FeatureValues& values, const RfmCutPoints& cuts,
                const std::vector<std::string>& strategic_industries) {
  Placement p;
  p.measures = MeasuresOf(values);
  p.scores = Score(cuts, p.measures);
  p.value = ValueLevel(p.scores);
  p.fit_points = StrategicFitPoints(values, strategic_industries);
  p.fit = FitLevel(p.fit_points);
  p.suggested_tier = SuggestedTier(p.value, p.fit);
  return p;
}

void ApplyPyramidFeatures(const PyramidParams* params, features::FeatureValues* values) {
  static const std::vector<std::string> kNone;
  const int points = StrategicFitPoints(*values, params ? params->strategic_industries : kNone);
  Set(values, "strategic_fit", static_cast<double>(FitLevel(points)));
  if (params == nullptr) return;
  Placement p = Place(*values, params->cuts, params->strategic_industries);
  Set(values, "rfm_r", p.scores.r);
  Set(values, "rfm_f", p.scores.f);
  Set(values, "rfm_m", p.scores.m);
  Set(values, "value_segment", static_cast<double>(p.value));
  Set(values, "suggested_tier", p.suggested_tier);
}

}  // namespace churnwatch::pyramid
