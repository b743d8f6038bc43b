// Each account's distinct purchase days (days with a PLACED order, local days of `calendar`),
// read from the orders of a history. What `fit` and `label` work from — the same notion of a
// purchase day the engine's order_days state keeps.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backtest/history_reader.h"
#include "common/calendar.h"

namespace churnwatch::backtest {

using PurchaseDays = std::map<std::string, std::vector<int64_t>>;  // account → sorted day numbers

// Reads the orders files among `inputs` (other topics are ignored). InvalidArgument
// "FILE:LINE: reason" for a line that does not decode: a model fit should not silently drop
// data. `progress` (optional) is called about once a second with bytes read and total.
Result<PurchaseDays> ReadPurchaseDays(const std::vector<HistoryInput>& inputs,
                                      const Calendar& calendar,
                                      const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace churnwatch::backtest
