#include "model/logistic_fit.h"

#include <nlopt.h>

#include <cmath>
#include <string_view>

#include "model/ranking.h"

namespace churnwatch::model {
namespace {

Transform TransformFor(std::string_view unit) {
  for (std::string_view u : {"count", "days", "units", "cents", "order days"})
    if (unit == u) return Transform::kLog1p;
  return Transform::kIdentity;
}

double Softplus(double m) { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }

// The penalised negative log-likelihood over standardised inputs z (row-major, k per row).
struct Objective {
  const std::vector<double>* z;
  const std::vector<double>* y;
  size_t k;
  double l2;
};

double NegativeLogLikelihood(unsigned n, const double* w, double* grad, void* data) {
  const auto& o = *static_cast<const Objective*>(data);
  const size_t rows = o.y->size();
  double loss = 0;
  if (grad != nullptr) std::fill(grad, grad + n, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    const double* zr = o.z->data() + r * o.k;
    double m = w[0];
    for (size_t j = 0; j < o.k; ++j) m += w[j + 1] * zr[j];
    double y = (*o.y)[r];
    loss += Softplus(m) - y * m;
    if (grad != nullptr) {
      double g = Logistic(m) - y;
      grad[0] += g;
      for (size_t j = 0; j < o.k; ++j) grad[j + 1] += g * zr[j];
    }
  }
  for (size_t j = 0; j < o.k; ++j) {
    loss += 0.5 * o.l2 * w[j + 1] * w[j + 1];
    if (grad != nullptr) grad[j + 1] += o.l2 * w[j + 1];
  }
  return loss;
}

double TransformValue(Transform t, double x) {
  if (!std::isnan(x) && t == Transform::kLog1p) return std::log1p(std::max(x, 0.0));
  return x;
}

// Fits on rows[i] for i in `subset`: standardisation from those rows, then the coefficients.
Result<FitReport> FitSubset(const std::vector<TrainingRow>& rows, const std::vector<size_t>& subset,
                            const std::vector<std::string>& names, const FitOptions& options) {
  std::vector<ModelTerm> terms;
  std::vector<std::string> dropped;
  const auto& catalog = features::FeatureCatalog();
  for (const auto& name : names) {
    ModelTerm t;
    t.feature = name;
    int index = features::FeatureIndex(name);
    t.transform = TransformFor(catalog[index].unit);
    double sum = 0;
    size_t defined = 0;
    for (size_t i : subset) {
      double v = TransformValue(t.transform, rows[i].values.numbers[index]);
      if (std::isfinite(v)) {
        sum += v;
        ++defined;
      }
    }
    t.fill = defined > 0 ? sum / static_cast<double>(defined) : 0;
    double mean = 0, sq = 0;
    for (size_t i : subset) {
      double v = TransformValue(t.transform, rows[i].values.numbers[index]);
      mean += std::isfinite(v) ? v : t.fill;
    }
    mean /= static_cast<double>(subset.size());
    for (size_t i : subset) {
      double v = TransformValue(t.transform, rows[i].values.numbers[index]);
      double d = (std::isfinite(v) ? v : t.fill) - mean;
      sq += d * d;
    }
    t.mean = mean;
    t.scale = std::sqrt(sq / static_cast<double>(subset.size()));
    if (!(t.scale > 1e-12)) {
      dropped.push_back(name);
      continue;
    }
    terms.push_back(std::move(t));
  }
  LogisticRiskModel unfitted(0, terms);
  const size_t k = terms.size();
  std::vector<double> z(subset.size() * k), y(subset.size());
  for (size_t r = 0; r < subset.size(); ++r) {
    const TrainingRow& row = rows[subset[r]];
    for (size_t j = 0; j < k; ++j)
      z[r * k + j] = unfitted.Standardise(j, row.values.numbers[unfitted.terms()[j].index]);
    y[r] = row.churned ? 1 : 0;
  }
  Objective objective{&z, &y, k, options.l2};
  std::vector<double> w(k + 1, 0.0);
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, static_cast<unsigned>(k + 1));
  if (opt == nullptr) return Internal("nlopt_create failed");
  nlopt_set_min_objective(opt, NegativeLogLikelihood, &objective);
  nlopt_set_ftol_rel(opt, 1e-12);
  nlopt_set_xtol_rel(opt, 1e-10);
  nlopt_set_maxeval(opt, 5000);
  double minimum = 0;
  nlopt_result rc = nlopt_optimize(opt, w.data(), &minimum);
  nlopt_destroy(opt);
  // ROUNDOFF_LIMITED: converged as far as doubles allow, which is a fit.
  if (rc < 0 && rc != NLOPT_ROUNDOFF_LIMITED)
    return Internal("NLopt L-BFGS failed (nlopt_result " + std::to_string(rc) + ")");
  for (size_t j = 0; j < k; ++j) terms[j].coef = w[j + 1];
  TrainingSummary summary = options.summary;
  summary.l2 = options.l2;
  summary.log_loss = minimum / static_cast<double>(subset.size());
  return FitReport{LogisticRiskModel(w[0], std::move(terms), std::move(summary)),
                   std::move(dropped)};
}

}  // namespace

Result<FitReport> FitRiskModel(const std::vector<TrainingRow>& rows, const FitOptions& options) {
  const std::vector<std::string>& names =
      options.features.empty() ? DefaultModelFeatures() : options.features;
  if (Status s = CheckModelFeatures(names); !s.ok()) return s;
  if (!(options.l2 >= 0)) return InvalidArgument("l2 must be 0 or more");
  if (options.folds < 2) return InvalidArgument("folds must be at least 2");
  auto churned = CountChurned(rows);
  if (!churned.ok()) return churned.status();
  std::vector<size_t> all(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) all[i] = i;
  auto fit = FitSubset(rows, all, names, options);
  if (!fit.ok()) return fit.status();

  auto auc_cv = CrossValidatedAuc(
      rows, options.folds,
      [&](const std::vector<size_t>& subset) -> Result<std::unique_ptr<RiskModel>> {
        auto fold = FitSubset(rows, subset, names, options);
        if (!fold.ok()) return fold.status();
        return std::unique_ptr<RiskModel>(
            std::make_unique<LogisticRiskModel>(std::move(fold->model)));
      });
  if (!auc_cv.ok()) return auc_cv.status();
  TrainingSummary summary = fit->model.training();
  summary.accounts = static_cast<int>(rows.size());
  summary.churned = static_cast<int>(*churned);
  summary.auc_train = AucOn(fit->model, rows, all).value_or(NAN);
  summary.auc_cv = auc_cv->value_or(NAN);
  return FitReport{
      LogisticRiskModel(fit->model.intercept(), fit->model.terms(), std::move(summary)),
      std::move(fit->dropped)};
}

}  // namespace churnwatch::model
