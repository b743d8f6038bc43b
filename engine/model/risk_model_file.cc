#include "model/risk_model_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

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

std::string FormatRiskModel(const RiskModel& m) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["kind"] = "logistic";
  j["intercept"] = m.intercept();
  nlohmann::ordered_json terms = nlohmann::ordered_json::array();
  for (const auto& t : m.terms()) {
    terms.push_back({{"feature", t.feature},
                     {"transform", TransformName(t.transform)},
                     {"fill", t.fill},
                     {"mean", t.mean},
                     {"scale", t.scale},
                     {"coef", t.coef}});
  }
  j["terms"] = std::move(terms);
  const TrainingSummary& s = m.training();
  j["training"] = {{"calibration_end", s.calibration_end},
                   {"labels", s.labels},
                   {"accounts", s.accounts},
                   {"churned", s.churned},
                   {"l2", s.l2},
                   {"auc_train", s.auc_train},
                   {"auc_cv", s.auc_cv},
                   {"log_loss", s.log_loss}};
  return j.dump(2) + "\n";
}

Result<RiskModel> ParseRiskModel(const std::string& text, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument(source +
                           ": not a JSON object (expected the output of churnwatch train)");
  if (StringField(j, "format") != kFormat)
    return InvalidArgument(source + ": \"format\" must be \"" + kFormat +
                           "\" (write the file with churnwatch train)");
  if (StringField(j, "kind") != "logistic")
    return InvalidArgument(source + ": \"kind\" must be \"logistic\"");
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
    if (features::FeatureIndex(t.feature) < 0 || t.feature == "churn_risk")
      return InvalidArgument(where + ": unknown feature '" + t.feature +
                             "' (see churnwatch rules features)");
    if (!seen.insert(t.feature).second)
      return InvalidArgument(where + ": feature '" + t.feature + "' appears twice");
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
  TrainingSummary s;
  if (auto tr = j.find("training"); tr != j.end() && tr->is_object()) {
    s.calibration_end = StringField(*tr, "calibration_end");
    s.labels = StringField(*tr, "labels");
    s.accounts = static_cast<int>(std::clamp(NumberField(*tr, "accounts"), 0.0, 2e9));
    s.churned = static_cast<int>(std::clamp(NumberField(*tr, "churned"), 0.0, 2e9));
    s.l2 = NumberField(*tr, "l2");
    s.auc_train = NumberField(*tr, "auc_train");
    s.auc_cv = NumberField(*tr, "auc_cv");
    s.log_loss = NumberField(*tr, "log_loss");
  }
  return RiskModel(*intercept, std::move(terms), std::move(s));
}

Result<RiskModel> LoadRiskModel(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open risk model file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseRiskModel(text.str(), path);
}

Result<std::shared_ptr<const RiskModel>> LoadSharedRiskModel(const std::string& path) {
  auto loaded = LoadRiskModel(path);
  if (!loaded.ok()) return loaded.status();
  return std::shared_ptr<const RiskModel>(std::make_shared<RiskModel>(std::move(*loaded)));
}

}  // namespace churnwatch::model
