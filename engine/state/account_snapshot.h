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
  CounterRecord counters{CounterLayout::kOrderMonth};
};

struct AccountMonthRow {
  MonthKey month;
  CounterRecord counters;
};

struct AccountSnapshot {
  std::string account_id;
  std::optional<v1::ProfileRecord> profile;
  std::vector<OrderMonthRow> order_months;        // sorted by product line, then month
  std::vector<AccountMonthRow> service_months;     // sorted by month
  std::vector<AccountMonthRow> engagement_months;  // sorted by month
  std::vector<v1::ContactRecord> contacts;         // sorted by contact id

  bool empty() const {
    return !profile && order_months.empty() && service_months.empty() && engagement_months.empty() &&
           contacts.empty();
  }
};

// Reads the account's rows from `store`. An account the store has never seen yields an empty
// snapshot (not an error); Corruption when a stored value does not decode.
Result<AccountSnapshot> ReadAccountSnapshot(const PartitionStore& store, const std::string& account_id);

}  // namespace churnwatch::state
