#include "rules/builtin_kinds.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "churnwatch/v1/account.pb.h"

namespace churnwatch::rules {

const std::vector<BuiltinKind>& BuiltinKinds() {
  static const std::vector<BuiltinKind> kinds = {
      {"volume_decline",
       "volume_decline",
       "Purchase volume fell two complete quarters in a row (采购量连续两季度下降), each by at "
       "least min_drop, and the account's normal says it matters: the last quarter at least "
       "min_loss below the mean of the four before it and min_z of their standard deviations, "
       "and not merely the season (not up on the same quarter a year earlier, when known).",
       "qty_change_q1 <= -${min_drop} && qty_change_q2 <= -${min_drop} && qty_q1_vs_normal <= "
       "-${min_loss} && qty_q1_zscore <= -${min_z} && (qty_yoy_change_q1 > -${min_drop} ? 0 : 1)",
       {{"min_drop", 0.10}, {"min_loss", 0.10}, {"min_z", 1.0}},
       {"quarter_q1", "qty_q1", "quarter_q2", "qty_q2", "quarter_q3", "qty_q3", "qty_change_q1",
        "qty_change_q2", "qty_q1_vs_normal", "qty_q1_zscore", "qty_yoy_change_q1"}},
      {"volume_decline_early",
       "volume_decline",
       "The running quarter is on pace to fall below the last one by at least min_drop (early "
       "form).",
       "quarter_elapsed >= ${min_elapsed} && qty_pace_change <= -${min_drop} && qty_q1 >= "
       "${min_volume} && "
       "orders_q1 >= ${min_orders}",
       // With fewer orders a quarter, no order yet a third into it is the account's rhythm.
       {{"min_drop", 0.20}, {"min_elapsed", 0.33}, {"min_volume", 1}, {"min_orders", 3}},
       {"qty_q0", "qty_pace_q0", "qty_q1", "qty_pace_change", "quarter_elapsed", "orders_q1"}},
      {"meeting_cancelled",
       "meeting_cancelled",
       "The annual strategy meeting, or an executive meeting, was cancelled (取消年度战略会议).",
       "strategy_meetings_cancelled_365d >= ${min_strategy} || executive_meetings_cancelled_180d "
       ">= ${min_executive}",
       {{"min_strategy", 1}, {"min_executive", 1}},
       {"strategy_meetings_cancelled_365d", "executive_meetings_cancelled_180d",
        "strategy_meetings_held_365d"}},
      {"reference_withdrawn",
       "reference_withdrawn",
       "The customer removed our case study from its website (官网移除合作案例).",
       "references_withdrawn_180d >= ${min_count}",
       {{"min_count", 1}},
       {"references_withdrawn_180d"}},
      {"key_contact_change",
       "key_contact_change",
       "A decision-maker left (重点人员调整), or the relationship hangs on a single contact.",
       "decision_maker_departures_180d >= ${min_departures} || (has_profile && contacts_active <= "
       "${max_single_threaded} "
       "&& account_age_days >= ${min_age_days})",
       {{"min_departures", 1}, {"max_single_threaded", 1}, {"min_age_days", 90}},
       {"decision_maker_departures_180d", "contacts_active", "decision_makers_active",
        "contacts_active_executive"}},
      {"manager_turnover",
       "manager_turnover",
       "Our account manager was replaced repeatedly (客户经理频繁更换).",
       "manager_changes_365d >= ${min_changes}",
       {{"min_changes", 2}},
       {"manager_changes_365d"}},
      {"product_line_dropped",
       "product_line_dropped",
       "A product line stopped while others continue (partial churn, 客户业务流失).",
       "product_lines_dropped >= ${min_lines}",
       {{"min_lines", 1}},
       {"dropped_product_lines", "product_lines_dropped", "product_lines_active",
        "product_lines_total"}},
      {"purchase_silence",
       "purchase_silence",
       "No order for much longer than the account's own purchase cycle (full churn risk): at "
       "least min_days, and min_ratio times its median gap between order days when it has one "
       "(3 order days or more; with two, the silence alone decides; one order is not yet a "
       "rhythm).",
       "days_since_last_order >= ${min_days} && order_days_total >= 2 && (silence_ratio < "
       "${min_ratio} ? 0 : 1)",
       {{"min_ratio", 2}, {"min_days", 90}},
       {"days_since_last_order", "median_order_gap_days", "silence_ratio", "order_days_total"}},
      {"service_degradation",
       "service_degradation",
       "Complaints or SLA breaches pile up, or satisfaction (CSAT/NPS) is low.",
       "complaints_90d >= ${min_complaints} || sla_breaches_90d >= ${min_sla_breaches} || "
       "csat_avg_90d <= "
       "${max_csat} || nps_avg_90d <= ${max_nps}",
       {{"min_complaints", 3}, {"min_sla_breaches", 3}, {"max_csat", 2.5}, {"max_nps", 4}},
       {"complaints_90d", "sla_breaches_90d", "csat_avg_90d", "nps_avg_90d", "csat_trend"}},
      {"exec_contact_gap",
       "exec_contact_gap",
       "No executive-level contact for longer than a quarter (高层每季度会晤).",
       "days_since_exec_contact > ${max_days} && account_age_days > ${max_days}",
       {{"max_days", 92}},
       {"days_since_exec_contact", "contacts_active_executive"}},
      {"external_risk",
       "external_risk",
       "The customer's credit was downgraded or it is in financial distress (财务问题).",
       "credit_risk >= ${min_level}",
       {{"min_level", 2}},
       {"credit_risk"}},
      {"health_low",
       "health_low",
       "The health audit score (客户健康度审计) is below the threshold: start a "
       "relationship-reinforcement plan.",
       "health_score < ${threshold} && account_age_days >= ${min_age_days}",
       {{"threshold", 70}, {"min_age_days", 180}},
       {"health_score", "health_satisfaction", "health_value", "health_risk"}},
  };
  return kinds;
}

const BuiltinKind* FindBuiltinKind(const std::string& name) {
  for (const auto& k : BuiltinKinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

namespace {

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// The `tier` feature's value for a tier name: the number of churnwatch.v1.Tier.
Result<int> TierNumber(const std::string& tier_name) {
  std::string upper = "TIER_" + tier_name;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  v1::Tier tier;
  if (tier_name.empty() || !v1::Tier_Parse(upper, &tier) || tier == v1::TIER_UNSPECIFIED) {
    return InvalidArgument("tier '" + tier_name +
                           "' is not one of strategic, key, growth, potential, ordinary");
  }
  return static_cast<int>(tier);
}

// One parameter as expression text: a number, or a chain of conditionals on `tier` in the
// Tier enum's order ending in the default.
Result<std::string> ParamText(double fallback, const KindParamValue& value) {
  std::string text = FormatNumber(value.default_value.value_or(fallback));
  if (value.by_tier.empty()) return text;
  std::map<int, double> by_number;
  for (const auto& [tier_name, v] : value.by_tier) {
    auto number = TierNumber(tier_name);
    if (!number.ok()) return number.status();
    by_number[*number] = v;
  }
  for (auto it = by_number.rbegin(); it != by_number.rend(); ++it) {
    text = "tier == " + std::to_string(it->first) + " ? " + FormatNumber(it->second) + " : " + text;
  }
  return "(" + text + ")";
}

}  // namespace

Result<std::string> ExpandKind(const BuiltinKind& kind,
                               const std::map<std::string, KindParamValue>& params) {
  for (const auto& [name, value] : params) {
    if (!kind.params.count(name)) {
      std::string known;
      for (const auto& [k, v] : kind.params) known += (known.empty() ? "" : ", ") + k;
      return InvalidArgument("kind " + kind.name + " has no parameter '" + name +
                             "' (known: " + known + ")");
    }
  }
  std::string out = kind.expr_template;
  for (const auto& [name, fallback] : kind.params) {
    auto it = params.find(name);
    auto text = it == params.end() ? Result<std::string>(FormatNumber(fallback))
                                   : ParamText(fallback, it->second);
    if (!text.ok()) return InvalidArgument("param " + name + ": " + text.status().message());
    const std::string token = "${" + name + "}";
    for (size_t pos; (pos = out.find(token)) != std::string::npos;)
      out.replace(pos, token.size(), *text);
  }
  return out;
}

}  // namespace churnwatch::rules
