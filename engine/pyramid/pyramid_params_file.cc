#include "pyramid/pyramid_params_file.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace churnwatch::pyramid {
namespace {

using nlohmann::json;

constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxIndustryBytes = 128;
constexpr const char* kFormat = "churnwatch.pyramid";

Status ReadCuts(const json& cuts, const char* key, std::array<double, 4>* out) {
  auto it = cuts.find(key);
  if (it == cuts.end() || !it->is_array() || it->size() != 4)
    return InvalidArgument(std::string("cut_points.") + key + " must be an array of 4 numbers");
  for (size_t i = 0; i < 4; ++i) {
    if (!(*it)[i].is_number())
      return InvalidArgument(std::string("cut_points.") + key + " must be an array of 4 numbers");
    (*out)[i] = (*it)[i].get<double>();
  }
  return Status::Ok();
}

Status Parse(const json& j, PyramidParams* p) {
  if (!j.is_object()) return InvalidArgument("not a JSON object (expected churnwatch pyramid fit)");
  static const std::set<std::string> kKeys = {
      "format", "version", "as_of", "time_zone", "accounts", "cut_points", "strategic_industries"};
  for (const auto& [key, value] : j.items()) {
    if (!kKeys.count(key)) return InvalidArgument("unknown key \"" + key + "\"");
  }
  if (j.value("format", json()) != kFormat)
    return InvalidArgument(std::string("\"format\" must be \"") + kFormat + "\"");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer())
    return InvalidArgument("\"version\" must be an integer");
  if (*version != kPyramidFileVersion)
    return InvalidArgument("version " + version->dump() +
                           " is not supported (this churnwatch reads " +
                           std::to_string(kPyramidFileVersion) + ")");
  for (const char* key : {"as_of", "time_zone"}) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_string())
      return InvalidArgument(std::string("\"") + key + "\" must be a string");
  }
  p->as_of = j.value("as_of", "");
  p->time_zone = j.value("time_zone", "");
  auto accounts = j.find("accounts");
  if (accounts != j.end() && !accounts->is_number_unsigned())
    return InvalidArgument("\"accounts\" must be a count");
  if (accounts != j.end()) p->cuts.accounts = accounts->get<size_t>();
  auto cuts = j.find("cut_points");
  if (cuts == j.end() || !cuts->is_object())
    return InvalidArgument("\"cut_points\" must be an object");
  for (const auto& [key, value] : cuts->items()) {
    if (key != "recency_days" && key != "frequency" && key != "monetary")
      return InvalidArgument("unknown key \"cut_points." + key + "\"");
  }
  if (Status s = ReadCuts(*cuts, "recency_days", &p->cuts.recency_days); !s.ok()) return s;
  if (Status s = ReadCuts(*cuts, "frequency", &p->cuts.frequency); !s.ok()) return s;
  if (Status s = ReadCuts(*cuts, "monetary", &p->cuts.monetary); !s.ok()) return s;
  if (Status s = CheckCutPoints(p->cuts); !s.ok())
    return InvalidArgument("cut_points." + s.message());
  auto industries = j.find("strategic_industries");
  if (industries == j.end()) return Status::Ok();
  if (!industries->is_array())
    return InvalidArgument("\"strategic_industries\" must be an array of strings");
  for (const auto& v : *industries) {
    if (!v.is_string())
      return InvalidArgument("\"strategic_industries\" must be an array of strings");
    p->strategic_industries.push_back(v.get<std::string>());
  }
  if (Status s = CheckStrategicIndustries(p->strategic_industries); !s.ok())
    return InvalidArgument("\"strategic_industries\": " + s.message());
  return Status::Ok();
}

}  // namespace

Status CheckStrategicIndustries(const std::vector<std::string>& industries) {
  if (industries.size() > kMaxStrategicIndustries)
    return InvalidArgument("more than " + std::to_string(kMaxStrategicIndustries) + " industries");
  for (const auto& name : industries) {
    if (name.empty() || name.size() > kMaxIndustryBytes)
      return InvalidArgument("an industry must be 1 to " + std::to_string(kMaxIndustryBytes) +
                             " bytes");
    try {
      (void)json(name).dump();  // throws on text that is not UTF-8
    } catch (const json::type_error&) {
      return InvalidArgument("industry '" +
                             json(name).dump(-1, ' ', false, json::error_handler_t::replace) +
                             "' is not UTF-8");
    }
  }
  return Status::Ok();
}

std::string FormatPyramidJson(const PyramidParams& p) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["version"] = kPyramidFileVersion;
  j["as_of"] = p.as_of;
  j["time_zone"] = p.time_zone;
  j["accounts"] = p.cuts.accounts;
  j["cut_points"] = {{"recency_days", p.cuts.recency_days},
                     {"frequency", p.cuts.frequency},
                     {"monetary", p.cuts.monetary}};
  j["strategic_industries"] = p.strategic_industries;
  return j.dump(2) + "\n";
}

Result<PyramidParams> ParsePyramidParams(const std::string& text, const std::string& name) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return InvalidArgument(name + ": not JSON (expected the output of churnwatch pyramid fit)");
  PyramidParams p;
  if (Status s = Parse(j, &p); !s.ok()) return InvalidArgument(name + ": " + s.message());
  return p;
}

Result<PyramidParams> LoadPyramidParams(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open pyramid parameters file " + path);
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return InvalidArgument(path + ": cannot be read");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes)
    return InvalidArgument(path + ": larger than 1 MiB, not a pyramid parameters file");
  return ParsePyramidParams(text, path);
}

}  // namespace churnwatch::pyramid
