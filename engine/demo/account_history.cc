#include "demo/account_history.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "common/calendar.h"

namespace churnwatch::demo::internal {
namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;

// Durations in whole seconds, so that timestamps read like a CRM's.
UnixMicros Days(double d) { return static_cast<UnixMicros>(d * 86'400) * kMicrosPerSecond; }
UnixMicros Hours(double h) { return static_cast<UnixMicros>(h * 3'600) * kMicrosPerSecond; }

// The customer's decision chain, in the order people are added: multi-level contact means an
// executive decision-maker, management influencers/supporters and operational users.
struct ContactSpec {
  const char* role;
  const char* level;
};
constexpr ContactSpec kContactSpecs[5] = {{"DECISION_MAKER", "EXECUTIVE"},
                                          {"INFLUENCER", "MANAGEMENT"},
                                          {"USER", "OPERATIONAL"},
                                          {"SUPPORTER", "MANAGEMENT"},
                                          {"USER", "OPERATIONAL"}};
constexpr int kDecisionMaker = 0;
constexpr int kInfluencer = 1;
constexpr int kUser = 2;

// Mean ticket interval in days by tier (bigger accounts open more tickets).
double TicketIntervalDays(Rng& rng, Tier tier) {
  switch (tier) {
    case Tier::kStrategic:
      return rng.Uniform(20, 30);
    case Tier::kKey:
      return rng.Uniform(25, 40);
    case Tier::kGrowth:
      return rng.Uniform(30, 50);
    case Tier::kPotential:
      return rng.Uniform(45, 70);
    case Tier::kOrdinary:
      return rng.Uniform(60, 90);
  }
  return 60;
}

}  // namespace

const char* TierEnumName(Tier t) {
  switch (t) {
    case Tier::kStrategic:
      return "STRATEGIC";
    case Tier::kKey:
      return "KEY";
    case Tier::kGrowth:
      return "GROWTH";
    case Tier::kPotential:
      return "POTENTIAL";
    case Tier::kOrdinary:
      return "ORDINARY";
  }
  return "ORDINARY";
}

const char* TierName(Tier t) {
  switch (t) {
    case Tier::kStrategic:
      return "strategic";
    case Tier::kKey:
      return "key";
    case Tier::kGrowth:
      return "growth";
    case Tier::kPotential:
      return "potential";
    case Tier::kOrdinary:
      return "ordinary";
  }
  return "ordinary";
}

double HistoryWindow::RunningElapsed() const {
  int r = running();
  return static_cast<double>(now - QuarterStart(r)) /
         static_cast<double>(QuarterEnd(r) - QuarterStart(r));
}

AccountHistory::AccountHistory(const AccountPlan& plan, const HistoryWindow& window)
    : plan_(plan), window_(window) {}

const DemoPerson* AccountHistory::Generate(std::vector<DemoMessage>* out) {
  out_ = out;
  PlanTimeline();
  EmitProfile(window_.start + kMicrosPerSecond * (60 + 7 * plan_.index), "NONE");
  GenerateOrders();
  GenerateService();
  GenerateContacts();
  GenerateAccountChanges();
  Finish();
  return owners_.back().second;
}

// Decides the dated facts that several streams share: who owns the account when, the credit
// risk changes, and when the contact-related patterns start.
void AccountHistory::PlanTimeline() {
  Rng rng(MixSeed(plan_.seed, 4));
  owners_.assign(1, {window_.start, plan_.owner});
  auto change_manager = [&](UnixMicros t) {
    std::span<const DemoPerson> all = AccountManagers();
    const DemoPerson* current = owners_.back().second;
    const DemoPerson* next = current;
    while (next == current) next = &all[static_cast<size_t>(rng.Int(0, all.size() - 1))];
    owners_.push_back({t, next});
  };
  switch (plan_.pattern) {
    case Pattern::kManagerTurnover:
      change_manager(DaysBeforeNow(rng, 300, 340));
      change_manager(DaysBeforeNow(rng, 170, 220));
      change_manager(DaysBeforeNow(rng, 30, 90));
      break;
    case Pattern::kHealthy:
      // An old, single hand-over is normal life and must not look like turnover.
      if (rng.Chance(0.08)) {
        UnixMicros t = BusinessTime(rng, window_.start + Days(rng.Uniform(60, 200)));
        if (t < window_.now - Days(400)) change_manager(t);
      }
      break;
    case Pattern::kExternalRisk: {
      UnixMicros t = DaysBeforeNow(rng, 10, 80);
      if (rng.Chance(0.5)) credit_.push_back({t - Days(rng.Uniform(30, 60)), "WATCH"});
      credit_.push_back({t, rng.Chance(0.6) ? "DOWNGRADED" : "DISTRESSED"});
      break;
    }
    case Pattern::kHealthLow:
      credit_.push_back({DaysBeforeNow(rng, 30, 100), "WATCH"});
      break;
    case Pattern::kKeyContactChange:
      decision_maker_left_ = DaysBeforeNow(rng, 20, 75);
      if (plan_.contacts >= 3) user_left_ = DaysBeforeNow(rng, 150, 200);
      break;
    case Pattern::kExecContactGap:
      exec_gap_start_ = BusinessTime(
          rng, window_.QuarterStart(window_.running() - 1) - Days(rng.Uniform(10, 25)));
      break;
    default:
      break;
  }
}

UnixMicros AccountHistory::BusinessTime(Rng& rng, UnixMicros t) const {
  int64_t day = (t - window_.start) / kMicrosPerDay;
  UnixMicros midnight = window_.start + day * kMicrosPerDay;
  // Weekday of that local date (1970-01-01 was a Thursday; Sunday = 0); weekends move to the
  // nearest working day, unless that leaves the history.
  int64_t weekday = ((midnight + 12 * kMicrosPerHour) / kMicrosPerDay + 4) % 7;
  if (weekday == 6)
    midnight += midnight - kMicrosPerDay >= window_.start ? -kMicrosPerDay : 2 * kMicrosPerDay;
  if (weekday == 0) midnight += kMicrosPerDay;
  return midnight + 9 * kMicrosPerHour + rng.Int(0, 9 * 3600 - 1) * kMicrosPerSecond;
}

UnixMicros AccountHistory::DaysBeforeNow(Rng& rng, double lo, double hi) const {
  UnixMicros t = BusinessTime(rng, window_.now - Days(rng.Uniform(lo, hi)));
  // A weekend shift may cross `now`; fall back a week rather than drop a planted event.
  return t <= window_.now ? t : t - Days(7);
}

std::vector<double> AccountHistory::LineFactors(Rng& rng, const LineSpec& line) const {
  const int r = window_.running();
  std::vector<double> f(static_cast<size_t>(r) + 1);
  double trend = 1.0;
  for (int q = 0; q <= r; ++q) {
    f[static_cast<size_t>(q)] = trend * rng.Uniform(0.97, 1.03);
    trend *= 1.0 + line.growth;
  }
  double lo = 0, hi = 0;
  if (plan_.pattern == Pattern::kVolumeDecline) lo = 0.20, hi = 0.35;
  if (plan_.pattern == Pattern::kHealthLow) lo = 0.08, hi = 0.12;
  if (hi > 0) {
    // Two complete quarters of decline against the one before, and the running quarter on
    // pace to fall again (the early form of the signal).
    for (int q = r - 2; q <= r; ++q) {
      f[static_cast<size_t>(q)] = f[static_cast<size_t>(q) - 1] * (1.0 - rng.Uniform(lo, hi));
    }
  }
  return f;
}

void AccountHistory::GenerateOrders() {
  Rng rng(MixSeed(plan_.seed, 1));
  const int r = window_.running();
  UnixMicros silence_start = kNever;
  if (plan_.pattern == Pattern::kPurchaseSilence) {
    double rate = 0;
    for (const LineSpec& l : plan_.lines) rate += 1.0 / l.cycle_days;
    double span = std::clamp(rng.Uniform(4.5, 6.0) / rate, 45.0, 200.0);
    silence_start = window_.now - Days(span);
  }
  // Partial churn: the last (never the main) line stops for the last ~2 quarters.
  size_t dropped = plan_.lines.size();
  UnixMicros drop_start = kNever;
  if (plan_.pattern == Pattern::kProductLineDropped && plan_.lines.size() >= 2) {
    dropped = plan_.lines.size() - 1;
    drop_start = window_.QuarterStart(window_.RunningElapsed() < 0.5 ? r - 2 : r - 1);
  }
  for (size_t li = 0; li < plan_.lines.size(); ++li) {
    const LineSpec& line = plan_.lines[li];
    const std::vector<double> factors = LineFactors(rng, line);
    const UnixMicros cut = std::min(silence_start, li == dropped ? drop_start : kNever);
    const int per_quarter = std::max(1, static_cast<int>(std::lround(91.3 / line.cycle_days)));
    for (int q = 0; q <= r; ++q) {
      const UnixMicros qs = window_.QuarterStart(q), qe = window_.QuarterEnd(q);
      for (int k = 0; k < per_quarter; ++k) {
        // One order per slot, jittered inside its slot: the count per quarter is stable, so
        // quarterly quantities follow the planned factors instead of the calendar's noise.
        double pos = (k + 0.5 + rng.Uniform(-0.25, 0.25)) / per_quarter;
        UnixMicros t =
            BusinessTime(rng, qs + static_cast<UnixMicros>(pos * static_cast<double>(qe - qs)));
        double jitter = rng.Uniform(0.95, 1.05);
        bool cancel = rng.Chance(0.015), ret = rng.Chance(0.03);
        if (t > window_.now || t < window_.start + kMicrosPerDay || t >= cut) continue;
        int64_t qty = std::max<int64_t>(
            1, std::llround(line.base_qty * factors[static_cast<size_t>(q)] * jitter));
        int id = ++order_refs_;
        EmitOrder(t, id, line, qty, "PLACED");
        if (cancel && t + Days(3) < std::min({qe, window_.now, cut})) {
          // A corrected order: cancelled and placed again within the same quarter.
          EmitOrder(t + Hours(rng.Uniform(2, 20)), id, line, qty, "CANCELLED");
          int again = ++order_refs_;
          EmitOrder(t + Days(rng.Uniform(1, 2)), again, line, qty, "PLACED");
        }
        UnixMicros rt = t + Days(rng.Uniform(7, 20));
        if (ret && rt <= window_.now && rt < cut) {
          int64_t back = std::max<int64_t>(1, std::llround(static_cast<double>(qty) * 0.05));
          EmitOrder(rt, id, line, back, "RETURNED");
        }
      }
    }
  }
}

void AccountHistory::GenerateService() {
  Rng rng(MixSeed(plan_.seed, 2));
  const int r = window_.running();
  const bool degrades = plan_.pattern == Pattern::kServiceDegradation;
  const UnixMicros degrade_start = degrades ? DaysBeforeNow(rng, 120, 160) : kNever;
  const UnixMicros routine_end = std::min(window_.now, degrade_start);
  auto next_ticket = [&] { return ++ticket_refs_; };

  // Routine tickets: mostly low/medium, resolved in hours; a rare isolated SLA breach.
  const double interval = TicketIntervalDays(rng, plan_.tier);
  UnixMicros last_breach = window_.start - Days(365);
  for (UnixMicros t = window_.start + Days(rng.Uniform(3, interval)); t < routine_end;
       t += Days(interval * rng.Uniform(0.6, 1.4))) {
    UnixMicros opened = BusinessTime(rng, t);
    int id = next_ticket();
    constexpr double kWeights[] = {0.5, 0.4, 0.1};
    size_t sev = rng.Weighted(kWeights);
    const char* severity = sev == 0 ? "LOW" : sev == 1 ? "MEDIUM" : "HIGH";
    double resolve_hours = sev == 0   ? rng.Uniform(4, 48)
                           : sev == 1 ? rng.Uniform(2, 24)
                                      : rng.Uniform(2, 8);
    bool escalate = sev == 2 && rng.Chance(0.3);
    bool breach = rng.Chance(0.02) && opened - last_breach > Days(180);
    EmitService(opened, id, "TICKET_OPENED", severity, 0, -1);
    if (escalate)
      EmitService(opened + Hours(rng.Uniform(0.5, 1.5)), id, "TICKET_ESCALATED", severity, 0, -1);
    if (breach) {
      EmitService(opened + Hours(resolve_hours * 0.9), id, "SLA_BREACHED", severity, 0, -1);
      last_breach = opened;
    }
    EmitService(opened + Hours(resolve_hours), id, "TICKET_RESOLVED", severity, 0, -1);
  }

  // Satisfaction surveys: quarterly for strategic/key/growth, half-yearly below.
  const bool quarterly =
      plan_.tier == Tier::kStrategic || plan_.tier == Tier::kKey || plan_.tier == Tier::kGrowth;
  const bool health_low = plan_.pattern == Pattern::kHealthLow;
  const UnixMicros low_from = window_.QuarterStart(r - 2);
  auto survey = [&](UnixMicros t, bool low) {
    int csat = low ? static_cast<int>(rng.Int(2, 3)) : rng.Chance(0.6) ? 5 : 4;
    int nps = low ? static_cast<int>(rng.Int(5, 6)) : static_cast<int>(rng.Int(8, 10));
    EmitService(t, -1, "SURVEY", nullptr, csat, nps);
  };
  for (int q = quarterly ? 0 : 1; q <= r; q += quarterly ? 1 : 2) {
    UnixMicros t = BusinessTime(rng, window_.QuarterStart(q) + Days(rng.Uniform(35, 70)));
    if (t >= routine_end) continue;
    survey(t, health_low && t >= low_from);
  }
  if (health_low) {
    // Lukewarm answers in the last months, whatever the survey cadence.
    survey(DaysBeforeNow(rng, 50, 70), true);
    survey(DaysBeforeNow(rng, 8, 25), true);
  }

  if (!degrades) return;
  // Degradation: frequent severe tickets, every other one breaching its SLA, formal
  // complaints every two to three weeks, and monthly surveys with CSAT 1-2 and NPS 0-4.
  int n = 0;
  for (UnixMicros t = degrade_start; t <= window_.now; t += Days(rng.Uniform(6, 12)), ++n) {
    UnixMicros opened = BusinessTime(rng, t);
    int id = next_ticket();
    constexpr double kWeights[] = {0.3, 0.5, 0.2};
    size_t sev = rng.Weighted(kWeights);
    const char* severity = sev == 0 ? "MEDIUM" : sev == 1 ? "HIGH" : "CRITICAL";
    EmitService(opened, id, "TICKET_OPENED", severity, 0, -1);
    if (sev == 2 || rng.Chance(0.4)) {
      EmitService(opened + Hours(rng.Uniform(1, 3)), id, "TICKET_ESCALATED", severity, 0, -1);
    }
    if (n % 2 == 0)
      EmitService(opened + Hours(rng.Uniform(4, 8)), id, "SLA_BREACHED", severity, 0, -1);
    EmitService(opened + Days(rng.Uniform(1, 5)), id, "TICKET_RESOLVED", severity, 0, -1);
  }
  for (UnixMicros t = degrade_start + Days(rng.Uniform(5, 15)); t <= window_.now - Days(2);
       t += Days(rng.Uniform(14, 21))) {
    EmitService(BusinessTime(rng, t), next_ticket(), "COMPLAINT", "HIGH", 0, -1);
  }
  bool first = true;
  for (UnixMicros t = degrade_start + Days(rng.Uniform(15, 25)); t <= window_.now - Days(2);
       t += Days(rng.Uniform(25, 35))) {
    int csat = first ? 2 : static_cast<int>(rng.Int(1, 2));
    EmitService(BusinessTime(rng, t), -1, "SURVEY", nullptr, csat, static_cast<int>(rng.Int(0, 4)));
    first = false;
  }
}

bool AccountHistory::Present(int contact, UnixMicros t) const {
  if (contact >= plan_.contacts) return false;
  if (contact == kDecisionMaker) return t < decision_maker_left_;
  if (contact == kUser) return t < user_left_;
  return true;
}

int AccountHistory::ContactFor(const char* level, UnixMicros t) const {
  std::string_view l = level;
  if (l == "EXECUTIVE" && t < exec_gap_start_ && Present(kDecisionMaker, t)) return kDecisionMaker;
  if (l == "OPERATIONAL" && Present(kUser, t)) return kUser;
  return kInfluencer;
}

void AccountHistory::Meeting(UnixMicros scheduled, UnixMicros held, const char* type,
                             const char* level) {
  int who = ContactFor(level, held);
  const char* lv = kContactSpecs[who].level;
  EmitContact(scheduled, "MEETING_SCHEDULED", type, who, kContactSpecs[who].role, lv);
  EmitContact(held, "MEETING_HELD", type, who, kContactSpecs[who].role, lv);
}

void AccountHistory::Touch(UnixMicros t, const char* kind, const char* level) {
  int who = ContactFor(level, t);
  EmitContact(t, kind, nullptr, who, kContactSpecs[who].role, kContactSpecs[who].level);
}

void AccountHistory::GenerateContacts() {
  Rng rng(MixSeed(plan_.seed, 3));
  const int r = window_.running();
  const UnixMicros first_day = window_.start + Days(7);

  for (int c = 0; c < plan_.contacts; ++c) {
    EmitContact(BusinessTime(rng, window_.start + Days(1 + c)), "CONTACT_ADDED", nullptr, c,
                kContactSpecs[c].role, kContactSpecs[c].level);
  }
  if (decision_maker_left_ != kNever) {
    EmitContact(decision_maker_left_, "CONTACT_LEFT", nullptr, kDecisionMaker, "DECISION_MAKER",
                "EXECUTIVE");
  }
  if (user_left_ != kNever)
    EmitContact(user_left_, "CONTACT_LEFT", nullptr, kUser, "USER", "OPERATIONAL");
  if (plan_.pattern != Pattern::kKeyContactChange && plan_.contacts >= 3 && rng.Chance(0.25)) {
    EmitContact(BusinessTime(rng, window_.start + Days(rng.Uniform(120, 400))),
                "CONTACT_ROLE_CHANGED", nullptr, kUser, "SUPPORTER", "OPERATIONAL");
  }
  for (size_t i = 1; i < owners_.size(); ++i) {
    EmitContact(owners_[i].first, "MANAGER_CHANGED", nullptr, -1, nullptr, nullptr,
                owners_[i].second);
  }
  if (plan_.pattern == Pattern::kReferenceWithdrawn) {
    EmitContact(DaysBeforeNow(rng, 10, 80), "REFERENCE_WITHDRAWN", nullptr, kDecisionMaker,
                "DECISION_MAKER", "EXECUTIVE");
  }

  // Cadence by tier: executives meet quarterly and middle management monthly for
  // strategic/key accounts; growth accounts get quarterly reviews; the rest calls and visits.
  auto repeat = [&](double first_lo, double first_hi, double lo, double hi, auto&& fn) {
    for (UnixMicros t = window_.start + Days(rng.Uniform(first_lo, first_hi)); t <= window_.now;
         t += Days(rng.Uniform(lo, hi))) {
      fn(BusinessTime(rng, t));
    }
  };
  const bool upper = IsUpperTier(plan_.tier);
  if (upper || plan_.tier == Tier::kGrowth) {
    for (int q = 0; q <= r; ++q) {
      UnixMicros held = BusinessTime(rng, window_.QuarterStart(q) + Days(rng.Uniform(20, 45)));
      UnixMicros scheduled =
          std::max(first_day, BusinessTime(rng, held - Days(rng.Uniform(10, 20))));
      bool executive = upper && ContactFor("EXECUTIVE", held) == kDecisionMaker;
      const char* type = executive && rng.Chance(0.4) ? "EXECUTIVE" : "BUSINESS_REVIEW";
      Meeting(scheduled, held, type, upper ? "EXECUTIVE" : "MANAGEMENT");
      if (!upper) continue;
      UnixMicros mid = BusinessTime(rng, window_.QuarterStart(q) + Days(rng.Uniform(55, 80)));
      const char* kind = rng.Chance(0.5) ? "CALL" : "VISIT";
      if (ContactFor("EXECUTIVE", mid) == kDecisionMaker) Touch(mid, kind, "EXECUTIVE");
    }
    PlanStrategyMeetings(rng);
  }
  if (upper) {
    repeat(8, 20, 25, 35, [&](UnixMicros t) { Touch(t, "CALL", "MANAGEMENT"); });
    repeat(20, 50, 50, 70, [&](UnixMicros t) { Touch(t, "VISIT", "OPERATIONAL"); });
    repeat(60, 200, 150, 210, [&](UnixMicros t) {
      int who = ContactFor("OPERATIONAL", t);
      EmitContact(t, "MEETING_HELD", "TRAINING", who, kContactSpecs[who].role,
                  kContactSpecs[who].level);
    });
  } else if (plan_.tier == Tier::kGrowth) {
    repeat(8, 30, 35, 50, [&](UnixMicros t) { Touch(t, "CALL", "MANAGEMENT"); });
    repeat(30, 80, 80, 100, [&](UnixMicros t) { Touch(t, "VISIT", "OPERATIONAL"); });
  } else {
    repeat(8, 40, 45, 70,
           [&](UnixMicros t) { Touch(t, "CALL", rng.Chance(0.5) ? "MANAGEMENT" : "OPERATIONAL"); });
    repeat(40, 120, 110, 140, [&](UnixMicros t) { Touch(t, "VISIT", "OPERATIONAL"); });
    repeat(60, 150, 170, 190, [&](UnixMicros t) {
      Meeting(std::max(first_day, BusinessTime(rng, t - Days(rng.Uniform(7, 14)))), t, "ROUTINE",
              "MANAGEMENT");
    });
  }
}

// The annual strategy meeting (年度战略会议) of strategic, key and growth accounts: scheduled three
// to five weeks ahead, held with the decision-maker.
void AccountHistory::PlanStrategyMeetings(Rng& rng) {
  const UnixMicros first_day = window_.start + Days(7);
  UnixMicros anchor = window_.start + Days(rng.Uniform(30, 330));
  if (plan_.pattern == Pattern::kMeetingCancelled) {
    // This year's meeting is scheduled, then cancelled, within the last quarter.
    UnixMicros scheduled = DaysBeforeNow(rng, 45, 75);
    UnixMicros cancelled = BusinessTime(rng, scheduled + Days(rng.Uniform(14, 30)));
    EmitContact(scheduled, "MEETING_SCHEDULED", "STRATEGY", kDecisionMaker, "DECISION_MAKER",
                "EXECUTIVE");
    EmitContact(cancelled, "MEETING_CANCELLED", "STRATEGY", kDecisionMaker, "DECISION_MAKER",
                "EXECUTIVE");
    anchor = scheduled + Days(28) - Days(365);
  } else if (plan_.pattern == Pattern::kExecContactGap) {
    // Last year's meeting happened before the gap; the next one is not due before `now`.
    anchor = exec_gap_start_ - Days(rng.Uniform(40, 80));
  }
  while (anchor - Days(365) >= first_day) anchor -= Days(365);
  for (UnixMicros d = anchor; d <= window_.now; d += Days(365)) {
    if (plan_.pattern == Pattern::kMeetingCancelled && d > window_.now - Days(200)) break;
    if (plan_.pattern == Pattern::kExecContactGap && d >= exec_gap_start_) break;
    if (d >= decision_maker_left_ - Days(10)) break;
    UnixMicros held = BusinessTime(rng, d);
    UnixMicros scheduled = std::max(first_day, BusinessTime(rng, held - Days(rng.Uniform(21, 35))));
    EmitContact(scheduled, "MEETING_SCHEDULED", "STRATEGY", kDecisionMaker, "DECISION_MAKER",
                "EXECUTIVE");
    EmitContact(held, "MEETING_HELD", "STRATEGY", kDecisionMaker, "DECISION_MAKER", "EXECUTIVE");
  }
}

void AccountHistory::GenerateAccountChanges() {
  // One full profile per change of owner or credit risk, carrying the state at that time.
  std::vector<std::pair<UnixMicros, int>> changes;  // (time, owner index or -1 for credit)
  for (size_t i = 1; i < owners_.size(); ++i)
    changes.push_back({owners_[i].first + 60 * kMicrosPerSecond, 0});
  for (const auto& c : credit_) changes.push_back({c.first, 1});
  std::sort(changes.begin(), changes.end());
  for (const auto& [t, unused] : changes) {
    const char* credit = "NONE";
    for (const auto& c : credit_) {
      if (c.first <= t) credit = c.second;
    }
    EmitProfile(t, credit);
  }
}

const DemoPerson* AccountHistory::OwnerAt(UnixMicros t) const {
  const DemoPerson* owner = owners_.front().second;
  for (const auto& [since, who] : owners_) {
    if (since <= t) owner = who;
  }
  return owner;
}

namespace {

Json EventBase(UnixMicros t, const std::string& account_id) {
  Json j;
  j["event_id"] = "";  // numbered in time order by Finish()
  j["account_id"] = account_id;
  j["occurred_at"] = FormatRfc3339(t);
  return j;
}

Json PersonJson(const DemoPerson& p) {
  Json j;
  j["id"] = p.id;
  j["name"] = p.name;
  j["email"] = p.email;
  return j;
}

}  // namespace

bool AccountHistory::InWindow(UnixMicros t) const { return t >= window_.start && t <= window_.now; }

void AccountHistory::Finish() {
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const Pending& a, const Pending& b) { return a.t < b.t; });
  // Event, order and ticket numbers follow time, as a source system would assign them.
  std::map<std::string_view, int> events;
  std::map<int, int> orders, tickets;
  const std::string& id = plan_.account_id;
  for (Pending& p : pending_) {
    std::string_view topic = p.topic;
    const char* prefix = topic == "orders"     ? "ord-"
                         : topic == "service"  ? "svc-"
                         : topic == "contacts" ? "con-"
                                               : "acc-";
    p.json["event_id"] = prefix + id + "-" + std::to_string(++events[topic]);
    if (p.order_ref >= 0) {
      auto [it, fresh] = orders.emplace(p.order_ref, static_cast<int>(orders.size()) + 1);
      p.json["order_id"] = "SO-" + id + "-" + std::to_string(it->second);
    }
    if (p.ticket_ref >= 0) {
      auto [it, fresh] = tickets.emplace(p.ticket_ref, static_cast<int>(tickets.size()) + 1);
      p.json["ticket_id"] = "TK-" + id + "-" + std::to_string(it->second);
    }
    out_->push_back(DemoMessage{p.topic, id, p.json.dump(), p.t});
  }
  pending_.clear();
}

void AccountHistory::EmitOrder(UnixMicros t, int order_ref, const LineSpec& line, int64_t qty,
                               const char* status) {
  if (!InWindow(t)) return;
  Json j = EventBase(t, plan_.account_id);
  j["order_id"] = "";
  j["product_line"] = line.line->name;
  j["quantity"] = qty;
  j["amount_minor"] = qty * line.unit_price_minor;
  j["currency"] = "CNY";
  j["status"] = status;
  pending_.push_back(Pending{t, "orders", std::move(j), order_ref, -1});
}

void AccountHistory::EmitService(UnixMicros t, int ticket_ref, const char* kind,
                                 const char* severity, int csat, int nps) {
  if (!InWindow(t)) return;
  Json j = EventBase(t, plan_.account_id);
  if (ticket_ref >= 0) j["ticket_id"] = "";
  j["kind"] = kind;
  if (severity != nullptr) j["severity"] = severity;
  if (csat > 0) j["csat"] = csat;
  if (nps >= 0) j["nps"] = nps;
  pending_.push_back(Pending{t, "service", std::move(j), -1, ticket_ref});
}

void AccountHistory::EmitContact(UnixMicros t, const char* kind, const char* meeting_type,
                                 int contact, const char* role, const char* level,
                                 const DemoPerson* new_manager) {
  if (!InWindow(t)) return;
  Json j = EventBase(t, plan_.account_id);
  j["kind"] = kind;
  if (meeting_type != nullptr) j["meeting_type"] = meeting_type;
  if (contact >= 0) j["contact_id"] = "CT-" + plan_.account_id + "-" + std::to_string(contact + 1);
  if (role != nullptr) j["contact_role"] = role;
  if (level != nullptr) j["level"] = level;
  if (new_manager != nullptr) j["new_manager"] = PersonJson(*new_manager);
  pending_.push_back(Pending{t, "contacts", std::move(j), -1, -1});
}

void AccountHistory::EmitProfile(UnixMicros t, const char* credit_risk) {
  if (!InWindow(t)) return;
  Json j = EventBase(t, plan_.account_id);
  j["name"] = plan_.name;
  j["tier"] = TierEnumName(plan_.tier);
  j["owner"] = PersonJson(*OwnerAt(t));
  j["executive_sponsor"] = PersonJson(*plan_.sponsor);
  j["region"] = plan_.region->name;
  j["industry"] = plan_.industry->name;
  j["stage"] = plan_.stage;
  j["credit_risk"] = credit_risk;
  pending_.push_back(Pending{t, "accounts", std::move(j), -1, -1});
}

}  // namespace churnwatch::demo::internal
