// Alert lifecycle per (account, rule): INACTIVE → PENDING (while `for` runs) → FIRING →
// RESOLVED, decided at evaluation times in event time. Hysteresis both ways: a firing alert
// resolves only after its condition has not held for the rule's keep_firing_for, and a
// resolved one does not start a new episode within the rule's cooldown.
//
// Texts: annotations summary/description/action in AlertOptions::language, and in both
// languages as <key>_zh and <key>_en. A RESOLVED alert is the alert as it fired (labels, texts,
// evidence) plus resolution / resolution_zh / resolution_en saying that and when it resolved. Pure:
// the caller persists the returned records (with the state and offsets of the same batch) and
// publishes the returned alerts.
//
// Ids are deterministic — hash of account, rule and the time the condition started to hold —
// so replaying the same input yields the same ids, and a consumer can deduplicate a
// transition published twice (after a crash between the store write and Kafka's ack).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "churnwatch/v1/alert.pb.h"
#include "churnwatch/v1/state.pb.h"
#include "clv/params_file.h"
#include "common/calendar.h"
#include "features/features.h"
#include "model/risk_model.h"
#include "pyramid/pyramid_params_file.h"
#include "rules/rule_evaluator.h"
#include "state/account_snapshot.h"

namespace churnwatch::rules {

struct AlertOptions {
  // Language of annotations: "zh-CN" (default) or "en".
  std::string language = "zh-CN";
  features::HealthWeights health;
  // BG/NBD parameters behind p_alive (config `clv.params`, a file written by `churnwatch fit`).
  // Default: clv::DefaultParams(), the CDNOW master fit.
  clv::BgNbdParams clv = clv::DefaultParams();
  // The learned risk model behind churn_risk (config `model.path`, `run --model`, a file
  // written by `churnwatch train`). Null: churn_risk is NaN and rules on it never hold.
  std::shared_ptr<const model::RiskModel> risk_model;
  // The customer pyramid's RFM cut points and strategic industries (config `pyramid.params`,
  // a file written by `churnwatch pyramid fit`). Null: rfm_r, rfm_f, rfm_m, value_segment and
  // suggested_tier are NaN and rules on them never hold.
  std::shared_ptr<const pyramid::PyramidParams> pyramid;
};

// Every feature of `snapshot` as of `at` under `options` (health weights, BG/NBD parameters,
// risk model): what rules are evaluated on and what the HTTP API shows.
features::FeatureValues AccountFeatures(const state::AccountSnapshot& snapshot, UnixMicros at,
                                        const Calendar& calendar, const AlertOptions& options);

struct AlertChange {
  v1::AlertRecord record;            // the new state to persist
  std::optional<v1::Alert> publish;  // set for FIRING and RESOLVED transitions
  // Set when a firing alert's routing labels (owner, owner_email, account_name, tier, region)
  // changed with the account profile: the alert as it was routed before. record.alert() holds
  // the re-routed alert (same id and state; fresh labels, annotations and evidence). Not a
  // transition: nothing goes to the alerts topic, but Alertmanager must hear of it.
  std::optional<v1::Alert> rerouted_from;
};

// Evaluates every rule (and resolves firing alerts of rules no longer loaded) for one account
// as of `at`. Returns only records that changed (transitions, re-routes, and a firing alert's
// keep_firing_for clock starting or stopping, which publish nothing).
std::vector<AlertChange> EvaluateAccount(RuleEvaluator& evaluator,
                                         const state::AccountSnapshot& snapshot, UnixMicros at,
                                         const Calendar& calendar, const AlertOptions& options);

// The deterministic id of an episode.
std::string AlertId(const std::string& account_id, const std::string& rule_id,
                    UnixMicros active_since);

}  // namespace churnwatch::rules
