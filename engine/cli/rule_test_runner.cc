#include "cli/rule_test_runner.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/config_loader.h"
#include "common/calendar.h"
#include "ingest/replayer.h"
#include "model/risk_model_file.h"
#include "rules/rule_loader.h"

namespace churnwatch::cli {
namespace {

using nlohmann::json;

struct TestEvent {
  EventKind kind;
  UnixMicros at;
  json body;
};

std::string Where(const std::string& file, const YAML::Node& n) {
  return file + ":" + std::to_string(n.Mark().line + 1);
}

// YAML scalar → JSON value (numbers stay numbers, everything else strings).
json ToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    json o = json::object();
    for (const auto& kv : n) o[kv.first.as<std::string>()] = ToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& v : n) a.push_back(ToJson(v));
    return a;
  }
  const std::string& s = n.Scalar();
  char* end = nullptr;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && *end == '\0') return i;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0') return d;
  return s;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "churnwatch-rules-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<RuleTestSummary> RunRuleTestFile(const std::string& file, std::ostream& out) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    return InvalidArgument(file + ": cannot read");
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) +
                           ": not valid YAML: " + e.msg);
  }
  try {
    if (!root["rule_files"] || !root["rule_files"].IsSequence()) {
      return InvalidArgument(file + ": needs a 'rule_files' list");
    }
    if (!root["tests"] || !root["tests"].IsSequence())
      return InvalidArgument(file + ": needs a 'tests' list");
    // Rules: every listed file, relative to the test file.
    auto base = std::filesystem::path(file).parent_path();
    auto rules = std::make_shared<rules::RuleSet>();
    std::set<std::string> ids;
    for (const auto& f : root["rule_files"]) {
      std::string path = (base / f.as<std::string>()).lexically_normal().string();
      auto loaded = rules::LoadRules(path);
      if (!loaded.problems.empty()) return InvalidArgument(loaded.problems[0].ToString());
      for (auto& r : loaded.set.rules) {
        if (!ids.insert(r.id).second)
          return InvalidArgument(Where(file, f) + ": rule " + r.id + " loaded twice");
        rules->rules.push_back(std::move(r));
      }
    }
    ingest::ReplayOptions options;
    if (root["time_zone"]) options.time_zone = root["time_zone"].as<std::string>();
    if (root["language"]) options.evaluation.alert.language = root["language"].as<std::string>();
    if (const YAML::Node ev = root["evaluation"]) {
      if (ev["interval"]) {
        auto d = ParseDuration(ev["interval"].as<std::string>());
        if (!d.ok())
          return InvalidArgument(Where(file, ev["interval"]) + ": " + d.status().message());
        options.evaluation.interval_micros = *d;
      }
      if (ev["sweep_days"]) options.evaluation.sweep_days = ev["sweep_days"].as<int>();
    }
    // A risk model (feature churn_risk), relative to the test file like the rule files.
    if (const YAML::Node m = root["model"]) {
      std::string path = (base / m.as<std::string>()).lexically_normal().string();
      auto loaded = model::LoadSharedRiskModel(path);
      if (!loaded.ok())
        return InvalidArgument(Where(file, m) + ": model: " + loaded.status().message());
      options.evaluation.alert.risk_model = *loaded;
    }
    options.rules = rules;

    RuleTestSummary summary;
    int case_no = 0;
    for (const auto& test : root["tests"]) {
      ++case_no;
      std::string name =
          test["name"] ? test["name"].as<std::string>() : "test " + std::to_string(case_no);
      if (!test["account"] || !test["account"]["account_id"]) {
        return InvalidArgument(Where(file, test) + ": test '" + name +
                               "' needs account.account_id");
      }
      std::string account = test["account"]["account_id"].as<std::string>();
      // Expand the event series.
      std::vector<TestEvent> events;
      if (test["events"]) {
        for (const auto& e : test["events"]) {
          if (!e["topic"] || !e["at"])
            return InvalidArgument(Where(file, e) + ": an event needs topic and at");
          auto kind = EventKindFromName(e["topic"].as<std::string>());
          if (!kind.ok()) return InvalidArgument(Where(file, e) + ": " + kind.status().message());
          auto at = ParseRfc3339(e["at"].as<std::string>());
          if (!at.ok()) return InvalidArgument(Where(file, e["at"]) + ": " + at.status().message());
          int64_t every = 0;
          int times = 1;
          if (const YAML::Node rep = e["repeat"]) {
            auto d = ParseDuration(rep["every"].as<std::string>());
            if (!d.ok())
              return InvalidArgument(Where(file, rep) + ": repeat.every: " + d.status().message());
            every = *d;
            times = rep["times"].as<int>();
          }
          json body = ToJson(e);
          body.erase("topic");
          body.erase("at");
          body.erase("repeat");
          for (int i = 0; i < times; ++i) events.push_back({*kind, *at + every * i, body});
        }
      }
      std::stable_sort(events.begin(), events.end(),
                       [](const auto& a, const auto& b) { return a.at < b.at; });
      if (test["account"].size() > 1 || test["account"]["at"]) {
        json profile = ToJson(test["account"]);
        UnixMicros at = events.empty() ? 0 : events.front().at - kMicrosPerSecond;
        if (test["account"]["at"]) {
          auto t = ParseRfc3339(test["account"]["at"].as<std::string>());
          if (!t.ok())
            return InvalidArgument(Where(file, test["account"]["at"]) + ": " +
                                   t.status().message());
          at = *t;
        }
        profile.erase("at");
        events.insert(events.begin(), TestEvent{EventKind::kAccount, at, profile});
        std::stable_sort(events.begin(), events.end(),
                         [](const auto& a, const auto& b) { return a.at < b.at; });
      }
      // Evaluation points.
      struct Expect {
        UnixMicros at;
        YAML::Node firing;
        std::string where;
      };
      std::vector<Expect> expects;
      if (test["evaluate"]) {
        for (const auto& ev : test["evaluate"]) {
          auto at = ParseRfc3339(ev["at"].as<std::string>());
          if (!at.ok()) return InvalidArgument(Where(file, ev) + ": " + at.status().message());
          expects.push_back(
              {*at, YAML::Clone(ev["firing"] ? ev["firing"] : YAML::Node(YAML::NodeType::Sequence)),
               Where(file, ev)});
        }
      }
      // Sort positions, not the entries: assigning a YAML::Node writes through to the node it
      // refers to, so moving nodes around in a sort corrupts them.
      std::vector<size_t> order(expects.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return expects[a].at < expects[b].at; });

      TempDir dir;
      options.state_dir = dir.path();
      auto replayer = ingest::Replayer::Create(options);
      if (!replayer.ok()) return replayer.status();
      std::vector<std::string> failures;
      size_t next_event = 0;
      int seq = 0;
      for (size_t idx : order) {
        const Expect& expect = expects[idx];
        for (; next_event < events.size() && events[next_event].at <= expect.at; ++next_event) {
          TestEvent& e = events[next_event];
          json body = e.body;
          body["event_id"] = "t" + std::to_string(case_no) + "-" + std::to_string(++seq);
          body["account_id"] = account;
          body["occurred_at"] = FormatRfc3339(e.at);
          size_t rejected_before = (*replayer)->rejected().size();
          CW_RETURN_IF_ERROR((*replayer)->Add(e.kind, body.dump(), account));
          if ((*replayer)->rejected().size() > rejected_before) {
            return InvalidArgument(file + ": test '" + name + "': event " + body.dump() +
                                   " was rejected: " + (*replayer)->rejected().back().detail);
          }
        }
        CW_RETURN_IF_ERROR((*replayer)->AdvanceTo(expect.at));
        auto records = (*replayer)->AlertsOf(account);
        if (!records.ok()) return records.status();
        std::map<std::string, const v1::Alert*> firing;
        for (const auto& r : *records) {
          if (r.state() == v1::ALERT_STATE_FIRING) firing[r.rule()] = &r.alert();
        }
        std::set<std::string> expected_rules;
        std::string at_label = FormatRfc3339(expect.at);
        if (expect.firing && expect.firing.IsSequence()) {
          for (const auto& want : expect.firing) {
            std::string rule = want["rule"].as<std::string>();
            expected_rules.insert(rule);
            auto it = firing.find(rule);
            if (it == firing.end()) {
              failures.push_back("at " + at_label + ": expected " + rule + " to fire, it does not");
              continue;
            }
            const v1::Alert& a = *it->second;
            if (want["severity"] && want["severity"].as<std::string>() != a.severity()) {
              failures.push_back("at " + at_label + ": " + rule + " severity: want " +
                                 want["severity"].as<std::string>() + ", got " + a.severity());
            }
            for (const char* section : {"labels", "annotations"}) {
              if (!want[section]) continue;
              const auto& got_map = std::string(section) == "labels" ? a.labels() : a.annotations();
              for (const auto& kv : want[section]) {
                std::string k = kv.first.as<std::string>(), v = kv.second.as<std::string>();
                auto g = got_map.find(k);
                std::string got = g == got_map.end() ? "(absent)" : g->second;
                if (got != v) {
                  failures.push_back("at " + at_label + ": " + rule + " " + section + "." + k +
                                     ":\n      want: " + v + "\n      got:  " + got);
                }
              }
            }
            if (want["evidence"]) {
              for (const auto& kv : want["evidence"]) {
                std::string k = kv.first.as<std::string>();
                auto g = a.evidence().find(k);
                if (g == a.evidence().end()) {
                  failures.push_back("at " + at_label + ": " + rule + " evidence." + k +
                                     " is absent");
                } else if (g->second.has_number_value()) {
                  double w = kv.second.as<double>();
                  if (std::fabs(g->second.number_value() - w) >
                      1e-3 * std::max(1.0, std::fabs(w))) {
                    failures.push_back("at " + at_label + ": " + rule + " evidence." + k +
                                       ": want " + kv.second.as<std::string>() + ", got " +
                                       std::to_string(g->second.number_value()));
                  }
                } else if (g->second.string_value() != kv.second.as<std::string>()) {
                  failures.push_back("at " + at_label + ": " + rule + " evidence." + k + ": want " +
                                     kv.second.as<std::string>() + ", got " +
                                     g->second.string_value());
                }
              }
            }
          }
        }
        for (const auto& [rule, a] : firing) {
          if (!expected_rules.count(rule)) {
            std::string summary =
                a->annotations().count("summary") ? a->annotations().at("summary") : "";
            failures.push_back("at " + at_label + ": unexpected " + rule + " firing (" +
                               a->severity() + "): " + summary);
          }
        }
      }
      if (failures.empty()) {
        ++summary.passed;
        out << "PASS  " << file << ": " << name << "\n";
      } else {
        ++summary.failed;
        out << "FAIL  " << file << ": " << name << "\n";
        for (const auto& f : failures) out << "    " << f << "\n";
      }
    }
    return summary;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace churnwatch::cli
