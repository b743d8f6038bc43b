#include "report/monthly_review.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <map>
#include <set>

namespace churnwatch::report {
namespace {

using json = nlohmann::json;

// j[key], or null when j is not an object or lacks it (the const operator[] would assert).
const json& At(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string Str(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

int64_t Int(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

// An RFC 3339 field as micros; `fallback` when absent or unparseable.
UnixMicros Time(const json& j, const char* key, UnixMicros fallback) {
  auto t = ParseRfc3339(Str(j, key));
  return t.ok() ? *t : fallback;
}

// One firing episode of an alert, replayed from the history rows.
struct Episode {
  std::string alert_id, rule, signal, severity;
  UnixMicros fired = 0;    // the FIRING row
  UnixMicros started = 0;  // the alert's started_at (the condition's start)
  UnixMicros resolved = INT64_MAX;
  UnixMicros acked = 0;  // first acknowledgement, 0 = none
  // The repair plan of the latest acknowledgement that had one (a re-acknowledgement with a
  // new plan replaces it): due time (0 = no plan) and when it was marked done (0 = open).
  UnixMicros plan_due = 0, plan_done = 0;
  json alert;
  // The plan exists and, at `t`, is past due without having been done.
  bool PlanOverdueAt(UnixMicros t) const {
    return plan_due != 0 && plan_due <= t && (plan_done == 0 || plan_done > t);
  }
  bool FiringAt(UnixMicros t) const { return fired <= t && t < resolved; }
};

std::vector<Episode> Replay(const json& history) {
  std::vector<Episode> episodes;
  std::map<std::string, size_t> latest;  // alert id -> its newest episode
  for (const auto& row : history) {
    const std::string kind = Str(row, "kind"), id = Str(row, "alert_id");
    const UnixMicros at = Time(row, "at", 0);
    if (kind == "FIRING") {
      auto it = latest.find(id);
      if (it != latest.end() && episodes[it->second].resolved == INT64_MAX) continue;  // repeat
      Episode e{id, Str(row, "rule"), Str(row, "signal"), Str(row, "severity"), at, at};
      e.started = Time(At(row, "alert"), "started_at", at);
      e.alert = At(row, "alert");
      latest[id] = episodes.size();
      episodes.push_back(std::move(e));
    } else if (kind == "RESOLVED" || kind == "ACKNOWLEDGED" || kind == "PLAN_DONE") {
      auto it = latest.find(id);
      if (it == latest.end()) continue;  // its FIRING is older than the retained history
      Episode& e = episodes[it->second];
      if (kind == "RESOLVED" && e.resolved == INT64_MAX) e.resolved = at;
      if (kind == "ACKNOWLEDGED" && e.acked == 0) e.acked = Time(At(row, "ack"), "at", at);
      const json& plan = At(At(row, "ack"), "plan");
      if (kind == "ACKNOWLEDGED" && plan.is_object()) {
        e.plan_due = Time(plan, "due_at", 0);
        e.plan_done = 0;
      }
      if (kind == "PLAN_DONE") e.plan_done = Time(plan, "done_at", at);
    }
  }
  return episodes;
}

std::set<std::string> SignalsAt(const std::vector<Episode>& episodes, UnixMicros t) {
  std::set<std::string> out;
  for (const auto& e : episodes) {
    if (e.FiringAt(t)) out.insert(e.signal);
  }
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

json Owner(const json& row) {
  const json& o = At(row, "owner");
  return {{"id", Str(o, "id")}, {"name", Str(o, "name")}};
}

// "STRATEGIC" or "strategic" → 0 … "ORDINARY" → 4; -1 for anything else (UNSPECIFIED).
int TierRank(std::string tier) {
  static const char* kTiers[] = {"strategic", "key", "growth", "potential", "ordinary"};
  for (char& c : tier) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 5; ++i) {
    if (tier == kTiers[i]) return i;
  }
  return -1;
}

}  // namespace

Result<MonthKey> ParseMonth(std::string_view text) {
  const std::string bad = "month '" + std::string(text) + "' is not YYYY-MM (e.g. 2026-11)";
  if (text.size() != 7 || text[4] != '-') return InvalidArgument(bad);
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (text[i] < '0' || text[i] > '9') return InvalidArgument(bad);
  }
  int year = std::stoi(std::string(text.substr(0, 4))),
      month = std::stoi(std::string(text.substr(5, 2)));
  if (year < 1990 || month < 1 || month > 12) return InvalidArgument(bad);
  return year * 100 + month;
}

json BuildMonthlyReview(const EngineSnapshot& snap, MonthKey month, const Calendar& calendar) {
  const MonthKey next = month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
  const UnixMicros start = calendar.StartOfMonth(month), end = calendar.StartOfMonth(next);
  const UnixMicros as_of = ParseRfc3339(snap.as_of).ok() ? *ParseRfc3339(snap.as_of) : end;
  // The state "at the month's end": its last instant, or now for the running month.
  const UnixMicros end_at = std::min(end - 1, as_of);
  const UnixMicros start_at = start - 1;
  auto in_window = [&](UnixMicros t) { return t >= start && t < end; };

  json by_tier = json::object(), by_stage = json::object();
  json at_risk = json::array(), left = json::array(), incomplete = json::array();
  json buckets = json::array();
  for (int b = 0; b < 5; ++b)
    buckets.push_back({{"from", b * 20}, {"to", b * 20 + 20}, {"accounts", 0}});
  json mismatch = json::array();
  std::string pyramid_basis;
  int health_unknown = 0;
  int64_t raised = 0, resolved = 0, acknowledged = 0;
  struct Response {
    std::string name;
    int64_t raised = 0, acknowledged = 0, within_24h = 0, critical_unacknowledged = 0;
    int64_t plans = 0, plans_done = 0, plans_overdue = 0;
    std::vector<double> hours;
  };
  std::map<std::string, Response> response;
  std::map<std::pair<std::string, std::string>, json> volume;  // (quarter, line)
  std::set<std::string> quarters;
  QuarterKey q = Calendar::QuarterOfMonth(month);
  for (int i = 0; i < 4; ++i, q = Calendar::PreviousQuarter(q))
    quarters.insert(Calendar::QuarterLabel(q));

  for (const auto& a : snap.accounts) {
    const std::string id = Str(a.row, "account_id");
    const json& profile = At(a.detail, "profile");
    std::string tier = Str(profile, "tier"), stage = Str(profile, "stage");
    tier = tier.empty() ? "UNSPECIFIED" : tier;
    stage = stage.empty() ? "UNSPECIFIED" : stage;
    by_tier[tier] = by_tier.value(tier, 0) + 1;
    by_stage[stage] = by_stage.value(stage, 0) + 1;

    const json& score = At(At(a.detail, "health"), "score");
    if (score.is_number()) {
      double s = score.get<double>();
      int b = std::clamp(static_cast<int>(s / 20), 0, 4);
      buckets[b]["accounts"] = buckets[b]["accounts"].get<int>() + 1;
    } else {
      ++health_unknown;
    }

    const json& order_quarters = At(At(a.detail, "orders"), "quarters");
    if (order_quarters.is_array()) {
      for (const auto& row : order_quarters) {
        std::string quarter = Str(row, "quarter");
        if (!quarters.count(quarter)) continue;
        json& v = volume[{quarter, Str(row, "product_line")}];
        for (const char* k : {"quantity", "amount_minor", "orders"}) v[k] = Int(v, k) + Int(row, k);
      }
    }

    if (At(a.history, "truncated") == true) incomplete.push_back(id);
    const std::vector<Episode> episodes = Replay(At(a.history, "history"));
    for (const auto& row : At(a.history, "history")) {
      if (!in_window(Time(row, "at", 0))) continue;
      const std::string kind = Str(row, "kind");
      raised += kind == "FIRING";
      resolved += kind == "RESOLVED";
      acknowledged += kind == "ACKNOWLEDGED";
    }
    for (const auto& e : episodes) {
      if (!in_window(e.fired)) continue;
      const json& owner = At(e.alert, "owner");
      std::string owner_id = Str(owner, "id");
      Response& r = response[owner_id.empty() ? "unassigned" : owner_id];
      if (r.name.empty()) r.name = Str(owner, "name");
      ++r.raised;
      if (e.acked) {
        ++r.acknowledged;
        double hours = static_cast<double>(e.acked - e.fired) / (3600.0 * kMicrosPerSecond);
        r.hours.push_back(hours);
        r.within_24h += hours <= 24;
      } else if (e.severity == "critical") {
        ++r.critical_unacknowledged;
      }
      if (e.plan_due != 0) {
        ++r.plans;
        r.plans_done += e.plan_done != 0 && e.plan_done <= end_at;
        r.plans_overdue += e.PlanOverdueAt(end_at);
      }
    }

    // The customer pyramid beside the CRM's tier (the engine's current placement).
    const json& suggested = At(a.detail, "suggested_tier");
    const int tier_rank = TierRank(tier),
              suggested_rank = suggested.is_string() ? TierRank(suggested.get<std::string>()) : -1;
    if (suggested.is_string() && pyramid_basis.empty())
      pyramid_basis = Str(At(a.detail, "rfm"), "basis");
    if (tier_rank >= 0 && suggested_rank >= 0 && tier_rank != suggested_rank) {
      const json& rfm = At(a.detail, "rfm");
      mismatch.push_back({{"account_id", id},
                          {"name", Str(a.row, "name")},
                          {"owner", Owner(a.row)},
                          {"tier", tier},
                          {"suggested_tier", suggested},
                          {"gap", tier_rank - suggested_rank},
                          {"rfm",
                           {{"r", Int(rfm, "r")},
                            {"f", Int(rfm, "f")},
                            {"m", Int(rfm, "m")},
                            {"segment", Str(rfm, "segment")}}},
                          {"strategic_fit", Str(At(a.detail, "strategic_fit"), "level")}});
    }

    const std::set<std::string> at_start = SignalsAt(episodes, start_at),
                                at_end = SignalsAt(episodes, end_at);
    if (!at_end.empty()) {
      UnixMicros since = INT64_MAX;
      json evidence = json::array();
      for (const auto& e : episodes) {
        if (!e.FiringAt(end_at)) continue;
        since = std::min(since, e.started);
        evidence.push_back({{"rule", e.rule},
                            {"signal", e.signal},
                            {"severity", e.severity},
                            {"values", At(e.alert, "evidence").is_object() ? At(e.alert, "evidence")
                                                                           : json::object()}});
      }
      at_risk.push_back({{"account_id", id},
                         {"name", Str(a.row, "name")},
                         {"owner", Owner(a.row)},
                         {"tier", tier},
                         {"signals", at_end},
                         {"since", FormatRfc3339(since)},
                         {"entered", at_start.empty()},
                         {"evidence", evidence}});
    } else if (!at_start.empty()) {
      UnixMicros last = 0;
      for (const auto& e : episodes) {
        if (e.FiringAt(start_at)) last = std::max(last, e.resolved);
      }
      left.push_back({{"account_id", id},
                      {"name", Str(a.row, "name")},
                      {"owner", Owner(a.row)},
                      {"signals", at_start},
                      {"left", FormatRfc3339(last)}});
    }
  }
  std::stable_sort(at_risk.begin(), at_risk.end(), [](const json& x, const json& y) {
    return x["signals"].size() > y["signals"].size();
  });

  std::stable_sort(mismatch.begin(), mismatch.end(), [](const json& x, const json& y) {
    return std::abs(x["gap"].get<int>()) > std::abs(y["gap"].get<int>());
  });

  int64_t escalated = 0;
  for (const auto& alert : snap.alerts) {
    UnixMicros t = Time(alert, "escalated_at", 0);
    escalated += t != 0 && in_window(t);
  }
  json responses = json::array();
  for (const auto& [owner, r] : response) {
    responses.push_back(
        {{"owner", owner},
         {"owner_name", r.name},
         {"raised", r.raised},
         {"acknowledged", r.acknowledged},
         {"median_hours_to_ack", r.hours.empty() ? json(nullptr) : json(Median(r.hours))},
         {"within_24h", r.within_24h},
         {"critical_unacknowledged", r.critical_unacknowledged},
         {"plans", r.plans},
         {"plans_done", r.plans_done},
         {"plans_overdue", r.plans_overdue}});
  }
  json volumes = json::array();
  for (auto& [key, v] : volume) {
    v["quarter"] = key.first;
    v["product_line"] = key.second;
    volumes.push_back(v);
  }
  int retention = 0;
  for (const auto& a : snap.accounts)
    retention = std::max(retention, static_cast<int>(Int(a.history, "retention_days")));
  return {{"month", Calendar::MonthLabel(month)},
          {"time_zone", calendar.zone_name()},
          {"as_of", snap.as_of},
          {"source", snap.source},
          {"complete", as_of >= end},
          {"portfolio",
           {{"accounts", snap.accounts.size()}, {"by_tier", by_tier}, {"by_stage", by_stage}}},
          {"at_risk", at_risk},
          {"left_at_risk", left},
          {"alerts",
           {{"raised", raised},
            {"resolved", resolved},
            {"acknowledged", acknowledged},
            {"escalated", escalated}}},
          {"response", responses},
          {"health", {{"buckets", buckets}, {"unknown", health_unknown}}},
          {"volume", volumes},
          {"tier_mismatch",
           {{"basis", pyramid_basis.empty() ? json(nullptr) : json(pyramid_basis)},
            {"accounts", mismatch}}},
          {"incomplete_history", incomplete},
          {"history_retention_days", retention}};
}

}  // namespace churnwatch::report
