#include "support/scenario.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "support/civil_time.h"

namespace churnwatch::test {
namespace {

using nlohmann::json;

// splitmix64: deterministic on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Uniform(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) / 9007199254740992.0 < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int64_t>(v.size()) - 1))];
  }

 private:
  uint64_t s_;
};

// Event time window: 2024-10-01 .. 2026-10-31 local (UTC+8), i.e. two years in the past.
const int64_t kStart = UtcSeconds(2024, 9, 30, 16);
const int64_t kEnd = UtcSeconds(2026, 10, 31, 16);
constexpr int64_t kDay = 86400;
// Events that may be repeated lie in the last 20 days, so the duplicate is always inside the
// engine's dedup window (30 days behind stream time).
const int64_t kRecent = kEnd - 20 * kDay;

std::vector<int64_t> LocalMonthStarts(bool quarters_only) {
  std::vector<int64_t> out;
  for (int y = 2024; y <= 2026; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      if (quarters_only && (m - 1) % 3 != 0) continue;
      int64_t t = UtcSeconds(y, m, 1) - 8 * 3600;  // local midnight of the 1st
      if (t >= kStart && t < kEnd) out.push_back(t);
    }
  }
  return out;
}

struct Generator {
  explicit Generator(const ScenarioOptions& o) : opt(o), rng(o.seed) {}

  const ScenarioOptions& opt;
  Rng rng;
  std::vector<int64_t> month_edges = LocalMonthStarts(false);
  std::vector<int64_t> quarter_edges = LocalMonthStarts(true);

  int64_t RandomTime() {
    double r = static_cast<double>(rng.Uniform(0, 9999)) / 10000.0;
    if (r < 0.06) return rng.Pick(rng.Chance(0.5) ? quarter_edges : month_edges);
    if (r < 0.09) return rng.Pick(rng.Chance(0.5) ? quarter_edges : month_edges) - 1;
    return rng.Uniform(kStart, kEnd - 1);
  }

  std::string Time(int64_t t) {
    int r = static_cast<int>(rng.Uniform(0, 9));
    if (r < 6) return FormatUtc(t);
    if (r < 9) return FormatWithOffset(t, 8 * 60);
    return FormatWithOffset(t, -5 * 60);
  }

  // PLACED, placed or ORDER_STATUS_PLACED: all accepted by the contract.
  std::string Enum(const std::string& prefix, const std::string& value) {
    int r = static_cast<int>(rng.Uniform(0, 9));
    if (r < 6) return value;
    if (r < 8) {
      std::string lower = value;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower;
    }
    return prefix + value;
  }

  json Int64(int64_t v) { return rng.Chance(0.3) ? json(std::to_string(v)) : json(v); }
};

struct Line {
  std::string text;
  int64_t t;
};

// Inserts repeats of recent events (same line, same event_id) after their original.
void AddDuplicates(Rng& rng, std::vector<Line>& lines, int count) {
  for (int i = 0; i < count; ++i) {
    std::vector<size_t> recent;
    for (size_t k = 0; k < lines.size(); ++k) {
      if (lines[k].t >= kRecent) recent.push_back(k);
    }
    if (recent.empty()) return;
    size_t src = rng.Pick(recent);
    size_t at = static_cast<size_t>(
        rng.Uniform(static_cast<int64_t>(src) + 1, static_cast<int64_t>(lines.size())));
    Line copy = lines[src];
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), copy);
  }
}

std::vector<std::string> Texts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

}  // namespace

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

Scenario GenerateScenario(const ScenarioOptions& o) {
  Generator g(o);
  Rng& rng = g.rng;
  Scenario sc;
  char buf[64];
  for (int i = 0; i < o.accounts; ++i) {
    std::snprintf(buf, sizeof buf, "%s-%04d", o.account_prefix.c_str(), i);
    sc.account_ids.push_back(buf);
  }
  auto dup_count = [&](int total) { return static_cast<int>(total * o.duplicate_share); };

  // ---- accounts: one profile each, some replaced later (last one wins), a few repeats.
  static const std::vector<std::string> kNames = {
      "华东精密制造有限公司",   "O'Brien \"Quoted\" & Co\\Ltd",
      "Müller Anlagenbau GmbH", "Shenzhen Bright Optics",
      "北方重工集团",           "Plain Account"};
  static const std::vector<std::string> kTiers = {"STRATEGIC", "KEY", "GROWTH", "POTENTIAL",
                                                  "ORDINARY"};
  static const std::vector<std::string> kStages = {"NURTURING", "INITIAL", "DEVELOPING",
                                                   "STRATEGIC_PARTNER", "INTERRUPTED"};
  static const std::vector<std::string> kRisks = {"NONE", "WATCH", "DOWNGRADED", "DISTRESSED"};
  static const std::vector<std::string> kRegions = {"华东", "North", "South-West", "EMEA"};
  static const std::vector<std::string> kIndustries = {"machinery", "汽车零部件", "optics"};
  int profile_seq = 0;
  auto profile = [&](const std::string& account, int64_t t) {
    json j;
    j["event_id"] = "p-" + std::to_string(profile_seq++);
    j["account_id"] = account;
    j["occurred_at"] = g.Time(t);
    j["name"] = rng.Pick(kNames) + " #" + std::to_string(profile_seq);
    j["tier"] = g.Enum("TIER_", rng.Pick(kTiers));
    j["owner"] = {{"id", "emp-" + std::to_string(rng.Uniform(1, 40))},
                  {"name", "经理 " + std::to_string(rng.Uniform(1, 40))},
                  {"email", "am" + std::to_string(rng.Uniform(1, 40)) + "@example.com"}};
    j["executive_sponsor"] = {{"id", "vp-" + std::to_string(rng.Uniform(1, 5))},
                              {"name", "VP " + std::to_string(rng.Uniform(1, 5))},
                              {"email", "vp@example.com"}};
    j["region"] = rng.Pick(kRegions);
    j["industry"] = rng.Pick(kIndustries);
    j["stage"] = g.Enum("STAGE_", rng.Pick(kStages));
    j["credit_risk"] = g.Enum("CREDIT_RISK_", rng.Pick(kRisks));
    return Line{j.dump(), t};
  };
  std::vector<Line> accounts;
  for (const auto& a : sc.account_ids) {
    accounts.push_back(profile(a, rng.Uniform(kEnd - 60 * kDay, kRecent - kDay)));
  }
  for (int i = 0; i < o.profile_updates; ++i) {
    accounts.push_back(profile(rng.Pick(sc.account_ids), rng.Uniform(kRecent, kEnd - 1)));
  }
  AddDuplicates(rng, accounts, o.account_events - static_cast<int>(accounts.size()));
  sc.accounts = Texts(accounts);

  // ---- orders: 1-3 product lines per account.
  static const std::vector<std::string> kLines = {"PL-STEEL", "PL-PUMPS", "工业阀门", "PL-SENSORS",
                                                  "PL-SERVICE"};
  std::vector<std::vector<std::string>> lines_of(sc.account_ids.size());
  for (auto& l : lines_of) {
    int n = static_cast<int>(rng.Uniform(1, 3));
    std::vector<std::string> pool = kLines;
    for (int k = 0; k < n; ++k) {
      size_t idx = static_cast<size_t>(rng.Uniform(0, static_cast<int64_t>(pool.size()) - 1));
      l.push_back(pool[idx]);
      pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(idx));
    }
  }
  int order_seq = 0;
  auto order = [&](size_t acct, int64_t t, std::string status, const std::string& time_text) {
    json j;
    j["event_id"] = "o-" + std::to_string(order_seq);
    j["order_id"] = "SO-" + std::to_string(order_seq / 2);
    ++order_seq;
    j["account_id"] = sc.account_ids[acct];
    j["occurred_at"] = time_text;
    j["product_line"] = rng.Pick(lines_of[acct]);
    int64_t qty = rng.Chance(0.05) ? 0 : rng.Uniform(1, 40);
    int64_t amount = qty * rng.Uniform(100, 99999);
    if (rng.Chance(0.01)) amount = 100'000'000'000LL + rng.Uniform(0, 1'000'000'000);  // > 2^31
    j["quantity"] = g.Int64(qty);
    j["amount_minor"] = g.Int64(amount);
    if (rng.Chance(0.8)) j["currency"] = "CNY";
    j["status"] = g.Enum("ORDER_STATUS_", status);
    return Line{j.dump(), t};
  };
  auto random_status = [&] {
    int r = static_cast<int>(rng.Uniform(0, 99));
    return std::string(r < 75 ? "PLACED" : r < 87 ? "CANCELLED" : "RETURNED");
  };
  std::vector<Line> orders;
  // The edges the contract names, on fixed accounts, plus the earliest accepted instant.
  const int64_t q2_2026 = UtcSeconds(2026, 3, 31, 16);
  orders.push_back(order(1 % sc.account_ids.size(), q2_2026, "PLACED", "2026-03-31T16:00:00Z"));
  orders.push_back(order(1 % sc.account_ids.size(), q2_2026 - 1, "PLACED", "2026-03-31T15:59:59Z"));
  orders.push_back(
      order(2 % sc.account_ids.size(), q2_2026, "RETURNED", "2026-04-01T00:00:00+08:00"));
  orders.push_back(order(0, UtcSeconds(1990, 1, 1), "PLACED", "1990-01-01T00:00:00Z"));
  int unique_orders = o.orders - dup_count(o.orders);
  while (static_cast<int>(orders.size()) < unique_orders) {
    size_t acct =
        static_cast<size_t>(rng.Uniform(0, static_cast<int64_t>(sc.account_ids.size()) - 1));
    int64_t t = g.RandomTime();
    orders.push_back(order(acct, t, random_status(), g.Time(t)));
  }
  AddDuplicates(rng, orders, o.orders - static_cast<int>(orders.size()));
  std::vector<std::string> all_orders = Texts(orders);
  size_t half = all_orders.size() / 2;
  sc.orders_proto.assign(all_orders.begin(),
                         all_orders.begin() + static_cast<std::ptrdiff_t>(half));
  sc.orders_json.assign(all_orders.begin() + static_cast<std::ptrdiff_t>(half), all_orders.end());

  // ---- service.
  static const std::vector<std::string> kSeverities = {"LOW", "MEDIUM", "HIGH", "CRITICAL"};
  std::vector<Line> service;
  int unique_service = o.service - dup_count(o.service);
  for (int i = 0; i < unique_service; ++i) {
    json j;
    // Some service events reuse an order's event_id: another topic, so not a duplicate.
    j["event_id"] = rng.Chance(0.01) ? "o-" + std::to_string(rng.Uniform(0, order_seq - 1))
                                     : "s-" + std::to_string(i);
    j["account_id"] = rng.Pick(sc.account_ids);
    int64_t t = g.RandomTime();
    j["occurred_at"] = g.Time(t);
    int r = static_cast<int>(rng.Uniform(0, 99));
    std::string kind = r < 30   ? "TICKET_OPENED"
                       : r < 55 ? "TICKET_RESOLVED"
                       : r < 63 ? "TICKET_ESCALATED"
                       : r < 70 ? "COMPLAINT"
                       : r < 77 ? "SLA_BREACHED"
                                : "SURVEY";
    j["kind"] = g.Enum("SERVICE_KIND_", kind);
    if (kind != "SURVEY") j["ticket_id"] = "T-" + std::to_string(rng.Uniform(1, 3000));
    if ((kind == "TICKET_OPENED" || kind == "TICKET_ESCALATED" || kind == "COMPLAINT") &&
        rng.Chance(0.8)) {
      j["severity"] = g.Enum("SEVERITY_", rng.Pick(kSeverities));
    }
    if (kind == "SURVEY") {
      int which = static_cast<int>(rng.Uniform(0, 2));
      if (which != 1) j["csat"] = rng.Uniform(1, 5);
      if (which != 0) j["nps"] = rng.Uniform(0, 10);
    }
    service.push_back(Line{j.dump(), t});
  }
  AddDuplicates(rng, service, o.service - static_cast<int>(service.size()));
  sc.service = Texts(service);

  // ---- contacts: people keep a lifecycle per account so LEFT / ROLE_CHANGED mostly refer to
  // people that were added.
  static const std::vector<std::string> kRoles = {"DECISION_MAKER", "INFLUENCER", "SUPPORTER",
                                                  "OPPONENT", "USER"};
  static const std::vector<std::string> kLevels = {"EXECUTIVE", "MANAGEMENT", "OPERATIONAL"};
  static const std::vector<std::string> kMeetingTypes = {"STRATEGY", "BUSINESS_REVIEW", "EXECUTIVE",
                                                         "ROUTINE", "TRAINING"};
  struct Person {
    std::string id;
    bool active;
  };
  std::vector<std::vector<Person>> people(sc.account_ids.size());
  int next_person = 0;
  std::vector<Line> contacts;
  int unique_contacts = o.contacts - dup_count(o.contacts);
  for (int i = 0; i < unique_contacts; ++i) {
    size_t acct =
        static_cast<size_t>(rng.Uniform(0, static_cast<int64_t>(sc.account_ids.size()) - 1));
    json j;
    j["event_id"] = rng.Chance(0.01) ? "s-" + std::to_string(rng.Uniform(0, unique_service - 1))
                                     : "c-" + std::to_string(i);
    j["account_id"] = sc.account_ids[acct];
    int64_t t = g.RandomTime();
    j["occurred_at"] = g.Time(t);
    auto& ps = people[acct];
    std::vector<size_t> active;
    for (size_t k = 0; k < ps.size(); ++k) {
      if (ps[k].active) active.push_back(k);
    }
    int r = static_cast<int>(rng.Uniform(0, 99));
    std::string kind;
    if (r < 10) {
      kind = "MEETING_SCHEDULED";
    } else if (r < 22) {
      kind = "MEETING_HELD";
    } else if (r < 30) {
      kind = "MEETING_CANCELLED";
    } else if (r < 45) {
      kind = "CALL";
    } else if (r < 55) {
      kind = "VISIT";
    } else if (r < 71) {
      kind = "CONTACT_ADDED";
    } else if (r < 80) {
      kind = "CONTACT_LEFT";
    } else if (r < 88) {
      kind = "CONTACT_ROLE_CHANGED";
    } else if (r < 94) {
      kind = "REFERENCE_WITHDRAWN";
    } else {
      kind = "MANAGER_CHANGED";
    }
    j["kind"] = g.Enum("CONTACT_KIND_", kind);
    if (kind.rfind("MEETING_", 0) == 0) {
      j["meeting_type"] = g.Enum("MEETING_TYPE_", rng.Pick(kMeetingTypes));
      if (rng.Chance(0.8)) j["level"] = g.Enum("CONTACT_LEVEL_", rng.Pick(kLevels));
    } else if (kind == "CALL" || kind == "VISIT") {
      if (rng.Chance(0.9)) j["level"] = g.Enum("CONTACT_LEVEL_", rng.Pick(kLevels));
    } else if (kind == "CONTACT_ADDED") {
      std::vector<size_t> left;
      for (size_t k = 0; k < ps.size(); ++k) {
        if (!ps[k].active) left.push_back(k);
      }
      size_t who;
      if (!left.empty() && rng.Chance(0.15)) {
        who = rng.Pick(left);  // a person who left comes back
      } else {
        ps.push_back(Person{"p" + std::to_string(next_person++), false});
        who = ps.size() - 1;
      }
      ps[who].active = true;
      j["contact_id"] = ps[who].id;
      j["contact_role"] = g.Enum("CONTACT_ROLE_", rng.Pick(kRoles));
      j["level"] = g.Enum("CONTACT_LEVEL_", rng.Pick(kLevels));
    } else if (kind == "CONTACT_LEFT") {
      if (!active.empty() && !rng.Chance(0.05)) {
        size_t who = rng.Pick(active);
        ps[who].active = false;
        j["contact_id"] = ps[who].id;
      } else {
        // Someone the CRM never reported as added leaves: known from this event only.
        ps.push_back(Person{"p" + std::to_string(next_person++), false});
        j["contact_id"] = ps.back().id;
        j["level"] = g.Enum("CONTACT_LEVEL_", rng.Pick(kLevels));
      }
      j["contact_role"] = g.Enum("CONTACT_ROLE_", rng.Pick(kRoles));
    } else if (kind == "CONTACT_ROLE_CHANGED") {
      if (!active.empty() && !rng.Chance(0.05)) {
        j["contact_id"] = ps[rng.Pick(active)].id;
      } else {
        ps.push_back(Person{"p" + std::to_string(next_person++), true});  // first sighting
        j["contact_id"] = ps.back().id;
      }
      j["contact_role"] = g.Enum("CONTACT_ROLE_", rng.Pick(kRoles));
      if (rng.Chance(0.5)) j["level"] = g.Enum("CONTACT_LEVEL_", rng.Pick(kLevels));
    } else if (kind == "MANAGER_CHANGED" && rng.Chance(0.5)) {
      j["new_manager"] = {{"id", "emp-" + std::to_string(rng.Uniform(41, 60))},
                          {"name", "新经理"},
                          {"email", "new@example.com"}};
    }
    contacts.push_back(Line{j.dump(), t});
  }
  AddDuplicates(rng, contacts, o.contacts - static_cast<int>(contacts.size()));
  sc.contacts = Texts(contacts);
  return sc;
}

}  // namespace churnwatch::test
