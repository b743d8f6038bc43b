// EscalationPolicy: when a critical alert goes to the directors, and what state its repair
// plan is in — the 24-hour response of the key-account material, as pure functions of the
// alert, its acknowledgement and the wall clock, so that the notifier, the HTTP API and the
// monthly review agree and tests can move time by hand.
//
// A critical alert escalates
//   - kUnacknowledged: nobody acknowledged it within ack_timeout of its first notification;
//   - kPlanOverdue: it was acknowledged with a repair plan whose due time has passed and the
//     plan is not marked done.
// An acknowledgement without a plan stops escalation for good (today's behaviour). Alerts of
// any other severity never escalate.
//
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "churnwatch/v1/alert.pb.h"
#include "churnwatch/v1/state.pb.h"
#include "common/clock.h"

namespace churnwatch::notify {

enum class EscalationReason { kNone, kUnacknowledged, kPlanOverdue };

// "none", "unacknowledged", "plan_overdue".
std::string_view EscalationReasonName(EscalationReason reason);

// Why `alert` should be escalated at `now`, or kNone. `ack` is null while unacknowledged;
// `notified_at` is when it first reached an Alertmanager (0: not yet — nothing escalates
// before the manager was told).
EscalationReason EscalationDue(const v1::Alert& alert, const v1::AckRecord* ack,
                               UnixMicros notified_at, UnixMicros now, int64_t ack_timeout_us);

enum class PlanState { kOpen, kDone, kOverdue };

// "open", "done", "overdue".
std::string_view PlanStateName(PlanState state);

// kDone once marked done; kOverdue when `now` is at or past its due time; kOpen otherwise.
PlanState PlanStateAt(const v1::RepairPlan& plan, UnixMicros now);

}  // namespace churnwatch::notify
