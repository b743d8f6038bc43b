// AccountJson: the JSON form of an account's state for GET /api/v1/accounts/{id}.
//
//   account_id, partition, profile (AccountEvent fields; enums as contract.md's short names),
//   orders.quarters[] {quarter, product_line, quantity, amount_minor, orders,
//                      cancelled_quantity, returned_quantity, first_order_at, last_order_at}
//   orders.months[]   the same per calendar month (month "2026-07"),
//   service.months[]  {month, tickets_opened, ..., csat_avg, nps_avg},
//   contacts.people[] {contact_id, role, level, active, added_at, left_at},
//   contacts.months[] {month, meetings{scheduled,held,cancelled}{strategy,...}, calls, visits,
//   ...}, contacts.totals   the month counters summed, contacts.last_contact_at {executive,...},
//   alerts[] (firing and resolved), timeline[] {date, kind: order|service|contact, counts{...}}
//   for the latest 30 days with activity, newest first.
// Quarters and months are calendar periods in the engine's configured zone.
#pragma once

#include <nlohmann/json.hpp>

#include "common/calendar.h"
#include "state/account_snapshot.h"

namespace churnwatch::http {

nlohmann::json AccountToJson(const state::AccountSnapshot& snapshot, const Calendar& calendar);

}  // namespace churnwatch::http
