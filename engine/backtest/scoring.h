// Scoring a backtest: the alert transitions a replay produced, against churn labels.
//
// The rule (README "Backtest"; echoed in the JSON `scoring` object):
//   - A warning is a FIRING transition whose severity is at least `min_severity` and whose
//     fire time — started_at plus the rule's `for` — lies in the scored window [from, to).
//     Lower severities and warnings outside the window are not counted anywhere.
//   - Only labelled accounts are scored; warnings on unlabelled accounts are reported
//     (unlabelled_accounts_flagged) and otherwise ignored.
//   - An account is flagged when it received at least one warning. A warning that later
//     resolved still counts (the account manager was told; for a retained account that is a
//     false alarm); flagged accounts whose every warning had resolved by `to` are reported as
//     `recovered`.
//   - precision = flagged and churned / flagged; recall = flagged and churned / churned
//     (null when the denominator is 0).
//   - Lead time of a flagged churned account = churn_date - fire time of its first warning,
//     in days (local days of the engine's zone); negative when the first warning came after
//     the churn date. Quartiles by linear interpolation (p25, median, p75).
//   - alerts_per_account_quarter = warnings on labelled accounts / labelled accounts /
//     (window days / 91.3125).
// Per rule the same figures are computed from that rule's warnings alone.
//
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backtest/labels.h"
#include "churnwatch/v1/alert.pb.h"
#include "common/calendar.h"

namespace churnwatch::backtest {

struct ScoringOptions {
  std::string min_severity = "warning";  // info | warning | critical
  UnixMicros from = 0;                   // scored window [from, to)
  UnixMicros to = 0;
  struct RuleInfo {
    std::string signal;
    int64_t for_micros = 0;
  };
  std::map<std::string, RuleInfo> rules;  // the replayed rules by id (every one is reported)
};

struct Quartiles {
  std::optional<double> p25, median, p75;
  int count = 0;
};

struct Figures {
  std::optional<double> precision, recall;
  int accounts_flagged = 0;
  int true_positives = 0;
  int recovered = 0;
  int alerts = 0;  // warnings on labelled accounts
  double alerts_per_account_quarter = 0;
  Quartiles lead_time_days;
  std::vector<double> lead_times;  // every flagged churned account's lead time, sorted
};

struct RuleFigures {
  std::string rule;
  std::string signal;
  Figures figures;
};

struct ScoreReport {
  Figures overall;
  std::vector<RuleFigures> rules;  // every replayed rule, by id
  int labelled_accounts = 0;
  int churned_accounts = 0;
  int unlabelled_accounts_flagged = 0;
  int partial_churn_labels = 0;  // read, not scored (see README)
};

// "info" 0, "warning" 1, "critical" 2; -1 for anything else.
int SeverityRank(const std::string& severity);

// Linear-interpolation quantile of sorted values (q in [0, 1]); nullopt when empty.
std::optional<double> Quantile(const std::vector<double>& sorted, double q);

ScoreReport Score(const std::vector<v1::Alert>& transitions, const Labels& labels,
                  const ScoringOptions& options, const Calendar& calendar);

}  // namespace churnwatch::backtest
