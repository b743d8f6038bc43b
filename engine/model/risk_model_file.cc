#include "model/risk_model_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model/boosted_trees_model.h"
#include "model/logistic_model.h"

namespace churnwatch::model {
namespace {

constexpr const char* kFormat = "churnwatch.risk_model.v1";

Result<double> FiniteNumber(const nlohmann::json& object, const char* field,
                            const std::string& where) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_number() || !std::isfinite(it->get<double>()))
    return InvalidArgument(where + ": \"" + field + "\" must be a finite number");
  return it->get<double>();
}

// nlohmann's value() throws on a field of another type; a hostile file gets the default.
std::string StringField(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double NumberField(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

Result<std::string> FormatRiskModel(const RiskModel& m) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["kind"] = m.kind();
  if (const auto* logistic = dynamic_cast<const LogisticRiskModel*>(&m)) {
    j["intercept"] = logistic->intercept();
    nlohmann::ordered_json terms = nlohmann::ordered_json::array();
    for (const auto& t : logistic->terms()) {
      terms.push_back({{"feature", t.feature},
                       {"transform", TransformName(t.transform)},
                       {"fill", t.fill},
                       {"mean", t.mean},
                       {"scale", t.scale},
                       {"coef", t.coef}});
    }
    j["terms"] = std::move(terms);
  } else if (const auto* trees = dynamic_cast<const BoostedTreesRiskModel*>(&m)) {
    j["features"] = trees->input_features();
    auto xgboost = trees->XgboostJson();
    if (!xgboost.ok()) return xgboost.status();
    j["xgboost"] = nlohmann::ordered_json::parse(*xgboost, nullptr, /*allow_exceptions=*/false);
    if (j["xgboost"].is_discarded()) return Internal("XGBoost wrote a model that is not JSON");
  } else {
    return Internal(std::string("no file form for risk model kind ") + m.kind());
  }
  const TrainingSummary& s = m.training();
  j["training"] = {{"calibration_end", s.calibration_end},
                   {"labels", s.labels},
                   {"accounts", s.accounts},
                   {"churned", s.churned},
                   {"l2", s.l2},
                   {"auc_train", s.auc_train},
                   {"auc_cv", s.auc_cv},
                   {"log_loss", s.log_loss}};
  if (s.trees > 0) {
    j["training"]["trees"] = s.trees;
    j["training"]["max_depth"] = s.max_depth;
    j["training"]["learning_rate"] = s.learning_rate;
  }
  return j.dump(2) + "\n";
}

namespace {

// A catalog feature the model may read, once: `where` names the spot for the error.
Status CheckFeature(const std::string& feature, std::set<std::string>* seen,
                    const std::string& where) {
  if (features::FeatureIndex(feature) < 0 || feature == "churn_risk")
    return InvalidArgument(where + ": unknown feature '" + feature +
                           "' (see churnwatch rules features)");
  if (!seen->insert(feature).second)
    return InvalidArgument(where + ": feature '" + feature + "' appears twice");
  return Status::Ok();
}

TrainingSummary ParseTraining(const nlohmann::json& j) {
  TrainingSummary s;
  auto tr = j.find("training");
  if (tr == j.end() || !tr->is_object()) return s;
  auto count = [&](const char* field) {
    return static_cast<int>(std::clamp(NumberField(*tr, field), 0.0, 2e9));
  };
  s.calibration_end = StringField(*tr, "calibration_end");
  s.labels = StringField(*tr, "labels");
  s.accounts = count("accounts");
  s.churned = count("churned");
  s.l2 = NumberField(*tr, "l2");
  s.auc_train = NumberField(*tr, "auc_train");
  s.auc_cv = NumberField(*tr, "auc_cv");
  s.log_loss = NumberField(*tr, "log_loss");
  s.trees = count("trees");
  s.max_depth = count("max_depth");
  s.learning_rate = NumberField(*tr, "learning_rate");
  return s;
}

Result<std::unique_ptr<const RiskModel>> ParseLogistic(const nlohmann::json& j,
                                                       const std::string& source,
                                                       TrainingSummary training) {
  auto intercept = FiniteNumber(j, "intercept", source);
  if (!intercept.ok()) return intercept.status();
  auto terms_json = j.find("terms");
  if (terms_json == j.end() || !terms_json->is_array() || terms_json->empty())
    return InvalidArgument(source + ": \"terms\" must be a non-empty array");
  std::vector<ModelTerm> terms;
  std::set<std::string> seen;
  for (size_t i = 0; i < terms_json->size(); ++i) {
    const auto& tj = (*terms_json)[i];
    std::string where = source + ": terms[" + std::to_string(i) + "]";
    if (!tj.is_object()) return InvalidArgument(where + ": not an object");
    ModelTerm t;
    auto feature = tj.find("feature");
    if (feature == tj.end() || !feature->is_string())
      return InvalidArgument(where + ": \"feature\" must be a feature name");
    t.feature = feature->get<std::string>();
    if (Status s = CheckFeature(t.feature, &seen, where); !s.ok()) return s;
    std::string transform = StringField(tj, "transform");
    if (transform == "log1p") {
      t.transform = Transform::kLog1p;
    } else if (transform != "identity") {
      return InvalidArgument(where + ": \"transform\" must be identity or log1p");
    }
    for (auto [name, field] : {std::pair{"fill", &t.fill}, std::pair{"mean", &t.mean},
                               std::pair{"scale", &t.scale}, std::pair{"coef", &t.coef}}) {
      auto v = FiniteNumber(tj, name, where);
      if (!v.ok()) return v.status();
      *field = *v;
    }
    if (!(t.scale > 0)) return InvalidArgument(where + ": \"scale\" must be positive");
    terms.push_back(std::move(t));
  }
  return std::unique_ptr<const RiskModel>(
      std::make_unique<LogisticRiskModel>(*intercept, std::move(terms), std::move(training)));
}

Result<std::unique_ptr<const RiskModel>> ParseBoostedTrees(const nlohmann::json& j,
                                                           const std::string& source,
                                                           TrainingSummary training) {
  auto features_json = j.find("features");
  if (features_json == j.end() || !features_json->is_array() || features_json->empty())
    return InvalidArgument(source + ": \"features\" must be a non-empty array of feature names");
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (size_t i = 0; i < features_json->size(); ++i) {
    std::string where = source + ": features[" + std::to_string(i) + "]";
    const auto& fj = (*features_json)[i];
    if (!fj.is_string()) return InvalidArgument(where + ": must be a feature name");
    names.push_back(fj.get<std::string>());
    if (Status s = CheckFeature(names.back(), &seen, where); !s.ok()) return s;
  }
  auto xgboost = j.find("xgboost");
  if (xgboost == j.end() || !xgboost->is_object())
    return InvalidArgument(source + ": \"xgboost\" must be XGBoost's JSON model (an object)");
  auto model =
      BoostedTreesRiskModel::FromJson(std::move(names), xgboost->dump(), std::move(training));
  if (!model.ok()) return InvalidArgument(source + ": \"xgboost\": " + model.status().message());
  return std::unique_ptr<const RiskModel>(std::move(*model));
}

}  // namespace

Result<std::unique_ptr<const RiskModel>> ParseRiskModel(const std::string& text,
                                                        const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument(source +
                           ": not a JSON object (expected the output of churnwatch train)");
  if (StringField(j, "format") != kFormat)
    return InvalidArgument(source + ": \"format\" must be \"" + kFormat +
                           "\" (write the file with churnwatch train)");
  const std::string kind = StringField(j, "kind");
  if (kind == "logistic") return ParseLogistic(j, source, ParseTraining(j));
  if (kind == "boosted_trees") return ParseBoostedTrees(j, source, ParseTraining(j));
  return InvalidArgument(source + ": \"kind\" must be \"logistic\" or \"boosted_trees\"");
}

Result<std::unique_ptr<const RiskModel>> LoadRiskModel(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open risk model file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseRiskModel(text.str(), path);
}

Result<std::shared_ptr<const RiskModel>> LoadSharedRiskModel(const std::string& path) {
  auto loaded = LoadRiskModel(path);
  if (!loaded.ok()) return loaded.status();
  return std::shared_ptr<const RiskModel>(std::move(*loaded));
}

}  // namespace churnwatch::model
