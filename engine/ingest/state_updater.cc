#include "ingest/state_updater.h"

#include <algorithm>

#include "state/key_codec.h"

namespace churnwatch::ingest {

using state::CounterLayout;
using state::CounterRecord;

namespace {

CounterRecord& Slot(std::map<DayKey, CounterRecord>& m, DayKey day, CounterLayout layout) {
  return m.try_emplace(day, CounterRecord(layout)).first->second;
}

// Merges pending per-day rows into sorted snapshot rows.
template <class Counters>
void OverlayDays(const std::map<DayKey, CounterRecord>& pending,
                 std::vector<state::PeriodRow<Counters>>* rows) {
  for (const auto& [day, rec] : pending) {
    auto it = std::lower_bound(
        rows->begin(), rows->end(), day,
        [](const state::PeriodRow<Counters>& r, DayKey d) { return r.period < d; });
    if (it != rows->end() && it->period == day) {
      it->counters.MergeFrom(rec);
    } else {
      rows->insert(it, state::PeriodRow<Counters>{day, Counters(rec)});
    }
  }
}

// The account's activity counters (first/last event, count) merged as the store merges them.
template <class Counters>
void MergeActivity(const std::optional<CounterRecord>& from, std::optional<Counters>* into) {
  if (!from) return;
  if (*into) {
    (*into)->MergeFrom(*from);
  } else {
    into->emplace(*from);
  }
}

}  // namespace

Status StateUpdater::Add(const Event& event, int64_t source_offset) {
  UnixMicros t = event.occurred_at();
  std::string account(event.account_id());
  PendingAccount delta;
  delta.activity.emplace(CounterLayout::kAccountActivity);
  delta.activity->Min(state::kActFirstAt, t);
  delta.activity->Max(state::kActLastAt, t);
  delta.activity->Add(state::kActEvents, 1);
  switch (event.kind) {
    case EventKind::kOrder:
      AddOrder(delta, std::get<v1::OrderEvent>(event.message), t);
      break;
    case EventKind::kService:
      AddService(delta, std::get<v1::ServiceEvent>(event.message), t);
      break;
    case EventKind::kContact:
      CW_RETURN_IF_ERROR(AddContact(delta, std::get<v1::ContactEvent>(event.message), t));
      break;
    case EventKind::kAccount: {
      v1::ProfileRecord rec;
      *rec.mutable_profile() = std::get<v1::AccountEvent>(event.message);
      rec.set_source_offset(source_offset);
      delta.profile = std::move(rec);
      break;
    }
    default:
      return Internal("unknown event kind");
  }
  Apply(account, std::move(delta));
  return Status::Ok();
}

void StateUpdater::Apply(const std::string& account_id, PendingAccount delta) {
  if (auto cached = cache_.find(account_id); cached != cache_.end()) {
    std::shared_ptr<state::AccountSnapshot>& snapshot = cached->second.first;
    if (snapshot.use_count() > 1) snapshot = std::make_shared<state::AccountSnapshot>(*snapshot);
    LayOver(delta, snapshot.get());
  }
  MergeInto(std::move(delta), &pending_[account_id]);
}

void StateUpdater::MergeInto(PendingAccount&& delta, PendingAccount* into) {
  auto merge_counters = [](const auto& from, auto* to) {
    for (const auto& [key, rec] : from) {
      auto [it, inserted] = to->try_emplace(key, rec);
      if (!inserted) it->second.MergeFrom(rec);
    }
  };
  merge_counters(delta.order_months, &into->order_months);
  merge_counters(delta.order_days, &into->order_days);
  merge_counters(delta.service_days, &into->service_days);
  merge_counters(delta.engagement_days, &into->engagement_days);
  // Records replace: moved, not copied (an alert record carries the whole alert).
  for (auto& [id, rec] : delta.contacts) into->contacts[id] = std::move(rec);
  if (delta.profile) into->profile = std::move(delta.profile);
  MergeActivity(delta.activity, &into->activity);
  for (auto& [rule, rec] : delta.alerts) into->alerts[rule] = std::move(rec);
}

void StateUpdater::AddOrder(PendingAccount& p, const v1::OrderEvent& e, UnixMicros t) {
  DayKey day = calendar_->DayOf(t);
  CounterRecord& r =
      p.order_months
          .try_emplace({e.product_line(), day / 100}, CounterRecord(CounterLayout::kOrderMonth))
          .first->second;
  switch (e.status()) {
    case v1::ORDER_STATUS_PLACED: {
      r.Add(state::kOrderQuantity, e.quantity());
      r.Add(state::kOrderAmountMinor, e.amount_minor());
      r.Add(state::kOrderCount, 1);
      r.Min(state::kOrderFirstAt, t);
      r.Max(state::kOrderLastAt, t);
      r.Or(state::kOrderPlacedDays, int64_t{1} << (day % 100 - 1));
      CounterRecord& d = Slot(p.order_days, day, CounterLayout::kOrderDay);
      d.Add(state::kDayOrders, 1);
      d.Add(state::kDayQuantity, e.quantity());
      d.Add(state::kDayAmountMinor, e.amount_minor());
      break;
    }
    case v1::ORDER_STATUS_CANCELLED:
      r.Add(state::kOrderCancelledQty, e.quantity());
      r.Add(state::kOrderCancelledCount, 1);
      r.Add(state::kOrderCancelledAmount, e.amount_minor());
      break;
    case v1::ORDER_STATUS_RETURNED:
      r.Add(state::kOrderReturnedQty, e.quantity());
      r.Add(state::kOrderReturnedCount, 1);
      r.Add(state::kOrderReturnedAmount, e.amount_minor());
      break;
    default:
      break;  // rejected by the validator
  }
}

void StateUpdater::AddService(PendingAccount& p, const v1::ServiceEvent& e, UnixMicros t) {
  CounterRecord& r = Slot(p.service_days, calendar_->DayOf(t), CounterLayout::kServiceDay);
  switch (e.kind()) {
    case v1::SERVICE_KIND_TICKET_OPENED:
      r.Add(state::kSvcTicketsOpened, 1);
      break;
    case v1::SERVICE_KIND_TICKET_RESOLVED:
      r.Add(state::kSvcTicketsResolved, 1);
      break;
    case v1::SERVICE_KIND_TICKET_ESCALATED:
      r.Add(state::kSvcTicketsEscalated, 1);
      break;
    case v1::SERVICE_KIND_COMPLAINT:
      r.Add(state::kSvcComplaints, 1);
      break;
    case v1::SERVICE_KIND_SLA_BREACHED:
      r.Add(state::kSvcSlaBreaches, 1);
      break;
    default:
      break;
  }
  bool counts_severity = e.kind() == v1::SERVICE_KIND_TICKET_OPENED ||
                         e.kind() == v1::SERVICE_KIND_COMPLAINT ||
                         e.kind() == v1::SERVICE_KIND_TICKET_ESCALATED;
  if (counts_severity &&
      (e.severity() == v1::SEVERITY_HIGH || e.severity() == v1::SEVERITY_CRITICAL)) {
    r.Add(state::kSvcHighSeverity, 1);
  }
  if (e.csat() != 0) {
    r.Add(state::kSvcCsatSum, e.csat());
    r.Add(state::kSvcCsatCount, 1);
  }
  if (e.has_nps()) {
    r.Add(state::kSvcNpsSum, e.nps());
    r.Add(state::kSvcNpsCount, 1);
    if (e.nps() >= 9) r.Add(state::kSvcNpsPromoters, 1);
    if (e.nps() <= 6) r.Add(state::kSvcNpsDetractors, 1);
  }
  r.Max(state::kSvcLastAt, t);
}

Result<v1::ContactRecord*> StateUpdater::Person(PendingAccount& p, const std::string& account,
                                                const std::string& contact_id) {
  auto it = p.contacts.find(contact_id);
  if (it != p.contacts.end()) return &it->second;
  if (auto pending = pending_.find(account); pending != pending_.end()) {
    auto known = pending->second.contacts.find(contact_id);
    if (known != pending->second.contacts.end())
      return &p.contacts.emplace(contact_id, known->second).first->second;
  }
  v1::ContactRecord rec;
  auto stored = store_->Get(state::Family::kContacts, state::ContactKey(account, contact_id));
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (!rec.ParseFromString(**stored))
      return Corruption("contact record " + contact_id + " of " + account + " does not decode");
  } else {
    rec.set_contact_id(contact_id);
  }
  return &p.contacts.emplace(contact_id, std::move(rec)).first->second;
}

Status StateUpdater::AddContact(PendingAccount& p, const v1::ContactEvent& e, UnixMicros t) {
  CounterRecord& r = Slot(p.engagement_days, calendar_->DayOf(t), CounterLayout::kEngagementDay);
  auto note_contact_at_level = [&] {
    switch (e.level()) {
      case v1::CONTACT_LEVEL_EXECUTIVE:
        r.Max(state::kEngLastExecutiveAt, t);
        break;
      case v1::CONTACT_LEVEL_MANAGEMENT:
        r.Max(state::kEngLastManagementAt, t);
        break;
      case v1::CONTACT_LEVEL_OPERATIONAL:
        r.Max(state::kEngLastOperationalAt, t);
        break;
      default:
        break;
    }
  };
  int meeting_type =
      static_cast<int>(e.meeting_type()) - 1;  // 0-based; validator guarantees set for meetings
  switch (e.kind()) {
    case v1::CONTACT_KIND_MEETING_SCHEDULED:
      r.Add(state::MeetingSlot(0, meeting_type), 1);
      break;
    case v1::CONTACT_KIND_MEETING_HELD:
      r.Add(state::MeetingSlot(1, meeting_type), 1);
      note_contact_at_level();
      break;
    case v1::CONTACT_KIND_MEETING_CANCELLED:
      r.Add(state::MeetingSlot(2, meeting_type), 1);
      break;
    case v1::CONTACT_KIND_CALL:
      r.Add(state::kEngCalls, 1);
      note_contact_at_level();
      break;
    case v1::CONTACT_KIND_VISIT:
      r.Add(state::kEngVisits, 1);
      note_contact_at_level();
      break;
    case v1::CONTACT_KIND_REFERENCE_WITHDRAWN:
      r.Add(state::kEngReferencesWithdrawn, 1);
      break;
    case v1::CONTACT_KIND_MANAGER_CHANGED:
      r.Add(state::kEngManagerChanges, 1);
      break;
    case v1::CONTACT_KIND_CONTACT_ADDED: {
      r.Add(state::kEngContactsAdded, 1);
      auto person = Person(p, e.account_id(), e.contact_id());
      if (!person.ok()) return person.status();
      v1::ContactRecord* c = *person;
      c->set_active(true);
      c->set_added_at_us(t);
      c->set_left_at_us(0);
      if (e.contact_role() != v1::CONTACT_ROLE_UNSPECIFIED) c->set_role(e.contact_role());
      if (e.level() != v1::CONTACT_LEVEL_UNSPECIFIED) c->set_level(e.level());
      break;
    }
    case v1::CONTACT_KIND_CONTACT_LEFT: {
      r.Add(state::kEngContactsLeft, 1);
      auto person = Person(p, e.account_id(), e.contact_id());
      if (!person.ok()) return person.status();
      v1::ContactRecord* c = *person;
      if (c->role() == v1::CONTACT_ROLE_UNSPECIFIED) c->set_role(e.contact_role());
      if (c->level() == v1::CONTACT_LEVEL_UNSPECIFIED) c->set_level(e.level());
      if (c->role() == v1::CONTACT_ROLE_DECISION_MAKER ||
          e.contact_role() == v1::CONTACT_ROLE_DECISION_MAKER) {
        r.Add(state::kEngDecisionMakersLeft, 1);
      }
      c->set_active(false);
      c->set_left_at_us(t);
      break;
    }
    case v1::CONTACT_KIND_CONTACT_ROLE_CHANGED: {
      r.Add(state::kEngRoleChanges, 1);
      auto person = Person(p, e.account_id(), e.contact_id());
      if (!person.ok()) return person.status();
      v1::ContactRecord* c = *person;
      if (c->added_at_us() == 0 && !c->active()) {  // first sighting: treat as present
        c->set_active(true);
        c->set_added_at_us(t);
      }
      if (e.contact_role() != v1::CONTACT_ROLE_UNSPECIFIED) c->set_role(e.contact_role());
      if (e.level() != v1::CONTACT_LEVEL_UNSPECIFIED) c->set_level(e.level());
      break;
    }
    default:
      break;
  }
  return Status::Ok();
}

void StateUpdater::PutAlert(const std::string& account_id, v1::AlertRecord record) {
  PendingAccount delta;
  std::string rule = record.rule();
  delta.alerts.emplace(std::move(rule), std::move(record));
  Apply(account_id, std::move(delta));
}

Result<std::shared_ptr<const state::AccountSnapshot>> StateUpdater::Snapshot(
    const std::string& account_id) {
  auto cached = cache_.find(account_id);
  if (cached != cache_.end()) {
    cache_order_.splice(cache_order_.begin(), cache_order_, cached->second.second);
    return std::shared_ptr<const state::AccountSnapshot>(cached->second.first);
  }
  auto read = state::ReadAccountSnapshot(*store_, account_id);
  if (!read.ok()) return read.status();
  auto snapshot = std::make_shared<state::AccountSnapshot>(std::move(*read));
  if (auto it = pending_.find(account_id); it != pending_.end())
    LayOver(it->second, snapshot.get());
  if (cache_capacity_ > 0) {
    if (cache_.size() >= cache_capacity_) {
      // Evicting drops only the in-memory copy: the pending writes stay in pending_.
      cache_.erase(cache_order_.back());
      cache_order_.pop_back();
    }
    cache_order_.push_front(account_id);
    cache_.emplace(account_id, std::make_pair(snapshot, cache_order_.begin()));
  }
  return std::shared_ptr<const state::AccountSnapshot>(std::move(snapshot));
}

void StateUpdater::LayOver(const PendingAccount& p, state::AccountSnapshot* snapshot) {
  for (const auto& [key, rec] : p.order_months) {
    auto pos = std::lower_bound(
        snapshot->order_months.begin(), snapshot->order_months.end(), key,
        [](const state::OrderMonthRow& r, const std::pair<std::string, MonthKey>& k) {
          return std::tie(r.product_line, r.month) < std::tie(k.first, k.second);
        });
    if (pos != snapshot->order_months.end() && pos->product_line == key.first &&
        pos->month == key.second) {
      pos->counters.MergeFrom(rec);
    } else {
      snapshot->order_months.insert(
          pos, state::OrderMonthRow{key.first, key.second, state::OrderMonthCounters(rec)});
    }
  }
  OverlayDays(p.order_days, &snapshot->order_days);
  OverlayDays(p.service_days, &snapshot->service_days);
  OverlayDays(p.engagement_days, &snapshot->engagement_days);
  for (const auto& [id, rec] : p.contacts) {
    auto pos = std::lower_bound(
        snapshot->contacts.begin(), snapshot->contacts.end(), id,
        [](const v1::ContactRecord& c, const std::string& k) { return c.contact_id() < k; });
    if (pos != snapshot->contacts.end() && pos->contact_id() == id) {
      *pos = rec;
    } else {
      snapshot->contacts.insert(pos, rec);
    }
  }
  if (p.profile) snapshot->profile = p.profile;
  MergeActivity(p.activity, &snapshot->activity);
  for (const auto& [rule, rec] : p.alerts) {
    auto pos = std::lower_bound(
        snapshot->alerts.begin(), snapshot->alerts.end(), rule,
        [](const v1::AlertRecord& a, const std::string& k) { return a.rule() < k; });
    if (pos != snapshot->alerts.end() && pos->rule() == rule) {
      *pos = rec;
    } else {
      snapshot->alerts.insert(pos, rec);
    }
  }
}

void StateUpdater::Drain(state::StoreBatch* batch) {
  // The snapshots in memory already hold these changes: nothing to drop.
  for (auto& [account, p] : pending_) {
    for (const auto& [key, rec] : p.order_months) {
      batch->MergeCounters(state::Family::kOrders,
                           state::OrderMonthKey(account, key.first, key.second), rec);
    }
    for (const auto& [day, rec] : p.order_days) {
      batch->MergeCounters(state::Family::kOrderDays, state::AccountPeriodKey(account, day), rec);
    }
    for (const auto& [day, rec] : p.service_days) {
      batch->MergeCounters(state::Family::kService, state::AccountPeriodKey(account, day), rec);
    }
    for (const auto& [day, rec] : p.engagement_days) {
      batch->MergeCounters(state::Family::kEngagement, state::AccountPeriodKey(account, day), rec);
    }
    for (const auto& [id, rec] : p.contacts) {
      batch->Put(state::Family::kContacts, state::ContactKey(account, id), rec.SerializeAsString());
    }
    if (p.profile)
      batch->Put(state::Family::kProfiles, state::AccountPrefix(account),
                 p.profile->SerializeAsString());
    if (p.activity)
      batch->MergeCounters(state::Family::kAccounts, state::AccountPrefix(account), *p.activity);
    for (const auto& [rule, rec] : p.alerts) {
      batch->Put(state::Family::kAlerts, state::AlertKey(account, rule), rec.SerializeAsString());
    }
  }
  pending_.clear();
}

}  // namespace churnwatch::ingest
