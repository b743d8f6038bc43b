// Rule and RuleSet: the loaded, validated form of the rule files in rules/.
//
// A rule is a condition over named features (features/features.h) — written directly as a
// muParser `expr`, or produced by a built-in `kind` from its parameters — plus what an alert
// for it says: severity (optionally per tier), labels (always `signal`), and annotations
// (summary, description, action) in zh-CN and en.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace churnwatch::rules {

// An annotation template per language ("zh-CN", "en").
using LocalizedText = std::map<std::string, std::string>;

struct Rule {
  std::string id;          // unique across the set; the alert's `rule` and Alertmanager's alertname
  std::string group;       // the group it was declared in
  std::string kind;        // built-in kind it came from, or "" for a plain expr
  std::string expr;        // muParser expression over feature names; true = non-zero and not NaN
  int64_t for_micros = 0;  // how long the condition must hold before firing
  // Hysteresis: after an alert of this rule resolved, the condition holding again within this
  // long does not start a new episode (the same condition flickering around its threshold is
  // one problem, not many). 0 = none.
  int64_t cooldown_micros = 0;
  // Hysteresis on the other side: a firing alert whose condition stops holding stays firing
  // until it has not held for this long (Prometheus' keep_firing_for). A condition that
  // flickers off and on again is one episode, not one notification per flicker. 0 = none.
  int64_t keep_firing_micros = 0;
  std::string severity = "warning";                     // info | warning | critical
  std::map<std::string, std::string> severity_by_tier;  // tier name → severity
  std::vector<std::string> tiers;             // tiers the rule applies to (lower-case); empty = all
  std::map<std::string, std::string> labels;  // always has "signal"
  std::map<std::string, LocalizedText> annotations;  // summary, description, action
  std::vector<std::string> evidence;  // feature names reported as numbers with each alert
  std::string file;                   // where it was declared, for messages
  int line = 0;

  // The severity for an account of `tier` (lower-case tier name; "" = unknown).
  const std::string& SeverityFor(const std::string& tier) const {
    auto it = severity_by_tier.find(tier);
    return it == severity_by_tier.end() ? severity : it->second;
  }
  bool AppliesToTier(const std::string& tier) const;
};

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<std::string> files;  // files loaded, in order
  std::string version;             // content hash of the files: changes iff a rule file changed
  int64_t loaded_at_us = 0;
};

// A problem found while loading rules: "file:line: message".
struct RuleProblem {
  std::string file;
  int line = 0;
  std::string message;
  std::string ToString() const { return file + ":" + std::to_string(line) + ": " + message; }
};

}  // namespace churnwatch::rules
