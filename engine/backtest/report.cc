#include "backtest/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "common/html_escape.h"

namespace churnwatch::backtest {
namespace {

using Json = nlohmann::ordered_json;

Json Optional(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

// Adds the figures' fields to `j` (after whatever it already holds).
Json AtEndJson(const AtEnd& a) {
  return {{"precision", Optional(a.precision)},
          {"recall", Optional(a.recall)},
          {"f1", Optional(a.f1)},
          {"accounts_flagged", a.accounts_flagged},
          {"true_positives", a.true_positives}};
}

void AddFigures(const Figures& f, Json& j) {
  j["precision"] = Optional(f.precision);
  j["recall"] = Optional(f.recall);
  j["f1"] = Optional(f.f1);
  j["flap_rate"] = Optional(f.flap_rate);
  j["accounts_flagged"] = f.accounts_flagged;
  j["true_positives"] = f.true_positives;
  j["recovered"] = f.recovered;
  j["alerts"] = f.alerts;
  j["alerts_per_account_quarter"] = f.alerts_per_account_quarter;
  j["lead_time_days"] = {{"p25", Optional(f.lead_time_days.p25)},
                         {"median", Optional(f.lead_time_days.median)},
                         {"p75", Optional(f.lead_time_days.p75)},
                         {"count", f.lead_time_days.count}};
}

Json RankingJson(const RankingFigures& r) {
  return {{"score", r.model.score},
          {"auc", Optional(r.model.auc)},
          {"precision_top_decile", Optional(r.model.precision_top_decile)},
          {"accounts", r.accounts},
          {"churned", r.churned},
          {"baseline",
           {{"score", r.baseline.score},
            {"auc", Optional(r.baseline.auc)},
            {"precision_top_decile", Optional(r.baseline.precision_top_decile)}}}};
}

std::string Fixed(const std::optional<double>& v, int digits) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, *v);
  return buf;
}

std::string Pct(const std::optional<double>& v) {
  return v ? Fixed(*v * 100, 1) + "%" : std::string("-");
}

std::string Lead(const Quartiles& q) {
  if (!q.median) return "-";
  return Fixed(q.p25, 0) + " / " + Fixed(q.median, 0) + " / " + Fixed(q.p75, 0);
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ScoringRuleText(const std::string& min_severity) {
  return {{"warning", "a FIRING transition of severity >= " + min_severity +
                          " whose fire time (started_at + the rule's `for`) lies in the replayed "
                          "window [from, to)"},
          {"population", "accounts in the labels file; warnings on other accounts are not scored"},
          {"flagged",
           "an account with at least one warning; a warning that later resolved "
           "(recovered) still counts"},
          {"precision", "flagged and churned / flagged"},
          {"recall", "flagged and churned / churned"},
          {"lead_time_days",
           "per flagged churned account: churn_date - local day of its first "
           "warning (negative: the first warning came after the churn date); "
           "quartiles by linear interpolation"},
          {"alerts_per_account_quarter",
           "warnings on labelled accounts / labelled accounts / (window days / 91.3125)"},
          {"f1", "2 precision recall / (precision + recall)"},
          {"flap_rate",
           "transitions (warnings and their resolutions by `to`) per distinct (account, rule) "
           "that warned: 1 = fired and stayed, 2 = fired and resolved, more = came back"},
          {"at_end",
           "the accounts with a warning still firing at `to` (the at-risk list on that day): "
           "precision, recall, f1 of that list"},
          {"baselines",
           "naive rules from the purchase days up to `to`, flagged once at `to` and scored by "
           "the same code: flag_all, no_order_90d, no_order_<N>d_best (N chosen on these "
           "labels: optimistic), silence_2x_median_gap"},
          {"ranking",
           "with a risk model (--model): the labelled accounts ranked by churn_risk at `to`: ROC "
           "AUC (ties count half) and the share of churned among the top 10 %, beside the same "
           "for days_since_last_order"},
          {"product_lines",
           "labels' product-line rows as (account, line) pairs; a pair is flagged when a "
           "product_line_dropped warning names the line in its evidence"}};
}

std::string RenderJson(const ScoreReport& r, const ReportContext& c) {
  Json j;
  j["window"] = {{"from", c.from}, {"to", c.to}};
  Json scoring;
  scoring["min_severity"] = c.min_severity;
  for (const auto& [k, v] : ScoringRuleText(c.min_severity)) scoring[k] = v;
  j["scoring"] = scoring;
  j["events"] = {{"replayed", c.events}, {"rejected", c.rejected}, {"seconds", c.seconds}};
  j["labels"] = {{"accounts", r.labelled_accounts},
                 {"churned", r.churned_accounts},
                 {"partial_churn_rows", r.partial_churn_labels},
                 {"unlabelled_accounts_flagged", r.unlabelled_accounts_flagged}};
  j["at_end"] = AtEndJson(r.overall.at_end);
  Json overall;
  AddFigures(r.overall, overall);
  j["overall"] = overall;
  Json rules = Json::array();
  for (const auto& rf : r.rules) {
    Json one;
    one["rule"] = rf.rule;
    one["signal"] = rf.signal;
    one["at_end"] = AtEndJson(rf.figures.at_end);
    AddFigures(rf.figures, one);
    rules.push_back(one);
  }
  j["rules"] = rules;
  Json baselines = Json::array();
  for (const auto& b : r.baselines) {
    Json one;
    one["name"] = b.name;
    one["description"] = b.description;
    one["at_end"] = AtEndJson(b.figures.at_end);
    Json o;
    AddFigures(b.figures, o);
    one["overall"] = o;
    baselines.push_back(one);
  }
  j["baselines"] = baselines;
  if (r.product_lines) {
    const ProductLineFigures& p = *r.product_lines;
    j["product_lines"] = {{"precision", Optional(p.precision)},
                          {"recall", Optional(p.recall)},
                          {"pairs", p.pairs},
                          {"dropped", p.dropped},
                          {"flagged", p.flagged},
                          {"true_positives", p.true_positives}};
  }
  if (r.ranking) j["ranking"] = RankingJson(*r.ranking);
  return j.dump(2) + "\n";
}

std::string RenderTable(const ScoreReport& r, const ReportContext& c) {
  std::string out = "backtest " + c.from + " .. " + c.to + ": " + std::to_string(c.events) +
                    " events (" + std::to_string(c.rejected) + " rejected), " +
                    std::to_string(r.labelled_accounts) + " labelled accounts, " +
                    std::to_string(r.churned_accounts) +
                    " churned; warnings = severity >= " + c.min_severity + "\n\n";
  const std::vector<size_t> w = {32, 20, 10, 8, 7, 9, 8, 8, 22, 10, 6, 22};
  auto row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) line += Pad(cells[i], w[i]) + " ";
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  row({"rule", "signal", "precision", "recall", "F1", "flagged", "hits", "alerts",
       "lead days p25/med/p75", "alerts/acct/q", "flap", "at end P/R/F1 (flagged)"});
  auto figures = [&](const std::string& rule, const std::string& signal, const Figures& f) {
    row({rule, signal, Pct(f.precision), Pct(f.recall), Fixed(f.f1, 3),
         std::to_string(f.accounts_flagged), std::to_string(f.true_positives),
         std::to_string(f.alerts), Lead(f.lead_time_days), Fixed(f.alerts_per_account_quarter, 3),
         Fixed(f.flap_rate, 2),
         Pct(f.at_end.precision) + "/" + Pct(f.at_end.recall) + "/" + Fixed(f.at_end.f1, 3) + " (" +
             std::to_string(f.at_end.accounts_flagged) + ")"});
  };
  for (const auto& rf : r.rules) figures(rf.rule, rf.signal, rf.figures);
  figures("(all rules)", "", r.overall);
  if (!r.baselines.empty()) {
    out += "\nbaselines (flagged once at the end of the window, scored by the same code):\n";
    for (const auto& b : r.baselines) figures(b.name, "baseline", b.figures);
  }
  if (r.product_lines) {
    const ProductLineFigures& p = *r.product_lines;
    out += "\npartial churn: " + std::to_string(p.pairs) + " (account, product line) pairs, " +
           std::to_string(p.dropped) + " dropped, " + std::to_string(p.flagged) +
           " flagged by product_line_dropped: precision " + Pct(p.precision) + ", recall " +
           Pct(p.recall) + "\n";
  }
  if (r.ranking) {
    const RankingFigures& k = *r.ranking;
    out += "\nranking of " + std::to_string(k.accounts) + " labelled accounts (" +
           std::to_string(k.churned) + " churned) at the end: " + k.model.score + " ROC AUC " +
           Fixed(k.model.auc, 3) + ", precision in the top 10% " +
           Pct(k.model.precision_top_decile) + "; baseline " + k.baseline.score + " AUC " +
           Fixed(k.baseline.auc, 3) + ", top 10% " + Pct(k.baseline.precision_top_decile) + "\n";
  }
  return out;
}

namespace {

// Lead-time histogram of the overall figures: 30-day bins, inline SVG.
std::string HistogramSvg(const std::vector<double>& lead_times) {
  if (lead_times.empty()) return "<p>No flagged churned account: no lead times.</p>";
  constexpr double kBin = 30;
  double lo = std::floor(lead_times.front() / kBin) * kBin;
  double hi = std::floor(lead_times.back() / kBin) * kBin;
  int bins = static_cast<int>((hi - lo) / kBin) + 1;
  std::vector<int> counts(bins, 0);
  for (double v : lead_times) ++counts[static_cast<int>((std::floor(v / kBin) * kBin - lo) / kBin)];
  int max_count = *std::max_element(counts.begin(), counts.end());
  const int width = 640, height = 220, left = 40, bottom = 40;
  double bar = static_cast<double>(width - left - 10) / bins;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"lead time histogram\">";
  for (int i = 0; i < bins; ++i) {
    double h = (height - bottom - 10) * counts[i] / static_cast<double>(max_count);
    char rect[256];
    std::snprintf(rect, sizeof rect,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                  "<title>%g..%g days: %d</title></rect>",
                  left + i * bar, height - bottom - h, std::max(1.0, bar - 1), h,
                  lo + i * kBin < 0 ? "#d9822b" : "#2b7bd9", lo + i * kBin, lo + (i + 1) * kBin,
                  counts[i]);
    svg += rect;
  }
  char axis[512];
  std::snprintf(axis, sizeof axis,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">%g</text>"
                "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%g</text>"
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">max %d accounts per 30-day bin</text>",
                left, height - bottom, width - 10, height - bottom, left, height - bottom + 14, lo,
                width - 10, height - bottom + 14, hi + kBin, left, 12, max_count);
  svg += axis;
  svg += "</svg>";
  return svg;
}

std::string BarSvg(const std::optional<double>& v, const char* color) {
  int w = v ? static_cast<int>(std::lround(*v * 200)) : 0;
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"204\" height=\"14\"><rect x=\"0\" "
         "y=\"2\" width=\"" +
         std::to_string(w) + "\" height=\"10\" fill=\"" + color + "\"/></svg> " + Pct(v);
}

}  // namespace

std::string RenderHtml(const ScoreReport& r, const ReportContext& c) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>churnwatch "
      "backtest</title><style>body{font-family:sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
      "text-align:left;white-space:nowrap}th{background:#f3f3f3}</style></head><body>\n";
  h += "<h1>churnwatch backtest</h1>\n<p>Window " + HtmlEscape(c.from) + " .. " + HtmlEscape(c.to) +
       "; " + std::to_string(c.events) + " events replayed (" + std::to_string(c.rejected) +
       " rejected); rules " + HtmlEscape(c.rules_path) + "; labels " + HtmlEscape(c.labels_path) +
       ": " + std::to_string(r.labelled_accounts) + " accounts, " +
       std::to_string(r.churned_accounts) + " churned.</p>\n";
  h += "<h2>Scoring rule</h2>\n<ul>";
  for (const auto& [k, v] : ScoringRuleText(c.min_severity))
    h += "<li><b>" + HtmlEscape(k) + "</b>: " + HtmlEscape(v) + "</li>";
  const std::string header =
      "<table><tr><th>rule</th><th>signal</th><th>precision</th><th>recall</th><th>F1</th>"
      "<th>flagged</th><th>alerts</th><th>lead time days p25 / median / p75</th><th>alerts per "
      "account per quarter</th><th>flap rate</th><th>at end: precision / recall / F1 "
      "(flagged)</th></tr>\n";
  h += "</ul>\n<h2>Precision and recall per rule</h2>\n" + header;
  auto row = [&](const std::string& rule, const std::string& signal, const Figures& f) {
    h += "<tr><td>" + HtmlEscape(rule) + "</td><td>" + HtmlEscape(signal) + "</td><td>" +
         BarSvg(f.precision, "#2b7bd9") + "</td><td>" + BarSvg(f.recall, "#3a9d5d") + "</td><td>" +
         Fixed(f.f1, 3) + "</td><td>" + std::to_string(f.accounts_flagged) + "</td><td>" +
         std::to_string(f.alerts) + "</td><td>" + HtmlEscape(Lead(f.lead_time_days)) + "</td><td>" +
         Fixed(f.alerts_per_account_quarter, 3) + "</td><td>" + Fixed(f.flap_rate, 2) +
         "</td><td>" + Pct(f.at_end.precision) + " / " + Pct(f.at_end.recall) + " / " +
         Fixed(f.at_end.f1, 3) + " (" + std::to_string(f.at_end.accounts_flagged) + ")</td></tr>\n";
  };
  for (const auto& rf : r.rules) row(rf.rule, rf.signal, rf.figures);
  row("(all rules)", "", r.overall);
  h += "</table>\n";
  if (!r.baselines.empty()) {
    h += "<h2>Baselines</h2>\n<p>Naive rules from the order history, flagged once at the end of "
         "the window and scored by the same code.</p>\n" +
         header;
    for (const auto& b : r.baselines) row(b.name, b.description, b.figures);
    h += "</table>\n";
  }
  if (r.product_lines) {
    const ProductLineFigures& p = *r.product_lines;
    h += "<h2>Partial churn (product lines)</h2>\n<p>" + std::to_string(p.pairs) +
         " (account, product line) pairs, " + std::to_string(p.dropped) + " dropped, " +
         std::to_string(p.flagged) + " flagged by product_line_dropped: precision " +
         Pct(p.precision) + ", recall " + Pct(p.recall) + ".</p>\n";
  }
  if (r.ranking) {
    const RankingFigures& k = *r.ranking;
    h += "<h2>Ranking by risk</h2>\n<p>" + std::to_string(k.accounts) + " labelled accounts (" +
         std::to_string(k.churned) +
         " churned) ranked at the end of the window.</p>\n<table><tr><th>score</th><th>ROC "
         "AUC</th><th>precision, top 10%</th></tr>\n";
    for (const RankingNumbers* n : {&k.model, &k.baseline}) {
      h += "<tr><td>" + HtmlEscape(n->score) + "</td><td>" + Fixed(n->auc, 3) + "</td><td>" +
           BarSvg(n->precision_top_decile, "#2b7bd9") + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "\n<h2>Lead time, all rules</h2>\n<p>Days from the first warning to the churn "
       "date per flagged churned account (orange: warned after the churn date).</p>\n";
  h += HistogramSvg(r.overall.lead_times);
  h += "\n</body></html>\n";
  return h;
}

}  // namespace churnwatch::backtest
