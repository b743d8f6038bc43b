// AccountHistory: writes one account's event history on the four input topics (internal to
// engine/demo), following an AccountPlan drawn by GenerateDemo.
//
// Healthy behaviour (regular orders per product line, routine service, multi-level contact
// cadence) is the baseline; the plan's Pattern overrides parts of it during the last two to
// three quarters. What each pattern plants is documented in README.md and must stay in sync.
//
// Time: events fall in business hours (09:00-18:00) of the history's zone; every event lies in
// [window.start, window.now] (later ones are dropped, earlier ones are never drawn).
// Not thread-safe; one AccountHistory per account, used once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "demo/demo_catalog.h"
#include "demo/demo_generator.h"
#include "demo/demo_random.h"

namespace churnwatch::demo::internal {

enum class Tier { kStrategic, kKey, kGrowth, kPotential, kOrdinary };
// "STRATEGIC" (the JSON enum form).
const char* TierEnumName(Tier t);
// "strategic" (domain.md's form).
const char* TierName(Tier t);
inline bool IsUpperTier(Tier t) { return t == Tier::kStrategic || t == Tier::kKey; }

// The calendar frame of the history.
struct HistoryWindow {
  UnixMicros start = 0;  // local midnight starting quarter 0
  UnixMicros now = 0;    // no event is later
  // quarter_starts[i] starts quarter i; i = quarters is the running quarter (containing now);
  // the last element starts the quarter after it, so quarter i spans [starts[i], starts[i+1]).
  std::vector<UnixMicros> quarter_starts;

  int running() const { return static_cast<int>(quarter_starts.size()) - 2; }
  UnixMicros QuarterStart(int i) const { return quarter_starts[static_cast<size_t>(i)]; }
  UnixMicros QuarterEnd(int i) const { return quarter_starts[static_cast<size_t>(i) + 1]; }
  // Fraction of the running quarter elapsed at `now`, in [0, 1).
  double RunningElapsed() const;
};

// One product line the account buys.
struct LineSpec {
  const DemoProductLine* line = nullptr;
  double cycle_days = 30;   // usual interval between two orders of this line
  double base_qty = 100;    // units per order in quarter 0
  double growth = 0.01;     // quarterly growth of the healthy trend
  int64_t unit_price_minor = 0;  // after the account's negotiated discount
};

struct AccountPlan {
  int index = 0;            // 0-based position in the roster
  uint64_t seed = 0;        // root of the account's random streams
  std::string account_id;
  std::string name;
  Tier tier = Tier::kOrdinary;
  const DemoRegion* region = nullptr;
  const DemoIndustry* industry = nullptr;
  const DemoPerson* owner = nullptr;    // initial account manager
  const DemoPerson* sponsor = nullptr;  // executive sponsor
  const char* stage = "INITIAL";        // JSON enum form
  Pattern pattern = Pattern::kHealthy;
  std::vector<LineSpec> lines;  // 1-4 lines; index 0 is the main line
  int contacts = 3;             // 2-5 people in the customer's decision chain
};

class AccountHistory {
 public:
  AccountHistory(const AccountPlan& plan, const HistoryWindow& window);

  // Appends the account's messages (unsorted) to *out and returns the account manager at `now`.
  const DemoPerson* Generate(std::vector<DemoMessage>* out);

 private:
  void GenerateOrders();
  void GenerateService();
  void GenerateContacts();
  void GenerateAccountEvents();

  // Quarterly quantity multiplier per line (healthy trend, or the pattern's decline).
  std::vector<double> LineFactors(Rng& rng, const LineSpec& line) const;
  // A time in business hours on the local day containing t.
  UnixMicros BusinessTime(Rng& rng, UnixMicros t) const;
  UnixMicros DaysBeforeNow(Rng& rng, double lo, double hi) const;

  void EmitOrder(UnixMicros t, const std::string& order_id, const LineSpec& line, int64_t qty,
                 const char* status);
  void EmitService(UnixMicros t, const std::string& ticket_id, const char* kind,
                   const char* severity, int csat, int nps);
  // meeting_type, contact_id, role and level are omitted when null/empty.
  void EmitContact(UnixMicros t, const char* kind, const char* meeting_type, int contact,
                   const char* role, const char* level, const DemoPerson* new_manager = nullptr);
  void EmitProfile(UnixMicros t, const DemoPerson& owner, const char* credit_risk);
  void Push(const char* topic, UnixMicros t, std::string json);

  std::string ContactId(int contact) const;

  const AccountPlan& plan_;
  const HistoryWindow& window_;
  std::vector<DemoMessage>* out_ = nullptr;
  const DemoPerson* owner_ = nullptr;
  int orders_ = 0, service_ = 0, contacts_ = 0, profiles_ = 0, tickets_ = 0, order_ids_ = 0;
};

}  // namespace churnwatch::demo::internal
