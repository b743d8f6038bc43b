#include "state/account_snapshot.h"

#include <algorithm>
#include <tuple>

#include "state/key_codec.h"

namespace churnwatch::state {
namespace {

// A family's record: Corruption when the bytes are not a record or hold another layout than the
// family's.
template <class Counters>
Result<Counters> DecodeOfLayout(std::string_view bytes, CounterLayout layout) {
  auto rec = Counters::Decode(bytes);
  if (rec.ok() && rec->layout() != layout) {
    return Corruption("counter record of layout " +
                      std::to_string(static_cast<int>(rec->layout())) + " where layout " +
                      std::to_string(static_cast<int>(layout)) + " belongs");
  }
  return rec;
}

}  // namespace

Result<AccountSnapshot> ReadAccountSnapshot(const PartitionStore& store,
                                            const std::string& account_id) {
  AccountSnapshot snap;
  snap.account_id = account_id;
  const std::string prefix = AccountPrefix(account_id);
  Status decode_error;

  auto profile = store.Get(Family::kProfiles, prefix);
  if (!profile.ok()) return profile.status();
  if (profile->has_value()) {
    v1::ProfileRecord rec;
    if (!rec.ParseFromString(**profile))
      return Corruption("profile of " + account_id + " does not decode");
    snap.profile = std::move(rec);
  }

  CW_RETURN_IF_ERROR(
      store.ScanPrefix(Family::kOrders, prefix, [&](std::string_view k, std::string_view v) {
        auto parts = ParseOrderMonthKey(k);
        auto rec = DecodeOfLayout<OrderMonthCounters>(v, CounterLayout::kOrderMonth);
        if (!parts || parts->account_id != account_id)
          return;  // longer id sharing the prefix bytes
        if (!rec.ok()) {
          decode_error = rec.status();
          return;
        }
        snap.order_months.push_back({parts->product_line, parts->month, *rec});
      }));

  auto scan_months = [&](Family family, CounterLayout layout, auto* out) {
    using Counters = decltype(out->front().counters);
    return store.ScanPrefix(family, prefix, [&](std::string_view k, std::string_view v) {
      auto period = ParseAccountPeriodKey(k);
      if (!period) return;
      auto rec = DecodeOfLayout<Counters>(v, layout);
      if (!rec.ok()) {
        decode_error = rec.status();
        return;
      }
      out->push_back({*period, *rec});
    });
  };
  CW_RETURN_IF_ERROR(scan_months(Family::kService, CounterLayout::kServiceDay, &snap.service_days));
  CW_RETURN_IF_ERROR(
      scan_months(Family::kEngagement, CounterLayout::kEngagementDay, &snap.engagement_days));
  CW_RETURN_IF_ERROR(scan_months(Family::kOrderDays, CounterLayout::kOrderDay, &snap.order_days));

  auto activity = store.Get(Family::kAccounts, prefix);
  if (!activity.ok()) return activity.status();
  if (activity->has_value()) {
    auto rec = DecodeOfLayout<ActivityCounters>(**activity, CounterLayout::kAccountActivity);
    if (!rec.ok()) return rec.status();
    snap.activity = *rec;
  }

  CW_RETURN_IF_ERROR(
      store.ScanPrefix(Family::kAlerts, prefix, [&](std::string_view k, std::string_view v) {
        auto owner = ParseAccountOfKey(k);
        if (!owner || *owner != account_id) return;
        v1::AlertRecord rec;
        if (!rec.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          decode_error = Corruption("alert record of " + account_id + " does not decode");
          return;
        }
        snap.alerts.push_back(std::move(rec));
      }));

  CW_RETURN_IF_ERROR(
      store.ScanPrefix(Family::kContacts, prefix, [&](std::string_view k, std::string_view v) {
        auto owner = ParseAccountOfKey(k);
        if (!owner || *owner != account_id) return;
        v1::ContactRecord rec;
        if (!rec.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          decode_error = Corruption("contact record of " + account_id + " does not decode");
          return;
        }
        snap.contacts.push_back(std::move(rec));
      }));
  if (!decode_error.ok()) return decode_error;
  // Keys sort by length-prefixed bytes; callers want plain byte order of names.
  std::sort(snap.order_months.begin(), snap.order_months.end(), [](const auto& a, const auto& b) {
    return std::tie(a.product_line, a.month) < std::tie(b.product_line, b.month);
  });
  std::sort(snap.contacts.begin(), snap.contacts.end(),
            [](const auto& a, const auto& b) { return a.contact_id() < b.contact_id(); });
  std::sort(snap.alerts.begin(), snap.alerts.end(),
            [](const auto& a, const auto& b) { return a.rule() < b.rule(); });
  return snap;
}

}  // namespace churnwatch::state
