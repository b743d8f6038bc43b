// The parameters file `churnwatch fit` writes and the engine reads (`clv.params`):
//   {"r": .., "alpha": .., "a": .., "b": .., "log_likelihood": .., "customers": ..,
//    "time_unit": "week" | "day", "calibration_end": "YYYY-MM-DD"}
// Only r, alpha, a, b and time_unit are needed to read it back; the rest documents the fit.
#pragma once

#include <string>

#include "clv/bgnbd.h"
#include "clv/bgnbd_fit.h"
#include "common/status.h"

namespace churnwatch::clv {

// "week" → 7, "day" → 1; InvalidArgument otherwise.
Result<double> TimeUnitDays(const std::string& name);
const char* TimeUnitName(double time_unit_days);

// The file's JSON text (pretty-printed, one trailing newline).
std::string FormatParamsJson(const FitResult& fit, const std::string& calibration_end);

// Reads a parameters file. NotFound when it cannot be opened; InvalidArgument naming the file
// and field when it is not JSON, a field is missing, or a parameter is not a positive number.
Result<BgNbdParams> LoadParams(const std::string& path);

// The parameters used when no file is configured: the fit on the full CDNOW master file
// (23,570 customers, calibration 1997-01-01..1997-09-30, weeks; see the README), a
// consumer-retail prior. Fit your own history with `churnwatch fit` for anything else.
BgNbdParams DefaultParams();

}  // namespace churnwatch::clv
