// From purchase days to the BG/NBD summary (x, t_x, T) of each customer, the way FHL 2005 and
// the CDNOW README define it: purchases are counted as distinct purchase days, time is
// measured from the customer's first purchase day, and only what happened up to the end of
// the calibration period counts.
//
// Days are day numbers (days since 1970-01-01 of a local date, Calendar::DayNumber).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "clv/bgnbd.h"

namespace churnwatch::clv {

// The summary of one customer whose distinct purchase days are `days` (sorted ascending,
// unique), as of the end of day `calibration_end` (inclusive), in units of `time_unit_days`:
// x = purchase days after the first one, t_x = last purchase day - first, T = calibration_end
// - first. nullopt when the customer's first purchase is after calibration_end (not yet a
// customer then). Days after calibration_end are ignored.
std::optional<CustomerSummary> Summarise(const std::vector<int64_t>& days, int64_t calibration_end,
                                         double time_unit_days);

}  // namespace churnwatch::clv
