#include "demo/demo_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <set>
#include <span>

#include "common/calendar.h"
#include "demo/account_history.h"
#include "demo/demo_catalog.h"
#include "demo/demo_random.h"

namespace churnwatch::demo {
namespace {

using internal::AccountPlan;
using internal::HistoryWindow;
using internal::LineSpec;
using internal::Rng;
using internal::Tier;

// Share of the accounts that stay healthy; the rest get one pattern each, in turn.
constexpr double kUnhealthyShare = 0.35;
constexpr std::array<Pattern, 11> kLossPatterns{
    Pattern::kVolumeDecline,    Pattern::kMeetingCancelled,   Pattern::kReferenceWithdrawn,
    Pattern::kKeyContactChange, Pattern::kManagerTurnover,    Pattern::kProductLineDropped,
    Pattern::kPurchaseSilence,  Pattern::kServiceDegradation, Pattern::kExecContactGap,
    Pattern::kExternalRisk,     Pattern::kHealthLow};

// Patterns that only make sense for some tiers: an executive cadence exists for
// strategic/key accounts, an annual strategy meeting for strategic/key/growth accounts.
bool Eligible(Pattern p, Tier t) {
  if (p == Pattern::kExecContactGap) return internal::IsUpperTier(t);
  if (p == Pattern::kMeetingCancelled) return internal::IsUpperTier(t) || t == Tier::kGrowth;
  return true;
}

bool Constrained(Pattern p) {
  return p == Pattern::kExecContactGap || p == Pattern::kMeetingCancelled;
}

// The customer pyramid: ~5% strategic, ~10% key, ~20% growth, ~25% potential, rest ordinary.
std::vector<Tier> PyramidTiers(Rng& rng, int n) {
  auto share = [n](double s) { return std::max(1, static_cast<int>(std::lround(s * n))); };
  std::array<int, 4> counts{share(0.05), share(0.10), share(0.20), share(0.25)};
  std::vector<Tier> tiers;
  constexpr std::array<Tier, 4> kUpper{Tier::kStrategic, Tier::kKey, Tier::kGrowth,
                                       Tier::kPotential};
  for (size_t i = 0; i < counts.size(); ++i) {
    for (int k = 0; k < counts[i] && static_cast<int>(tiers.size()) < n; ++k)
      tiers.push_back(kUpper[i]);
  }
  while (static_cast<int>(tiers.size()) < n) tiers.push_back(Tier::kOrdinary);
  rng.Shuffle(std::span<Tier>(tiers));
  return tiers;
}

std::vector<Pattern> AssignPatterns(Rng& rng, const std::vector<Tier>& tiers) {
  const int n = static_cast<int>(tiers.size());
  std::vector<Pattern> patterns(static_cast<size_t>(n), Pattern::kHealthy);
  std::vector<int> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  rng.Shuffle(std::span<int>(order));
  const int unhealthy = static_cast<int>(std::lround(kUnhealthyShare * n));
  std::vector<Pattern> wanted;
  for (int i = 0; i < unhealthy; ++i)
    wanted.push_back(kLossPatterns[static_cast<size_t>(i) % kLossPatterns.size()]);
  // Tier-bound patterns first, so they find eligible accounts; a pattern with no eligible
  // account left is skipped (only possible for tiny rosters).
  std::stable_partition(wanted.begin(), wanted.end(), Constrained);
  std::vector<bool> taken(static_cast<size_t>(n), false);
  for (Pattern p : wanted) {
    for (int idx : order) {
      if (taken[static_cast<size_t>(idx)] || !Eligible(p, tiers[static_cast<size_t>(idx)]))
        continue;
      taken[static_cast<size_t>(idx)] = true;
      patterns[static_cast<size_t>(idx)] = p;
      break;
    }
  }
  return patterns;
}

const char* StageFor(Rng& rng, Tier t) {
  switch (t) {
    case Tier::kStrategic:
      return "STRATEGIC_PARTNER";
    case Tier::kKey:
      return rng.Chance(0.6) ? "STRATEGIC_PARTNER" : "DEVELOPING";
    case Tier::kGrowth:
      return "DEVELOPING";
    case Tier::kPotential:
      return rng.Chance(0.7) ? "INITIAL" : "DEVELOPING";
    case Tier::kOrdinary:
      return rng.Chance(0.6) ? "INITIAL" : "NURTURING";
  }
  return "INITIAL";
}

// Product lines, cadence and order size by tier; patterns adjust what they need to show.
std::vector<LineSpec> DrawLines(Rng& rng, Tier tier, Pattern pattern) {
  struct TierShape {
    int min_lines, max_lines;
    double cycle_lo, cycle_hi;  // main line, days
    double value_lo, value_hi;  // main line order value, CNY
    double discount;
  };
  static constexpr std::array<TierShape, 5> kShapes{{
      {3, 4, 14, 24, 150'000, 400'000, 0.85},  // strategic
      {2, 4, 16, 28, 60'000, 150'000, 0.90},   // key
      {2, 3, 20, 34, 20'000, 60'000, 0.95},    // growth
      {1, 3, 28, 45, 8'000, 20'000, 1.0},      // potential
      {1, 2, 35, 55, 3'000, 8'000, 1.0},       // ordinary
  }};
  const TierShape& shape = kShapes[static_cast<size_t>(tier)];
  int count = static_cast<int>(rng.Int(shape.min_lines, shape.max_lines));
  if (pattern == Pattern::kProductLineDropped) count = std::max(count, 2);
  if (pattern == Pattern::kPurchaseSilence) count = std::min(count, 2);
  std::span<const internal::DemoProductLine> all = internal::ProductLines();
  std::vector<size_t> pick(all.size());
  std::iota(pick.begin(), pick.end(), 0);
  rng.Shuffle(std::span<size_t>(pick));
  double main_cycle = rng.Uniform(shape.cycle_lo, shape.cycle_hi);
  if (pattern == Pattern::kPurchaseSilence) main_cycle = std::max(main_cycle, 18.0);
  std::vector<LineSpec> lines;
  for (int i = 0; i < count; ++i) {
    LineSpec l;
    l.line = &all[pick[static_cast<size_t>(i)]];
    l.cycle_days = i == 0 ? main_cycle : std::min(65.0, main_cycle * rng.Uniform(1.6, 2.8));
    // Partial churn needs regular lines: the dropped line's absence must stand out against
    // its own cycle while the others visibly continue.
    if (pattern == Pattern::kProductLineDropped) l.cycle_days = std::min(l.cycle_days, 40.0);
    l.unit_price_minor = std::llround(static_cast<double>(l.line->unit_price_minor) *
                                      shape.discount * rng.Uniform(0.97, 1.03));
    double value =
        rng.Uniform(shape.value_lo, shape.value_hi) * (i == 0 ? 1.0 : rng.Uniform(0.3, 0.7));
    l.base_qty = std::max(10.0, value * 100.0 / static_cast<double>(l.unit_price_minor));
    l.growth = rng.Uniform(0.0, 0.03);
    lines.push_back(l);
  }
  return lines;
}

int DrawContacts(Rng& rng, Tier tier, Pattern pattern) {
  if (pattern == Pattern::kKeyContactChange) return static_cast<int>(rng.Int(2, 3));
  if (internal::IsUpperTier(tier)) return static_cast<int>(rng.Int(4, 5));
  if (tier == Tier::kGrowth) return static_cast<int>(rng.Int(3, 4));
  return static_cast<int>(rng.Int(2, 3));
}

std::string AccountId(int index) {
  std::string digits = std::to_string(index + 1);
  if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
  return "ACC-" + digits;
}

HistoryWindow MakeWindow(const DemoOptions& options, const Calendar& calendar) {
  HistoryWindow w;
  w.now = options.now;
  QuarterKey q = calendar.QuarterOf(options.now);
  for (int i = 0; i < options.quarters; ++i) q = Calendar::PreviousQuarter(q);
  for (int i = 0; i <= options.quarters + 1; ++i, q = Calendar::NextQuarter(q)) {
    w.quarter_starts.push_back(calendar.StartOfQuarter(q));
  }
  w.start = w.quarter_starts.front();
  return w;
}

}  // namespace

const char* PatternSignal(Pattern p) {
  switch (p) {
    case Pattern::kHealthy:
      return "healthy";
    case Pattern::kVolumeDecline:
      return "volume_decline";
    case Pattern::kMeetingCancelled:
      return "meeting_cancelled";
    case Pattern::kReferenceWithdrawn:
      return "reference_withdrawn";
    case Pattern::kKeyContactChange:
      return "key_contact_change";
    case Pattern::kManagerTurnover:
      return "manager_turnover";
    case Pattern::kProductLineDropped:
      return "product_line_dropped";
    case Pattern::kPurchaseSilence:
      return "purchase_silence";
    case Pattern::kServiceDegradation:
      return "service_degradation";
    case Pattern::kExecContactGap:
      return "exec_contact_gap";
    case Pattern::kExternalRisk:
      return "external_risk";
    case Pattern::kHealthLow:
      return "health_low";
  }
  return "healthy";
}

Status ValidateDemoOptions(const DemoOptions& options) {
  if (options.accounts < 1 || options.accounts > 9999) {
    return InvalidArgument("demo accounts must be 1..9999, got " +
                           std::to_string(options.accounts));
  }
  if (options.quarters < 4 || options.quarters > 40) {
    return InvalidArgument("demo quarters must be 4..40, got " + std::to_string(options.quarters));
  }
  if (options.now <= 0) return InvalidArgument("demo now must be a positive time (UnixMicros)");
  auto calendar = Calendar::Load(options.zone);
  if (!calendar.ok()) return calendar.status();
  return Status::Ok();
}

UnixMicros HistoryStart(const DemoOptions& options) {
  auto calendar = Calendar::Load(options.zone);
  if (!calendar.ok()) return options.now;
  return MakeWindow(options, *calendar).start;
}

DemoDataset GenerateDemo(const DemoOptions& options) {
  DemoDataset data;
  if (!ValidateDemoOptions(options).ok()) return data;
  auto calendar = Calendar::Load(options.zone);
  const HistoryWindow window = MakeWindow(options, *calendar);

  Rng roster(internal::MixSeed(options.seed, 0));
  const std::vector<Tier> tiers = PyramidTiers(roster, options.accounts);
  const std::vector<Pattern> patterns = AssignPatterns(roster, tiers);

  std::span<const internal::DemoRegion> regions = internal::Regions();
  std::vector<double> region_weights;
  for (const auto& r : regions) region_weights.push_back(r.weight);
  std::span<const internal::DemoIndustry> industries = internal::Industries();
  std::set<std::string> names;

  for (int i = 0; i < options.accounts; ++i) {
    AccountPlan plan;
    plan.index = i;
    plan.seed = internal::MixSeed(options.seed, static_cast<uint64_t>(i) + 1);
    Rng rng(internal::MixSeed(plan.seed, 0));
    plan.account_id = AccountId(i);
    plan.tier = tiers[static_cast<size_t>(i)];
    plan.pattern = patterns[static_cast<size_t>(i)];
    plan.region = &regions[rng.Weighted(region_weights)];
    plan.industry = &industries[static_cast<size_t>(rng.Int(0, industries.size() - 1))];
    // Names are unique: redraw on collision, and after many collisions add a branch suffix.
    Rng name_rng(internal::MixSeed(plan.seed, 5));
    for (int attempt = 0; attempt < 100; ++attempt) {
      plan.name = internal::CompanyName(name_rng, *plan.region, *plan.industry,
                                        internal::IsUpperTier(plan.tier));
      if (names.insert(plan.name).second) break;
      if (attempt == 99) {
        plan.name += "（" + std::to_string(i + 1) + "分公司）";
        names.insert(plan.name);
      }
    }
    const auto& managers = plan.region->managers;
    plan.owner = &internal::AccountManagers()[static_cast<size_t>(
        managers[static_cast<size_t>(rng.Int(0, managers.size() - 1))])];
    plan.sponsor = &internal::ExecutiveSponsors()[static_cast<size_t>(plan.region->sponsor)];
    plan.stage = StageFor(rng, plan.tier);
    plan.lines = DrawLines(rng, plan.tier, plan.pattern);
    plan.contacts = DrawContacts(rng, plan.tier, plan.pattern);

    internal::AccountHistory history(plan, window);
    const internal::DemoPerson* owner = history.Generate(&data.messages);
    data.accounts.push_back(DemoAccount{plan.account_id, plan.name, internal::TierName(plan.tier),
                                        owner->id, plan.pattern});
  }
  std::stable_sort(
      data.messages.begin(), data.messages.end(),
      [](const DemoMessage& a, const DemoMessage& b) { return a.occurred_at < b.occurred_at; });
  return data;
}

}  // namespace churnwatch::demo
