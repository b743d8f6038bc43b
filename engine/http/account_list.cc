#include "http/account_list.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/calendar.h"
#include "features/features.h"
#include "http/json_reply.h"
#include "http/portfolio_pyramid.h"
#include "ingest/engine.h"
#include "rules/alert_lifecycle.h"

namespace churnwatch::http {
namespace {

using nlohmann::json;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// critical 3, warning 2, info 1, none 0.
int SeverityRank(const std::string& s) {
  return s == "critical" ? 3 : s == "warning" ? 2 : s == "info" ? 1 : 0;
}

// strategic 0 … ordinary 4, unknown 5: the customer pyramid, most important first.
int TierRank(const std::string& tier) {
  static const char* kTiers[] = {"strategic", "key", "growth", "potential", "ordinary"};
  for (int i = 0; i < 5; ++i) {
    if (tier == kTiers[i]) return i;
  }
  return 5;
}

struct Row {
  std::string id, name, worst, since, tier;
  double score = 0;
  double risk = NAN;  // churn_risk; NaN without a model
  json body;
};

}  // namespace

Result<AccountListQuery> ParseAccountListQuery(
    const std::multimap<std::string, std::string>& params) {
  AccountListQuery q;
  std::map<std::string, std::string*> text = {
      {"tier", &q.tier},         {"owner", &q.owner},
      {"region", &q.region},     {"signal", &q.signal},
      {"severity", &q.severity}, {"q", &q.q},
      {"firing", &q.firing},     {"sort", &q.sort},
      {"segment", &q.segment},   {"suggested_tier", &q.suggested_tier}};
  static const std::set<std::string> kOther = {"order", "limit", "cursor"};
  std::string order = "asc", limit, cursor;
  for (const auto& [key, value] : params) {
    if (!text.count(key) && !kOther.count(key)) {
      return InvalidArgument("unknown parameter '" + key +
                             "' (tier, owner, region, signal, severity, q, firing, segment, "
                             "suggested_tier, sort, order, limit, cursor)");
    }
    if (params.count(key) > 1) return InvalidArgument("parameter '" + key + "' given twice");
    if (value.size() > kMaxParamBytes)
      return InvalidArgument("parameter '" + key + "' is longer than " +
                             std::to_string(kMaxParamBytes) + " bytes");
    if (!IsUtf8(value)) return InvalidArgument("parameter '" + key + "' is not UTF-8");
    if (text.count(key)) *text[key] = value;
    if (key == "order") order = value;
    if (key == "limit") limit = value;
    if (key == "cursor") cursor = value;
  }
  static const std::set<std::string> kSorts = {"health", "severity", "name", "id", "since", "risk"};
  if (!kSorts.count(q.sort))
    return InvalidArgument("parameter 'sort' must be health, severity, name, id, since or risk");
  if (order != "asc" && order != "desc")
    return InvalidArgument("parameter 'order' must be asc or desc");
  q.descending = order == "desc";
  if (!q.severity.empty() && SeverityRank(q.severity) == 0 && q.severity != "none")
    return InvalidArgument("parameter 'severity' must be critical, warning, info or none");
  if (!q.segment.empty() && q.segment != "high" && q.segment != "medium" && q.segment != "low")
    return InvalidArgument("parameter 'segment' must be high, medium or low");
  q.suggested_tier = Lower(q.suggested_tier);
  if (!q.suggested_tier.empty() && TierRank(q.suggested_tier) == 5)
    return InvalidArgument(
        "parameter 'suggested_tier' must be strategic, key, growth, potential or ordinary");
  if (!q.firing.empty() && q.firing != "true" && q.firing != "false")
    return InvalidArgument("parameter 'firing' must be true or false");
  auto number = [](const std::string& v, size_t lo, size_t hi, size_t* out) {
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
      return false;
    *out = std::stoul(v);
    return *out >= lo && *out <= hi;
  };
  if (params.count("limit") && !number(limit, 1, 500, &q.limit))
    return InvalidArgument("parameter 'limit' must be a number from 1 to 500");
  if (params.count("cursor") && !number(cursor, 0, 100'000'000, &q.offset))
    return InvalidArgument("parameter 'cursor' is not one this server issued");
  q.tier = Lower(q.tier);
  q.q = Lower(q.q);
  return q;
}

Result<json> ListAccounts(const ingest::Engine& engine, const AccountListQuery& query) {
  auto ids = engine.AccountIds();
  if (!ids.ok()) return ids.status();
  const UnixMicros at = engine.clock().Now();
  // The last four complete quarters, oldest first (the current one is still partial).
  QuarterKey quarters[4];
  quarters[3] = Calendar::PreviousQuarter(engine.calendar().QuarterOf(at));
  for (int i = 2; i >= 0; --i) quarters[i] = Calendar::PreviousQuarter(quarters[i + 1]);

  std::set<std::string> tiers, regions;
  std::map<std::string, std::string> owners;
  json counts = {{"critical", 0}, {"warning", 0}, {"info", 0}, {"none", 0}};
  std::vector<Row> rows;
  // Every account's state and features first: without pyramid.params the pyramid's quintiles
  // are fitted over all of them before any is placed.
  std::vector<state::AccountSnapshot> snapshots;
  std::vector<features::FeatureValues> all_values;
  for (const auto& id : *ids) {
    auto snap = engine.FindAccount(id);
    if (!snap.ok()) return snap.status();
    if (!snap->has_value()) continue;
    all_values.push_back(
        rules::AccountFeatures(**snap, at, engine.calendar(), engine.config().evaluation.alert));
    snapshots.push_back(std::move(**snap));
  }
  PortfolioPyramid pyramid(engine.config().evaluation.alert.pyramid);
  if (pyramid.needs_portfolio()) pyramid.FitOverInstance(all_values);
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const state::AccountSnapshot& s = snapshots[i];
    const std::string& id = s.account_id;
    const features::FeatureValues& values = all_values[i];
    const auto& text = values.text;
    json placement = pyramid.Describe(values);
    Row row{id,
            text.at("account_name"),
            "",
            "",
            text.at("tier_name"),
            values.Get("health_score"),
            values.Get("churn_risk"),
            {}};
    // One entry per signal (two rules of one signal are one reason, not two); the rules behind
    // each are in firing_rules.
    std::set<std::string> signal_set;
    json firing_rules = json::array();
    UnixMicros since = 0;
    for (const auto& r : s.alerts) {
      if (r.state() != v1::ALERT_STATE_FIRING) continue;
      signal_set.insert(r.alert().signal());
      firing_rules.push_back({{"rule", r.alert().rule()},
                              {"signal", r.alert().signal()},
                              {"severity", r.alert().severity()}});
      if (SeverityRank(r.alert().severity()) > SeverityRank(row.worst))
        row.worst = r.alert().severity();
      if (since == 0 || r.active_since_us() < since) since = r.active_since_us();
    }
    if (since) row.since = FormatRfc3339(since);
    if (!text.at("tier_name").empty() && text.at("tier_name") != "unspecified")
      tiers.insert(text.at("tier_name"));
    if (!text.at("region").empty()) regions.insert(text.at("region"));
    if (!text.at("owner_id").empty()) owners[text.at("owner_id")] = text.at("owner_name");

    auto has = [](const std::string& hay, const std::string& needle) {
      return Lower(hay).find(needle) != std::string::npos;
    };
    if (!query.tier.empty() && text.at("tier_name") != query.tier) continue;
    if (!query.owner.empty() && text.at("owner_id") != query.owner &&
        text.at("owner_name") != query.owner)
      continue;
    if (!query.region.empty() && Lower(text.at("region")) != Lower(query.region)) continue;
    if (!query.signal.empty() && !signal_set.count(query.signal)) continue;
    if (!query.q.empty() && !has(row.name, query.q) && !has(id, query.q)) continue;
    if (query.firing == "true" && signal_set.empty()) continue;
    if (query.firing == "false" && !signal_set.empty()) continue;
    if (!query.segment.empty() &&
        (placement["rfm"].is_null() || placement["rfm"]["segment"] != query.segment))
      continue;
    if (!query.suggested_tier.empty() && placement["suggested_tier"] != query.suggested_tier)
      continue;
    const std::string worst = row.worst.empty() ? "none" : row.worst;
    counts[worst] = counts[worst].get<int>() + 1;  // before the severity filter, on purpose
    if (!query.severity.empty() && worst != query.severity) continue;

    json volume = json::array();
    for (QuarterKey q : quarters) {
      int64_t qty = 0, amount = 0;
      for (const auto& m : s.order_months) {
        if (Calendar::QuarterOfMonth(m.month) != q) continue;
        qty += m.counters.Get(state::kOrderQuantity);
        amount += m.counters.Get(state::kOrderAmountMinor);
      }
      volume.push_back(
          {{"quarter", Calendar::QuarterLabel(q)}, {"quantity", qty}, {"amount_minor", amount}});
    }
    row.body = {
        {"account_id", id},
        {"name", row.name},
        {"tier", text.at("tier_name")},
        {"owner", {{"id", text.at("owner_id")}, {"name", text.at("owner_name")}}},
        {"region", text.at("region")},
        {"health",
         {{"score", row.score},
          {"satisfaction", values.Get("health_satisfaction")},
          {"value", values.Get("health_value")},
          {"risk", values.Get("health_risk")}}},
        {"firing_signals", signal_set},
        {"firing_rules", firing_rules},
        {"worst_severity", row.worst.empty() ? json(nullptr) : json(row.worst)},
        {"since", row.since.empty() ? json(nullptr) : json(row.since)},
        {"volume", volume},
        {"rfm", placement["rfm"]},
        {"strategic_fit", placement["strategic_fit"]},
        {"suggested_tier", placement["suggested_tier"]},
        {"churn_risk", std::isnan(row.risk) ? json(nullptr)
                                            : json{{"probability", row.risk},
                                                   {"drivers", text.at("churn_risk_drivers")}}}};
    rows.push_back(std::move(row));
  }

  // Each sort's natural order (asc): lowest health first (unknown last); worst severity
  // first, then the higher tier (strategic first: a critical strategic account is the one to
  // call), then lowest health; name; id; oldest firing first (accounts without alerts last).
  // risk: highest churn_risk first (accounts without one last). order=desc reverses it; ties
  // are always broken by account id.
  auto three_way = [](const auto& a, const auto& b) { return a < b ? -1 : b < a ? 1 : 0; };
  auto health = [&](const Row& a, const Row& b) {
    if (std::isnan(a.score) || std::isnan(b.score))
      return three_way(std::isnan(a.score), std::isnan(b.score));
    return three_way(a.score, b.score);
  };
  auto compare = [&](const Row& a, const Row& b) {
    if (query.sort == "health") return health(a, b);
    if (query.sort == "severity") {
      int c = three_way(SeverityRank(b.worst), SeverityRank(a.worst));
      if (c == 0) c = three_way(TierRank(a.tier), TierRank(b.tier));
      return c != 0 ? c : health(a, b);
    }
    if (query.sort == "name") return three_way(a.name, b.name);
    if (query.sort == "risk") {
      if (std::isnan(a.risk) || std::isnan(b.risk))
        return three_way(std::isnan(a.risk), std::isnan(b.risk));
      return three_way(b.risk, a.risk);
    }
    if (query.sort == "since") {
      int c = three_way(a.since.empty(), b.since.empty());
      return c != 0 ? c : three_way(a.since, b.since);
    }
    return 0;
  };
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    int c = compare(a, b);
    if (c != 0) return query.descending ? c > 0 : c < 0;
    return query.descending && query.sort == "id" ? a.id > b.id : a.id < b.id;
  });
  json page = json::array();
  for (size_t i = query.offset; i < rows.size() && page.size() < query.limit; ++i)
    page.push_back(std::move(rows[i].body));
  const size_t next = query.offset + page.size();
  json owner_list = json::array();
  for (const auto& [id, name] : owners) owner_list.push_back({{"id", id}, {"name", name}});
  return json{{"accounts", page},
              {"next", next < rows.size() ? json(std::to_string(next)) : json(nullptr)},
              {"total", rows.size()},
              {"counts", counts},
              {"facets", {{"tiers", tiers}, {"owners", owner_list}, {"regions", regions}}},
              {"as_of", FormatRfc3339(at)}};
}

}  // namespace churnwatch::http
