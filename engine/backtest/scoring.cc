#include "backtest/scoring.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "model/ranking.h"

namespace churnwatch::backtest {
namespace {

constexpr double kDaysPerQuarter = 365.25 / 4;

UnixMicros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * kMicrosPerSecond + t.nanos() / 1000;
}

// One warning: a counted FIRING transition.
struct Warning {
  std::string account;
  std::string rule;
  UnixMicros fired_at;
  std::string id;
};

Figures Compute(const std::vector<const Warning*>& warnings, const Labels& labels,
                const std::map<std::string, UnixMicros>& resolved_at, const ScoringOptions& o,
                const Calendar& calendar, int churned_total) {
  Figures f;
  std::map<std::string, UnixMicros> first;   // account → first warning
  std::map<std::string, bool> all_resolved;  // account → every warning resolved by `to`
  for (const Warning* w : warnings) {
    ++f.alerts;
    auto [it, inserted] = first.emplace(w->account, w->fired_at);
    if (!inserted) it->second = std::min(it->second, w->fired_at);
    auto r = resolved_at.find(w->id);
    bool resolved = r != resolved_at.end() && r->second <= o.to;
    auto [a, fresh] = all_resolved.emplace(w->account, resolved);
    if (!fresh) a->second = a->second && resolved;
  }
  f.accounts_flagged = static_cast<int>(first.size());
  for (const auto& [account, at] : first) {
    const AccountLabel& label = labels.accounts.at(account);
    if (all_resolved[account]) {
      ++f.recovered;
    } else {
      ++f.at_end.accounts_flagged;
      if (label.churned) ++f.at_end.true_positives;
    }
    if (!label.churned) continue;
    ++f.true_positives;
    int64_t warned_day = Calendar::DayNumber(calendar.DayOf(at));
    f.lead_times.push_back(
        static_cast<double>(Calendar::DayNumber(*label.churn_date) - warned_day));
  }
  std::sort(f.lead_times.begin(), f.lead_times.end());
  if (f.accounts_flagged > 0)
    f.precision = static_cast<double>(f.true_positives) / f.accounts_flagged;
  if (churned_total > 0) f.recall = static_cast<double>(f.true_positives) / churned_total;
  f.f1 = F1(f.precision, f.recall);
  if (f.at_end.accounts_flagged > 0)
    f.at_end.precision = static_cast<double>(f.at_end.true_positives) / f.at_end.accounts_flagged;
  if (churned_total > 0)
    f.at_end.recall = static_cast<double>(f.at_end.true_positives) / churned_total;
  f.at_end.f1 = F1(f.at_end.precision, f.at_end.recall);
  // Flapping: transitions per (account, rule) that warned.
  std::set<std::pair<std::string, std::string>> episodes_of;
  int transitions = 0;
  for (const Warning* w : warnings) {
    episodes_of.insert({w->account, w->rule});
    ++transitions;
    auto r = resolved_at.find(w->id);
    if (r != resolved_at.end() && r->second <= o.to) ++transitions;
  }
  if (!episodes_of.empty())
    f.flap_rate = static_cast<double>(transitions) / static_cast<double>(episodes_of.size());
  f.lead_time_days = {Quantile(f.lead_times, 0.25), Quantile(f.lead_times, 0.5),
                      Quantile(f.lead_times, 0.75), static_cast<int>(f.lead_times.size())};
  double quarters = static_cast<double>(o.to - o.from) / kMicrosPerDay / kDaysPerQuarter;
  if (!labels.accounts.empty() && quarters > 0)
    f.alerts_per_account_quarter =
        f.alerts / static_cast<double>(labels.accounts.size()) / quarters;
  return f;
}

}  // namespace

std::optional<double> F1(const std::optional<double>& p, const std::optional<double>& r) {
  if (!p || !r || *p + *r <= 0) return std::nullopt;
  return 2 * *p * *r / (*p + *r);
}

int SeverityRank(const std::string& severity) {
  if (severity == "info") return 0;
  if (severity == "warning") return 1;
  if (severity == "critical") return 2;
  return -1;
}

std::optional<double> Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nullopt;
  double pos = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

ScoreReport Score(const std::vector<v1::Alert>& transitions, const Labels& labels,
                  const ScoringOptions& o, const Calendar& calendar) {
  ScoreReport report;
  report.labelled_accounts = static_cast<int>(labels.accounts.size());
  for (const auto& [id, l] : labels.accounts) report.churned_accounts += l.churned ? 1 : 0;
  report.partial_churn_labels = static_cast<int>(labels.partial.size());

  const int min_rank = SeverityRank(o.min_severity);
  std::vector<Warning> warnings;
  std::map<std::string, UnixMicros> resolved_at;  // alert id → resolve time
  std::map<std::string, std::string> signal_of;   // rule → signal
  std::set<std::string> unlabelled;
  std::set<std::pair<std::string, std::string>> named_lines;  // (account, line) warned about
  for (const auto& [rule, info] : o.rules) signal_of[rule] = info.signal;
  for (const auto& t : transitions) {
    if (t.state() == v1::ALERT_STATE_RESOLVED) {
      resolved_at[t.id()] = ToMicros(t.resolved_at());
      continue;
    }
    if (t.state() != v1::ALERT_STATE_FIRING) continue;
    signal_of[t.rule()] = t.signal();
    if (SeverityRank(t.severity()) < min_rank) continue;
    auto f = o.rules.find(t.rule());
    UnixMicros fired = ToMicros(t.started_at()) + (f == o.rules.end() ? 0 : f->second.for_micros);
    if (fired < o.from || fired >= o.to) continue;
    // Partial-churn rows do not label an account: their pairs are scored on their own.
    if (t.signal() == "product_line_dropped") {
      auto e = t.evidence().find("dropped_product_lines");
      if (e != t.evidence().end() && e->second.has_string_value()) {
        std::string_view all = e->second.string_value();
        while (!all.empty()) {
          size_t comma = all.find(", ");
          named_lines.insert({t.account_id(), std::string(all.substr(0, comma))});
          if (comma == std::string_view::npos) break;
          all.remove_prefix(comma + 2);
        }
      }
    }
    if (!labels.accounts.count(t.account_id())) {
      unlabelled.insert(t.account_id());
      continue;
    }
    warnings.push_back({t.account_id(), t.rule(), fired, t.id()});
  }
  report.unlabelled_accounts_flagged = static_cast<int>(unlabelled.size());

  std::vector<const Warning*> all;
  std::map<std::string, std::vector<const Warning*>> by_rule;
  for (const auto& w : warnings) {
    all.push_back(&w);
    by_rule[w.rule].push_back(&w);
  }
  report.overall = Compute(all, labels, resolved_at, o, calendar, report.churned_accounts);
  if (!labels.partial.empty()) {
    ProductLineFigures pl;
    for (const auto& row : labels.partial) {
      ++pl.pairs;
      bool flagged = named_lines.count({row.account_id, row.product_line}) > 0;
      pl.dropped += row.dropped ? 1 : 0;
      pl.flagged += flagged ? 1 : 0;
      pl.true_positives += flagged && row.dropped ? 1 : 0;
    }
    if (pl.flagged > 0) pl.precision = static_cast<double>(pl.true_positives) / pl.flagged;
    if (pl.dropped > 0) pl.recall = static_cast<double>(pl.true_positives) / pl.dropped;
    report.product_lines = pl;
  }
  for (const auto& [rule, signal] : signal_of) {
    report.rules.push_back(
        {rule, signal,
         Compute(by_rule[rule], labels, resolved_at, o, calendar, report.churned_accounts)});
  }
  return report;
}

RankingFigures ScoreRanking(const std::map<std::string, double>& risk,
                            const std::map<std::string, double>& days_since_last_order,
                            const Labels& labels) {
  RankingFigures out;
  auto rank = [&](const std::map<std::string, double>& by_account, const char* name) {
    std::vector<double> scores;
    std::vector<bool> churned;
    for (const auto& [id, label] : labels.accounts) {
      auto it = by_account.find(id);
      scores.push_back(it == by_account.end() ? NAN : it->second);
      churned.push_back(label.churned);
    }
    return RankingNumbers{name, model::RocAuc(scores, churned),
                          model::PrecisionAtTop(scores, churned, 0.1)};
  };
  out.model = rank(risk, "churn_risk");
  out.baseline = rank(days_since_last_order, "days_since_last_order");
  out.accounts = static_cast<int>(labels.accounts.size());
  for (const auto& [id, label] : labels.accounts) out.churned += label.churned ? 1 : 0;
  return out;
}

}  // namespace churnwatch::backtest
