// The customer pyramid (客户金字塔): where an account's measured value and its strategic fit
// place it, beside the tier the CRM gave it.
//
// Value (客户价值) comes from the RFM scores (rfm_cut_points.h): R + F + M >= 12 is high,
// 8..11 medium, <= 7 low. Strategic fit (战略契合度) comes from what the material names besides
// sales — relationship (相互的关系, 合作粘性) and strategic match (战略匹配度) — as points:
//   relationship stage: STRATEGIC_PARTNER 2, DEVELOPING 1, NURTURING / INITIAL / INTERRUPTED 0;
//   industry: 1 when the profile's industry is one of the parameters' strategic_industries
//     (ASCII case ignored; none are configured unless the parameters file lists them);
//   executive relationship: 1 with an active executive-level contact (the material's partner
//     relationship: both sides' top levels meet);
// 3 or more is high, 2 medium, 0..1 low. The configured tier is deliberately not an input:
// the suggested tier is what the account's numbers say, to be compared with that tier.
//
// The value × fit grid → suggested tier:
//              fit high    fit medium   fit low
//   value high strategic   key          growth
//   value med. key         growth       ordinary
//   value low  potential   potential    ordinary
// (high value and fit: the top of the pyramid; fit without value yet: potential, to develop;
// value without fit: served for its revenue, not given the strategic effort.)
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "features/features.h"
#include "pyramid/pyramid_params_file.h"
#include "pyramid/rfm_cut_points.h"

namespace churnwatch::pyramid {

// Codes as the value_segment and strategic_fit features carry them (1 = the top, like tier).
enum class Level { kHigh = 1, kMedium = 2, kLow = 3 };
const char* LevelName(Level level);  // "high", "medium", "low"

struct Placement {
  RfmMeasures measures;
  RfmScores scores;
  Level value = Level::kLow;
  int fit_points = 0;
  Level fit = Level::kLow;
  int suggested_tier = 5;  // the tier feature's codes: 1 strategic ... 5 ordinary
};

// The RFM measures in `values` (days_since_last_order, orders_365d, amount_12m).
RfmMeasures MeasuresOf(const features::FeatureValues& values);

// Strategic-fit points of `values` (stage, industry text field, contacts_active_executive).
int StrategicFitPoints(const features::FeatureValues& values,
                       const std::vector<std::string>& strategic_industries);

Level ValueLevel(const RfmScores& scores);
Level FitLevel(int points);
int SuggestedTier(Level value, Level fit);
// "strategic", "key", "growth", "potential", "ordinary"; "" outside 1..5.
const char* TierName(int code);

Placement Place(const features::FeatureValues& values, const RfmCutPoints& cuts,
                const std::vector<std::string>& strategic_industries);

// Sets the pyramid features of `values`: strategic_fit always (with `params`' industries, or
// none), and rfm_r, rfm_f, rfm_m, value_segment, suggested_tier when `params` is not null
// (left NaN otherwise, so rules on them never hold without fitted cut points).
void ApplyPyramidFeatures(const PyramidParams* params, features::FeatureValues* values);

}  // namespace churnwatch::pyramid
