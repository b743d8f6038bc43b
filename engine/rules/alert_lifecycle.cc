#include "rules/alert_lifecycle.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "common/hash.h"
#include "pyramid/customer_pyramid.h"

namespace churnwatch::rules {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Ts(UnixMicros t) { return TimeUtil::MicrosecondsToTimestamp(t); }

// The labels Alertmanager routes by that come from the account profile, which may change while
// an alert fires, with the text field each is taken from. Empty values are left out of the
// alert (Alertmanager treats "" as absent).
constexpr std::pair<const char*, const char*> kRoutingLabels[] = {{"owner", "owner_id"},
                                                                  {"owner_email", "owner_email"},
                                                                  {"account_name", "account_name"},
                                                                  {"tier", "tier_name"},
                                                                  {"region", "region"}};

// The account's current value of each routing label, looked up once per evaluation.
using RoutingValues = std::array<const std::string*, std::size(kRoutingLabels)>;
RoutingValues RoutingValuesOf(const features::FeatureValues& values) {
  RoutingValues out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = &values.text.at(kRoutingLabels[i].second);
  return out;
}

// True when `alert` was routed with other profile labels than the account has now. Runs at
// every evaluation of a firing alert, so it compares in place and copies nothing.
bool RoutingChanged(const v1::Alert& alert, const RoutingValues& now) {
  static const std::string kNone;
  for (size_t i = 0; i < now.size(); ++i) {
    auto it = alert.labels().find(kRoutingLabels[i].first);
    const std::string& had = it == alert.labels().end() ? kNone : it->second;
    if (had != *now[i]) return true;
  }
  return false;
}

// The languages every alert carries, with their annotation key suffix.
constexpr std::pair<const char*, const char*> kAnnotationLanguages[] = {{"zh-CN", "_zh"},
                                                                        {"en", "_en"}};

// A resolution keeps the alert as it fired — labels (Alertmanager matches the resolve to the
// firing alert by them), summary, action and evidence as they were when it fired — and says in
// words of its own that it resolved: the figures of the resolving evaluation would read as a
// firing text ("0 days without an order", "88 points, below 70").
v1::Alert ResolvedAlert(const v1::Alert& fired, UnixMicros at, const Calendar& calendar,
                        const AlertOptions& options) {
  v1::Alert a = fired;
  a.set_state(v1::ALERT_STATE_RESOLVED);
  *a.mutable_resolved_at() = Ts(at);
  DayKey day = calendar.DayOf(at);
  char date[40];  // room for any int, so the compiler can prove no truncation
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
  auto& ann = *a.mutable_annotations();
  ann["resolution_zh"] =
      std::string("已解除：自 ") + date + " 起预警条件不再成立；以上为触发时的证据。";
  ann["resolution_en"] = std::string("Resolved: the condition no longer holds as of ") + date +
                         "; the evidence above is from when it fired.";
  std::string in_language = options.language == "en" ? ann["resolution_en"] : ann["resolution_zh"];
  ann["resolution"] = std::move(in_language);
  return a;
}

v1::Alert BuildAlert(RuleEvaluator& ev, size_t i, const state::AccountSnapshot& snap,
                     const v1::AlertRecord& rec, const features::FeatureValues& values,
                     const AlertOptions& options) {
  const Rule& rule = ev.set().rules[i];
  const std::string& tier = values.text.at("tier_name");
  std::string severity = rule.SeverityFor(tier);
  v1::Alert a;
  a.set_id(rec.id());
  a.set_account_id(snap.account_id);
  a.set_rule(rule.id);
  a.set_signal(rule.labels.at("signal"));
  a.set_severity(severity);
  a.set_state(rec.state());
  *a.mutable_started_at() = Ts(rec.active_since_us());
  if (rec.state() == v1::ALERT_STATE_RESOLVED) *a.mutable_resolved_at() = Ts(rec.resolved_at_us());
  auto& labels = *a.mutable_labels();
  for (const auto& [k, v] : rule.labels) labels[k] = v;
  labels["alertname"] = rule.id;
  labels["severity"] = severity;
  labels["account_id"] = snap.account_id;
  for (const auto& [label, field] : kRoutingLabels) {
    const std::string& value = values.text.at(field);
    if (!value.empty()) labels[label] = value;
  }
  // The configured language under the plain key (what Alertmanager templates read), and both
  // languages under <key>_zh / <key>_en so every consumer (the dashboard in either language)
  // shows its reader's language.
  for (const char* key : {"summary", "description", "action"}) {
    auto& ann = *a.mutable_annotations();
    for (const auto& [language, suffix] : kAnnotationLanguages) {
      std::string text = ev.Annotation(i, key, language, values, severity);
      if (text.empty()) continue;
      ann[std::string(key) + suffix] = text;
      if (language == options.language) ann[key] = text;
    }
  }
  auto& evidence = *a.mutable_evidence();
  for (const auto& name : rule.evidence) {
    int idx = features::FeatureIndex(name);
    if (idx >= 0) {
      double v = values.numbers[idx];
      if (std::isnan(v)) {
        evidence[name].set_null_value(google::protobuf::NULL_VALUE);
      } else {
        evidence[name].set_number_value(std::round(v * 10000) / 10000);
      }
    } else {
      evidence[name].set_string_value(values.text.at(name));
    }
  }
  if (snap.profile) *a.mutable_owner() = snap.profile->profile().owner();
  return a;
}

}  // namespace

std::string AlertId(const std::string& account_id, const std::string& rule_id,
                    UnixMicros active_since) {
  return Hex64(Fnv1a64(account_id + '\x1f' + rule_id + '\x1f' + std::to_string(active_since)));
}

features::FeatureValues AccountFeatures(const state::AccountSnapshot& snapshot, UnixMicros at,
                                        const Calendar& calendar, const AlertOptions& options) {
  features::FeatureValues values =
      features::ComputeFeatures(snapshot, at, calendar, options.health, &options.clv);
  pyramid::ApplyPyramidFeatures(options.pyramid.get(), &values);
  if (options.risk_model) options.risk_model->Apply(&values);
  return values;
}

std::vector<AlertChange> EvaluateAccount(RuleEvaluator& ev, const state::AccountSnapshot& snap,
                                         UnixMicros at, const Calendar& calendar,
                                         const AlertOptions& options) {
  std::vector<AlertChange> changes;
  const RuleSet& set = ev.set();
  if (set.rules.empty() && snap.alerts.empty()) return changes;
  // Each rule's record: snap.alerts is sorted by rule id (AccountSnapshot), so one merge with
  // the rules in id order finds them all, copying nothing.
  std::vector<const v1::AlertRecord*> record_of(set.rules.size(), nullptr);
  auto next = snap.alerts.begin();
  for (size_t i : ev.rules_by_id()) {
    const std::string& id = set.rules[i].id;
    while (next != snap.alerts.end() && next->rule() < id) ++next;
    if (next != snap.alerts.end() && next->rule() == id) record_of[i] = &*next;
  }
  features::FeatureValues values = AccountFeatures(snap, at, calendar, options);
  const std::string& tier = values.text.at("tier_name");
  const RoutingValues routing = RoutingValuesOf(values);

  for (size_t i = 0; i < set.rules.size(); ++i) {
    const Rule& rule = set.rules[i];
    bool holds = rule.AppliesToTier(tier) && ev.Holds(i, values);
    const v1::AlertRecord* old = record_of[i];
    v1::AlertState before = old ? old->state() : v1::ALERT_STATE_UNSPECIFIED;
    bool active = before == v1::ALERT_STATE_PENDING || before == v1::ALERT_STATE_FIRING;
    // Most evaluations change nothing: decide first, copy a record only for a transition.
    v1::AlertRecord rec;
    if (holds) {
      if (!active && before == v1::ALERT_STATE_RESOLVED && rule.cooldown_micros > 0 &&
          at - old->resolved_at_us() < rule.cooldown_micros) {
        continue;  // within the cool-down after the last episode resolved
      }
      if (!active) {
        rec.set_rule(rule.id);
        rec.set_active_since_us(at);
        rec.set_id(AlertId(snap.account_id, rule.id, at));
        rec.set_state(v1::ALERT_STATE_PENDING);
        if (rule.for_micros <= 0) {
          rec.set_state(v1::ALERT_STATE_FIRING);
          rec.set_fired_at_us(at);
        }
      } else if (before == v1::ALERT_STATE_PENDING &&
                 at - old->active_since_us() >= rule.for_micros) {
        rec = *old;
        rec.set_state(v1::ALERT_STATE_FIRING);
        rec.set_fired_at_us(at);
      } else if (before == v1::ALERT_STATE_FIRING && old->clearing_since_us() != 0) {
        // Held again within keep_firing_for: the episode goes on (nothing to publish).
        AlertChange change;
        change.record = *old;
        change.record.set_clearing_since_us(0);
        change.record.set_last_eval_us(at);
        changes.push_back(std::move(change));
        continue;
      } else if (before == v1::ALERT_STATE_FIRING && RoutingChanged(old->alert(), routing)) {
        AlertChange change;
        change.record = *old;
        change.record.set_last_eval_us(at);
        *change.record.mutable_alert() = BuildAlert(ev, i, snap, *old, values, options);
        change.rerouted_from = old->alert();
        changes.push_back(std::move(change));
        continue;
      } else {
        continue;
      }
    } else if (before == v1::ALERT_STATE_FIRING && rule.keep_firing_micros > 0 &&
               (old->clearing_since_us() == 0 ||
                at - old->clearing_since_us() < rule.keep_firing_micros)) {
      if (old->clearing_since_us() != 0) continue;  // still within keep_firing_for
      AlertChange change;  // stopped holding: remember since when, keep firing
      change.record = *old;
      change.record.set_clearing_since_us(at);
      change.record.set_last_eval_us(at);
      changes.push_back(std::move(change));
      continue;
    } else if (before == v1::ALERT_STATE_FIRING) {
      rec = *old;
      rec.set_clearing_since_us(0);
      rec.set_state(v1::ALERT_STATE_RESOLVED);
      rec.set_resolved_at_us(at);
      rec.set_last_eval_us(at);
      *rec.mutable_alert() = ResolvedAlert(old->alert(), at, calendar, options);
      AlertChange change;
      change.publish = rec.alert();
      change.record = std::move(rec);
      changes.push_back(std::move(change));
      continue;
    } else if (before == v1::ALERT_STATE_PENDING) {
      rec = *old;
      rec.set_state(v1::ALERT_STATE_UNSPECIFIED);  // never fired: forgotten, nothing published
    } else {
      continue;
    }
    rec.set_last_eval_us(at);
    AlertChange change;
    if (rec.state() == v1::ALERT_STATE_FIRING || rec.state() == v1::ALERT_STATE_RESOLVED) {
      *rec.mutable_alert() = BuildAlert(ev, i, snap, rec, values, options);
      change.publish = rec.alert();
    }
    change.record = std::move(rec);
    changes.push_back(std::move(change));
  }

  // Firing alerts of rules that are no longer loaded resolve.
  for (const v1::AlertRecord& stored : snap.alerts) {
    const v1::AlertRecord* rec_ptr = &stored;
    const std::string& rule_id = stored.rule();
    if (rec_ptr->state() != v1::ALERT_STATE_FIRING && rec_ptr->state() != v1::ALERT_STATE_PENDING)
      continue;
    bool loaded = std::any_of(set.rules.begin(), set.rules.end(),
                              // An init-capture: clang 14 (the fuzz build) cannot capture a
                              // structured binding directly.
                              [&id = rule_id](const Rule& r) { return r.id == id; });
    if (loaded) continue;
    AlertChange change;
    change.record = *rec_ptr;
    if (rec_ptr->state() == v1::ALERT_STATE_FIRING) {
      change.record.set_state(v1::ALERT_STATE_RESOLVED);
      change.record.set_resolved_at_us(at);
      *change.record.mutable_alert() = ResolvedAlert(rec_ptr->alert(), at, calendar, options);
      change.publish = change.record.alert();
    } else {
      change.record.set_state(v1::ALERT_STATE_UNSPECIFIED);
    }
    change.record.set_last_eval_us(at);
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace churnwatch::rules
