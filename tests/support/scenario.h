// Scenario: a deterministic (seeded) mix of input events for many accounts across all four
// input topics, written as the NDJSON lines `churnwatch produce` sends.
//
// What it covers: a profile per account (some replaced later), orders PLACED / CANCELLED /
// RETURNED on 1-3 product lines over two years (2024-10 .. 2026-10 local time), some exactly
// on month and quarter edges in UTC+8 (2026-03-31T16:00:00Z is 2026-04-01 local) or one second
// before; timestamps written in Z, +08:00 and -05:00 form; enum values in short, lower-case and
// prefixed spelling; int64 as numbers and strings; service tickets, complaints, SLA breaches
// and surveys (csat, nps or both, nps 0 included); contact meetings of every type and status,
// calls and visits with levels, CONTACT_ADDED / LEFT / ROLE_CHANGED, REFERENCE_WITHDRAWN,
// MANAGER_CHANGED; event_ids repeated within a topic (duplicates) and shared across topics
// (not duplicates).
//
// The generator knows nothing of the engine; ReferenceModel (reference_model.h) recomputes the
// expected state from these lines alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace churnwatch::test {

struct ScenarioOptions {
  uint64_t seed = 20261123;
  int accounts = 500;
  // Events per topic, duplicates included. The account topic gets one profile per account
  // plus profile_updates replacements plus duplicates up to `account_events`.
  int orders = 9000;
  int service = 5000;
  int contacts = 5400;
  int account_events = 600;
  int profile_updates = 80;
  // Share of each topic's events that repeat an earlier event_id of the same topic.
  double duplicate_share = 0.01;
  std::string account_prefix = "acct";
};

struct Scenario {
  std::vector<std::string> account_ids;
  // Lines in produce order. orders_proto is produced first (as binary protobuf), then
  // orders_json; the reference treats them as one orders stream in that order.
  std::vector<std::string> orders_proto, orders_json, service, contacts, accounts;

  size_t total_events() const {
    return orders_proto.size() + orders_json.size() + service.size() + contacts.size() +
           accounts.size();
  }
};

Scenario GenerateScenario(const ScenarioOptions& options);

// Joins lines with '\n' (and a trailing one).
std::string JoinLines(const std::vector<std::string>& lines);

}  // namespace churnwatch::test
