// The BG/NBD model: the likelihood against hand-computed values and against numerical
// integration over the model's mixing distributions, P(alive) and conditional expectations
// against closed forms and the paper's worked example, the summary of purchase days, and the
// maximum-likelihood fit against the estimates FHL (2005) publish for the CDNOW sample.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "backtest/cdnow_import.h"
#include "backtest/history_reader.h"
#include "backtest/purchase_days.h"
#include "clv/bgnbd.h"
#include "clv/bgnbd_fit.h"
#include "clv/customer_summary.h"
#include "clv/params_file.h"
#include "temp_dir.h"

namespace churnwatch::clv {
namespace {

const BgNbdParams kOnes{1, 1, 1, 1, 7};

TEST(BgNbdLikelihood, NoRepeatPurchaseByHand) {
  // x = 0, T = 1: L = B(1,1)/B(1,1) * Gamma(1) 1^1 / (Gamma(1) (1+1)^1) = 1/2.
  EXPECT_NEAR(LogLikelihood(kOnes, {0, 0, 1}), std::log(0.5), 1e-12);
}

TEST(BgNbdLikelihood, OneRepeatPurchaseByHand) {
  // x = 1, t_x = 1, T = 2: A1 = 1, B(1,2)/B(1,1) = 1/2,
  // alive (1+2)^-2 = 1/9, dropped a/(b+x-1) (1+1)^-2 = 1/4 → L = 1/2 (1/9 + 1/4) = 13/72.
  EXPECT_NEAR(LogLikelihood(kOnes, {1, 1, 2}), std::log(13.0 / 72.0), 1e-12);
}

// L(x, t_x, T) = E over lambda ~ Gamma(r, alpha), p ~ Beta(a, b) of
//   (1-p)^x lambda^x e^(-lambda T) + [x > 0] p (1-p)^(x-1) lambda^x e^(-lambda t_x),
// computed by midpoint quadrature: independent of the closed form under test.
double LikelihoodByQuadrature(const BgNbdParams& q, const CustomerSummary& c) {
  const int n = 4000;
  auto gamma_pdf = [&](double l) {
    return std::exp(q.r * std::log(q.alpha) + (q.r - 1) * std::log(l) - q.alpha * l -
                    std::lgamma(q.r));
  };
  auto beta_pdf = [&](double p) {
    return std::exp((q.a - 1) * std::log(p) + (q.b - 1) * std::log1p(-p) + std::lgamma(q.a + q.b) -
                    std::lgamma(q.a) - std::lgamma(q.b));
  };
  // E_p[(1-p)^x] and E_p[p (1-p)^(x-1)]
  double ep_alive = 0, ep_drop = 0;
  for (int i = 0; i < n; ++i) {
    double p = (i + 0.5) / n;
    ep_alive += beta_pdf(p) * std::pow(1 - p, c.x) / n;
    if (c.x > 0) ep_drop += beta_pdf(p) * p * std::pow(1 - p, c.x - 1) / n;
  }
  double el_alive = 0, el_drop = 0;
  const double upper = 10.0, dl = upper / (10 * n);
  for (int i = 0; i < 10 * n; ++i) {
    double l = (i + 0.5) * dl;
    double g = gamma_pdf(l) * std::pow(l, c.x) * dl;
    el_alive += g * std::exp(-l * c.T);
    el_drop += g * std::exp(-l * c.t_x);
  }
  return ep_alive * el_alive + ep_drop * el_drop;
}

TEST(BgNbdLikelihood, MatchesNumericalIntegration) {
  const BgNbdParams q{2.5, 3.0, 1.5, 2.5, 7};  // shapes > 1: smooth densities for quadrature
  for (CustomerSummary c : {CustomerSummary{0, 0, 10}, CustomerSummary{3, 20, 30},
                            CustomerSummary{1, 2, 39}, CustomerSummary{6, 35.5, 36}}) {
    double closed = std::exp(LogLikelihood(q, c));
    EXPECT_NEAR(closed, LikelihoodByQuadrature(q, c), 1e-4 * closed)
        << "x " << c.x << " t_x " << c.t_x << " T " << c.T;
  }
}

TEST(BgNbdLikelihood, StaysFiniteForLongHeavyHistories) {
  const BgNbdParams q{0.243, 4.414, 0.793, 2.426, 7};
  double ll = LogLikelihood(q, {500, 1000, 1040});
  EXPECT_TRUE(std::isfinite(ll));
  EXPECT_LT(ll, 0);
}

TEST(BgNbdAlive, ClosedFormByHand) {
  // x = 1, t_x = 1, T = 2, all parameters 1: 1 / (1 + 1/1 * (3/2)^2) = 1 / 3.25.
  EXPECT_NEAR(ProbabilityAlive(kOnes, {1, 1, 2}), 1 / 3.25, 1e-12);
  EXPECT_DOUBLE_EQ(ProbabilityAlive(kOnes, {0, 0, 50}), 1.0);  // never bought again: alive
  // Bought at the end of the observation: the dropout term is a / (b + x - 1).
  EXPECT_NEAR(ProbabilityAlive(kOnes, {4, 10, 10}), 1 / (1 + 1.0 / 4), 1e-12);
}

TEST(BgNbdAlive, FallsWithSilence) {
  const BgNbdParams q = DefaultParams();
  double previous = 1.0;
  for (double T = 20; T <= 60; T += 5) {
    double p = ProbabilityAlive(q, {5, 20, T});
    EXPECT_LT(p, previous) << "T " << T;
    previous = p;
  }
}

TEST(BgNbdExpected, PaperWorkedExample) {
  // FHL 2005, section 4: with the CDNOW sample estimates, a customer with x = 2,
  // t_x = 30.43, T = 38.86 is expected to make 1.226 purchases in the next 39 weeks.
  const BgNbdParams q{0.243, 4.414, 0.793, 2.426, 7};
  EXPECT_NEAR(ExpectedPurchases(q, {2, 30.43, 38.86}, 39), 1.226, 0.005);
  EXPECT_DOUBLE_EQ(ExpectedPurchases(q, {2, 30.43, 38.86}, 0), 0.0);
}

TEST(CustomerSummary, CountsDistinctDaysUpToCalibrationEnd) {
  // Days 0, 7, 14 and 100; calibration ends on day 70 → x 2, t_x 2 weeks, T 10 weeks.
  auto s = Summarise({0, 7, 14, 100}, 70, 7);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->x, 2);
  EXPECT_DOUBLE_EQ(s->t_x, 2);
  EXPECT_DOUBLE_EQ(s->T, 10);
  EXPECT_FALSE(Summarise({71}, 70, 7).has_value());  // first purchase after the end
  auto one = Summarise({70}, 70, 1);
  ASSERT_TRUE(one.has_value());
  EXPECT_DOUBLE_EQ(one->x, 0);
  EXPECT_DOUBLE_EQ(one->T, 0);
}

TEST(BgNbdFit, RefusesPopulationsWithoutInformation) {
  EXPECT_FALSE(FitBgNbd({}, 7).ok());
  EXPECT_FALSE(FitBgNbd({{0, 0, 10}, {0, 0, 20}}, 7).ok());
}

// The full path the CLI takes: import the CDNOW sample, read purchase days back from the
// NDJSON, summarise at 1997-09-30 in weeks, fit.
TEST(BgNbdFit, ReproducesPublishedCdnowSampleEstimates) {
  std::ifstream in(CHURNWATCH_CDNOW_SAMPLE);
  ASSERT_TRUE(in) << "missing " << CHURNWATCH_CDNOW_SAMPLE;
  testutil::TempDir dir;
  std::string events = dir.path() + "/sample-orders.ndjson";
  {
    std::ofstream out(events);
    auto stats = backtest::ImportCdnow(in, CHURNWATCH_CDNOW_SAMPLE, out);
    ASSERT_TRUE(stats.ok()) << stats.status().message();
    EXPECT_EQ(stats->rows, 6919);
    EXPECT_EQ(stats->customers, 2357);
  }
  auto cal = Calendar::Load("Asia/Shanghai");
  ASSERT_TRUE(cal.ok());
  auto days = backtest::ReadPurchaseDays({{events, EventKind::kOrder}}, *cal);
  ASSERT_TRUE(days.ok()) << days.status().message();
  std::vector<CustomerSummary> customers;
  const int64_t end = Calendar::DayNumber(19970930);
  for (const auto& [account, list] : *days) {
    auto s = Summarise(list, end, 7);
    if (s) customers.push_back(*s);
  }
  ASSERT_EQ(customers.size(), 2357u);
  auto fit = FitBgNbd(customers, 7);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  EXPECT_NEAR(fit->params.r, 0.243, 0.01 * 0.243);
  EXPECT_NEAR(fit->params.alpha, 4.414, 0.01 * 4.414);
  EXPECT_NEAR(fit->params.a, 0.793, 0.01 * 0.793);
  EXPECT_NEAR(fit->params.b, 2.426, 0.01 * 2.426);
  EXPECT_NEAR(fit->log_likelihood, -9582.4, 0.01 * 9582.4);
  EXPECT_EQ(fit->customers, 2357);
  // The optimum is a maximum: moving any parameter 2% either way lowers the likelihood.
  for (double BgNbdParams::*field :
       {&BgNbdParams::r, &BgNbdParams::alpha, &BgNbdParams::a, &BgNbdParams::b}) {
    for (double f : {0.98, 1.02}) {
      BgNbdParams moved = fit->params;
      moved.*field *= f;
      EXPECT_LT(TotalLogLikelihood(moved, customers), fit->log_likelihood);
    }
  }
}

TEST(ParamsFile, RoundTripsAndNamesBadFields) {
  testutil::TempDir dir;
  FitResult fit{{0.25, 4.8, 0.72, 2.16, 1}, -100.5, 10, 3};
  std::string path = dir.path() + "/p.json";
  std::ofstream(path) << FormatParamsJson(fit, "1997-09-30");
  auto back = LoadParams(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_DOUBLE_EQ(back->r, 0.25);
  EXPECT_DOUBLE_EQ(back->b, 2.16);
  EXPECT_DOUBLE_EQ(back->time_unit_days, 1);
  std::ofstream(path) << R"({"r": 0.2, "alpha": -1, "a": 1, "b": 1})";
  auto bad = LoadParams(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"alpha\""), std::string::npos) << bad.status().message();
  EXPECT_EQ(LoadParams(dir.path() + "/missing.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace churnwatch::clv
