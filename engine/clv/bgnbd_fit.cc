#include "clv/bgnbd_fit.h"

#include <nlopt.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace churnwatch::clv {
namespace {

struct Objective {
  const std::vector<CustomerSummary>* customers;
  double time_unit_days;
  int evaluations = 0;
};

BgNbdParams FromLog(const double* v, double time_unit_days) {
  return BgNbdParams{std::exp(v[0]), std::exp(v[1]), std::exp(v[2]), std::exp(v[3]),
                     time_unit_days};
}

// NLopt minimises; the objective is the negative log-likelihood. A non-finite value (far out
// in log space lgamma can overflow) is reported as +huge so the simplex moves away from it.
double NegativeLogLikelihood(unsigned, const double* v, double*, void* data) {
  auto* o = static_cast<Objective*>(data);
  ++o->evaluations;
  double ll = TotalLogLikelihood(FromLog(v, o->time_unit_days), *o->customers);
  return std::isfinite(ll) ? -ll : std::numeric_limits<double>::max();
}

}  // namespace

double TotalLogLikelihood(const BgNbdParams& params,
                          const std::vector<CustomerSummary>& customers) {
  double sum = 0;
  for (const auto& c : customers) sum += LogLikelihood(params, c);
  return sum;
}

Result<FitResult> FitBgNbd(const std::vector<CustomerSummary>& customers, double time_unit_days) {
  if (customers.empty()) return InvalidArgument("no customers to fit");
  bool any_repeat = false;
  for (const auto& c : customers) any_repeat = any_repeat || c.x > 0;
  if (!any_repeat)
    return InvalidArgument("no customer made a repeat purchase: a and b are not identified");

  Objective objective{&customers, time_unit_days};
  std::array<double, 4> v = {0, 0, 0, 0};  // log of (1, 1, 1, 1)
  double minimum = 0;
  for (int run = 0; run < 2; ++run) {
    nlopt_opt opt = nlopt_create(NLOPT_LN_NELDERMEAD, 4);
    if (opt == nullptr) return Internal("nlopt_create failed");
    nlopt_set_min_objective(opt, NegativeLogLikelihood, &objective);
    nlopt_set_xtol_rel(opt, 1e-10);
    nlopt_set_ftol_rel(opt, 1e-13);
    nlopt_set_maxeval(opt, 20000);
    std::array<double, 4> step = {0.5, 0.5, 0.5, 0.5};
    nlopt_set_initial_step(opt, step.data());
    nlopt_result rc = nlopt_optimize(opt, v.data(), &minimum);
    nlopt_destroy(opt);
    if (rc < 0)
      return Internal("NLopt Nelder-Mead failed (nlopt_result " + std::to_string(rc) + ")");
  }
  FitResult out;
  out.params = FromLog(v.data(), time_unit_days);
  out.log_likelihood = -minimum;
  out.customers = static_cast<int>(customers.size());
  out.evaluations = objective.evaluations;
  if (!std::isfinite(out.log_likelihood) || !out.params.valid())
    return Internal("the fit did not converge to finite parameters");
  return out;
}

}  // namespace churnwatch::clv
