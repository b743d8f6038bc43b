// MonthlyReview: the key-account business review of one calendar month (issue 14), computed
// from an EngineSnapshot. Pure: the same snapshot and month always give the same document.
//
// The month is a local month of `calendar` (the engine's zone, default Asia/Shanghai), the
// window [start, end). "At risk" means at least one alert FIRING; an account's risk at an
// instant is replayed from its alert history (FIRING / RESOLVED rows by alert id), so the list
// at the month's end is exact for past months and, for the running month, equals the engine's
// current firing alerts (evaluated at the snapshot's as_of).
//
// JSON (contract additions of issue 14, then extras):
//   month "YYYY-MM", time_zone, as_of, source, complete (the month has ended);
//   portfolio {accounts, by_tier {TIER: n}, by_stage {STAGE: n}} from each profile
//     (UNSPECIFIED when the CRM never said);
//   at_risk [{account_id, name, owner {id, name}, tier, signals [..], since (earliest start of a
//     firing alert), entered (not at risk when the month began), evidence [{rule, signal,
//     severity, values {..}}]}] at the month's end, worst first by count of signals, then id;
//   left_at_risk [{account_id, name, owner, signals (as the month began), left (last
//     resolution)}];
//   alerts {raised, resolved, acknowledged, escalated}: history rows in the window (escalated:
//     alerts whose escalation time lies in it);
//   response [{owner, owner_name, raised, acknowledged, median_hours_to_ack, within_24h,
//     critical_unacknowledged, plans, plans_done, plans_overdue}] per alert owner, over the alerts
//     raised in the window; hours from firing to the first acknowledgement (median null when
//     none); plans: those alerts acknowledged with a repair plan, done / overdue (past due, not
//     done) at the month's end;
//   health {buckets [{from, to, accounts}] of 20 points, unknown} (the engine's current scores);
//   volume [{quarter, product_line, quantity, amount_minor, orders}] for the four quarters up to
//     the month's, summed over the portfolio;
//   tier_mismatch {basis ("pyramid_params" | "instance" | null), accounts [{account_id, name,
//     owner, tier, suggested_tier, gap (tier rank minus suggested rank: > 0 the numbers suggest a
//     higher tier), rfm {r, f, m, segment}, strategic_fit}]}: accounts whose CRM tier and the
//     customer pyramid's suggested tier disagree (the engine's current placement), largest gap
//     first, then id;
//   incomplete_history [account ids whose history the engine truncated], history_retention_days.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/calendar.h"
#include "report/engine_snapshot.h"

namespace churnwatch::report {

// "2026-11" -> 202611. InvalidArgument "month 'x' is not YYYY-MM ..." otherwise.
Result<MonthKey> ParseMonth(std::string_view text);

nlohmann::json BuildMonthlyReview(const EngineSnapshot& snapshot, MonthKey month,
                                  const Calendar& calendar);

}  // namespace churnwatch::report
