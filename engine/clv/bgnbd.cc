#include "clv/bgnbd.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_hyperg.h>

#include <cmath>
#include <limits>

namespace churnwatch::clv {
namespace {

// GSL's default handler aborts the process; errors are reported through return codes here.
const bool kGslHandlerOff = [] {
  gsl_set_error_handler_off();
  return true;
}();

// log(exp(u) + exp(v)) without overflow or the loss of the smaller term.
double LogSumExp(double u, double v) {
  double m = std::max(u, v);
  if (m == -std::numeric_limits<double>::infinity()) return m;
  return m + std::log(std::exp(u - m) + std::exp(v - m));
}

// log of the second (dropout) term of the likelihood's denominator relative to the first:
// log[ a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x) ], for x > 0.
double LogDropoutOdds(const BgNbdParams& p, const CustomerSummary& c) {
  return std::log(p.a) - std::log(p.b + c.x - 1) +
         (p.r + c.x) * (std::log(p.alpha + c.T) - std::log(p.alpha + c.t_x));
}

}  // namespace

double LogLikelihood(const BgNbdParams& p, const CustomerSummary& c) {
  (void)kGslHandlerOff;
  const double x = c.x;
  // A1: Gamma(r + x) alpha^r / Gamma(r); A2: B(a, b + x) / B(a, b).
  double a1 = std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha);
  double a2 =
      std::lgamma(p.a + p.b) + std::lgamma(p.b + x) - std::lgamma(p.b) - std::lgamma(p.a + p.b + x);
  // Alive at T: (alpha + T)^-(r + x). Dropped after the last purchase (only when x > 0):
  // a / (b + x - 1) (alpha + t_x)^-(r + x).
  double alive = -(p.r + x) * std::log(p.alpha + c.T);
  double dropped =
      x > 0 ? std::log(p.a) - std::log(p.b + x - 1) - (p.r + x) * std::log(p.alpha + c.t_x)
            : -std::numeric_limits<double>::infinity();
  return a1 + a2 + LogSumExp(alive, dropped);
}

double ProbabilityAlive(const BgNbdParams& p, const CustomerSummary& c) {
  if (c.x <= 0) return 1.0;
  double log_odds = LogDropoutOdds(p, c);
  // 1 / (1 + e^u), stable for large |u|.
  return log_odds > 0 ? std::exp(-log_odds) / (1 + std::exp(-log_odds))
                      : 1 / (1 + std::exp(log_odds));
}

double ExpectedPurchases(const BgNbdParams& p, const CustomerSummary& c, double t) {
  (void)kGslHandlerOff;
  if (t <= 0) return 0;
  const double x = c.x;
  const double z = t / (p.alpha + c.T + t);
  gsl_sf_result hyp;
  if (gsl_sf_hyperg_2F1_e(p.r + x, p.b + x, p.a + p.b + x - 1, z, &hyp) != GSL_SUCCESS)
    return std::numeric_limits<double>::quiet_NaN();
  double ratio = std::pow((p.alpha + c.T) / (p.alpha + c.T + t), p.r + x);
  double numerator = (p.a + p.b + x - 1) / (p.a - 1) * (1 - ratio * hyp.val);
  double denominator = 1 + (x > 0 ? std::exp(LogDropoutOdds(p, c)) : 0.0);
  return numerator / denominator;
}

}  // namespace churnwatch::clv
