// Maximum-likelihood estimation of the BG/NBD parameters with NLopt (a library optimizer, not a
// hand-written one). The search runs over log(r), log(alpha), log(a), log(b), so every point
// it tries is a valid parameter set and no bound constraints are needed.
//
// Thread-safety: pure; concurrent calls are independent.
#pragma once

#include <vector>

#include "clv/bgnbd.h"
#include "common/status.h"

namespace churnwatch::clv {

struct FitResult {
  BgNbdParams params;
  double log_likelihood = 0;  // sum over the customers at params
  int customers = 0;
  int evaluations = 0;  // likelihood evaluations the optimizer used
};

// Sum of LogLikelihood over `customers`.
double TotalLogLikelihood(const BgNbdParams& params, const std::vector<CustomerSummary>& customers);

// Fits r, alpha, a, b to `customers` (time_unit_days is copied into the result). Nelder-Mead
// from (1, 1, 1, 1), then restarted once from its optimum, the usual guard against the
// simplex collapsing early. InvalidArgument for an empty population or one without any
// repeat purchase (the dropout parameters are then not identified); Internal when NLopt fails
// or the optimum is not finite.
Result<FitResult> FitBgNbd(const std::vector<CustomerSummary>& customers, double time_unit_days);

}  // namespace churnwatch::clv
