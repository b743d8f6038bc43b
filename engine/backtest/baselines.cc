#include "backtest/baselines.h"

#include <algorithm>
#include <functional>
#include <string>

namespace churnwatch::backtest {
namespace {

// The account's purchase days up to `cutoff` (a day number), sorted.
std::vector<int64_t> DaysUpTo(const PurchaseDays& days, const std::string& account,
                              int64_t cutoff) {
  auto it = days.find(account);
  if (it == days.end()) return {};
  std::vector<int64_t> out;
  for (int64_t d : it->second) {
    if (d <= cutoff) out.push_back(d);
  }
  return out;
}

// Scores "flag these accounts at the end of the window" with Score().
Figures ScoreFlags(const std::vector<std::string>& flagged, const Labels& labels,
                   const ScoringOptions& options, const Calendar& calendar) {
  const std::string rule = "baseline";
  std::vector<v1::Alert> transitions;
  const UnixMicros at = options.to - 1;
  for (const auto& account : flagged) {
    v1::Alert& a = transitions.emplace_back();
    a.set_id("baseline/" + account);
    a.set_account_id(account);
    a.set_rule(rule);
    a.set_signal(rule);
    a.set_severity("critical");
    a.set_state(v1::ALERT_STATE_FIRING);
    a.mutable_started_at()->set_seconds(at / kMicrosPerSecond);
    a.mutable_started_at()->set_nanos(static_cast<int32_t>(at % kMicrosPerSecond) * 1000);
  }
  ScoringOptions o = options;
  o.min_severity = "info";
  o.rules = {{rule, {rule, 0}}};
  return Score(transitions, labels, o, calendar).overall;
}

std::vector<std::string> Flag(const Labels& labels,
                              const std::function<bool(const std::string&)>& at_risk) {
  std::vector<std::string> out;
  for (const auto& [account, label] : labels.accounts) {
    if (at_risk(account)) out.push_back(account);
  }
  return out;
}

}  // namespace

std::vector<BaselineFigures> ScoreBaselines(const PurchaseDays& days, const Labels& labels,
                                            const ScoringOptions& options,
                                            const Calendar& calendar) {
  const int64_t cutoff = Calendar::DayNumber(calendar.DayOf(options.to - 1));
  auto silent_for = [&](int64_t n) {
    return [&, n](const std::string& account) {
      auto d = DaysUpTo(days, account, cutoff);
      return d.empty() || cutoff - d.back() > n;
    };
  };
  std::vector<BaselineFigures> out;
  out.push_back({"flag_all", "every labelled account",
                 ScoreFlags(Flag(labels, [](const std::string&) { return true; }), labels, options,
                            calendar)});
  out.push_back({"no_order_90d", "no purchase day in the last 90 days",
                 ScoreFlags(Flag(labels, silent_for(90)), labels, options, calendar)});
  std::optional<BaselineFigures> best;
  for (int64_t n = 15; n <= 365; n += 15) {
    Figures f = ScoreFlags(Flag(labels, silent_for(n)), labels, options, calendar);
    if (!best || f.at_end.f1.value_or(-1) > best->figures.at_end.f1.value_or(-1)) {
      best = BaselineFigures{"no_order_best", "", f};
      best->description = "no purchase day in the last " + std::to_string(n) +
                          " days, N chosen for the best at-end F1 on these labels (optimistic)";
      best->name = "no_order_" + std::to_string(n) + "d_best";
    }
  }
  out.push_back(*best);
  auto twice_median_gap = [&](const std::string& account) {
    auto d = DaysUpTo(days, account, cutoff);
    if (d.empty()) return true;
    if (d.size() < 2) return cutoff - d.back() > 90;
    std::vector<double> gaps;
    for (size_t i = 1; i < d.size(); ++i) gaps.push_back(static_cast<double>(d[i] - d[i - 1]));
    std::sort(gaps.begin(), gaps.end());
    return static_cast<double>(cutoff - d.back()) > 2 * *Quantile(gaps, 0.5);
  };
  out.push_back({"silence_2x_median_gap",
                 "no purchase for more than twice the account's own median gap between purchase "
                 "days (one purchase day: 90 days)",
                 ScoreFlags(Flag(labels, twice_median_gap), labels, options, calendar)});
  return out;
}

}  // namespace churnwatch::backtest
