// Fuzz target labels: the labels file reader (ParseLabels). A file it accepts must format
// (FormatLabelsCsv) and parse back to the same account labels.
#include "backtest/labels.h"

#include <string>

#include "fuzz_target.h"

namespace churnwatch::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto labels = backtest::ParseLabels(text, "fuzz.csv");
  if (!labels.ok()) {
    Check(!labels.status().message().empty(), "a labels error without a message");
    return 0;
  }
  for (const auto& [account, label] : labels->accounts)
    Check(!label.churned || label.churn_date.has_value(), "a churned account without a date");
  auto again = backtest::ParseLabels(backtest::FormatLabelsCsv(*labels), "formatted.csv");
  Check(again.ok(), "formatted labels do not parse");
  Check(again->accounts.size() == labels->accounts.size(), "formatted labels lost accounts");
  for (const auto& [account, label] : labels->accounts) {
    auto it = again->accounts.find(account);
    Check(it != again->accounts.end() && it->second.churned == label.churned &&
              it->second.churn_date == label.churn_date,
          "formatted labels differ");
  }
  return 0;
}

}  // namespace churnwatch::fuzz
