#include "rules/rule_loader.h"

#include <muParser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "common/clock.h"
#include "common/hash.h"
#include "features/features.h"
#include "rules/builtin_kinds.h"
#include "rules/text_template.h"

namespace churnwatch::rules {
namespace {

// Alertmanager (Prometheus) label names.
bool ValidLabelName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Labels the engine sets on every alert: a rule must not shadow them (routing follows them).
bool IsReservedLabel(const std::string& name) {
  static const std::set<std::string> kReserved = {"alertname",   "account_id", "account_name",
                                                  "tier",        "severity",   "owner",
                                                  "owner_email", "region",     "escalated"};
  return kReserved.count(name) > 0;
}

Result<int64_t> Duration(const std::string& text) {
  size_t i = 0;
  int64_t n = 0;
  // Stops growing past the limit below, so a long run of digits cannot overflow.
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n <= (int64_t{1} << 40))
    n = n * 10 + (text[i++] - '0');
  std::string unit = text.substr(i);
  if (i == 0 || n > (int64_t{1} << 40))
    return InvalidArgument("'" + text + "' is not a duration such as 7d or 12h");
  if (unit == "s") return n * kMicrosPerSecond;
  if (unit == "m") return n * 60 * kMicrosPerSecond;
  if (unit == "h") return n * 3600 * kMicrosPerSecond;
  if (unit == "d") return n * kMicrosPerDay;
  if (unit == "w") return n * 7 * kMicrosPerDay;
  return InvalidArgument("'" + text + "' needs a unit: s, m, h, d or w");
}

// Checks a muParser expression against the feature catalog; "" when fine.
std::string CheckExpression(const std::string& expr) {
  mu::Parser p;
  std::vector<double> values(features::FeatureCatalog().size(), 1.0);
  for (size_t i = 0; i < values.size(); ++i)
    p.DefineVar(features::FeatureCatalog()[i].name, &values[i]);
  try {
    p.SetExpr(expr);
    p.Eval();
  } catch (const mu::Parser::exception_type& e) {
    if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN || e.GetCode() == mu::ecUNEXPECTED_VAR) {
      return "unknown feature '" + e.GetToken() + "' in expr (see the feature table in the README)";
    }
    return "expr does not parse: " + e.GetMsg();
  }
  return "";
}

class FileLoader {
 public:
  FileLoader(std::string file, LoadResult* out, std::set<std::string>* ids)
      : file_(std::move(file)), out_(out), ids_(ids) {}

  void Problem(const YAML::Node& n, const std::string& msg) {
    out_->problems.push_back({file_, n.IsDefined() ? n.Mark().line + 1 : 0, msg});
  }

  void Load(const YAML::Node& root) {
    if (root.IsNull()) return;  // an empty file holds no rules
    if (!root.IsMap() || !root["groups"])
      return Problem(root, "a rule file needs a top-level 'groups' list");
    for (const auto& kv : root) {
      if (kv.first.as<std::string>() != "groups")
        Problem(kv.first, "unknown key '" + kv.first.as<std::string>() + "'");
    }
    const YAML::Node groups = root["groups"];
    if (!groups.IsSequence()) return Problem(groups, "'groups' must be a list");
    for (const auto& g : groups) LoadGroup(g);
  }

 private:
  void LoadGroup(const YAML::Node& g) {
    if (!g.IsMap()) return Problem(g, "a group must be a mapping with name and rules");
    std::string name;
    for (const auto& kv : g) {
      std::string k = kv.first.as<std::string>();
      if (k != "name" && k != "rules") Problem(kv.first, "unknown key '" + k + "' in group");
    }
    if (!g["name"] || !g["name"].IsScalar()) return Problem(g, "group needs a name");
    name = g["name"].Scalar();
    if (!g["rules"] || !g["rules"].IsSequence())
      return Problem(g, "group '" + name + "' needs a 'rules' list");
    for (const auto& r : g["rules"]) LoadRule(r, name);
  }

  bool Text(const YAML::Node& n, const std::string& what, LocalizedText* out) {
    if (n.IsScalar()) {
      (*out)["zh-CN"] = n.Scalar();
      (*out)["en"] = n.Scalar();
    } else if (n.IsMap()) {
      for (const auto& kv : n) {
        std::string lang = kv.first.as<std::string>();
        if (lang != "zh-CN" && lang != "en") {
          Problem(kv.first, what + ": language '" + lang + "' is not zh-CN or en");
          return false;
        }
        if (!kv.second.IsScalar()) {
          Problem(kv.second, what + "." + lang + " must be a string");
          return false;
        }
        (*out)[lang] = kv.second.Scalar();
      }
      if (!out->count("zh-CN") && out->count("en")) (*out)["zh-CN"] = (*out)["en"];
      if (!out->count("en") && out->count("zh-CN")) (*out)["en"] = (*out)["zh-CN"];
    } else {
      Problem(n, what + " must be a string or {zh-CN: ..., en: ...}");
      return false;
    }
    for (const auto& [lang, text] : *out) {
      auto t = TextTemplate::Compile(text);
      if (!t.ok()) {
        Problem(n.IsMap() && n[lang] ? n[lang] : n,
                what + " (" + lang + "): " + t.status().message());
        return false;
      }
    }
    return true;
  }

  bool Severity(const YAML::Node& n, const std::string& value) {
    if (value == "info" || value == "warning" || value == "critical") return true;
    Problem(n, "severity '" + value + "' is not info, warning or critical");
    return false;
  }

  bool Tier(const YAML::Node& n, const std::string& value) {
    const auto& tiers = KnownTiers();
    if (std::find(tiers.begin(), tiers.end(), value) != tiers.end()) return true;
    Problem(n, "tier '" + value + "' is not one of strategic, key, growth, potential, ordinary");
    return false;
  }

  // One kind parameter: a number, or a mapping tier → number with an optional `default`.
  std::optional<KindParamValue> Param(const std::string& name, const YAML::Node& n) {
    KindParamValue value;
    auto number = [&](const YAML::Node& v, const std::string& what) -> std::optional<double> {
      try {
        double d = v.as<double>();
        if (std::isfinite(d)) return d;
      } catch (const YAML::Exception&) {
      }
      Problem(v, "param " + what + " must be a number");
      return std::nullopt;
    };
    if (n.IsScalar()) {
      value.default_value = number(n, name);
      if (!value.default_value) return std::nullopt;
      return value;
    }
    if (!n.IsMap()) {
      Problem(
          n,
          "param " + name +
              " must be a number or a mapping tier → number, such as {default: 70, strategic: 75}");
      return std::nullopt;
    }
    bool ok = true;
    for (const auto& kv : n) {
      std::string tier = kv.first.as<std::string>();
      auto v = number(kv.second, name + "." + tier);
      if (!v) {
        ok = false;
      } else if (tier == "default") {
        value.default_value = *v;
      } else if (Tier(kv.first, tier)) {
        value.by_tier[tier] = *v;
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return value;
  }

  void LoadRule(const YAML::Node& r, const std::string& group) {
    if (!r.IsMap()) return Problem(r, "a rule must be a mapping");
    static const std::set<std::string> known = {
        "id",    "kind",   "params",      "expr",     "for",      "severity",
        "tiers", "labels", "annotations", "evidence", "cooldown", "keep_firing_for"};
    for (const auto& kv : r) {
      std::string k = kv.first.as<std::string>();
      if (!known.count(k)) Problem(kv.first, "unknown key '" + k + "' in rule");
    }
    Rule rule;
    rule.group = group;
    rule.file = file_;
    rule.line = r.Mark().line + 1;
    size_t problems_before = out_->problems.size();

    if (!r["id"] || !r["id"].IsScalar() || r["id"].Scalar().empty())
      return Problem(r, "rule needs an id");
    rule.id = r["id"].Scalar();
    for (char c : rule.id) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) {
        return Problem(r["id"], "rule id '" + rule.id + "' may only use a-z 0-9 _ - .");
      }
    }
    if (!ids_->insert(rule.id).second)
      Problem(r["id"], "rule id '" + rule.id + "' is declared twice");

    const BuiltinKind* kind = nullptr;
    if (r["kind"] && r["expr"]) Problem(r, "rule " + rule.id + " has both kind and expr; give one");
    if (r["kind"]) {
      rule.kind = r["kind"].as<std::string>();
      kind = FindBuiltinKind(rule.kind);
      if (kind == nullptr) {
        std::string names;
        for (const auto& k : BuiltinKinds()) names += (names.empty() ? "" : ", ") + k.name;
        Problem(r["kind"], "unknown kind '" + rule.kind + "' (known: " + names + ")");
      } else {
        std::map<std::string, KindParamValue> params;
        if (r["params"]) {
          if (!r["params"].IsMap()) {
            Problem(r["params"], "params must be a mapping of numbers");
          } else {
            for (const auto& kv : r["params"]) {
              if (auto value = Param(kv.first.as<std::string>(), kv.second)) {
                params[kv.first.as<std::string>()] = *value;
              }
            }
          }
        }
        auto expr = ExpandKind(*kind, params);
        if (!expr.ok()) {
          Problem(r["params"], expr.status().message());
        } else {
          rule.expr = *expr;
        }
        rule.evidence = kind->evidence;
        rule.labels["signal"] = kind->signal;
      }
    } else if (r["expr"]) {
      if (r["params"]) Problem(r["params"], "params go with kind, not expr");
      rule.expr = r["expr"].as<std::string>();
    } else {
      Problem(r, "rule " + rule.id + " needs a kind or an expr");
    }
    if (!rule.expr.empty()) {
      std::string err = CheckExpression(rule.expr);
      if (!err.empty()) Problem(r["expr"] ? r["expr"] : r["kind"], err);
    }

    // The rule's durations: for, cooldown, keep_firing_for (default 0 each).
    for (auto [key, field] :
         {std::pair{"for", &rule.for_micros}, std::pair{"cooldown", &rule.cooldown_micros},
          std::pair{"keep_firing_for", &rule.keep_firing_micros}}) {
      const YAML::Node node = r[key];
      if (!node) continue;
      auto d = Duration(node.as<std::string>());
      if (!d.ok()) {
        Problem(node, std::string(key) + ": " + d.status().message());
      } else {
        *field = *d;
      }
    }
    if (const YAML::Node sev = r["severity"]) {
      if (sev.IsScalar()) {
        rule.severity = sev.Scalar();
        Severity(sev, rule.severity);
      } else if (sev.IsMap()) {
        for (const auto& kv : sev) {
          std::string tier = kv.first.as<std::string>(), value = kv.second.as<std::string>();
          if (!Severity(kv.second, value)) continue;
          if (tier == "default") {
            rule.severity = value;
          } else if (Tier(kv.first, tier)) {
            rule.severity_by_tier[tier] = value;
          }
        }
      } else {
        Problem(sev, "severity must be a name or a mapping tier → name");
      }
    }
    if (const YAML::Node tiers = r["tiers"]) {
      if (!tiers.IsSequence()) {
        Problem(tiers, "tiers must be a list such as [strategic, key]");
      } else {
        for (const auto& t : tiers) {
          if (Tier(t, t.as<std::string>())) rule.tiers.push_back(t.as<std::string>());
        }
      }
    }
    if (const YAML::Node labels = r["labels"]) {
      if (!labels.IsMap()) {
        Problem(labels, "labels must be a mapping");
      } else {
        for (const auto& kv : labels) {
          const std::string name = kv.first.as<std::string>();
          if (!ValidLabelName(name)) {
            Problem(kv.first, "label name '" + name +
                                  "' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
          } else if (IsReservedLabel(name)) {
            Problem(kv.first, "label '" + name +
                                  "' is set by the engine from the account or the rule (reserved: "
                                  "alertname, account_id, account_name, tier, severity, owner, "
                                  "owner_email, region, escalated)");
          } else if (!kv.second.IsScalar()) {
            Problem(kv.second, "label '" + name + "' must have a string value");
          } else {
            rule.labels[name] = kv.second.as<std::string>();
          }
        }
      }
    }
    auto signal = rule.labels.find("signal");
    if (signal == rule.labels.end()) {
      Problem(
          r, "rule " + rule.id + " needs a 'signal' label (one of the loss signals in the README)");
    } else {
      const auto& known_signals = KnownSignals();
      if (std::find(known_signals.begin(), known_signals.end(), signal->second) ==
          known_signals.end()) {
        Problem(r["labels"] ? r["labels"] : r,
                "signal '" + signal->second + "' is not a known loss signal");
      } else if (kind != nullptr && signal->second != kind->signal) {
        Problem(r["labels"], "kind " + kind->name + " implies signal " + kind->signal + ", not " +
                                 signal->second);
      }
    }
    if (const YAML::Node ann = r["annotations"]) {
      if (!ann.IsMap()) {
        Problem(ann, "annotations must be a mapping");
      } else {
        for (const auto& kv : ann) {
          std::string key = kv.first.as<std::string>();
          if (key != "summary" && key != "description" && key != "action") {
            Problem(kv.first, "annotation '" + key + "' is not summary, description or action");
            continue;
          }
          LocalizedText text;
          if (Text(kv.second, "annotations." + key, &text)) rule.annotations[key] = text;
        }
      }
    }
    if (!rule.annotations.count("summary"))
      Problem(r, "rule " + rule.id + " needs annotations.summary");
    if (const YAML::Node ev = r["evidence"]) {
      if (!ev.IsSequence()) {
        Problem(ev, "evidence must be a list of feature names");
      } else {
        rule.evidence.clear();
        for (const auto& e : ev) {
          const auto& text_fields = features::TextFieldNames();
          std::string name = e.as<std::string>();
          if (features::FeatureIndex(name) < 0 &&
              std::find(text_fields.begin(), text_fields.end(), name) == text_fields.end()) {
            Problem(e, "evidence '" + name + "' is neither a feature nor a text field");
          } else {
            rule.evidence.push_back(e.as<std::string>());
          }
        }
      }
    }
    if (out_->problems.size() == problems_before) out_->set.rules.push_back(std::move(rule));
  }

  std::string file_;
  LoadResult* out_;
  std::set<std::string>* ids_;
};

void LoadInto(const std::string& text, const std::string& file, LoadResult* out,
              std::set<std::string>* ids) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    out->problems.push_back({file, e.mark.line + 1, "not valid YAML: " + e.msg});
    return;
  }
  try {
    FileLoader(file, out, ids).Load(root);
  } catch (const YAML::Exception& e) {
    out->problems.push_back({file, e.mark.line + 1, e.msg});
  }
}

}  // namespace

bool Rule::AppliesToTier(const std::string& tier) const {
  return tiers.empty() || std::find(tiers.begin(), tiers.end(), tier) != tiers.end();
}

const std::vector<std::string>& KnownSignals() {
  static const std::vector<std::string> s = {
      "volume_decline",   "meeting_cancelled",    "reference_withdrawn", "key_contact_change",
      "manager_turnover", "product_line_dropped", "purchase_silence",    "service_degradation",
      "exec_contact_gap", "external_risk",        "health_low"};
  return s;
}

const std::vector<std::string>& KnownTiers() {
  static const std::vector<std::string> t = {"strategic", "key", "growth", "potential", "ordinary"};
  return t;
}

LoadResult LoadRulesText(const std::string& text, const std::string& file_name) {
  LoadResult out;
  std::set<std::string> ids;
  LoadInto(text, file_name, &out, &ids);
  out.set.files = {file_name};
  out.set.version = Hex64(Fnv1a64(text));
  out.set.loaded_at_us = SystemClock::Instance().Now();
  return out;
}

LoadResult LoadRules(const std::string& path) {
  LoadResult out;
  std::vector<std::string> files;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
      auto ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
        files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) out.problems.push_back({path, 0, "no *.yaml rule files in this directory"});
  } else if (std::filesystem::is_regular_file(path, ec)) {
    files.push_back(path);
  } else {
    out.problems.push_back({path, 0, "no such rule file or directory"});
  }
  std::set<std::string> ids;
  uint64_t hash = kFnvOffset;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      out.problems.push_back({f, 0, "cannot read"});
      continue;
    }
    // Content only (length-prefixed, in file-name order): the same rules give the same version
    // however the path was spelled (`rules`, `./rules/`, an absolute path) or where they live.
    hash = Fnv1a64(std::to_string(ss.str().size()) + "\n" + ss.str(), hash);
    LoadInto(ss.str(), f, &out, &ids);
  }
  out.set.files = files;
  out.set.version = Hex64(hash);
  out.set.loaded_at_us = SystemClock::Instance().Now();
  return out;
}

}  // namespace churnwatch::rules
