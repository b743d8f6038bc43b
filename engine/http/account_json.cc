#include "http/account_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cstdio>
#include <functional>
#include <map>
#include <tuple>

#include "events/proto_json.h"
#include "http/customer_file.h"

namespace churnwatch::http {
namespace {

namespace pb = google::protobuf;
using nlohmann::json;
using state::CounterRecord;

json TimeOrNull(state::CounterView r, int slot) {
  if (r.IsUnset(slot)) return nullptr;
  return FormatRfc3339(r.Get(slot));
}

json OrderFigures(state::CounterView r) {
  return json{{"quantity", r.Get(state::kOrderQuantity)},
              {"amount_minor", r.Get(state::kOrderAmountMinor)},
              {"orders", r.Get(state::kOrderCount)},
              {"cancelled_quantity", r.Get(state::kOrderCancelledQty)},
              {"cancelled_orders", r.Get(state::kOrderCancelledCount)},
              {"returned_quantity", r.Get(state::kOrderReturnedQty)},
              {"returned_orders", r.Get(state::kOrderReturnedCount)},
              {"first_order_at", TimeOrNull(r, state::kOrderFirstAt)},
              {"last_order_at", TimeOrNull(r, state::kOrderLastAt)}};
}

json ServiceFigures(state::CounterView r) {
  auto avg = [&](int sum, int count) -> json {
    return r.Get(count) == 0
               ? json(nullptr)
               : json(static_cast<double>(r.Get(sum)) / static_cast<double>(r.Get(count)));
  };
  return json{{"tickets_opened", r.Get(state::kSvcTicketsOpened)},
              {"tickets_resolved", r.Get(state::kSvcTicketsResolved)},
              {"tickets_escalated", r.Get(state::kSvcTicketsEscalated)},
              {"complaints", r.Get(state::kSvcComplaints)},
              {"sla_breaches", r.Get(state::kSvcSlaBreaches)},
              {"high_severity", r.Get(state::kSvcHighSeverity)},
              {"csat_sum", r.Get(state::kSvcCsatSum)},
              {"csat_count", r.Get(state::kSvcCsatCount)},
              {"csat_avg", avg(state::kSvcCsatSum, state::kSvcCsatCount)},
              {"nps_sum", r.Get(state::kSvcNpsSum)},
              {"nps_count", r.Get(state::kSvcNpsCount)},
              {"nps_avg", avg(state::kSvcNpsSum, state::kSvcNpsCount)},
              {"nps_promoters", r.Get(state::kSvcNpsPromoters)},
              {"nps_detractors", r.Get(state::kSvcNpsDetractors)},
              {"last_event_at", TimeOrNull(r, state::kSvcLastAt)}};
}

constexpr const char* kMeetingStatus[state::kMeetingStatusCount] = {"scheduled", "held",
                                                                    "cancelled"};
constexpr const char* kMeetingType[state::kMeetingTypeCount] = {"strategy", "business_review",
                                                                "executive", "routine", "training"};

json EngagementFigures(state::CounterView r) {
  json meetings = json::object();
  for (int s = 0; s < state::kMeetingStatusCount; ++s) {
    json by_type = json::object();
    for (int t = 0; t < state::kMeetingTypeCount; ++t)
      by_type[kMeetingType[t]] = r.Get(state::MeetingSlot(s, t));
    meetings[kMeetingStatus[s]] = by_type;
  }
  return json{{"meetings", meetings},
              {"calls", r.Get(state::kEngCalls)},
              {"visits", r.Get(state::kEngVisits)},
              {"contacts_added", r.Get(state::kEngContactsAdded)},
              {"contacts_left", r.Get(state::kEngContactsLeft)},
              {"decision_makers_left", r.Get(state::kEngDecisionMakersLeft)},
              {"role_changes", r.Get(state::kEngRoleChanges)},
              {"references_withdrawn", r.Get(state::kEngReferencesWithdrawn)},
              {"manager_changes", r.Get(state::kEngManagerChanges)}};
}

// The account JSON shows the latest 30 days with activity; the customer file has them all.
constexpr size_t kTimelineDays = 30;

}  // namespace

json AccountToJson(const state::AccountSnapshot& snap, const Calendar& calendar) {
  (void)calendar;  // periods were bucketed in the engine's zone at ingest
  json out;
  out["account_id"] = snap.account_id;
  out["profile"] = snap.profile ? ProtoToJson(snap.profile->profile()) : json(nullptr);

  std::map<std::pair<std::string, QuarterKey>, CounterRecord> quarters;
  json months = json::array();
  for (const auto& row : snap.order_months) {
    json m = OrderFigures(row.counters);
    m["month"] = Calendar::MonthLabel(row.month);
    m["product_line"] = row.product_line;
    months.push_back(std::move(m));
    auto key = std::make_pair(row.product_line, Calendar::QuarterOfMonth(row.month));
    auto it = quarters.try_emplace(key, CounterRecord(state::CounterLayout::kOrderMonth)).first;
    it->second.MergeFrom(row.counters);
  }
  json qs = json::array();
  for (const auto& [key, rec] : quarters) {
    json q = OrderFigures(rec);
    q["quarter"] = Calendar::QuarterLabel(key.second);
    q["product_line"] = key.first;
    qs.push_back(std::move(q));
  }
  out["orders"] = {{"quarters", qs}, {"months", months}};

  // Service and engagement are stored per day; the API reports calendar months.
  auto by_month = [](const auto& days, state::CounterLayout layout) {
    std::map<MonthKey, CounterRecord> months;
    for (const auto& row : days)
      months.try_emplace(row.period / 100, CounterRecord(layout))
          .first->second.MergeFrom(row.counters);
    return months;
  };
  json service_months = json::array();
  for (const auto& [month, rec] : by_month(snap.service_days, state::CounterLayout::kServiceDay)) {
    json m = ServiceFigures(rec);
    m["month"] = Calendar::MonthLabel(month);
    service_months.push_back(std::move(m));
  }
  out["service"] = {{"months", service_months}};

  json people = json::array();
  for (const auto& c : snap.contacts) people.push_back(PersonJson(c));
  CounterRecord totals(state::CounterLayout::kEngagementDay);
  json engagement_months = json::array();
  for (const auto& [month, rec] :
       by_month(snap.engagement_days, state::CounterLayout::kEngagementDay)) {
    totals.MergeFrom(rec);
    json m = EngagementFigures(rec);
    m["month"] = Calendar::MonthLabel(month);
    engagement_months.push_back(std::move(m));
  }
  out["contacts"] = {{"people", people},
                     {"months", engagement_months},
                     {"totals", EngagementFigures(totals)},
                     {"last_contact_at",
                      {{"executive", TimeOrNull(totals, state::kEngLastExecutiveAt)},
                       {"management", TimeOrNull(totals, state::kEngLastManagementAt)},
                       {"operational", TimeOrNull(totals, state::kEngLastOperationalAt)}}}};
  json alerts = json::array();
  for (const auto& rec : snap.alerts) {
    if (rec.state() != v1::ALERT_STATE_FIRING && rec.state() != v1::ALERT_STATE_RESOLVED) continue;
    alerts.push_back(ProtoToJson(rec.alert()));
  }
  out["alerts"] = alerts;
  out["timeline"] = DayTimeline(snap, kTimelineDays);
  return out;
}

}  // namespace churnwatch::http
