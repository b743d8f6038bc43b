#include "ingest/state_updater.h"

#include "state/key_codec.h"

namespace churnwatch::ingest {

using state::CounterLayout;
using state::CounterRecord;

CounterRecord& StateUpdater::Pending(std::unordered_map<std::string, CounterRecord>& map, std::string key,
                                     CounterLayout layout) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::move(key), CounterRecord(layout)).first;
  return it->second;
}

Status StateUpdater::Add(const Event& event, int64_t source_offset) {
  UnixMicros t = event.occurred_at();
  switch (event.kind) {
    case EventKind::kOrder: AddOrder(std::get<v1::OrderEvent>(event.message), t); return Status::Ok();
    case EventKind::kService: AddService(std::get<v1::ServiceEvent>(event.message), t); return Status::Ok();
    case EventKind::kContact: return AddContact(std::get<v1::ContactEvent>(event.message), t);
    case EventKind::kAccount: AddAccount(std::get<v1::AccountEvent>(event.message), source_offset); return Status::Ok();
  }
  return Internal("unknown event kind");
}

void StateUpdater::AddOrder(const v1::OrderEvent& e, UnixMicros t) {
  CounterRecord& r = Pending(orders_, state::OrderMonthKey(e.account_id(), e.product_line(), calendar_->MonthOf(t)),
                             CounterLayout::kOrderMonth);
  switch (e.status()) {
    case v1::ORDER_STATUS_PLACED:
      r.Add(state::kOrderQuantity, e.quantity());
      r.Add(state::kOrderAmountMinor, e.amount_minor());
      r.Add(state::kOrderCount, 1);
      r.Min(state::kOrderFirstAt, t);
      r.Max(state::kOrderLastAt, t);
      break;
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

void StateUpdater::AddService(const v1::ServiceEvent& e, UnixMicros t) {
  CounterRecord& r =
      Pending(service_, state::AccountMonthKey(e.account_id(), calendar_->MonthOf(t)), CounterLayout::kServiceMonth);
  switch (e.kind()) {
    case v1::SERVICE_KIND_TICKET_OPENED: r.Add(state::kSvcTicketsOpened, 1); break;
    case v1::SERVICE_KIND_TICKET_RESOLVED: r.Add(state::kSvcTicketsResolved, 1); break;
    case v1::SERVICE_KIND_TICKET_ESCALATED: r.Add(state::kSvcTicketsEscalated, 1); break;
    case v1::SERVICE_KIND_COMPLAINT: r.Add(state::kSvcComplaints, 1); break;
    case v1::SERVICE_KIND_SLA_BREACHED: r.Add(state::kSvcSlaBreaches, 1); break;
    default: break;
  }
  bool counts_severity = e.kind() == v1::SERVICE_KIND_TICKET_OPENED || e.kind() == v1::SERVICE_KIND_COMPLAINT ||
                         e.kind() == v1::SERVICE_KIND_TICKET_ESCALATED;
  if (counts_severity && (e.severity() == v1::SEVERITY_HIGH || e.severity() == v1::SEVERITY_CRITICAL)) {
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

Result<v1::ContactRecord*> StateUpdater::Person(const std::string& account, const std::string& contact_id) {
  std::string key = state::ContactKey(account, contact_id);
  auto it = contacts_.find(key);
  if (it != contacts_.end()) return &it->second;
  v1::ContactRecord rec;
  auto stored = store_->Get(state::Family::kContacts, key);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (!rec.ParseFromString(**stored)) return Corruption("contact record " + contact_id + " of " + account + " does not decode");
  } else {
    rec.set_contact_id(contact_id);
  }
  return &contacts_.emplace(std::move(key), std::move(rec)).first->second;
}

Status StateUpdater::AddContact(const v1::ContactEvent& e, UnixMicros t) {
  CounterRecord& r = Pending(engagement_, state::AccountMonthKey(e.account_id(), calendar_->MonthOf(t)),
                             CounterLayout::kEngagementMonth);
  auto note_contact_at_level = [&] {
    switch (e.level()) {
      case v1::CONTACT_LEVEL_EXECUTIVE: r.Max(state::kEngLastExecutiveAt, t); break;
      case v1::CONTACT_LEVEL_MANAGEMENT: r.Max(state::kEngLastManagementAt, t); break;
      case v1::CONTACT_LEVEL_OPERATIONAL: r.Max(state::kEngLastOperationalAt, t); break;
      default: break;
    }
  };
  int meeting_type = static_cast<int>(e.meeting_type()) - 1;  // 0-based; validator guarantees set for meetings
  switch (e.kind()) {
    case v1::CONTACT_KIND_MEETING_SCHEDULED: r.Add(state::MeetingSlot(0, meeting_type), 1); break;
    case v1::CONTACT_KIND_MEETING_HELD:
      r.Add(state::MeetingSlot(1, meeting_type), 1);
      note_contact_at_level();
      break;
    case v1::CONTACT_KIND_MEETING_CANCELLED: r.Add(state::MeetingSlot(2, meeting_type), 1); break;
    case v1::CONTACT_KIND_CALL:
      r.Add(state::kEngCalls, 1);
      note_contact_at_level();
      break;
    case v1::CONTACT_KIND_VISIT:
      r.Add(state::kEngVisits, 1);
      note_contact_at_level();
      break;
    case v1::CONTACT_KIND_REFERENCE_WITHDRAWN: r.Add(state::kEngReferencesWithdrawn, 1); break;
    case v1::CONTACT_KIND_MANAGER_CHANGED: r.Add(state::kEngManagerChanges, 1); break;
    case v1::CONTACT_KIND_CONTACT_ADDED: {
      r.Add(state::kEngContactsAdded, 1);
      auto person = Person(e.account_id(), e.contact_id());
      if (!person.ok()) return person.status();
      v1::ContactRecord* p = *person;
      p->set_active(true);
      p->set_added_at_us(t);
      p->set_left_at_us(0);
      if (e.contact_role() != v1::CONTACT_ROLE_UNSPECIFIED) p->set_role(e.contact_role());
      if (e.level() != v1::CONTACT_LEVEL_UNSPECIFIED) p->set_level(e.level());
      break;
    }
    case v1::CONTACT_KIND_CONTACT_LEFT: {
      r.Add(state::kEngContactsLeft, 1);
      auto person = Person(e.account_id(), e.contact_id());
      if (!person.ok()) return person.status();
      v1::ContactRecord* p = *person;
      if (p->role() == v1::CONTACT_ROLE_UNSPECIFIED) p->set_role(e.contact_role());
      if (p->level() == v1::CONTACT_LEVEL_UNSPECIFIED) p->set_level(e.level());
      if (p->role() == v1::CONTACT_ROLE_DECISION_MAKER || e.contact_role() == v1::CONTACT_ROLE_DECISION_MAKER) {
        r.Add(state::kEngDecisionMakersLeft, 1);
      }
      p->set_active(false);
      p->set_left_at_us(t);
      break;
    }
    case v1::CONTACT_KIND_CONTACT_ROLE_CHANGED: {
      r.Add(state::kEngRoleChanges, 1);
      auto person = Person(e.account_id(), e.contact_id());
      if (!person.ok()) return person.status();
      v1::ContactRecord* p = *person;
      if (p->added_at_us() == 0 && !p->active()) {  // first sighting: treat as present
        p->set_active(true);
        p->set_added_at_us(t);
      }
      if (e.contact_role() != v1::CONTACT_ROLE_UNSPECIFIED) p->set_role(e.contact_role());
      if (e.level() != v1::CONTACT_LEVEL_UNSPECIFIED) p->set_level(e.level());
      break;
    }
    default:
      break;
  }
  return Status::Ok();
}

void StateUpdater::AddAccount(const v1::AccountEvent& e, int64_t source_offset) {
  v1::ProfileRecord rec;
  *rec.mutable_profile() = e;
  rec.set_source_offset(source_offset);
  profiles_[state::AccountPrefix(e.account_id())] = rec.SerializeAsString();
}

void StateUpdater::Drain(state::StoreBatch* batch) {
  for (auto& [k, r] : orders_) batch->MergeCounters(state::Family::kOrders, k, r);
  for (auto& [k, r] : service_) batch->MergeCounters(state::Family::kService, k, r);
  for (auto& [k, r] : engagement_) batch->MergeCounters(state::Family::kEngagement, k, r);
  for (auto& [k, rec] : contacts_) batch->Put(state::Family::kContacts, k, rec.SerializeAsString());
  for (auto& [k, v] : profiles_) batch->Put(state::Family::kProfiles, k, v);
  orders_.clear();
  service_.clear();
  engagement_.clear();
  contacts_.clear();
  profiles_.clear();
}

}  // namespace churnwatch::ingest
