// Rule loading: rule files (YAML, in the manner of Prometheus alerting rules) → RuleSet.
//
//   groups:
//     - name: purchasing
//       rules:
//         - id: volume_decline_two_quarters      # unique, [a-z0-9_.-]
//           kind: volume_decline                 # a built-in kind (builtin_kinds.h) ...
//           params: {min_drop: 0.1}              #   ... with parameters, or instead:
//           # expr: "qty_change_q1 <= -0.1 && qty_change_q2 <= -0.1"   (muParser over features)
//           for: 7d                              # optional, default 0 (fire at once)
//           severity: warning                    # info | warning | critical, or per tier:
//           # severity: {default: warning, strategic: critical, key: critical}
//           tiers: [strategic, key, growth]      # optional; default: every tier
//           labels: {signal: volume_decline}     # signal required unless the kind implies it
//           annotations:                         # summary required; description, action optional
//             summary: {zh-CN: "...{{account_name}}...", en: "..."}   # or one string for both
//           evidence: [qty_q1, qty_q2]           # optional; kinds bring defaults
//
// Every problem is reported with file:line, and loading goes on to find the others.
#pragma once

#include <string>
#include <vector>

#include "rules/rule.h"

namespace churnwatch::rules {

struct LoadResult {
  RuleSet set;  // valid only when problems is empty
  std::vector<RuleProblem> problems;
};

// `path` is a rule file or a directory: every *.yaml / *.yml directly in it, in name order.
LoadResult LoadRules(const std::string& path);
// Parses one file's text as if read from `file_name` (for tests and `rules test`).
LoadResult LoadRulesText(const std::string& text, const std::string& file_name);

// The loss signals of contract.md, in order.
const std::vector<std::string>& KnownSignals();
// The tier names (lower-case), in pyramid order.
const std::vector<std::string>& KnownTiers();

}  // namespace churnwatch::rules
