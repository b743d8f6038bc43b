// Churn labels: which accounts churned and when, the ground truth a backtest scores against.
//
// File format (CSV, header required, no quoting — ids with commas are not supported):
//   account_id,churned,churn_date[,product_line,dropped,drop_date]
//   ACC-1,1,2026-03-31          full churn on that date (churned: 1/0/true/false)
//   ACC-2,0,                    retained
//   ACC-3,0,,widgets,1,2026-02-01   partial churn: a product line dropped (6-column files)
// A row with a product line is a partial-churn row; it does not label the account. Dates are
// YYYY-MM-DD. `churned` rows need a churn_date.
//
// Derivation (`churnwatch label`), the rule of the CDNOW README: an account with at least
// `min_purchase_days` distinct purchase days up to `calibration_end` is labelled; it churned
// when it has no purchase day after calibration_end (up to `observation_end` when set), and
// its churn date is then its last purchase day. Accounts with fewer purchase days are not
// labelled (the rule says nothing about them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "common/status.h"

namespace churnwatch::backtest {

struct AccountLabel {
  bool churned = false;
  std::optional<DayKey> churn_date;  // set when churned
};

struct PartialChurnLabel {
  std::string account_id;
  std::string product_line;
  bool dropped = false;
  std::optional<DayKey> drop_date;
};

struct Labels {
  std::map<std::string, AccountLabel> accounts;
  std::vector<PartialChurnLabel> partial;
};

// Parses "YYYY-MM-DD" into a DayKey; InvalidArgument otherwise.
Result<DayKey> ParseDate(const std::string& text);
std::string FormatDate(DayKey day);

// Reads a labels file. NotFound when it cannot be opened; InvalidArgument "FILE:LINE: reason"
// for a bad header, column count, churned value, date, or a repeated account.
Result<Labels> LoadLabels(const std::string& path);
// Same, from text (named `source` in messages).
Result<Labels> ParseLabels(const std::string& text, const std::string& source);

struct LabelRule {
  int64_t calibration_end = 0;             // day number (Calendar::DayNumber), inclusive
  std::optional<int64_t> observation_end;  // day number, inclusive; none = no bound
  int min_purchase_days = 2;
};

// Labels from each account's distinct purchase days (sorted day numbers).
Labels DeriveLabels(const std::map<std::string, std::vector<int64_t>>& purchase_days,
                    const LabelRule& rule);

// The labels as a CSV file (account labels only, sorted by account id).
std::string FormatLabelsCsv(const Labels& labels);

}  // namespace churnwatch::backtest
