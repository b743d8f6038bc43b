// Rendering a backtest's score as a text table, JSON (contract.md) or a self-contained HTML
// page (inline SVG lead-time histogram and precision/recall bars per rule; no scripts, no
// external resources; every string from the rules or the inputs is HTML-escaped).
#pragma once

#include <string>
#include <vector>

#include "backtest/scoring.h"

namespace churnwatch::backtest {

// What the report says about the run besides the figures.
struct ReportContext {
  std::string from, to;  // the replayed window, RFC 3339
  std::string min_severity;
  std::string rules_path, labels_path;
  std::vector<std::string> inputs;
  int64_t events = 0;
  int64_t rejected = 0;
  double seconds = 0;
};

// The scoring rule in words, as the README states it (the JSON `scoring` object).
std::vector<std::pair<std::string, std::string>> ScoringRuleText(const std::string& min_severity);

std::string RenderTable(const ScoreReport& report, const ReportContext& context);
std::string RenderJson(const ScoreReport& report, const ReportContext& context);
std::string RenderHtml(const ScoreReport& report, const ReportContext& context);

}  // namespace churnwatch::backtest
