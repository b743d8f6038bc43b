// The risk model: ranking measures, the logistic fit (against the likelihood's own optimality
// conditions), the boosted-trees fit (XGBoost, on a pattern no linear model can rank),
// scoring and contributions, and the model file of either kind with hostile input.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "model/boosted_trees_fit.h"
#include "model/logistic_fit.h"
#include "model/ranking.h"
#include "model/risk_model.h"
#include "model/risk_model_file.h"

namespace churnwatch::model {
namespace {

features::FeatureValues Values(std::initializer_list<std::pair<const char*, double>> set) {
  features::FeatureValues v;
  v.numbers.assign(features::FeatureCatalog().size(), NAN);
  for (const auto& name : features::TextFieldNames()) v.text[name] = "";
  for (const auto& [name, value] : set) v.numbers[features::FeatureIndex(name)] = value;
  return v;
}

TEST(Ranking, AucCountsPairsAndHalvesTies) {
  EXPECT_DOUBLE_EQ(*RocAuc({0.1, 0.2, 0.8, 0.9}, {false, false, true, true}), 1.0);
  EXPECT_DOUBLE_EQ(*RocAuc({0.9, 0.8, 0.2, 0.1}, {false, false, true, true}), 0.0);
  EXPECT_DOUBLE_EQ(*RocAuc({0.5, 0.5, 0.5, 0.5}, {false, true, false, true}), 0.5);
  // Pairs (pos, neg): (0.8 > 0.1) (0.8 > 0.5) (0.3 > 0.1) (0.3 < 0.5) → 3 of 4.
  EXPECT_DOUBLE_EQ(*RocAuc({0.8, 0.3, 0.1, 0.5}, {true, true, false, false}), 0.75);
  // NaN ranks lowest: a positive without a score is below every scored negative.
  EXPECT_DOUBLE_EQ(*RocAuc({NAN, 0.4}, {true, false}), 0.0);
  EXPECT_FALSE(RocAuc({0.1, 0.2}, {true, true}).has_value());
  EXPECT_FALSE(RocAuc({}, {}).has_value());
}

TEST(Ranking, PrecisionAtTopTakesAtLeastOne) {
  std::vector<double> s = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1};
  std::vector<bool> p = {true, false, true, false, false, false, false, false, false, false, true};
  // 10 % of 11 → ceil(1.1) = 2: the two highest, one churned.
  EXPECT_DOUBLE_EQ(*PrecisionAtTop(s, p, 0.1), 0.5);
  EXPECT_DOUBLE_EQ(*PrecisionAtTop(s, p, 0.0), 1.0);  // at least one
  EXPECT_NEAR(*PrecisionAtTop(s, p, 1.0), 3.0 / 11, 1e-12);
  EXPECT_FALSE(PrecisionAtTop({}, {}, 0.1).has_value());
}

// Accounts whose silence drives churn, with noise; order_days_total is unrelated noise.
std::vector<TrainingRow> SyntheticRows(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> silence(0, 200), noise(1, 40), u(0, 1);
  std::vector<TrainingRow> rows;
  for (int i = 0; i < n; ++i) {
    double days = silence(rng);
    double p = Logistic((days - 100) / 25);
    rows.push_back({"A" + std::to_string(i),
                    Values({{"days_since_last_order", days}, {"order_days_total", noise(rng)}}),
                    u(rng) < p});
  }
  return rows;
}

TEST(LogisticFit, MaximisesTheLikelihood) {
  auto rows = SyntheticRows(2000, 7);
  FitOptions o;
  o.features = {"days_since_last_order", "order_days_total"};
  o.l2 = 0;  // the plain maximum-likelihood estimate: its score equations must hold
  auto fit = FitRiskModel(rows, o);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const LogisticRiskModel& m = fit->model;
  ASSERT_EQ(m.terms().size(), 2u);
  // At the optimum: sum(p - y) = 0 and sum((p - y) z_j) = 0 for every term.
  double g0 = 0, g1 = 0, g2 = 0;
  for (const auto& r : rows) {
    double e = m.Score(r.values).probability - (r.churned ? 1 : 0);
    g0 += e;
    g1 += e * m.Standardise(0, r.values.Get(m.terms()[0].feature));
    g2 += e * m.Standardise(1, r.values.Get(m.terms()[1].feature));
  }
  EXPECT_NEAR(g0, 0, 1e-3);
  EXPECT_NEAR(g1, 0, 1e-3);
  EXPECT_NEAR(g2, 0, 1e-3);
  // The signal is found and the noise is small beside it.
  const ModelTerm& silence =
      m.terms()[0].feature == "days_since_last_order" ? m.terms()[0] : m.terms()[1];
  const ModelTerm& other = &silence == &m.terms()[0] ? m.terms()[1] : m.terms()[0];
  EXPECT_GT(silence.coef, 1.0);
  EXPECT_LT(std::abs(other.coef), 0.3);
  EXPECT_GT(m.training().auc_train, 0.85);
  EXPECT_GT(m.training().auc_cv, 0.85);
  EXPECT_EQ(m.training().accounts, 2000);
}

TEST(LogisticFit, PenaltyShrinksAndConstantFeaturesAreDropped) {
  auto rows = SyntheticRows(500, 11);
  FitOptions o;
  o.features = {"days_since_last_order", "complaints_90d"};  // complaints NaN everywhere
  o.l2 = 0;
  auto plain = FitRiskModel(rows, o);
  o.l2 = 200;
  auto shrunk = FitRiskModel(rows, o);
  ASSERT_TRUE(plain.ok() && shrunk.ok());
  ASSERT_EQ(plain->dropped, std::vector<std::string>{"complaints_90d"});
  ASSERT_EQ(plain->model.terms().size(), 1u);
  EXPECT_LT(std::abs(shrunk->model.terms()[0].coef), std::abs(plain->model.terms()[0].coef));
}

TEST(LogisticFit, RefusesWhatItCannotFit) {
  auto rows = SyntheticRows(50, 3);
  FitOptions o;
  o.features = {"no_such_feature"};
  EXPECT_EQ(FitRiskModel(rows, o).status().code(), StatusCode::kInvalidArgument);
  o.features = {"churn_risk"};
  EXPECT_EQ(FitRiskModel(rows, o).status().code(), StatusCode::kInvalidArgument);
  o.features = {"p_alive", "p_alive"};
  EXPECT_EQ(FitRiskModel(rows, o).status().code(), StatusCode::kInvalidArgument);
  o.features = {};
  for (auto& r : rows) r.churned = true;
  auto one_class = FitRiskModel(rows, o);
  EXPECT_EQ(one_class.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(one_class.status().message().find("50 of 50 churned"), std::string::npos);
}

LogisticRiskModel TwoTermModel() {
  return LogisticRiskModel(-1.0, {{"days_since_last_order", Transform::kLog1p, 3.0, 3.0, 1.0, 2.0},
                                  {"p_alive", Transform::kIdentity, 0.5, 0.5, 0.25, -1.0}});
}

TEST(RiskModel, ScoresWithContributionsThatExplainIt) {
  LogisticRiskModel m = TwoTermModel();
  auto v = Values({{"days_since_last_order", std::exp(4.0) - 1}, {"p_alive", 0.25}});
  RiskScore s = m.Score(v);
  // z1 = (4 - 3) / 1 = 1 → +2; z2 = (0.25 - 0.5) / 0.25 = -1 → +1; log-odds -1 + 2 + 1 = 2.
  EXPECT_NEAR(s.probability, 1 / (1 + std::exp(-2.0)), 1e-12);
  ASSERT_EQ(s.contributions.size(), 2u);
  EXPECT_EQ(s.contributions[0].feature, "days_since_last_order");
  EXPECT_NEAR(s.contributions[0].log_odds, 2.0, 1e-12);
  EXPECT_NEAR(s.contributions[0].share, 2.0 / 3, 1e-12);
  EXPECT_NEAR(s.contributions[1].log_odds, 1.0, 1e-12);
  m.Apply(&v);
  EXPECT_NEAR(v.Get("churn_risk"), s.probability, 1e-12);
  EXPECT_EQ(v.text.at("churn_risk_drivers"), "days_since_last_order +67%, p_alive +33%");
  // Missing values take the fill (the mean here): they contribute nothing.
  auto missing = Values({});
  EXPECT_NEAR(m.Score(missing).probability, 1 / (1 + std::exp(1.0)), 1e-12);
  m.Apply(&missing);
  EXPECT_EQ(missing.text.at("churn_risk_drivers"), "");
}

TEST(RiskModelFile, RoundTrips) {
  LogisticRiskModel m = TwoTermModel();
  auto back = ParseRiskModel(*FormatRiskModel(m), "m.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const auto* logistic = dynamic_cast<const LogisticRiskModel*>(back->get());
  ASSERT_NE(logistic, nullptr);
  ASSERT_EQ(logistic->terms().size(), 2u);
  EXPECT_EQ(logistic->terms()[0].transform, Transform::kLog1p);
  auto v = Values({{"days_since_last_order", 12}, {"p_alive", 0.7}});
  EXPECT_DOUBLE_EQ((*back)->Score(v).probability, m.Score(v).probability);
}

// The model file `text` is refused as invalid, with `expect` in the reason.
void ExpectRefused(const std::string& text, const std::string& expect) {
  auto r = ParseRiskModel(text, "m.json");
  ASSERT_FALSE(r.ok()) << text.substr(0, 200);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(expect), std::string::npos) << r.status().message();
}

// `text` with the first `from` replaced by `to` (which must be there).
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(RiskModelFile, HostileFilesAreRefusedWithTheReason) {
  const std::string good = *FormatRiskModel(TwoTermModel());
  auto refused = ExpectRefused;
  auto with = [&](const std::string& from, const std::string& to) {
    return Replaced(good, from, to);
  };
  refused("", "not a JSON object");
  refused("[1,2]", "not a JSON object");
  refused("{\"format\": 7}", "\"format\"");
  refused(with("\"logistic\"", "\"trees\""), "\"kind\" must be \"logistic\" or \"boosted_trees\"");
  refused(with("\"intercept\": -1.0", "\"intercept\": \"x\""), "\"intercept\"");
  refused(with("\"days_since_last_order\"", "\"nope\""), "unknown feature 'nope'");
  refused(with("\"days_since_last_order\"", "\"churn_risk\""), "unknown feature 'churn_risk'");
  refused(with("\"days_since_last_order\"", "\"p_alive\""), "appears twice");
  refused(with("\"log1p\"", "\"sqrt\""), "\"transform\"");
  refused(with("\"scale\": 1.0", "\"scale\": 0.0"), "\"scale\" must be positive");
  refused(with("\"coef\": 2.0", "\"coef\": 1e999"), "");  // not JSON (out of range) or not finite
  refused(with("\"coef\": 2.0", "\"coef\": null"), "\"coef\"");
  refused(
      "{\"format\": \"churnwatch.risk_model.v1\", \"kind\": \"logistic\", \"intercept\": 0,"
      " \"terms\": []}",
      "non-empty array");
  // A "training" block of the wrong types is documentation only: read as defaults.
  auto odd = ParseRiskModel(with("\"accounts\": 0", "\"accounts\": \"many\""), "m.json");
  EXPECT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(LoadRiskModel("/nonexistent/model.json").status().code(), StatusCode::kNotFound);
}

// A pattern no linear model can rank: the risk is high when both or neither of "a frequent buyer"
// (many order days) and "a long silence" holds — a frequent buyer gone quiet, or a newcomer who
// keeps ordering small trial lots and then stops answering. Each feature alone says nothing;
// trees find the interaction.
std::vector<TrainingRow> InteractionRows(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> silence(0, 220), days(1, 40), u(0, 1);
  std::vector<TrainingRow> rows;
  for (int i = 0; i < n; ++i) {
    double s = silence(rng), d = days(rng);
    bool frequent = d > 20;
    double p = frequent == (s > 110) ? 0.9 : 0.1;
    features::FeatureValues v =
        Values({{"days_since_last_order", s}, {"order_days_total", d}, {"p_alive", NAN}});
    rows.push_back({"A" + std::to_string(i), std::move(v), u(rng) < p});
  }
  return rows;
}

BoostedTreesOptions SmallTrees(std::vector<std::string> features) {
  BoostedTreesOptions o;
  o.features = std::move(features);
  o.trees.rounds = 60;
  o.trees.max_depth = 3;
  o.trees.learning_rate = 0.2;
  return o;
}

TEST(BoostedTreesFit, LearnsWhatALinearModelCannot) {
  auto rows = InteractionRows(3000, 5);
  const std::vector<std::string> names = {"days_since_last_order", "order_days_total"};
  auto trees = FitBoostedTrees(rows, SmallTrees(names));
  ASSERT_TRUE(trees.ok()) << trees.status().ToString();
  FitOptions lo;
  lo.features = names;
  auto linear = FitRiskModel(rows, lo);
  ASSERT_TRUE(linear.ok());
  const TrainingSummary& t = (*trees)->training();
  EXPECT_EQ(t.accounts, 3000);
  EXPECT_EQ(t.trees, 60);
  // The Bayes AUC of this pattern is 0.9; the linear model stays near chance.
  EXPECT_GT(t.auc_cv, 0.85);
  EXPECT_LT(linear->model.training().auc_cv, 0.6);
  EXPECT_GT(t.auc_cv, linear->model.training().auc_cv + 0.2)
      << "linear " << linear->model.training().auc_cv;
  EXPECT_GT(t.log_loss, 0);
  EXPECT_LT(t.log_loss, 0.6);
  // The frequent buyer silent 180 days is at risk, the occasional one is not.
  auto frequent = Values({{"days_since_last_order", 180}, {"order_days_total", 35}});
  auto occasional = Values({{"days_since_last_order", 180}, {"order_days_total", 5}});
  EXPECT_GT((*trees)->Score(frequent).probability, 0.7);
  EXPECT_LT((*trees)->Score(occasional).probability, 0.3);
}

TEST(BoostedTreesFit, ContributionsAddUpToTheRiskAndMissingValuesAreRouted) {
  auto rows = InteractionRows(1500, 9);
  auto fit = FitBoostedTrees(rows, SmallTrees({"days_since_last_order", "order_days_total"}));
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const BoostedTreesRiskModel& m = **fit;
  auto v = Values({{"days_since_last_order", 200}, {"order_days_total", 30}});
  RiskScore s = m.Score(v);
  auto batch = m.Probabilities({&v});
  ASSERT_TRUE(batch.ok());
  EXPECT_NEAR(s.probability, (*batch)[0], 1e-5);
  ASSERT_EQ(s.contributions.size(), 2u);
  double shares = 0;
  for (const auto& c : s.contributions) shares += c.share;
  EXPECT_NEAR(shares, 1.0, 1e-9);
  EXPECT_GE(std::abs(s.contributions[0].log_odds), std::abs(s.contributions[1].log_odds));
  // A long silence on a frequent buyer raises the risk: its contribution is positive.
  for (const auto& c : s.contributions) {
    if (c.feature == "days_since_last_order") {
      EXPECT_GT(c.log_odds, 0);
    }
  }
  m.Apply(&v);
  EXPECT_NEAR(v.Get("churn_risk"), s.probability, 1e-12);
  EXPECT_NE(v.text.at("churn_risk_drivers").find("days_since_last_order +"), std::string::npos)
      << v.text.at("churn_risk_drivers");
  // Undefined features go down the trees' default branches: a probability, not NaN.
  auto missing = Values({});
  double p = m.Score(missing).probability;
  EXPECT_TRUE(p > 0 && p < 1) << p;
}

TEST(BoostedTreesFit, SameRowsGiveTheSameModel) {
  auto rows = InteractionRows(800, 2);
  auto a = FitBoostedTrees(rows, SmallTrees({"days_since_last_order", "order_days_total"}));
  auto b = FitBoostedTrees(rows, SmallTrees({"days_since_last_order", "order_days_total"}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*FormatRiskModel(**a), *FormatRiskModel(**b));
}

TEST(BoostedTreesFit, RefusesWhatItCannotFit) {
  auto rows = InteractionRows(100, 3);
  auto o = SmallTrees({"no_such_feature"});
  EXPECT_EQ(FitBoostedTrees(rows, o).status().code(), StatusCode::kInvalidArgument);
  o = SmallTrees({"churn_risk"});
  EXPECT_EQ(FitBoostedTrees(rows, o).status().code(), StatusCode::kInvalidArgument);
  for (auto [field, value] :
       {std::pair{&XgbTrainParams::rounds, 0}, std::pair{&XgbTrainParams::rounds, 5001},
        std::pair{&XgbTrainParams::max_depth, 0}, std::pair{&XgbTrainParams::max_depth, 13}}) {
    o = SmallTrees({"days_since_last_order"});
    o.trees.*field = value;
    EXPECT_EQ(FitBoostedTrees(rows, o).status().code(), StatusCode::kInvalidArgument) << value;
  }
  for (double rate : {0.0, -0.1, 1.5, std::nan("")}) {
    o = SmallTrees({"days_since_last_order"});
    o.trees.learning_rate = rate;
    EXPECT_EQ(FitBoostedTrees(rows, o).status().code(), StatusCode::kInvalidArgument) << rate;
  }
  o = SmallTrees({"days_since_last_order"});
  o.trees.l2 = -1;
  EXPECT_EQ(FitBoostedTrees(rows, o).status().code(), StatusCode::kInvalidArgument);
  for (auto& r : rows) r.churned = false;
  auto one_class = FitBoostedTrees(rows, SmallTrees({"days_since_last_order"}));
  EXPECT_NE(one_class.status().message().find("0 of 100 churned"), std::string::npos);
}

TEST(RiskModelFile, BoostedTreesRoundTripAndHostileFilesAreRefused) {
  auto rows = InteractionRows(600, 4);
  auto fit = FitBoostedTrees(rows, SmallTrees({"days_since_last_order", "order_days_total"}));
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const std::string good = *FormatRiskModel(**fit);
  auto back = ParseRiskModel(good, "t.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_STREQ((*back)->kind(), "boosted_trees");
  EXPECT_EQ((*back)->input_features(),
            (std::vector<std::string>{"days_since_last_order", "order_days_total"}));
  EXPECT_EQ((*back)->training().trees, 60);
  for (double days : {0.0, 45.0, 100.0, 180.0}) {
    auto v = Values({{"days_since_last_order", days}, {"order_days_total", 25}});
    RiskScore a = (*fit)->Score(v), b = (*back)->Score(v);
    EXPECT_FLOAT_EQ(static_cast<float>(a.probability), static_cast<float>(b.probability));
    ASSERT_EQ(a.contributions.size(), b.contributions.size());
    EXPECT_EQ(a.contributions[0].feature, b.contributions[0].feature);
  }
  auto refused = ExpectRefused;
  auto with = [&](const std::string& from, const std::string& to) {
    return Replaced(good, from, to);
  };
  refused(with("\"order_days_total\"", "\"nope\""), "unknown feature 'nope'");
  refused(with("\"order_days_total\"", "\"days_since_last_order\""), "appears twice");
  refused(with("\"order_days_total\"", "7"), "must be a feature name");
  refused(with("\"order_days_total\"", "\"order_days_total\", \"p_alive\""),
          "reads 2 columns but \"features\" names 3");
  refused(with("\"xgboost\": {", "\"xgboost\": [{"), "");  // no longer JSON, or not an object
  refused(with("\"xgboost\": {", "\"xgboost\": 1, \"was\": {"), "\"xgboost\" must be");
  refused(with("\"learner\"", "\"lerner\""), "\"xgboost\":");
  refused(with("\"features\": [", "\"features\": [], \"f\": ["), "\"features\" must be");
}
}  // namespace
}  // namespace churnwatch::model
