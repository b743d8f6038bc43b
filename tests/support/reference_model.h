// ReferenceModel: what the engine must report for a Scenario, computed by the test from the
// same NDJSON lines the engine consumes, without engine code.
//
// Semantics (from the brief and contract.md): events of a topic are applied in stream order
// (per account that is file order: one key, one partition); a repeated event_id within a topic
// is ignored and counted as a duplicate; orders are bucketed by product line and by calendar
// month / quarter at a fixed UTC+8 offset; PLACED adds quantity / amount / orders and moves
// first/last order time, CANCELLED and RETURNED add their own counts; service and contact
// events are counted per local month; people keep their latest ADDED / LEFT / ROLE_CHANGED
// state; the last profile applied wins.
//
// Views: both the reference and the engine's /api/v1/accounts/{id} answer are reduced to the
// same normalized JSON (ViewOfApiAccount), keyed by product line and period rather than by
// array position, so a comparison failure names the exact field (json::diff).
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/scenario.h"

namespace churnwatch::test {

class ReferenceModel {
 public:
  explicit ReferenceModel(const Scenario& scenario);

  // account_id → normalized expected view.
  const std::map<std::string, nlohmann::json>& views() const { return views_; }
  // Events that change state, per schema name ("orders", "service", "contacts", "accounts").
  int64_t applied(const std::string& topic) const;
  int64_t applied_total() const;
  // Events ignored because their event_id repeated one of the same topic.
  int64_t duplicates() const { return duplicates_; }

 private:
  std::map<std::string, nlohmann::json> views_;
  std::map<std::string, int64_t> applied_;
  int64_t duplicates_ = 0;
};

// The engine's account JSON reduced to the view ReferenceModel produces.
nlohmann::json ViewOfApiAccount(const nlohmann::json& api);

}  // namespace churnwatch::test
