#include "http/customer_file.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "events/proto_json.h"

namespace churnwatch::http {
namespace {

using nlohmann::json;
using state::CounterRecord;

constexpr const char* kMeetingStatus[state::kMeetingStatusCount] = {"scheduled", "held",
                                                                    "cancelled"};

std::string RoleName(v1::ContactRole role) {
  return ShortEnumName(v1::ContactRole_descriptor()->FindValueByNumber(role));
}
std::string LevelName(v1::ContactLevel level) {
  return ShortEnumName(v1::ContactLevel_descriptor()->FindValueByNumber(level));
}

// Reading order of the decision chain; UNSPECIFIED (a person seen without a role) last.
int RoleRank(v1::ContactRole role) {
  switch (role) {
    case v1::CONTACT_ROLE_DECISION_MAKER:
      return 0;
    case v1::CONTACT_ROLE_INFLUENCER:
      return 1;
    case v1::CONTACT_ROLE_SUPPORTER:
      return 2;
    case v1::CONTACT_ROLE_OPPONENT:
      return 3;
    case v1::CONTACT_ROLE_USER:
      return 4;
    default:
      return 5;
  }
}

int LevelRank(v1::ContactLevel level) {
  switch (level) {
    case v1::CONTACT_LEVEL_EXECUTIVE:
      return 0;
    case v1::CONTACT_LEVEL_MANAGEMENT:
      return 1;
    case v1::CONTACT_LEVEL_OPERATIONAL:
      return 2;
    default:
      return 3;
  }
}

json TimeOrNull(UnixMicros t) { return t != 0 ? json(FormatRfc3339(t)) : json(nullptr); }

std::string DayLabel(DayKey day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
  return buf;
}

// The non-zero counters of one day of one kind, by name.
json DayCounts(state::CounterView r, std::initializer_list<std::pair<const char*, int>> slots) {
  json out = json::object();
  for (const auto& [name, slot] : slots)
    if (r.Get(slot) != 0) out[name] = r.Get(slot);
  return out;
}

json EngagementDayCounts(state::CounterView r) {
  json counts = DayCounts(r, {{"calls", state::kEngCalls},
                              {"visits", state::kEngVisits},
                              {"contacts_added", state::kEngContactsAdded},
                              {"contacts_left", state::kEngContactsLeft},
                              {"role_changes", state::kEngRoleChanges},
                              {"references_withdrawn", state::kEngReferencesWithdrawn},
                              {"manager_changes", state::kEngManagerChanges}});
  for (int st = 0; st < state::kMeetingStatusCount; ++st) {
    int64_t n = 0;
    for (int t = 0; t < state::kMeetingTypeCount; ++t) n += r.Get(state::MeetingSlot(st, t));
    if (n != 0) counts[std::string("meetings_") + kMeetingStatus[st]] = n;
  }
  return counts;
}

// The day entries of the latest `max_days` days with activity, newest first, with their day.
std::vector<std::pair<DayKey, json>> DayEntries(const state::AccountSnapshot& snap,
                                                size_t max_days) {
  std::map<DayKey, json, std::greater<>> days;
  auto add = [&](DayKey day, const char* kind, json counts) {
    if (counts.empty()) return;
    days[day].push_back(
        {{"date", DayLabel(day)}, {"at", nullptr}, {"kind", kind}, {"counts", std::move(counts)}});
  };
  for (const auto& row : snap.order_days)
    add(row.period, "order",
        DayCounts(row.counters,
                  {{"orders", state::kDayOrders}, {"quantity", state::kDayQuantity}}));
  for (const auto& row : snap.service_days)
    add(row.period, "service",
        DayCounts(row.counters, {{"tickets_opened", state::kSvcTicketsOpened},
                                 {"tickets_resolved", state::kSvcTicketsResolved},
                                 {"tickets_escalated", state::kSvcTicketsEscalated},
                                 {"complaints", state::kSvcComplaints},
                                 {"sla_breaches", state::kSvcSlaBreaches},
                                 {"surveys", state::kSvcCsatCount}}));
  for (const auto& row : snap.engagement_days)
    add(row.period, "contact", EngagementDayCounts(row.counters));
  std::vector<std::pair<DayKey, json>> out;
  size_t n = 0;
  for (auto& [day, list] : days) {
    if (n++ == max_days) break;
    for (auto& e : list) out.emplace_back(day, std::move(e));
  }
  return out;
}

}  // namespace

json PersonJson(const v1::ContactRecord& c) {
  return {{"contact_id", c.contact_id()},
          {"role", RoleName(c.role())},
          {"level", LevelName(c.level())},
          {"active", c.active()},
          {"added_at", TimeOrNull(c.added_at_us())},
          {"left_at", TimeOrNull(c.left_at_us())}};
}

json DayTimeline(const state::AccountSnapshot& snap, size_t max_days) {
  json out = json::array();
  for (auto& [day, e] : DayEntries(snap, max_days)) out.push_back(std::move(e));
  return out;
}

json DecisionChainJson(const state::AccountSnapshot& snap) {
  std::vector<const v1::ContactRecord*> people;
  for (const auto& c : snap.contacts) people.push_back(&c);
  std::sort(people.begin(), people.end(), [](const auto* a, const auto* b) {
    auto key = [](const v1::ContactRecord* c) {
      return std::make_tuple(RoleRank(c->role()), !c->active(), LevelRank(c->level()),
                             std::string_view(c->contact_id()));
    };
    return key(a) < key(b);
  });
  json chain = json::array();
  std::vector<const v1::ContactRecord*> carriers;
  for (const auto* c : people) {
    const std::string role = RoleName(c->role());
    if (chain.empty() || chain.back()["role"] != role)
      chain.push_back({{"role", role}, {"people", json::array()}});
    chain.back()["people"].push_back(PersonJson(*c));
    if (c->active() && c->role() != v1::CONTACT_ROLE_OPPONENT) carriers.push_back(c);
  }
  std::vector<const v1::ContactRecord*> gone;
  for (const auto* c : people)
    if (!c->active()) gone.push_back(c);
  std::sort(gone.begin(), gone.end(), [](const auto* a, const auto* b) {
    // Newest departure first; ties by id.
    return std::make_tuple(b->left_at_us(), a->contact_id()) <
           std::make_tuple(a->left_at_us(), b->contact_id());
  });
  json departed = json::array();
  for (const auto* c : gone) departed.push_back(PersonJson(*c));
  const size_t active = static_cast<size_t>(
      std::count_if(people.begin(), people.end(), [](const auto* c) { return c->active(); }));
  json warning = {{"warning", false}, {"kind", nullptr}, {"carried_by", nullptr}};
  if (carriers.size() == 1) {
    warning = {
        {"warning", true}, {"kind", "single_threaded"}, {"carried_by", PersonJson(*carriers[0])}};
  } else if (carriers.empty() && !people.empty()) {
    warning = {{"warning", true}, {"kind", "no_relationship"}, {"carried_by", nullptr}};
  }
  return {{"account_id", snap.account_id},
          {"decision_chain", chain},
          {"departed", departed},
          {"active_contacts", active},
          {"single_threaded", warning}};
}

json TimelineJson(const state::AccountSnapshot& snap, const std::vector<v1::HistoryEntry>& history,
                  size_t limit, const Calendar& calendar) {
  // (date, at, order of insertion) sorts newest first; day entries (at null) after the exact
  // entries of their day: the day's totals close it.
  struct Entry {
    DayKey day;
    UnixMicros at;  // INT64_MIN for day entries
    json body;
  };
  std::vector<Entry> entries;
  for (auto& [day, e] : DayEntries(snap, SIZE_MAX))
    entries.push_back({day, INT64_MIN, std::move(e)});
  auto exact = [&](UnixMicros at, json body) {
    const DayKey day = calendar.DayOf(at);
    body["date"] = DayLabel(day);
    body["at"] = FormatRfc3339(at);
    entries.push_back({day, at, std::move(body)});
  };
  for (const auto& c : snap.contacts) {
    json person = {{"contact_id", c.contact_id()},
                   {"role", RoleName(c.role())},
                   {"level", LevelName(c.level())}};
    if (c.added_at_us() != 0) {
      json e = person;
      e["kind"] = "contact_added";
      exact(c.added_at_us(), std::move(e));
    }
    if (!c.active() && c.left_at_us() != 0) {
      person["kind"] = "contact_left";
      exact(c.left_at_us(), std::move(person));
    }
  }
  for (const auto& h : history) {
    json e = {{"kind", "alert"},
              {"event", h.kind()},
              {"alert_id", h.alert().id()},
              {"rule", h.alert().rule()},
              {"signal", h.alert().signal()},
              {"severity", h.alert().severity()}};
    if (h.kind() == "ACKNOWLEDGED") e["by"] = h.ack().by();
    if (h.kind() == "PLAN_DONE") e["by"] = h.ack().plan().done_by();
    exact(h.at_us(), std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::make_tuple(b.day, b.at) < std::make_tuple(a.day, a.at);
  });
  json out = json::array();
  for (size_t i = 0; i < entries.size() && i < limit; ++i)
    out.push_back(std::move(entries[i].body));
  return {{"account_id", snap.account_id}, {"truncated", entries.size() > limit}, {"entries", out}};
}

}  // namespace churnwatch::http
