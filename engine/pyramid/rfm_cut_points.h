// RfmCutPoints: the portfolio quintile boundaries behind the RFM scores of the customer pyramid
// (客户金字塔). Each account is measured by
//   recency   = days since its last PLACED order (feature days_since_last_order; lower is
//               better; an account without orders has none and scores 1),
//   frequency = PLACED orders in the last 365 days (orders_365d),
//   monetary  = PLACED amount in the last 12 calendar months (amount_12m),
// and scored 1..5 per measure against four cut points (the 20th, 40th, 60th and 80th
// percentiles over the fitted portfolio, GSL's interpolated quantile): frequency and monetary
// score 1 + the number of cut points the value is above; recency 1 + the number of cut points
// it is below. Ties with a cut point fall to the lower score, so a portfolio where most
// accounts share a value does not hand them all a 5.
//
// Cut points are fitted over a portfolio once (`churnwatch pyramid fit`, a file) so that an
// account's scores depend on its own state and that file only, never on which other accounts
// an instance holds. Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "common/status.h"

namespace churnwatch::pyramid {

// One account's raw measures. recency_days is NaN without any order; the others are >= 0.
struct RfmMeasures {
  double recency_days = 0;
  double frequency = 0;
  double monetary = 0;
};

struct RfmScores {
  int r = 1, f = 1, m = 1;  // 1..5, 5 the best
  int total() const { return r + f + m; }
};

struct RfmCutPoints {
  std::array<double, 4> recency_days{}, frequency{}, monetary{};  // each non-decreasing
  size_t accounts = 0;  // accounts the cut points were fitted over
};

// At least this many accounts with orders are needed to fit quintiles.
inline constexpr size_t kMinFitAccounts = 5;

// Fits the cut points over the accounts of `portfolio` that have ordered (recency not NaN);
// the others are left out (they are not customers yet in the RFM sense, and would pile up at
// the bottom). InvalidArgument when fewer than kMinFitAccounts accounts have orders, or a
// measure is negative or not finite.
Result<RfmCutPoints> FitCutPoints(const std::vector<RfmMeasures>& portfolio);

// The scores of `m` against `cuts`.
RfmScores Score(const RfmCutPoints& cuts, const RfmMeasures& m);

// OK when every array is finite, >= 0 and non-decreasing; InvalidArgument naming the measure.
Status CheckCutPoints(const RfmCutPoints& cuts);

}  // namespace churnwatch::pyramid
