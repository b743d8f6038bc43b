// The BG/NBD model of Fader, Hardie & Lee (2005), "Counting your customers the easy way":
// while alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after
// each purchase it drops out with probability p ~ Beta(a, b). A customer is summarised by
// (x, t_x, T): x repeat purchases, t_x the time of the last one and T the time observed, both
// measured from its first purchase in the model's time unit.
//
// Everything here is a pure function of its inputs, written in log space with lgamma so that
// large x and long histories neither overflow nor lose the small second term of the
// likelihood. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace churnwatch::clv {

// The four parameters, all > 0. `time_unit_days` says what one unit of t_x and T is (7 for
// the paper's weeks); the rate alpha is per that unit.
struct BgNbdParams {
  double r = 0;
  double alpha = 0;
  double a = 0;
  double b = 0;
  double time_unit_days = 7;

  bool valid() const { return r > 0 && alpha > 0 && a > 0 && b > 0 && time_unit_days > 0; }
};

// One customer's purchase summary in model time units: x >= 0 repeat purchases,
// 0 <= t_x <= T (t_x = 0 when x = 0).
struct CustomerSummary {
  double x = 0;
  double t_x = 0;
  double T = 0;
};

// log L(r, alpha, a, b | x, t_x, T), FHL 2005 equation (6). Requires params.valid().
double LogLikelihood(const BgNbdParams& params, const CustomerSummary& customer);

// P(alive | x, t_x, T), FHL 2005 equation (11): 1 for a customer without repeat purchases
// (the model lets a customer drop out only right after a purchase).
double ProbabilityAlive(const BgNbdParams& params, const CustomerSummary& customer);

// E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units, FHL 2005 equation (10).
// NaN when the Gaussian hypergeometric function cannot be evaluated (GSL reports an error),
// which does not happen for t shorter than a few times alpha + T.
double ExpectedPurchases(const BgNbdParams& params, const CustomerSummary& customer, double t);

}  // namespace churnwatch::clv
