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
//   - f1 = 2 precision recall / (precision + recall).
//   - flap_rate = transitions (its warnings plus their resolutions by `to`) per distinct
//     (account, rule) that warned: 1 for an alert that fired and stayed, 2 for one that fired
//     and resolved, more for one that keeps coming back.
//   - at_end: the at-risk list an operations team opens on the day `to` — the accounts with a
//     warning still firing at `to` (not resolved by then) — with its precision, recall, f1.
// Per rule the same figures are computed from that rule's warnings alone.
//
// Partial churn: the labels' product-line rows are pairs (account, product line). A pair is
// flagged when a warning of signal product_line_dropped on that account names the line in its
// evidence `dropped_product_lines`; precision = flagged dropped pairs / flagged pairs, recall =
// flagged dropped pairs / dropped pairs.
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

// The accounts with a warning still firing at the end of the window.
struct AtEnd {
  std::optional<double> precision, recall, f1;
  int accounts_flagged = 0;
  int true_positives = 0;
};

struct Figures {
  std::optional<double> precision, recall, f1;
  std::optional<double> flap_rate;  // null without warnings
  AtEnd at_end;
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

// A naive rule scored by the same code as the engine's rules (backtest/baselines.h).
struct BaselineFigures {
  std::string name;
  std::string description;
  Figures figures;
};

struct ProductLineFigures {
  std::optional<double> precision, recall;
  int pairs = 0;    // product-line rows of the labels
  int dropped = 0;  // of which dropped
  int flagged = 0;  // pairs a product_line_dropped warning named
  int true_positives = 0;
};

// How a numeric risk score ranks the labelled accounts at `to` (backtest --model): ROC AUC
// and precision among the top 10 %, beside the naive ranking by days since the last order.
struct RankingNumbers {
  std::string score;  // the feature ranked by
  std::optional<double> auc, precision_top_decile;
};
struct RankingFigures {
  RankingNumbers model;     // churn_risk
  RankingNumbers baseline;  // days_since_last_order
  int accounts = 0;         // labelled accounts scored
  int churned = 0;
};

struct ScoreReport {
  Figures overall;
  std::vector<RuleFigures> rules;                   // every replayed rule, by id
  std::vector<BaselineFigures> baselines;           // filled by the caller (ScoreBaselines)
  std::optional<ProductLineFigures> product_lines;  // when the labels have product-line rows
  std::optional<RankingFigures> ranking;            // filled by the caller (ScoreRanking)
  int labelled_accounts = 0;
  int churned_accounts = 0;
  int unlabelled_accounts_flagged = 0;
  int partial_churn_labels = 0;
};

// "info" 0, "warning" 1, "critical" 2; -1 for anything else.
int SeverityRank(const std::string& severity);

// 2pr / (p + r); nullopt when either is unknown or both are 0.
std::optional<double> F1(const std::optional<double>& p, const std::optional<double>& r);

// Linear-interpolation quantile of sorted values (q in [0, 1]); nullopt when empty.
std::optional<double> Quantile(const std::vector<double>& sorted, double q);

ScoreReport Score(const std::vector<v1::Alert>& transitions, const Labels& labels,
                  const ScoringOptions& options, const Calendar& calendar);

// The ranking figures of per-account scores at `to` (account id → churn_risk, and → days
// since the last order) over the labelled accounts; an account without a score ranks lowest.
RankingFigures ScoreRanking(const std::map<std::string, double>& risk,
                            const std::map<std::string, double>& days_since_last_order,
                            const Labels& labels);

}  // namespace churnwatch::backtest
