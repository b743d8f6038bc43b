// Naive baselines, scored beside the rules in every backtest report: a rule earns its place
// only by beating what anyone could do with an order history and no engine.
//
// Each baseline flags accounts once, at the end of the window (its list is what an operations
// team would open on the day `to`), from the purchase days up to that day; the flags become one
// warning per account at the last instant of the window and go through Score() — the very code
// that scores the rules — so their `at_end` and `overall` figures mean the same thing. The
// baselines (D = the local day of the end of the window, last = the account's last purchase
// day up to D):
//   - flag_all: every labelled account (precision = base rate, recall 1).
//   - no_order_90d: D - last > 90, or no purchase day at all.
//   - no_order_best: the same for the N in 15, 30, ..., 365 with the best at-end F1 on these
//     labels — chosen on the data it is scored on, so an optimistic bound, named with its N.
//   - silence_2x_median_gap: D - last > 2 x the median gap between the account's purchase days
//     (accounts with one purchase day: the 90-day rule; with none: flagged).
//
// Thread-safety: pure.
#pragma once

#include <vector>

#include "backtest/labels.h"
#include "backtest/purchase_days.h"
#include "backtest/scoring.h"
#include "common/calendar.h"

namespace churnwatch::backtest {

// `options` as for Score() (its window's `to` is the cutoff; its rules are not used).
std::vector<BaselineFigures> ScoreBaselines(const PurchaseDays& days, const Labels& labels,
                                            const ScoringOptions& options,
                                            const Calendar& calendar);

}  // namespace churnwatch::backtest
