#include "notify/escalation_policy.h"

namespace churnwatch::notify {

std::string_view EscalationReasonName(EscalationReason reason) {
  switch (reason) {
    case EscalationReason::kUnacknowledged:
      return "unacknowledged";
    case EscalationReason::kPlanOverdue:
      return "plan_overdue";
    case EscalationReason::kNone:
      break;
  }
  return "none";
}

EscalationReason EscalationDue(const v1::Alert& alert, const v1::AckRecord* ack,
                               UnixMicros notified_at, UnixMicros now, int64_t ack_timeout_us) {
  if (alert.severity() != "critical" || notified_at <= 0) return EscalationReason::kNone;
  if (ack == nullptr)
    return now >= notified_at + ack_timeout_us ? EscalationReason::kUnacknowledged
                                               : EscalationReason::kNone;
  if (ack->has_plan() && PlanStateAt(ack->plan(), now) == PlanState::kOverdue)
    return EscalationReason::kPlanOverdue;
  return EscalationReason::kNone;
}

std::string_view PlanStateName(PlanState state) {
  switch (state) {
    case PlanState::kDone:
      return "done";
    case PlanState::kOverdue:
      return "overdue";
    case PlanState::kOpen:
      break;
  }
  return "open";
}

PlanState PlanStateAt(const v1::RepairPlan& plan, UnixMicros now) {
  if (plan.done_at_us() != 0) return PlanState::kDone;
  if (plan.due_at_us() != 0 && now >= plan.due_at_us()) return PlanState::kOverdue;
  return PlanState::kOpen;
}

}  // namespace churnwatch::notify
