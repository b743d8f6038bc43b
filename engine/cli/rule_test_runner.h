// RuleTestRunner: `churnwatch rules test` — rule unit tests in the manner of
// `promtool test rules`: per test an account, an input event series, evaluation times, and the
// alerts expected to be firing then. Runs the engine's own code through ingest::Replayer.
//
//   rule_files: [../purchasing.yaml]     # relative to the test file
//   time_zone: Asia/Shanghai             # optional (default Asia/Shanghai)
//   language: en                         # annotations language to compare (default zh-CN)
//   evaluation: {interval: 15m, sweep_days: 7}   # optional, engine defaults
//   model: models/silence.json           # optional risk model (churn_risk), relative to the file
//   tests:
//     - name: two quarters of decline
//       account: {account_id: A1, tier: KEY, name: Acme, owner: {id: m1, name: Wang}}
//       events:
//         - {topic: orders, at: 2025-01-06T02:00:00Z, product_line: bearings, quantity: 100,
//            status: PLACED, repeat: {every: 14d, times: 6}}
//       evaluate:
//         - at: 2025-10-06T00:00:00Z
//           firing:                                     # exactly these rules fire (any order)
//             - rule: volume_decline_two_quarters
//               severity: critical                      # optional checks from here on
//               labels: {signal: volume_decline}
//               annotations: {summary: "..."}
//               evidence: {qty_change_q1: -0.25}
//
// Events get event_id and account_id automatically; `repeat` expands into `times` events
// `every` apart. The account profile is sent one second before the first event.
#pragma once

#include <ostream>
#include <string>

#include "common/status.h"

namespace churnwatch::cli {

struct RuleTestSummary {
  int passed = 0;
  int failed = 0;
};

// Runs every test in `file`, printing PASS/FAIL lines and diffs to `out`. InvalidArgument
// (with file:line) when the test file itself is malformed.
Result<RuleTestSummary> RunRuleTestFile(const std::string& file, std::ostream& out);

}  // namespace churnwatch::cli
