#include "support/reference_model.h"

#include <set>
#include <stdexcept>

#include "support/civil_time.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;

// "placed", "PLACED", "ORDER_STATUS_PLACED" → "PLACED".
std::string Norm(const json& v, const std::string& prefix) {
  if (!v.is_string()) return "UNSPECIFIED";
  std::string s = v.get<std::string>();
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  return s;
}

int64_t Int(const json& v) {
  if (v.is_string()) return std::stoll(v.get<std::string>());
  if (v.is_number_integer()) return v.get<int64_t>();
  return 0;
}

int64_t Time(const json& e) {
  auto t = ParseTimestamp(e.at("occurred_at").get<std::string>());
  if (!t) throw std::runtime_error("bad occurred_at in scenario: " + e.dump());
  return *t;
}

json OrderFigures() {
  return json{{"quantity", 0},           {"amount_minor", 0},         {"orders", 0},
              {"cancelled_quantity", 0}, {"cancelled_orders", 0},     {"returned_quantity", 0},
              {"returned_orders", 0},    {"first_order_at", nullptr}, {"last_order_at", nullptr}};
}
const char* const kOrderFields[] = {"quantity",           "amount_minor",     "orders",
                                    "cancelled_quantity", "cancelled_orders", "returned_quantity",
                                    "returned_orders",    "first_order_at",   "last_order_at"};

const char* const kServiceFields[] = {
    "tickets_opened", "tickets_resolved", "tickets_escalated", "complaints",     "sla_breaches",
    "high_severity",  "csat_sum",         "csat_count",        "csat_avg",       "nps_sum",
    "nps_count",      "nps_avg",          "nps_promoters",     "nps_detractors", "last_event_at"};

const char* const kMeetingTypes[] = {"strategy", "business_review", "executive", "routine",
                                     "training"};
const char* const kEngagementCounters[] = {"calls",
                                           "visits",
                                           "contacts_added",
                                           "contacts_left",
                                           "decision_makers_left",
                                           "role_changes",
                                           "references_withdrawn",
                                           "manager_changes"};

json Engagement() {
  json meetings;
  for (const char* status : {"scheduled", "held", "cancelled"}) {
    for (const char* type : kMeetingTypes) meetings[status][type] = 0;
  }
  json e{{"meetings", meetings}};
  for (const char* c : kEngagementCounters) e[c] = 0;
  return e;
}

void Add(json& counter, int64_t n) { counter = counter.get<int64_t>() + n; }
void MinTime(json& slot, int64_t t) {
  if (slot.is_null() || ParseTimestamp(slot.get<std::string>()) > t) slot = FormatUtc(t);
}
void MaxTime(json& slot, int64_t t) {
  if (slot.is_null() || ParseTimestamp(slot.get<std::string>()) < t) slot = FormatUtc(t);
}

struct PersonState {
  std::string role = "UNSPECIFIED";
  std::string level = "UNSPECIFIED";
  bool active = false;
  json added_at = nullptr;
  json left_at = nullptr;
};

struct AccountState {
  json profile = nullptr;
  std::map<std::string, json> quarters, order_months;  // "line|period"
  std::map<std::string, json> service_months;          // month → figures + raw sums
  std::map<std::string, json> engagement_months;
  std::map<std::string, PersonState> people;
};

json Profile(const json& e) {
  json p;
  p["event_id"] = e.at("event_id");
  p["occurred_at"] = FormatUtc(Time(e));
  p["name"] = e.value("name", "");
  p["tier"] = Norm(e.value("tier", json()), "TIER_");
  p["region"] = e.value("region", "");
  p["industry"] = e.value("industry", "");
  p["stage"] = Norm(e.value("stage", json()), "STAGE_");
  p["credit_risk"] = Norm(e.value("credit_risk", json()), "CREDIT_RISK_");
  p["owner"] = e.value("owner", json::object());
  p["executive_sponsor"] = e.value("executive_sponsor", json::object());
  return p;
}

void ApplyOrder(AccountState& a, const json& e) {
  int64_t t = Time(e);
  std::string line = e.at("product_line").get<std::string>();
  std::string status = Norm(e.at("status"), "ORDER_STATUS_");
  int64_t qty = Int(e.value("quantity", json(0)));
  int64_t amount = Int(e.value("amount_minor", json(0)));
  for (auto* m : {&a.quarters, &a.order_months}) {
    std::string period = m == &a.quarters ? LocalQuarterLabel(t) : LocalMonthLabel(t);
    auto [it, fresh] = m->try_emplace(line + "|" + period, OrderFigures());
    json& f = it->second;
    if (status == "PLACED") {
      Add(f["quantity"], qty);
      Add(f["amount_minor"], amount);
      Add(f["orders"], 1);
      MinTime(f["first_order_at"], t);
      MaxTime(f["last_order_at"], t);
    } else if (status == "CANCELLED") {
      Add(f["cancelled_quantity"], qty);
      Add(f["cancelled_orders"], 1);
    } else if (status == "RETURNED") {
      Add(f["returned_quantity"], qty);
      Add(f["returned_orders"], 1);
    } else {
      throw std::runtime_error("unexpected order status in scenario: " + e.dump());
    }
  }
}

void ApplyService(AccountState& a, const json& e) {
  int64_t t = Time(e);
  auto [it, fresh] = a.service_months.try_emplace(LocalMonthLabel(t), json::object());
  json& f = it->second;
  if (fresh) {
    for (const char* k : kServiceFields) f[k] = 0;
    f["csat_avg"] = nullptr;
    f["nps_avg"] = nullptr;
    f["last_event_at"] = nullptr;
  }
  std::string kind = Norm(e.at("kind"), "SERVICE_KIND_");
  if (kind == "TICKET_OPENED") Add(f["tickets_opened"], 1);
  if (kind == "TICKET_RESOLVED") Add(f["tickets_resolved"], 1);
  if (kind == "TICKET_ESCALATED") Add(f["tickets_escalated"], 1);
  if (kind == "COMPLAINT") Add(f["complaints"], 1);
  if (kind == "SLA_BREACHED") Add(f["sla_breaches"], 1);
  // The scenario only sets severity on tickets opened / escalated and complaints.
  std::string severity = Norm(e.value("severity", json()), "SEVERITY_");
  if (severity == "HIGH" || severity == "CRITICAL") Add(f["high_severity"], 1);
  if (e.contains("csat")) {
    Add(f["csat_sum"], e["csat"].get<int64_t>());
    Add(f["csat_count"], 1);
    f["csat_avg"] = f["csat_sum"].get<double>() / f["csat_count"].get<double>();
  }
  if (e.contains("nps")) {
    int64_t nps = e["nps"].get<int64_t>();
    Add(f["nps_sum"], nps);
    Add(f["nps_count"], 1);
    f["nps_avg"] = f["nps_sum"].get<double>() / f["nps_count"].get<double>();
    if (nps >= 9) Add(f["nps_promoters"], 1);
    if (nps <= 6) Add(f["nps_detractors"], 1);
  }
  MaxTime(f["last_event_at"], t);
}

void ApplyContact(AccountState& a, const json& e) {
  int64_t t = Time(e);
  auto [it, fresh] = a.engagement_months.try_emplace(LocalMonthLabel(t), Engagement());
  json& f = it->second;
  if (fresh) {
    f["last_executive_at"] = nullptr;
    f["last_management_at"] = nullptr;
    f["last_operational_at"] = nullptr;
  }
  std::string kind = Norm(e.at("kind"), "CONTACT_KIND_");
  std::string level = Norm(e.value("level", json()), "CONTACT_LEVEL_");
  std::string role = Norm(e.value("contact_role", json()), "CONTACT_ROLE_");
  auto seen_at_level = [&] {
    if (level == "EXECUTIVE") MaxTime(f["last_executive_at"], t);
    if (level == "MANAGEMENT") MaxTime(f["last_management_at"], t);
    if (level == "OPERATIONAL") MaxTime(f["last_operational_at"], t);
  };
  if (kind.rfind("MEETING_", 0) == 0) {
    std::string type = Norm(e.at("meeting_type"), "MEETING_TYPE_");
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string status = kind == "MEETING_SCHEDULED" ? "scheduled"
                         : kind == "MEETING_HELD"    ? "held"
                                                     : "cancelled";
    Add(f["meetings"][status][type], 1);
    if (kind == "MEETING_HELD") seen_at_level();
  } else if (kind == "CALL") {
    Add(f["calls"], 1);
    seen_at_level();
  } else if (kind == "VISIT") {
    Add(f["visits"], 1);
    seen_at_level();
  } else if (kind == "REFERENCE_WITHDRAWN") {
    Add(f["references_withdrawn"], 1);
  } else if (kind == "MANAGER_CHANGED") {
    Add(f["manager_changes"], 1);
  } else {
    PersonState& p = a.people[e.at("contact_id").get<std::string>()];
    if (kind == "CONTACT_ADDED") {
      Add(f["contacts_added"], 1);
      p.active = true;
      p.added_at = FormatUtc(t);
      p.left_at = nullptr;
      if (role != "UNSPECIFIED") p.role = role;
      if (level != "UNSPECIFIED") p.level = level;
    } else if (kind == "CONTACT_LEFT") {
      Add(f["contacts_left"], 1);
      if (p.role == "UNSPECIFIED") p.role = role;
      if (p.level == "UNSPECIFIED") p.level = level;
      // A decision-maker leaving: known as one, or reported as one by this event.
      if (p.role == "DECISION_MAKER" || role == "DECISION_MAKER") {
        Add(f["decision_makers_left"], 1);
      }
      p.active = false;
      p.left_at = FormatUtc(t);
    } else if (kind == "CONTACT_ROLE_CHANGED") {
      Add(f["role_changes"], 1);
      if (p.added_at.is_null() && !p.active) {  // first sighting: present from now on
        p.active = true;
        p.added_at = FormatUtc(t);
      }
      if (role != "UNSPECIFIED") p.role = role;
      if (level != "UNSPECIFIED") p.level = level;
    } else {
      throw std::runtime_error("unexpected contact kind in scenario: " + e.dump());
    }
  }
}

json Engagements(const json& month) {
  json out = Engagement();
  out["meetings"] = month["meetings"];
  for (const char* c : kEngagementCounters) out[c] = month[c];
  return out;
}

json View(const AccountState& a) {
  json v;
  v["profile"] = a.profile;
  v["quarters"] = json::object();
  for (const auto& [k, f] : a.quarters) v["quarters"][k] = f;
  v["order_months"] = json::object();
  for (const auto& [k, f] : a.order_months) v["order_months"][k] = f;
  v["service_months"] = json::object();
  for (const auto& [k, f] : a.service_months) v["service_months"][k] = f;
  v["contact_months"] = json::object();
  json totals = Engagement();
  json last{{"executive", nullptr}, {"management", nullptr}, {"operational", nullptr}};
  for (const auto& [k, f] : a.engagement_months) {
    v["contact_months"][k] = Engagements(f);
    for (const char* status : {"scheduled", "held", "cancelled"}) {
      for (const char* type : kMeetingTypes) {
        Add(totals["meetings"][status][type], f["meetings"][status][type].get<int64_t>());
      }
    }
    for (const char* c : kEngagementCounters) Add(totals[c], f[c].get<int64_t>());
    for (const char* level : {"executive", "management", "operational"}) {
      const json& at = f[std::string("last_") + level + "_at"];
      if (!at.is_null()) MaxTime(last[level], *ParseTimestamp(at.get<std::string>()));
    }
  }
  v["contact_totals"] = totals;
  v["last_contact_at"] = last;
  v["people"] = json::object();
  for (const auto& [id, p] : a.people) {
    v["people"][id] = {{"role", p.role},
                       {"level", p.level},
                       {"active", p.active},
                       {"added_at", p.added_at},
                       {"left_at", p.left_at}};
  }
  return v;
}

json Pick(const json& from, std::initializer_list<const char*> keys) {
  json out = json::object();
  for (const char* k : keys) out[k] = from.contains(k) ? from[k] : json(nullptr);
  return out;
}

}  // namespace

ReferenceModel::ReferenceModel(const Scenario& sc) {
  std::map<std::string, AccountState> state;
  for (const auto& id : sc.account_ids) state[id];
  auto run = [&](const std::string& topic,
                 const std::vector<const std::vector<std::string>*>& files, auto apply) {
    std::set<std::string> seen;
    for (const auto* lines : files) {
      for (const auto& line : *lines) {
        json e = json::parse(line);
        if (!seen.insert(e.at("event_id").get<std::string>()).second) {
          ++duplicates_;
          continue;
        }
        apply(state[e.at("account_id").get<std::string>()], e);
        ++applied_[topic];
      }
    }
  };
  run("orders", {&sc.orders_proto, &sc.orders_json}, ApplyOrder);
  run("service", {&sc.service}, ApplyService);
  run("contacts", {&sc.contacts}, ApplyContact);
  run("accounts", {&sc.accounts}, [](AccountState& a, const json& e) { a.profile = Profile(e); });
  for (const auto& [id, a] : state) views_[id] = View(a);
}

int64_t ReferenceModel::applied(const std::string& topic) const {
  auto it = applied_.find(topic);
  return it == applied_.end() ? 0 : it->second;
}

int64_t ReferenceModel::applied_total() const {
  int64_t n = 0;
  for (const auto& [t, c] : applied_) n += c;
  return n;
}

json ViewOfApiAccount(const json& api) {
  json v;
  const json& profile = api.value("profile", json());
  if (profile.is_object()) {
    v["profile"] = Pick(profile, {"event_id", "occurred_at", "name", "tier", "region", "industry",
                                  "stage", "credit_risk", "owner", "executive_sponsor"});
  } else {
    v["profile"] = nullptr;
  }
  v["quarters"] = json::object();
  v["order_months"] = json::object();
  const json& orders = api.value("orders", json::object());
  for (const auto& q : orders.value("quarters", json::array())) {
    json f = json::object();
    for (const char* k : kOrderFields) f[k] = q.contains(k) ? q[k] : json("<missing>");
    v["quarters"][q.value("product_line", "?") + "|" + q.value("quarter", "?")] = f;
  }
  for (const auto& m : orders.value("months", json::array())) {
    json f = json::object();
    for (const char* k : kOrderFields) f[k] = m.contains(k) ? m[k] : json("<missing>");
    v["order_months"][m.value("product_line", "?") + "|" + m.value("month", "?")] = f;
  }
  v["service_months"] = json::object();
  const json& service = api.value("service", json::object());
  for (const auto& m : service.value("months", json::array())) {
    json f = json::object();
    for (const char* k : kServiceFields) f[k] = m.contains(k) ? m[k] : json("<missing>");
    v["service_months"][m.value("month", "?")] = f;
  }
  const json& contacts = api.value("contacts", json::object());
  v["contact_months"] = json::object();
  for (const auto& m : contacts.value("months", json::array())) {
    json f = Engagement();
    f["meetings"] = m.value("meetings", json("<missing>"));
    for (const char* c : kEngagementCounters) f[c] = m.contains(c) ? m[c] : json("<missing>");
    v["contact_months"][m.value("month", "?")] = f;
  }
  json totals = contacts.value("totals", json::object());
  json t = Engagement();
  t["meetings"] = totals.value("meetings", json("<missing>"));
  for (const char* c : kEngagementCounters)
    t[c] = totals.contains(c) ? totals[c] : json("<missing>");
  v["contact_totals"] = t;
  v["last_contact_at"] = Pick(contacts.value("last_contact_at", json::object()),
                              {"executive", "management", "operational"});
  v["people"] = json::object();
  for (const auto& p : contacts.value("people", json::array())) {
    v["people"][p.value("contact_id", "?")] =
        Pick(p, {"role", "level", "active", "added_at", "left_at"});
  }
  return v;
}

}  // namespace churnwatch::test
