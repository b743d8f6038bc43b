#include "features/features.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "clv/customer_summary.h"
#include "events/proto_json.h"
#include "features/feature_list.h"

namespace churnwatch::features {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// "The next quarter" of expected_purchases_next_quarter: 13 weeks, as in the CLV literature.
constexpr double kQuarterDays = 91;

enum FeatureId : int {
#define CW_ENUM(name, unit, meaning) k_##name,
  CHURNWATCH_FEATURES(CW_ENUM)
#undef CW_ENUM
      kFeatureCount
};

double Ratio(double now, double before) { return before > 0 ? (now - before) / before : kNaN; }
double Avg(double sum, double count) { return count > 0 ? sum / count : kNaN; }
double Clamp(double v) { return std::clamp(v, 0.0, 100.0); }
double Days(int64_t micros) {
  return static_cast<double>(micros) / static_cast<double>(kMicrosPerDay);
}

// Median gap between the last (up to 24) of sorted day numbers; NaN below 3 days.
double MedianGap(const std::vector<int64_t>& days) {
  if (days.size() < 3) return kNaN;
  size_t first = days.size() > 24 ? days.size() - 24 : 0;
  std::vector<double> gaps;
  for (size_t i = first + 1; i < days.size(); ++i)
    gaps.push_back(static_cast<double>(days[i] - days[i - 1]));
  std::sort(gaps.begin(), gaps.end());
  size_t n = gaps.size();
  return n % 2 ? gaps[n / 2] : (gaps[n / 2 - 1] + gaps[n / 2]) / 2;
}

int MonthIndex(MonthKey m) { return (m / 100) * 12 + (m % 100) - 1; }

// Partial churn (客户业务流失): the lines the account bought regularly and has stopped buying
// while it goes on buying others. A line counts when
//   - it was regular: at least kRegularLineDays order days, in at least 2 calendar quarters;
//   - it mattered: at least kRegularLineShare of the account's volume (amount; quantity when
//     the history has no amounts) over the 12 months up to the line's last order;
//   - it is silent well past its own cycle: for more than kLineSilenceCycles times its median
//     gap between order days, and at least kLineSilenceMinDays;
//   - the account still buys: another line had an order in the last kLineSilenceMinDays days.
// An occasional line that stops, or a small one, is the account's normal mix, not a loss.
constexpr size_t kRegularLineDays = 4;
constexpr double kRegularLineShare = 0.10;
constexpr double kLineSilenceCycles = 3;
constexpr int64_t kLineSilenceMinDays = 91;

// One product line's distinct order days up to today, in order.
struct LineDays {
  const std::string* line;
  std::vector<int64_t> days;
};

std::vector<std::string> DroppedProductLines(const state::AccountSnapshot& s,
                                             const std::vector<LineDays>& line_days,
                                             int64_t today_n, bool has_amounts) {
  std::vector<std::string> dropped;
  bool other_recent = false;
  std::vector<std::pair<std::string, int64_t>> silent;  // candidate line, its last order day
  for (const auto& [line, days] : line_days) {
    if (days.empty()) continue;
    int64_t silence = today_n - days.back();
    if (silence < kLineSilenceMinDays) {
      other_recent = true;
      continue;
    }
    if (days.size() < kRegularLineDays) continue;
    std::set<int64_t> quarters;
    for (int64_t d : days) {
      DayKey day = Calendar::DayFromNumber(d);
      quarters.insert(Calendar::QuarterOfMonth(day / 100));
    }
    double gap = MedianGap(days);
    if (quarters.size() < 2 || !(silence > kLineSilenceCycles * gap)) continue;
    silent.emplace_back(*line, days.back());
  }
  if (!other_recent) return dropped;  // every line stopped: full churn, not partial
  for (const auto& [line, last_day] : silent) {
    const int last_month = MonthIndex(Calendar::DayFromNumber(last_day) / 100);
    double line_volume = 0, account_volume = 0;
    for (const auto& row : s.order_months) {
      int m = MonthIndex(row.month);
      if (m > last_month || m <= last_month - 12) continue;
      double v = static_cast<double>(
          row.counters.Get(has_amounts ? state::kOrderAmountMinor : state::kOrderQuantity));
      account_volume += v;
      if (row.product_line == line) line_volume += v;
    }
    if (account_volume > 0 && line_volume >= kRegularLineShare * account_volume)
      dropped.push_back(line);
  }
  return dropped;
}

}  // namespace

const std::vector<FeatureInfo>& FeatureCatalog() {
  static const std::vector<FeatureInfo> catalog = {
#define CW_INFO(name, unit, meaning) FeatureInfo{#name, unit, meaning},
      CHURNWATCH_FEATURES(CW_INFO)
#undef CW_INFO
  };
  return catalog;
}

int FeatureIndex(std::string_view name) {
  const auto& c = FeatureCatalog();
  for (size_t i = 0; i < c.size(); ++i) {
    if (name == c[i].name) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<std::string>& TextFieldNames() {
  static const std::vector<std::string> names = {"account_name",
                                                 "account_id",
                                                 "tier_name",
                                                 "owner_id",
                                                 "owner_name",
                                                 "owner_email",
                                                 "region",
                                                 "industry",
                                                 "quarter_q0",
                                                 "quarter_q1",
                                                 "quarter_q2",
                                                 "quarter_q3",
                                                 "dropped_product_lines",
                                                 "p_alive_lowest_line_name",
                                                 "churn_risk_drivers"};
  return names;
}

double FeatureValues::Get(std::string_view name) const {
  int i = FeatureIndex(name);
  return i < 0 ? kNaN : numbers[i];
}

FeatureValues ComputeFeatures(const state::AccountSnapshot& s, UnixMicros at, const Calendar& cal,
                              const HealthWeights& weights, const clv::BgNbdParams* clv) {
  FeatureValues out;
  std::vector<double>& f = out.numbers;
  f.assign(kFeatureCount, kNaN);
  for (const auto& name : TextFieldNames()) out.text[name] = "";
  out.text["account_id"] = s.account_id;

  const DayKey today = cal.DayOf(at);
  const int64_t today_n = Calendar::DayNumber(today);
  // The day keys 90, 180 and 365 days before today. Day keys order like the days they name, so
  // window checks compare a row's key with these bounds instead of converting every row's key.
  const DayKey ago_90 = Calendar::DayFromNumber(today_n - 90);
  const DayKey ago_180 = Calendar::DayFromNumber(today_n - 180);
  const DayKey ago_365 = Calendar::DayFromNumber(today_n - 365);
  // Whether `day` is in (after, up_to].
  auto within = [](DayKey day, DayKey after, DayKey up_to) { return day > after && day <= up_to; };

  // --- Orders by quarter.
  const QuarterKey q0 = Calendar::QuarterOfMonth(today / 100);
  QuarterKey q[6] = {q0};
  for (int i = 1; i < 6; ++i) q[i] = Calendar::PreviousQuarter(q[i - 1]);
  for (int i = 0; i < 4; ++i)
    out.text["quarter_q" + std::to_string(i)] = Calendar::QuarterLabel(q[i]);
  // One pass over the order rows (sorted by product line, then month) gathers everything the
  // order features need; a line's rows are adjacent, so lines are counted without a set.
  double qty[6] = {}, amount[6] = {}, orders_q1 = 0;
  QuarterKey first_quarter = q[0];
  double lines_total = 0, lines_active = 0;
  std::vector<LineDays> line_days;  // per line: its distinct order days up to today
  bool has_amounts = false;
  const int this_month = MonthIndex(today / 100);  // RFM monetary: the 12 months to this one
  double amount_12m = 0;
  UnixMicros last_order = INT64_MIN;
  const std::string* line = nullptr;
  bool line_ordered = false, line_active = false;
  for (const auto& row : s.order_months) {
    if (line == nullptr || row.product_line != *line) {
      line = &row.product_line;
      line_ordered = line_active = false;
    }
    const int64_t count = row.counters.Get(state::kOrderCount);
    const bool last_set = !row.counters.IsUnset(state::kOrderLastAt);
    const UnixMicros last_at = last_set ? row.counters.Get(state::kOrderLastAt) : 0;
    const int64_t row_amount = row.counters.Get(state::kOrderAmountMinor);
    has_amounts = has_amounts || row_amount > 0;
    if (count > 0) first_quarter = std::min(first_quarter, Calendar::QuarterOfMonth(row.month));
    if (count != 0) {
      if (!line_ordered) ++lines_total;
      line_ordered = true;
      QuarterKey rq = Calendar::QuarterOfMonth(row.month);
      for (int i = 0; i < 6; ++i) {
        if (rq != q[i]) continue;
        qty[i] += static_cast<double>(row.counters.Get(state::kOrderQuantity));
        amount[i] += static_cast<double>(row_amount);
        if (i == 1) orders_q1 += static_cast<double>(count);
      }
      if (last_set && at - last_at <= 180 * kMicrosPerDay && !line_active) {
        line_active = true;
        ++lines_active;
      }
    }
    if (last_set && last_at <= at) last_order = std::max(last_order, last_at);
    const int m = MonthIndex(row.month);
    if (m <= this_month && m > this_month - 12) amount_12m += static_cast<double>(row_amount);
    // Order days from the line-month's order-day bits, in order.
    auto bits = static_cast<uint64_t>(row.counters.Get(state::kOrderPlacedDays)) & 0x7fffffffu;
    for (; bits != 0; bits &= bits - 1) {  // set bits, lowest (day 1) first
      DayKey day = row.month * 100 + __builtin_ctzll(bits) + 1;
      if (day > today) break;
      if (line_days.empty() || line_days.back().line != line) line_days.push_back({line, {}});
      line_days.back().days.push_back(Calendar::DayNumber(day));
    }
  }
  for (int i = 0; i < 5; ++i) {
    f[k_qty_q0 + i] = qty[i];
    f[k_amount_q0 + i] = amount[i];
  }
  f[k_orders_q1] = orders_q1;
  f[k_qty_change_q1] = Ratio(qty[1], qty[2]);
  f[k_qty_change_q2] = Ratio(qty[2], qty[3]);
  f[k_amount_change_q1] = Ratio(amount[1], amount[2]);
  f[k_amount_change_q2] = Ratio(amount[2], amount[3]);
  // The account's own normal for q1: the mean and spread of q2..q5, over the quarters since its
  // first order (quarters before it are not zeros of a customer, they are no customer).
  double sum = 0, sum_sq = 0, n = 0;
  for (int i = 2; i < 6 && q[i] >= first_quarter; ++i) {
    sum += qty[i];
    sum_sq += qty[i] * qty[i];
    ++n;
  }
  if (n >= 2 && sum > 0) {
    double mean = sum / n;
    double spread = std::sqrt(std::max(sum_sq / n - mean * mean, 0.0));
    // A floor of 10 % of the mean: two identical quarters are not a promise of zero variance.
    spread = std::max(spread, 0.1 * mean);
    f[k_qty_q1_vs_normal] = qty[1] / mean - 1;
    f[k_qty_q1_zscore] = (qty[1] - mean) / spread;
  }
  f[k_qty_yoy_change_q1] = q[5] >= first_quarter ? Ratio(qty[1], qty[5]) : kNaN;
  UnixMicros q_start = cal.StartOfQuarter(q0),
             q_end = cal.StartOfQuarter(Calendar::NextQuarter(q0));
  double elapsed = std::clamp(
      static_cast<double>(at - q_start) / static_cast<double>(q_end - q_start), 0.0, 1.0);
  f[k_quarter_elapsed] = elapsed;
  f[k_qty_pace_q0] = elapsed >= 0.1 ? qty[0] / elapsed : kNaN;
  f[k_qty_pace_change] = Ratio(f[k_qty_pace_q0], qty[1]);
  f[k_product_lines_total] = lines_total;

  std::vector<std::string> dropped = DroppedProductLines(s, line_days, today_n, has_amounts);
  f[k_product_lines_dropped] = static_cast<double>(dropped.size());
  std::string joined;
  for (const auto& l : dropped) joined += (joined.empty() ? "" : ", ") + l;
  out.text["dropped_product_lines"] = joined;

  // --- Purchase cycle from order days.
  f[k_product_lines_active] = lines_active;
  std::vector<int64_t> order_days;  // day numbers up to today
  order_days.reserve(s.order_days.size());
  double orders_365 = 0;
  for (const auto& row : s.order_days) {
    if (row.counters.Get(state::kDayOrders) == 0 || row.period > today) continue;
    order_days.push_back(Calendar::DayNumber(row.period));
    if (within(row.period, ago_365, today))
      orders_365 += static_cast<double>(row.counters.Get(state::kDayOrders));
  }
  f[k_orders_365d] = orders_365;
  f[k_amount_12m] = amount_12m;
  f[k_order_days_total] = static_cast<double>(order_days.size());
  if (!order_days.empty() && last_order != INT64_MIN)
    f[k_days_since_last_order] = Days(at - last_order);
  if (order_days.size() >= 3) {
    double median = MedianGap(order_days);
    f[k_median_order_gap_days] = median;
    if (median > 0) f[k_silence_ratio] = f[k_days_since_last_order] / median;
  }

  // --- Probability alive (BG/NBD): distinct order days up to today, time from the first.
  if (clv != nullptr && clv->valid() && !order_days.empty()) {
    auto summary = clv::Summarise(order_days, today_n, clv->time_unit_days);
    if (summary) {
      f[k_p_alive] = clv::ProbabilityAlive(*clv, *summary);
      f[k_expected_purchases_next_quarter] =
          clv::ExpectedPurchases(*clv, *summary, kQuarterDays / clv->time_unit_days);
    }
    // Per product line, each from its own order days.
    for (const auto& [line, days] : line_days) {
      auto line_summary = clv::Summarise(days, today_n, clv->time_unit_days);
      if (!line_summary) continue;
      double p = clv::ProbabilityAlive(*clv, *line_summary);
      if (!(f[k_p_alive_lowest_line] <= p)) {  // NaN (unset) or higher
        f[k_p_alive_lowest_line] = p;
        out.text["p_alive_lowest_line_name"] = *line;
      }
    }
  }

  // --- Service, per day.
  double complaints = 0, complaints_prev = 0, sla = 0, esc = 0, tickets = 0, high = 0;
  double csat_sum = 0, csat_n = 0, csat_sum_prev = 0, csat_n_prev = 0;
  double nps_sum = 0, nps_n = 0, nps_sum_prev = 0, nps_n_prev = 0;
  // Rows are sorted by day: start at the first one inside the 180 days.
  auto service_from = std::upper_bound(
      s.service_days.begin(), s.service_days.end(), ago_180,
      [](DayKey bound, const state::ServiceDayRow& row) { return bound < row.period; });
  for (auto row_it = service_from; row_it != s.service_days.end(); ++row_it) {
    const auto& row = *row_it;
    const auto& r = row.counters;
    if (within(row.period, ago_90, today)) {
      complaints += static_cast<double>(r.Get(state::kSvcComplaints));
      sla += static_cast<double>(r.Get(state::kSvcSlaBreaches));
      esc += static_cast<double>(r.Get(state::kSvcTicketsEscalated));
      tickets += static_cast<double>(r.Get(state::kSvcTicketsOpened));
      high += static_cast<double>(r.Get(state::kSvcHighSeverity));
      csat_sum += static_cast<double>(r.Get(state::kSvcCsatSum));
      csat_n += static_cast<double>(r.Get(state::kSvcCsatCount));
      nps_sum += static_cast<double>(r.Get(state::kSvcNpsSum));
      nps_n += static_cast<double>(r.Get(state::kSvcNpsCount));
    } else if (within(row.period, ago_180, ago_90)) {
      complaints_prev += static_cast<double>(r.Get(state::kSvcComplaints));
      csat_sum_prev += static_cast<double>(r.Get(state::kSvcCsatSum));
      csat_n_prev += static_cast<double>(r.Get(state::kSvcCsatCount));
      nps_sum_prev += static_cast<double>(r.Get(state::kSvcNpsSum));
      nps_n_prev += static_cast<double>(r.Get(state::kSvcNpsCount));
    }
  }
  f[k_complaints_90d] = complaints;
  f[k_complaints_prev_90d] = complaints_prev;
  f[k_sla_breaches_90d] = sla;
  f[k_escalations_90d] = esc;
  f[k_tickets_90d] = tickets;
  f[k_high_severity_90d] = high;
  f[k_csat_avg_90d] = Avg(csat_sum, csat_n);
  f[k_csat_avg_prev_90d] = Avg(csat_sum_prev, csat_n_prev);
  f[k_csat_trend] = f[k_csat_avg_90d] - f[k_csat_avg_prev_90d];
  f[k_csat_count_90d] = csat_n;
  f[k_nps_avg_90d] = Avg(nps_sum, nps_n);
  f[k_nps_avg_prev_90d] = Avg(nps_sum_prev, nps_n_prev);
  f[k_nps_trend] = f[k_nps_avg_90d] - f[k_nps_avg_prev_90d];
  f[k_nps_count_90d] = nps_n;

  // --- Contacts.
  double active = 0, exec = 0, mgmt = 0, oper = 0, dms = 0;
  for (const auto& c : s.contacts) {
    if (!c.active()) continue;
    ++active;
    if (c.level() == v1::CONTACT_LEVEL_EXECUTIVE) ++exec;
    if (c.level() == v1::CONTACT_LEVEL_MANAGEMENT) ++mgmt;
    if (c.level() == v1::CONTACT_LEVEL_OPERATIONAL) ++oper;
    if (c.role() == v1::CONTACT_ROLE_DECISION_MAKER) ++dms;
  }
  f[k_contacts_active] = active;
  f[k_contacts_active_executive] = exec;
  f[k_contacts_active_management] = mgmt;
  f[k_contacts_active_operational] = oper;
  f[k_decision_makers_active] = dms;
  double dm_left = 0, left = 0, mgr = 0, strat_cancel = 0, strat_held = 0, exec_cancel = 0,
         br_cancel = 0, any_cancel = 0, refs = 0;
  UnixMicros last_exec = INT64_MIN, last_any = INT64_MIN;
  constexpr int kCancelled = 2, kHeld = 1;
  constexpr int kStrategy = 0, kBusinessReview = 1, kExecutive = 2;
  for (const auto& row : s.engagement_days) {
    const auto& r = row.counters;
    if (row.period > today) continue;
    if (within(row.period, ago_180, today)) {
      dm_left += static_cast<double>(r.Get(state::kEngDecisionMakersLeft));
      left += static_cast<double>(r.Get(state::kEngContactsLeft));
      exec_cancel += static_cast<double>(r.Get(state::MeetingSlot(kCancelled, kExecutive)));
      br_cancel += static_cast<double>(r.Get(state::MeetingSlot(kCancelled, kBusinessReview)));
      refs += static_cast<double>(r.Get(state::kEngReferencesWithdrawn));
    }
    if (within(row.period, ago_365, today)) {
      mgr += static_cast<double>(r.Get(state::kEngManagerChanges));
      strat_cancel += static_cast<double>(r.Get(state::MeetingSlot(kCancelled, kStrategy)));
      strat_held += static_cast<double>(r.Get(state::MeetingSlot(kHeld, kStrategy)));
    }
    if (within(row.period, ago_90, today)) {
      for (int t = 0; t < state::kMeetingTypeCount; ++t)
        any_cancel += static_cast<double>(r.Get(state::MeetingSlot(kCancelled, t)));
    }
    for (int slot :
         {state::kEngLastExecutiveAt, state::kEngLastManagementAt, state::kEngLastOperationalAt}) {
      if (r.IsUnset(slot) || r.Get(slot) > at) continue;
      last_any = std::max(last_any, r.Get(slot));
      if (slot == state::kEngLastExecutiveAt) last_exec = std::max(last_exec, r.Get(slot));
    }
  }
  f[k_decision_maker_departures_180d] = dm_left;
  f[k_contacts_left_180d] = left;
  f[k_manager_changes_365d] = mgr;
  f[k_strategy_meetings_cancelled_365d] = strat_cancel;
  f[k_strategy_meetings_held_365d] = strat_held;
  f[k_executive_meetings_cancelled_180d] = exec_cancel;
  f[k_business_reviews_cancelled_180d] = br_cancel;
  f[k_meetings_cancelled_90d] = any_cancel;
  f[k_references_withdrawn_180d] = refs;
  UnixMicros first_seen = s.activity && !s.activity->IsUnset(state::kActFirstAt)
                              ? s.activity->Get(state::kActFirstAt)
                              : at;
  f[k_account_age_days] = Days(std::max<int64_t>(0, at - first_seen));
  f[k_days_since_exec_contact] = Days(at - (last_exec != INT64_MIN ? last_exec : first_seen));
  f[k_days_since_contact] = Days(at - (last_any != INT64_MIN ? last_any : first_seen));

  // --- Profile.
  f[k_has_profile] = s.profile ? 1 : 0;
  f[k_credit_risk] = 0;
  if (s.profile) {
    const v1::AccountEvent& p = s.profile->profile();
    if (p.tier() != v1::TIER_UNSPECIFIED) f[k_tier] = p.tier();
    if (p.stage() != v1::STAGE_UNSPECIFIED) f[k_stage] = p.stage();
    f[k_credit_risk] = p.credit_risk() <= v1::CREDIT_RISK_NONE ? 0 : p.credit_risk() - 1;
    out.text["account_name"] = p.name();
    std::string tier = ShortEnumName(v1::Tier_descriptor()->FindValueByNumber(p.tier()));
    std::transform(tier.begin(), tier.end(), tier.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    out.text["tier_name"] = tier;
    out.text["owner_id"] = p.owner().id();
    out.text["owner_name"] = p.owner().name();
    out.text["owner_email"] = p.owner().email();
    out.text["region"] = p.region();
    out.text["industry"] = p.industry();
  }
  if (out.text["account_name"].empty()) out.text["account_name"] = s.account_id;

  // --- Health audit (客户健康度审计).
  std::vector<double> sat_parts;
  if (csat_n > 0) sat_parts.push_back((f[k_csat_avg_90d] - 1) / 4 * 100);
  if (nps_n > 0) sat_parts.push_back(f[k_nps_avg_90d] * 10);
  double satisfaction = 70;  // neutral when customers were not asked
  if (!sat_parts.empty()) {
    satisfaction = 0;
    for (double v : sat_parts) satisfaction += v / static_cast<double>(sat_parts.size());
  }
  satisfaction -= std::min(30.0, 10 * complaints) + std::min(20.0, 5 * sla);
  f[k_health_satisfaction] = Clamp(satisfaction);
  double recent = amount[1] + amount[2], earlier = amount[3] + amount[4];
  // Holding volume scores 100; every 1% lost costs 2 points (a 20% drop scores 60). No history
  // before: full marks if buying now, none if not.
  double value = earlier > 0 ? 100 * std::clamp(1 + 2 * (recent / earlier - 1), 0.0, 1.0)
                             : (recent > 0 ? 100 : 0);
  // Silent for three purchase cycles (what purchase_silence flags): the value is at risk.
  if (f[k_silence_ratio] >= 3) value *= 0.5;
  f[k_health_value] = Clamp(value);
  double risk = 20 * f[k_credit_risk] + (dm_left > 0 ? 15 : 0) +
                (s.profile && active <= 1 ? 10 : 0) + (mgr >= 2 ? 10 : 0) + (refs > 0 ? 15 : 0) +
                (strat_cancel + exec_cancel > 0 ? 10 : 0);
  f[k_health_risk] = Clamp(risk);
  double wsum = weights.satisfaction + weights.value + weights.risk;
  if (wsum <= 0) wsum = 1;
  f[k_health_score] =
      Clamp((weights.satisfaction * f[k_health_satisfaction] + weights.value * f[k_health_value] +
             weights.risk * (100 - f[k_health_risk])) /
            wsum);
  return out;
}

}  // namespace churnwatch::features
