#include "clv/params_file.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace churnwatch::clv {

Result<double> TimeUnitDays(const std::string& name) {
  if (name == "week") return 7.0;
  if (name == "day") return 1.0;
  return InvalidArgument("time unit '" + name + "' is not week or day");
}

const char* TimeUnitName(double time_unit_days) { return time_unit_days == 1 ? "day" : "week"; }

std::string FormatParamsJson(const FitResult& fit, const std::string& calibration_end) {
  nlohmann::ordered_json j;
  j["r"] = fit.params.r;
  j["alpha"] = fit.params.alpha;
  j["a"] = fit.params.a;
  j["b"] = fit.params.b;
  j["log_likelihood"] = fit.log_likelihood;
  j["customers"] = fit.customers;
  j["time_unit"] = TimeUnitName(fit.params.time_unit_days);
  j["calibration_end"] = calibration_end;
  return j.dump(2) + "\n";
}

Result<BgNbdParams> LoadParams(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open BG/NBD parameters file " + path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument(path + ": not a JSON object (expected the output of churnwatch fit)");
  BgNbdParams p;
  for (auto [name, field] : {std::pair{"r", &p.r}, std::pair{"alpha", &p.alpha},
                             std::pair{"a", &p.a}, std::pair{"b", &p.b}}) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number() || !(it->get<double>() > 0) ||
        !std::isfinite(it->get<double>()))
      return InvalidArgument(path + ": \"" + name + "\" must be a positive number");
    *field = it->get<double>();
  }
  std::string unit = j.value("time_unit", "week");
  auto days = TimeUnitDays(unit);
  if (!days.ok()) return InvalidArgument(path + ": " + days.status().message());
  p.time_unit_days = *days;
  return p;
}

BgNbdParams DefaultParams() {
  // `churnwatch fit --events cdnow-master-orders.ndjson --calibration-end 1997-09-30`.
  return BgNbdParams{0.251624, 4.788945, 0.723435, 2.161097, 7};
}

}  // namespace churnwatch::clv
