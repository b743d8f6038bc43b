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
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
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
  double cycle_days = 30;        // usual interval between two orders of this line
  double base_qty = 100;         // units per order in quarter 0
  double growth = 0.01;          // quarterly growth of the healthy trend
  int64_t unit_price_minor = 0;  // after the account's negotiated discount
};

struct AccountPlan {
  int index = 0;      // 0-based position in the roster
  uint64_t seed = 0;  // root of the account's random streams
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
  void PlanTimeline();
  void GenerateOrders();
  void GenerateService();
  void GenerateContacts();
  void PlanStrategyMeetings(Rng& rng);
  void GenerateAccountChanges();

  // Quarterly quantity multiplier per line (healthy trend, or the pattern's decline).
  std::vector<double> LineFactors(Rng& rng, const LineSpec& line) const;
  // A time in business hours on the local working day containing (or next to) t.
  UnixMicros BusinessTime(Rng& rng, UnixMicros t) const;
  // A business time between lo and hi days before now, never after now.
  UnixMicros DaysBeforeNow(Rng& rng, double lo, double hi) const;
  bool InWindow(UnixMicros t) const;
  const DemoPerson* OwnerAt(UnixMicros t) const;

  // Whether contact (0-based) still works at the customer at t.
  bool Present(int contact, UnixMicros t) const;
  // The person we meet at the wanted level at t: the decision-maker for EXECUTIVE (unless gone
  // or in an executive-contact gap), a user for OPERATIONAL, else the influencer.
  int ContactFor(const char* level, UnixMicros t) const;
  void Meeting(UnixMicros scheduled, UnixMicros held, const char* type, const char* level);
  void Touch(UnixMicros t, const char* kind, const char* level);

  // Emitters drop events outside [window.start, window.now].
  // order_ref / ticket_ref are internal numbers; Finish() turns them into ids in time order.
  void EmitOrder(UnixMicros t, int order_ref, const LineSpec& line, int64_t qty,
                 const char* status);
  // ticket_id omitted when ticket_ref < 0, severity when null, csat when 0, nps when < 0.
  void EmitService(UnixMicros t, int ticket_ref, const char* kind, const char* severity, int csat,
                   int nps);
  // contact omitted when negative; meeting_type, role, level, new_manager when null.
  void EmitContact(UnixMicros t, const char* kind, const char* meeting_type, int contact,
                   const char* role, const char* level, const DemoPerson* new_manager = nullptr);
  void EmitProfile(UnixMicros t, const char* credit_risk);
  // Sorts the account's events by time, numbers their ids and appends them to out_.
  void Finish();

  static constexpr UnixMicros kNever = INT64_MAX;

  const AccountPlan& plan_;
  const HistoryWindow& window_;
  std::vector<DemoMessage>* out_ = nullptr;
  std::vector<std::pair<UnixMicros, const DemoPerson*>> owners_;  // (since, manager), by time
  std::vector<std::pair<UnixMicros, const char*>> credit_;        // (since, credit risk), by time
  UnixMicros decision_maker_left_ = kNever;
  UnixMicros user_left_ = kNever;
  UnixMicros exec_gap_start_ = kNever;
  // An event waiting for Finish(): its ids are assigned once the account's timeline is sorted.
  struct Pending {
    UnixMicros t;
    const char* topic;
    nlohmann::ordered_json json;
    int order_ref;
    int ticket_ref;
  };
  std::vector<Pending> pending_;
  int order_refs_ = 0, ticket_refs_ = 0;
};

}  // namespace churnwatch::demo::internal
