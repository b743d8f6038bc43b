// AccountSnapshot: everything the store holds about one account, read in one pass, for the
// HTTP API and (later) rule evaluation. Building it reads; it never writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "churnwatch/v1/state.pb.h"
#include "common/calendar.h"
#include "common/status.h"
#include "state/counters.h"
#include "state/partition_store.h"

namespace churnwatch::state {

struct OrderMonthRow {
  std::string product_line;
  MonthKey month;
  OrderMonthCounters counters{CounterLayout::kOrderMonth};
};

// One row of a per-day family: the period is a DayKey (20260701). Counters of the family's
// layout, in its own capacity (counters.h).
template <class Counters>
struct PeriodRow {
  int32_t period;
  Counters counters;
};
using ServiceDayRow = PeriodRow<ServiceDayCounters>;
using EngagementDayRow = PeriodRow<EngagementDayCounters>;
using OrderDayRow = PeriodRow<OrderDayCounters>;

struct AccountSnapshot {
  std::string account_id;
  std::optional<v1::ProfileRecord> profile;
  std::vector<OrderMonthRow> order_months;        // sorted by product line, then month
  std::vector<ServiceDayRow> service_days;        // sorted by day
  std::vector<EngagementDayRow> engagement_days;  // sorted by day
  std::vector<OrderDayRow> order_days;            // sorted by day: PLACED orders per day
  std::vector<v1::ContactRecord> contacts;        // sorted by contact id
  std::optional<ActivityCounters> activity;       // first/last event time, event count
  // Alert state of every rule that ever matched this account, sorted by rule id.
  std::vector<v1::AlertRecord> alerts;

  bool empty() const {
    return !profile && !activity && order_months.empty() && service_days.empty() &&
           engagement_days.empty() && contacts.empty();
  }
};

// Reads the account's rows from `store`. An account the store has never seen yields an empty
// snapshot (not an error); Corruption when a stored value does not decode.
Result<AccountSnapshot> ReadAccountSnapshot(const PartitionStore& store,
                                            const std::string& account_id);

}  // namespace churnwatch::state
