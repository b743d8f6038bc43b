// CustomerFile (客户档案): the account page's decision chain and timeline, computed from what
// the store keeps — GET /api/v1/accounts/{id}/contacts and GET /api/v1/accounts/{id}/timeline.
//
// Decision chain. Every person the contacts topic named, grouped by role in the order a
// key-account review reads them (DECISION_MAKER, INFLUENCER, SUPPORTER, OPPONENT, USER,
// UNSPECIFIED), active people first within a role (by level: EXECUTIVE, MANAGEMENT,
// OPERATIONAL, then id); `departed` lists who left, newest departure first. The account is
// single-threaded when exactly one active person carries the relationship: one active contact
// who is not an OPPONENT (an opponent carries nothing). With no such person the warning is
// `no_relationship` instead (contacts were known, none is left on the customer's side).
//
// Timeline. Newest first: one entry per day and kind with that day's non-zero counters (order:
// PLACED orders; service: tickets, complaints, SLA breaches, surveys; contact: meetings by
// status, calls, visits, people added/left, role changes, references withdrawn, manager
// changes) — the store keeps per-day aggregates, not single events — plus the exact-time
// entries the store does keep: a person added or leaving (contact_added / contact_left, with id,
// role and level) and the account's alert history (alert: FIRING, RESOLVED, REROUTED,
// ACKNOWLEDGED, PLAN_DONE). Cancellations and returns are kept per month only; they are in
// GET /api/v1/accounts/{id} `orders.months`, not here.
//
// Pure functions of their inputs; no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "churnwatch/v1/state.pb.h"
#include "common/calendar.h"
#include "state/account_snapshot.h"

namespace churnwatch::http {

// One person: {contact_id, role, level, active, added_at, left_at} (also in the account JSON).
nlohmann::json PersonJson(const v1::ContactRecord& contact);

// The day entries of the timeline ({date, at: null, kind, counts}) of the latest `max_days`
// days with activity, newest first (the account JSON's `timeline` is the latest 30 days).
nlohmann::json DayTimeline(const state::AccountSnapshot& snapshot, size_t max_days);

// {account_id, decision_chain [{role, people [...]}], departed [...], active_contacts,
//  single_threaded {warning, kind: single_threaded|no_relationship|null, carried_by}}.
nlohmann::json DecisionChainJson(const state::AccountSnapshot& snapshot);

// {account_id, truncated, entries [{date, at (null for day entries), kind, ...}]}: the newest
// `limit` entries. Day entries carry `counts`; contact entries `contact_id`, `role`, `level`;
// alert entries `event` (the history kind), `alert_id`, `rule`, `signal`, `severity`, and `by`
// for acknowledgements and plans done. `calendar` puts exact times on local days.
nlohmann::json TimelineJson(const state::AccountSnapshot& snapshot,
                            const std::vector<v1::HistoryEntry>& history, size_t limit,
                            const Calendar& calendar);

}  // namespace churnwatch::http
