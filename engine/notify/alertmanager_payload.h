// The JSON Alertmanager's API v2 takes (POST /api/v2/alerts: an array of postable alerts),
// built from churnwatch alerts.
//
// An alert's identity at the Alertmanager is its label set: alertname (the rule id),
// account_id, account_name, tier, severity, signal, owner, owner_email, region and the rule's
// own labels. An escalated copy adds escalated="true" — a second alert, routed to directors,
// while the original keeps going to the account manager. Annotations: summary, description,
// action (in the configured language), evidence (the numbers in words), dashboard (the link
// to the account page, common/dashboard_link.h), and acknowledged_by / ack_note once acknowledged,
// with repair_plan / plan_owner / plan_due_at (/ plan_done_at) when the acknowledgement has a plan.
#pragma once

#include <string>
#include <vector>

#include "churnwatch/v1/alert.pb.h"
#include "churnwatch/v1/state.pb.h"
#include "common/clock.h"

namespace churnwatch::notify {

struct OutgoingAlert {
  v1::Alert alert;
  // endsAt: for a firing alert, when the Alertmanager may consider it resolved if it hears
  // nothing more (re-sends push it forward); for a resolved one, when it resolved.
  UnixMicros ends_at = 0;
  bool escalated = false;
  const v1::AckRecord* ack = nullptr;  // optional
};

struct PayloadOptions {
  // Dashboard root, e.g. https://churnwatch.example.com; empty: no link.
  std::string dashboard_url;
  // "zh-CN" or "en": language of the evidence words.
  std::string language = "zh-CN";
};

// JSON array for POST /api/v2/alerts.
std::string RenderPostableAlerts(const std::vector<OutgoingAlert>& alerts,
                                 const PayloadOptions& options);
// The evidence map as one line of words, e.g. "qty_change_q1 = -23.0%; orders_q1 = 4 次".
std::string EvidenceInWords(const v1::Alert& alert, const std::string& language);

}  // namespace churnwatch::notify
