#include "report/review_html.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "common/html_escape.h"

namespace churnwatch::report {
namespace {

using json = nlohmann::json;

// Every text of the page in both languages: {key, zh-CN, en}. Tier, stage and signal names
// follow the dashboard's (engine/http/web/i18n.js).
const std::map<std::string, std::pair<const char*, const char*>>& Texts() {
  static const std::map<std::string, std::pair<const char*, const char*>> kTexts = {
      {"title", {"重点客户月度经营回顾", "Monthly key-account review"}},
      {"source", {"数据来源", "Source"}},
      {"as_of", {"数据时间", "Data as of"}},
      {"zone", {"时区", "Time zone"}},
      {"complete", {"本月已结束", "month complete"}},
      {"running", {"本月进行中（截至数据时间）", "month in progress (up to the data time)"}},
      {"portfolio", {"客户组合", "Portfolio"}},
      {"accounts", {"客户数", "Accounts"}},
      {"by_tier", {"按等级", "By tier"}},
      {"by_stage", {"按合作阶段", "By stage"}},
      {"health", {"健康分分布（当前）", "Health distribution (now)"}},
      {"health_unknown", {"无健康分", "no score"}},
      {"at_risk", {"月末风险客户", "At risk at the month's end"}},
      {"at_risk_none", {"月末没有风险客户。", "No account was at risk at the month's end."}},
      {"left", {"本月移出风险名单", "Left the at-risk list this month"}},
      {"left_none", {"本月没有客户移出风险名单。", "No account left the at-risk list this month."}},
      {"account", {"客户", "Account"}},
      {"owner", {"负责人", "Owner"}},
      {"tier", {"等级", "Tier"}},
      {"signals", {"信号", "Signals"}},
      {"since", {"起始", "Since"}},
      {"new", {"本月新增", "New this month"}},
      {"yes", {"是", "yes"}},
      {"no", {"否", "no"}},
      {"evidence", {"依据", "Evidence"}},
      {"left_at", {"移出时间", "Left"}},
      {"alerts", {"预警", "Alerts"}},
      {"raised", {"触发", "Raised"}},
      {"resolved", {"已恢复", "Resolved"}},
      {"acknowledged", {"已确认", "Acknowledged"}},
      {"escalated", {"已升级", "Escalated"}},
      {"response", {"24 小时响应（按负责人）", "24-hour response (per owner)"}},
      {"response_none", {"本月没有触发预警。", "No alert was raised this month."}},
      {"median_hours", {"确认用时中位数（小时）", "Median hours to acknowledge"}},
      {"within_24h", {"24 小时内确认", "Acknowledged within 24 h"}},
      {"plans", {"修复计划", "Repair plans"}},
      {"plans_done", {"计划已完成", "Plans done"}},
      {"plans_overdue", {"计划逾期", "Plans overdue"}},
      {"critical_open", {"未确认的严重预警", "Critical, unacknowledged"}},
      {"volume", {"各产品线季度采购量", "Volume by product line per quarter"}},
      {"volume_none", {"这四个季度没有订单。", "No orders in these four quarters."}},
      {"quarter", {"季度", "Quarter"}},
      {"product_line", {"产品线", "Product line"}},
      {"quantity", {"数量", "Quantity"}},
      {"amount", {"金额", "Amount"}},
      {"orders", {"订单数", "Orders"}},
      {"incomplete",
       {"以下客户的预警历史已被截断，数字可能偏低：",
        "The alert history of these accounts was truncated; counts may be low: "}},
      {"mismatch",
       {"等级与实测价值不符的客户（客户金字塔）",
        "Accounts whose tier and measured value disagree (customer pyramid)"}},
      {"mismatch_none",
       {"所有客户的等级与客户金字塔的建议等级一致。",
        "Every account's tier agrees with the customer pyramid's suggestion."}},
      {"mismatch_unavailable",
       {"客户金字塔不可用（有订单的客户少于 5 个）。",
        "The customer pyramid is unavailable (fewer than 5 accounts with orders)."}},
      {"basis_pyramid_params",
       {"依据：pyramid.params 中拟合的 RFM 五分位切点（与规则一致）。",
        "Basis: the RFM quintile cut points fitted in pyramid.params (what the rules use)."}},
      {"basis_instance",
       {"依据：本实例持有客户的 RFM 五分位（未配置 pyramid.params，仅供参考）。",
        "Basis: RFM quintiles over the accounts this instance holds (no pyramid.params; for "
        "reference only)."}},
      {"suggested_tier", {"建议等级", "Suggested tier"}},
      {"rfm", {"RFM（近度/频度/金额）", "RFM (recency/frequency/monetary)"}},
      {"value_segment", {"价值", "Value"}},
      {"strategic_fit", {"战略契合度", "Strategic fit"}},
      {"gap", {"差距（级）", "Gap (tiers)"}},
      {"level_high", {"高", "high"}},
      {"level_medium", {"中", "medium"}},
      {"level_low", {"低", "low"}},
      {"tier_strategic", {"战略级", "Strategic"}},
      {"tier_key", {"重点", "Key"}},
      {"tier_growth", {"增长级", "Growth"}},
      {"tier_potential", {"潜力级", "Potential"}},
      {"tier_ordinary", {"普通", "Ordinary"}},
      {"tier_unspecified", {"未指定", "Unspecified"}},
      {"stage_nurturing", {"孕育期", "Nurturing"}},
      {"stage_initial", {"初期", "Initial"}},
      {"stage_developing", {"中期", "Developing"}},
      {"stage_strategic_partner", {"战略合作伙伴", "Strategic partner"}},
      {"stage_interrupted", {"间断", "Interrupted"}},
      {"stage_unspecified", {"未指定", "Unspecified"}},
      {"sig_volume_decline", {"采购量下降", "Volume decline"}},
      {"sig_meeting_cancelled", {"会议取消", "Meetings cancelled"}},
      {"sig_reference_withdrawn", {"撤回推荐", "Reference withdrawn"}},
      {"sig_key_contact_change", {"关键联系人变动", "Key contact change"}},
      {"sig_manager_turnover", {"客户经理更换", "Manager turnover"}},
      {"sig_product_line_dropped", {"产品线流失", "Product line dropped"}},
      {"sig_purchase_silence", {"采购沉默", "Purchase silence"}},
      {"sig_service_degradation", {"服务质量下降", "Service degradation"}},
      {"sig_exec_contact_gap", {"高层联系缺失", "Executive contact gap"}},
      {"sig_external_risk", {"外部风险", "External risk"}},
      {"sig_health_low", {"健康分过低", "Low health"}},
  };
  return kTexts;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

class Page {
 public:
  explicit Page(ReviewLang lang) : lang_(lang) {}

  // The text of `key`, escaped; the key itself (escaped) when there is none, e.g. a signal a
  // newer rule set added.
  std::string T(const std::string& key) const {
    auto it = Texts().find(key);
    if (it == Texts().end()) return HtmlEscape(key);
    return lang_ == ReviewLang::kZhCn ? it->second.first : it->second.second;
  }
  // A tier, stage or signal name: translated when known, else the value itself.
  std::string Name(const std::string& prefix, const std::string& value) const {
    auto it = Texts().find(prefix + Lower(value));
    return it == Texts().end() ? HtmlEscape(value) : T(prefix + Lower(value));
  }
  // An RFC 3339 instant as its date ("2026-11-05"); the same in both languages (ISO dates).
  static std::string Date(const json& t) { return HtmlEscape(Str(t).substr(0, 10)); }

  // A horizontal bar chart of (label HTML, value), inline SVG.
  static std::string Bars(const std::vector<std::pair<std::string, double>>& rows) {
    if (rows.empty()) return "";
    double max = 0;
    for (const auto& r : rows) max = std::max(max, r.second);
    const int row_h = 22, label_w = 160, bar_w = 360;
    std::ostringstream s;
    s << "<svg class=\"bars\" role=\"img\" width=\"" << label_w + bar_w + 60 << "\" height=\""
      << row_h * rows.size() + 4 << "\" viewBox=\"0 0 " << label_w + bar_w + 60 << " "
      << row_h * rows.size() + 4 << "\" xmlns=\"http://www.w3.org/2000/svg\">";
    for (size_t i = 0; i < rows.size(); ++i) {
      double w = max > 0 ? rows[i].second / max * bar_w : 0;
      int y = static_cast<int>(i) * row_h;
      s << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">"
        << rows[i].first << "</text><rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\""
        << std::lround(w) << "\" height=\"" << row_h - 6 << "\"></rect><text x=\""
        << label_w + std::lround(w) + 6 << "\" y=\"" << y + 15 << "\">" << rows[i].second
        << "</text>";
    }
    s << "</svg>";
    return s.str();
  }

  std::ostringstream out;

 private:
  ReviewLang lang_;
};

// Tiers and stages in their business order (strategic first), then any other value.
void Counts(Page& p, const json& counts, const std::string& prefix) {
  static const std::vector<std::string> kOrder = {
      "STRATEGIC", "KEY",     "GROWTH",     "POTENTIAL",         "ORDINARY",
      "NURTURING", "INITIAL", "DEVELOPING", "STRATEGIC_PARTNER", "INTERRUPTED"};
  std::vector<std::pair<std::string, json>> ordered;
  for (const auto& key : kOrder) {
    if (counts.contains(key)) ordered.push_back({key, counts[key]});
  }
  for (const auto& [key, n] : counts.items()) {
    if (std::find(kOrder.begin(), kOrder.end(), key) == kOrder.end()) ordered.push_back({key, n});
  }
  std::vector<std::pair<std::string, double>> rows;
  p.out << "<table><tbody>";
  for (const auto& [key, n] : ordered) {
    p.out << "<tr><th>" << p.Name(prefix, key) << "</th><td>" << n.get<int64_t>() << "</td></tr>";
    rows.push_back({p.Name(prefix, key), n.get<double>()});
  }
  p.out << "</tbody></table>" << Page::Bars(rows);
}

std::string Signals(const Page& p, const json& signals) {
  std::string out;
  for (const auto& s : signals) {
    out += (out.empty() ? "" : ", ") + p.Name("sig_", Str(s));
  }
  return out;
}

std::string OwnerCell(const json& owner) {
  std::string name = owner.value("name", ""), id = owner.value("id", "");
  return HtmlEscape(name.empty() ? id : name + " (" + id + ")");
}

void AtRisk(Page& p, const json& review) {
  p.out << "<h2>" << p.T("at_risk") << "</h2>";
  if (review["at_risk"].empty()) {
    p.out << "<p>" << p.T("at_risk_none") << "</p>";
    return;
  }
  p.out << "<table class=\"at-risk\"><thead><tr><th>" << p.T("account") << "</th><th>"
        << p.T("owner") << "</th><th>" << p.T("tier") << "</th><th>" << p.T("signals")
        << "</th><th>" << p.T("since") << "</th><th>" << p.T("new") << "</th><th>"
        << p.T("evidence") << "</th></tr></thead><tbody>";
  for (const auto& a : review["at_risk"]) {
    std::string evidence;
    for (const auto& e : a["evidence"]) {
      evidence += "<div>" + p.Name("sig_", Str(e["signal"])) + " · " + HtmlEscape(Str(e["rule"]));
      for (const auto& [k, v] : e["values"].items())
        evidence += " · " + HtmlEscape(k + " " + Str(v));
      evidence += "</div>";
    }
    p.out << "<tr data-account=\"" << HtmlEscape(Str(a["account_id"])) << "\"><td>"
          << HtmlEscape(Str(a["name"])) << "<br><small>" << HtmlEscape(Str(a["account_id"]))
          << "</small></td><td>" << OwnerCell(a["owner"]) << "</td><td>"
          << p.Name("tier_", Str(a["tier"])) << "</td><td>" << Signals(p, a["signals"])
          << "</td><td>" << Page::Date(a["since"]) << "</td><td>"
          << p.T(a["entered"].get<bool>() ? "yes" : "no") << "</td><td>" << evidence
          << "</td></tr>";
  }
  p.out << "</tbody></table>";
  p.out << "<h2>" << p.T("left") << "</h2>";
  if (review["left_at_risk"].empty()) {
    p.out << "<p>" << p.T("left_none") << "</p>";
    return;
  }
  p.out << "<table class=\"left\"><thead><tr><th>" << p.T("account") << "</th><th>" << p.T("owner")
        << "</th><th>" << p.T("signals") << "</th><th>" << p.T("left_at")
        << "</th></tr></thead><tbody>";
  for (const auto& a : review["left_at_risk"]) {
    p.out << "<tr data-account=\"" << HtmlEscape(Str(a["account_id"])) << "\"><td>"
          << HtmlEscape(Str(a["name"])) << "<br><small>" << HtmlEscape(Str(a["account_id"]))
          << "</small></td><td>" << OwnerCell(a["owner"]) << "</td><td>" << Signals(p, a["signals"])
          << "</td><td>" << Page::Date(a["left"]) << "</td></tr>";
  }
  p.out << "</tbody></table>";
}

void Response(Page& p, const json& review) {
  p.out << "<h2>" << p.T("alerts") << "</h2><table class=\"alerts\"><tbody>";
  for (const char* k : {"raised", "resolved", "acknowledged", "escalated"})
    p.out << "<tr><th>" << p.T(k) << "</th><td data-count=\"" << k << "\">"
          << review["alerts"][k].get<int64_t>() << "</td></tr>";
  p.out << "</tbody></table><h2>" << p.T("response") << "</h2>";
  if (review["response"].empty()) {
    p.out << "<p>" << p.T("response_none") << "</p>";
    return;
  }
  p.out << "<table><thead><tr><th>" << p.T("owner") << "</th><th>" << p.T("raised") << "</th><th>"
        << p.T("acknowledged") << "</th><th>" << p.T("median_hours") << "</th><th>"
        << p.T("within_24h") << "</th><th>" << p.T("critical_open") << "</th><th>" << p.T("plans")
        << "</th><th>" << p.T("plans_done") << "</th><th>" << p.T("plans_overdue")
        << "</th></tr></thead><tbody>";
  for (const auto& r : review["response"]) {
    const json& m = r["median_hours_to_ack"];
    std::ostringstream hours;
    if (m.is_number()) hours << std::round(m.get<double>() * 10) / 10;
    p.out << "<tr><td>" << OwnerCell({{"id", r["owner"]}, {"name", r["owner_name"]}}) << "</td><td>"
          << r["raised"].get<int64_t>() << "</td><td>" << r["acknowledged"].get<int64_t>()
          << "</td><td>" << (m.is_number() ? hours.str() : "–") << "</td><td>"
          << r["within_24h"].get<int64_t>() << "</td><td>"
          << r["critical_unacknowledged"].get<int64_t>() << "</td><td data-plans=\"plans\">"
          << r.value("plans", 0) << "</td><td data-plans=\"done\">" << r.value("plans_done", 0)
          << "</td><td data-plans=\"overdue\">" << r.value("plans_overdue", 0) << "</td></tr>";
  }
  p.out << "</tbody></table>";
}

void Volume(Page& p, const json& review) {
  p.out << "<h2>" << p.T("volume") << "</h2>";
  if (review["volume"].empty()) {
    p.out << "<p>" << p.T("volume_none") << "</p>";
    return;
  }
  p.out << "<table><thead><tr><th>" << p.T("quarter") << "</th><th>" << p.T("product_line")
        << "</th><th>" << p.T("quantity") << "</th><th>" << p.T("amount") << "</th><th>"
        << p.T("orders") << "</th></tr></thead><tbody>";
  std::map<std::string, double> per_quarter;
  for (const auto& v : review["volume"]) {
    p.out << "<tr><td>" << HtmlEscape(Str(v["quarter"])) << "</td><td>"
          << HtmlEscape(Str(v["product_line"])) << "</td><td>" << v["quantity"].get<int64_t>()
          << "</td><td>" << std::fixed;
    p.out.precision(2);
    p.out << v["amount_minor"].get<int64_t>() / 100.0 << "</td><td>" << v["orders"].get<int64_t>()
          << "</td></tr>";
    p.out.unsetf(std::ios::floatfield);
    per_quarter[Str(v["quarter"])] += v["quantity"].get<double>();
  }
  p.out << "</tbody></table>";
  std::vector<std::pair<std::string, double>> rows;
  for (const auto& [q, n] : per_quarter) rows.push_back({HtmlEscape(q), n});
  p.out << Page::Bars(rows);
}

void TierMismatch(Page& p, const json& review) {
  p.out << "<h2>" << p.T("mismatch") << "</h2>";
  const json& section = review["tier_mismatch"];
  if (!section["basis"].is_string()) {
    p.out << "<p>" << p.T("mismatch_unavailable") << "</p>";
    return;
  }
  p.out << "<p class=\"meta\">" << p.T("basis_" + Str(section["basis"])) << "</p>";
  if (section["accounts"].empty()) {
    p.out << "<p>" << p.T("mismatch_none") << "</p>";
    return;
  }
  p.out << "<table class=\"tier-mismatch\"><thead><tr><th>" << p.T("account") << "</th><th>"
        << p.T("owner") << "</th><th>" << p.T("tier") << "</th><th>" << p.T("suggested_tier")
        << "</th><th>" << p.T("gap") << "</th><th>" << p.T("rfm") << "</th><th>"
        << p.T("value_segment") << "</th><th>" << p.T("strategic_fit")
        << "</th></tr></thead><tbody>";
  for (const auto& a : section["accounts"]) {
    const json& rfm = a["rfm"];
    const int gap = a["gap"].get<int>();
    p.out << "<tr data-account=\"" << HtmlEscape(Str(a["account_id"])) << "\"><td>"
          << HtmlEscape(Str(a["name"])) << "<br><small>" << HtmlEscape(Str(a["account_id"]))
          << "</small></td><td>" << OwnerCell(a["owner"]) << "</td><td>"
          << p.Name("tier_", Str(a["tier"])) << "</td><td>"
          << p.Name("tier_", Str(a["suggested_tier"])) << "</td><td data-gap=\"" << gap << "\">"
          << (gap > 0 ? "+" : "") << gap << "</td><td>" << rfm["r"].get<int64_t>() << "/"
          << rfm["f"].get<int64_t>() << "/" << rfm["m"].get<int64_t>() << "</td><td>"
          << p.Name("level_", Str(rfm["segment"])) << "</td><td>"
          << p.Name("level_", Str(a["strategic_fit"])) << "</td></tr>";
  }
  p.out << "</tbody></table>";
}

constexpr const char* kStyle =
    "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;margin:2rem;"
    "color:#1d2733;max-width:1100px}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;"
    "border-bottom:1px solid #d5dbe3}table{border-collapse:collapse;margin:.5rem 0}"
    "th,td{border:1px solid #d5dbe3;padding:.3rem .6rem;text-align:left;vertical-align:top}"
    "thead th{background:#eef2f6}small{color:#5b6877}svg.bars rect{fill:#3d7bd9}"
    "svg.bars text{font-size:12px;fill:#1d2733}.meta{color:#5b6877}"
    "@media print{body{margin:0}}";

}  // namespace

Result<ReviewLang> ParseReviewLang(std::string_view text) {
  if (text == "zh-CN") return ReviewLang::kZhCn;
  if (text == "en") return ReviewLang::kEn;
  return InvalidArgument("lang '" + std::string(text) + "' is not zh-CN or en");
}

std::string RenderReviewHtml(const json& review, ReviewLang lang) {
  Page p(lang);
  const std::string month = HtmlEscape(Str(review["month"]));
  p.out << "<!DOCTYPE html><html lang=\"" << (lang == ReviewLang::kZhCn ? "zh-CN" : "en")
        << "\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
           "content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>"
        << p.T("title") << " " << month << "</title><style>" << kStyle << "</style></head><body>";
  p.out << "<h1>" << p.T("title") << " " << month << "</h1><p class=\"meta\">" << p.T("source")
        << ": " << HtmlEscape(Str(review["source"])) << " · " << p.T("as_of") << ": "
        << HtmlEscape(Str(review["as_of"])) << " · " << p.T("zone") << ": "
        << HtmlEscape(Str(review["time_zone"])) << " · "
        << p.T(review["complete"].get<bool>() ? "complete" : "running") << "</p>";
  if (!review["incomplete_history"].empty()) {
    std::string ids;
    for (const auto& id : review["incomplete_history"]) ids += (ids.empty() ? "" : ", ") + Str(id);
    p.out << "<p class=\"meta\">" << p.T("incomplete") << HtmlEscape(ids) << "</p>";
  }
  const json& portfolio = review["portfolio"];
  p.out << "<h2>" << p.T("portfolio") << "</h2><p>" << p.T("accounts") << ": <b class=\"accounts\">"
        << portfolio["accounts"].get<int64_t>() << "</b></p><h3>" << p.T("by_tier") << "</h3>";
  Counts(p, portfolio["by_tier"], "tier_");
  p.out << "<h3>" << p.T("by_stage") << "</h3>";
  Counts(p, portfolio["by_stage"], "stage_");
  p.out << "<h2>" << p.T("health") << "</h2>";
  std::vector<std::pair<std::string, double>> health;
  for (const auto& b : review["health"]["buckets"])
    health.push_back(
        {std::to_string(b["from"].get<int>()) + "–" + std::to_string(b["to"].get<int>()),
         b["accounts"].get<double>()});
  health.push_back({p.T("health_unknown"), review["health"]["unknown"].get<double>()});
  p.out << Page::Bars(health);
  AtRisk(p, review);
  Response(p, review);
  Volume(p, review);
  TierMismatch(p, review);
  p.out << "</body></html>\n";
  return p.out.str();
}

}  // namespace churnwatch::report
