#include "notify/alertmanager_payload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/calendar.h"
#include "common/dashboard_link.h"
#include "features/features.h"

namespace churnwatch::notify {
namespace {

using nlohmann::json;

std::string Unit(const std::string& feature) {
  int idx = features::FeatureIndex(feature);
  return idx < 0 ? std::string() : features::FeatureCatalog()[idx].unit;
}

std::string NumberInWords(double v, const std::string& unit, bool zh) {
  if (unit == "ratio") return fmt::format("{:.1f}%", v * 100);
  if (unit == "cents") return fmt::format("{:.2f}", v / 100);
  std::string number =
      std::fabs(v - std::round(v)) < 1e-9 ? fmt::format("{:.0f}", v) : fmt::format("{:.2f}", v);
  if (unit == "days") return number + (zh ? " 天" : " days");
  return number;
}

}  // namespace

std::string EvidenceInWords(const v1::Alert& alert, const std::string& language) {
  bool zh = language != "en";
  // Sorted, so the same evidence always reads the same.
  std::map<std::string, const google::protobuf::Value*> sorted;
  for (const auto& [name, value] : alert.evidence()) sorted[name] = &value;
  std::string out;
  for (const auto& [name, value] : sorted) {
    if (!out.empty()) out += zh ? "；" : "; ";
    std::string words;
    switch (value->kind_case()) {
      case google::protobuf::Value::kNumberValue:
        words = NumberInWords(value->number_value(), Unit(name), zh);
        break;
      case google::protobuf::Value::kStringValue:
        words = value->string_value();
        break;
      case google::protobuf::Value::kBoolValue:
        words = value->bool_value() ? "true" : "false";
        break;
      default:
        words = zh ? "无数据" : "no data";
    }
    out += name + " = " + words;
  }
  return out;
}

std::string RenderPostableAlerts(const std::vector<OutgoingAlert>& alerts,
                                 const PayloadOptions& options) {
  json out = json::array();
  for (const auto& o : alerts) {
    const v1::Alert& a = o.alert;
    json labels = json::object();
    for (const auto& [k, v] : a.labels()) {
      if (!v.empty()) labels[k] = v;
    }
    labels["alertname"] = a.rule();
    labels["account_id"] = a.account_id();
    labels["severity"] = a.severity();
    labels["signal"] = a.signal();
    if (o.escalated) labels["escalated"] = "true";
    json annotations = json::object();
    for (const auto& [k, v] : a.annotations()) annotations[k] = v;
    std::string evidence = EvidenceInWords(a, options.language);
    if (!evidence.empty()) annotations["evidence"] = evidence;
    std::string link = DashboardAccountLink(options.dashboard_url, a.account_id());
    if (!link.empty()) annotations["dashboard"] = link;
    if (o.ack != nullptr) {
      annotations["acknowledged_by"] = o.ack->by();
      if (!o.ack->note().empty()) annotations["ack_note"] = o.ack->note();
      if (o.ack->has_plan()) {
        const v1::RepairPlan& plan = o.ack->plan();
        annotations["repair_plan"] = plan.text();
        if (!plan.owner().empty()) annotations["plan_owner"] = plan.owner();
        annotations["plan_due_at"] = FormatRfc3339(plan.due_at_us());
        if (plan.done_at_us() != 0) annotations["plan_done_at"] = FormatRfc3339(plan.done_at_us());
      }
    }
    // Alertmanager rejects startsAt after endsAt (an event time ahead of the wall clock can do
    // that): the start is clamped, the end is what matters.
    UnixMicros starts = a.started_at().seconds() * kMicrosPerSecond + a.started_at().nanos() / 1000;
    json alert = {{"labels", labels},
                  {"annotations", annotations},
                  {"startsAt", FormatRfc3339(std::min(starts, o.ends_at))},
                  {"endsAt", FormatRfc3339(o.ends_at)}};
    if (!link.empty()) alert["generatorURL"] = link;
    out.push_back(std::move(alert));
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace churnwatch::notify
