// GenerateDemo: a seeded generator of realistic key-account event histories for `churnwatch
// demo`, backtests and end-to-end tests.
//
// It invents a customer pyramid of a few hundred Chinese B2B accounts (tiers, owners, executive
// sponsors, regions, industries) and writes `quarters` calendar quarters of their history on the
// four input topics, in contract.md's JSON form. About 65% of the accounts stay healthy; every
// other account drifts into exactly one loss pattern during the last two to three quarters,
// planted clearly enough that a reasonable rule detects it, and DemoAccount::pattern says which
// one so tests can check that the engine finds it. What each pattern plants is in README.md.
//
// Determinism: the dataset is a pure function of DemoOptions. All randomness is explicit
// arithmetic on std::mt19937_64 (no std::*_distribution), so a seed gives the same bytes with
// every standard library. Each account draws from its own streams, so its history does not
// depend on how many accounts are generated after it.
//
// Thread-safety: GenerateDemo is reentrant (no shared mutable state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace churnwatch::demo {

struct DemoOptions {
  // Seed of every random draw. Default 42.
  uint64_t seed = 42;
  // Number of accounts across all tiers (customer pyramid: ~5% strategic, ~10% key, ~20%
  // growth, ~25% potential, ~40% ordinary). Default 300; valid 1..9999.
  int accounts = 300;
  // The history ends here; no event is later. Required: must be a positive time (the demo
  // passes the wall clock; tests pass a fixed instant so the dataset is reproducible).
  UnixMicros now = 0;
  // History length: the `quarters` complete calendar quarters before the quarter containing
  // `now`, plus that running quarter up to `now`. No event is earlier than the first of them
  // (see HistoryStart). Default 8; valid 4..40 (patterns need three complete quarters).
  int quarters = 8;
  // IANA zone whose calendar quarters and business hours the history follows.
  std::string zone = "Asia/Shanghai";
};

// One message to produce: topic is one of "accounts", "orders", "service", "contacts";
// key = account_id; json = the event in contract.md's JSON form (snake_case protobuf field
// names, enums in short upper-case form like "PLACED", occurred_at RFC 3339 UTC).
struct DemoMessage {
  std::string topic;
  std::string key;
  std::string json;
  UnixMicros occurred_at = 0;
};

// What was planted for an account, so tests can check the engine detects it.
enum class Pattern {
  kHealthy,
  kVolumeDecline,
  kMeetingCancelled,
  kReferenceWithdrawn,
  kKeyContactChange,
  kManagerTurnover,
  kProductLineDropped,
  kPurchaseSilence,
  kServiceDegradation,
  kExecContactGap,
  kExternalRisk,
  kHealthLow,
};
inline constexpr int kPatternCount = 12;

// contract.md's signal name ("volume_decline", ...); "healthy" for kHealthy.
const char* PatternSignal(Pattern p);

struct DemoAccount {
  std::string account_id;  // "ACC-0001"...; the Kafka key of all its messages
  std::string name;        // Chinese company name, e.g. "苏州恒信精密机械有限公司"
  std::string tier;        // domain.md's lower-case tier: "strategic", "key", "growth", ...
  std::string owner_id;    // the account manager at `now` (after any MANAGER_CHANGED)
  Pattern pattern = Pattern::kHealthy;
};

struct DemoDataset {
  std::vector<DemoAccount> accounts;  // in account_id order
  std::vector<DemoMessage> messages;  // sorted by occurred_at (stable: ties keep account order)
};

// OK when GenerateDemo can honour `options`; otherwise InvalidArgument names the field
// (accounts, quarters, now, zone) and its valid range.
[[nodiscard]] Status ValidateDemoOptions(const DemoOptions& options);

// The first instant of the history: local midnight starting the first of the `quarters`
// complete quarters. Precondition: ValidateDemoOptions(options).ok().
UnixMicros HistoryStart(const DemoOptions& options);

// Generates the dataset. Precondition: ValidateDemoOptions(options).ok(); when it does not
// hold the result is empty (callers that take options from users validate first).
DemoDataset GenerateDemo(const DemoOptions& options);

}  // namespace churnwatch::demo
