#include "events/event_validator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <simdjson.h>

#include "common/calendar.h"

namespace churnwatch {
namespace {

namespace pb = google::protobuf;

Rejection Reject(RejectReason r, std::string detail) { return {r, std::move(detail)}; }

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Every enum field of msg (recursively) must hold a value its type defines: binary protobuf
// keeps unknown numbers, and a state update must never see one.
std::optional<Rejection> CheckEnums(const pb::Message& msg) {
  const pb::Descriptor* d = msg.GetDescriptor();
  const pb::Reflection* r = msg.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) continue;
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) {
      int v = r->GetEnumValue(msg, f);
      if (f->enum_type()->FindValueByNumber(v) == nullptr) {
        return Reject(RejectReason::kUnknownEnum, std::string(f->name()) + ": " +
                                                      std::to_string(v) + " is not a " +
                                                      f->enum_type()->name());
      }
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && r->HasField(msg, f)) {
      if (auto rej = CheckEnums(r->GetMessage(msg, f))) return rej;
    }
  }
  return std::nullopt;
}

// Every string field (recursively) must be UTF-8 and within `max` bytes; identifiers (fields
// named *_id or id) within `max_id` and free of control characters.
std::optional<Rejection> CheckStrings(const pb::Message& msg, size_t max_id, size_t max_text) {
  const pb::Descriptor* d = msg.GetDescriptor();
  const pb::Reflection* r = msg.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) continue;
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      const std::string& s = r->GetStringReference(msg, f, &scratch);
      std::string name(f->name());
      bool is_id =
          name == "id" || (name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0);
      size_t limit = is_id ? max_id : max_text;
      if (s.size() > limit) {
        return Reject(RejectReason::kOutOfRange, name + ": " + std::to_string(s.size()) +
                                                     " bytes, at most " + std::to_string(limit));
      }
      if (!simdjson::validate_utf8(s.data(), s.size())) {
        return Reject(RejectReason::kInvalidUtf8, name + ": not UTF-8");
      }
      if (is_id && HasControlChars(s)) {
        return Reject(RejectReason::kOutOfRange,
                      name + ": control characters are not allowed in ids");
      }
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && r->HasField(msg, f)) {
      if (auto rej = CheckStrings(r->GetMessage(msg, f), max_id, max_text)) return rej;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> EventValidator::CheckSize(size_t payload_bytes) const {
  if (payload_bytes > limits_.max_payload_bytes) {
    return Reject(RejectReason::kTooLarge, "payload is " + std::to_string(payload_bytes) +
                                               " bytes, at most " +
                                               std::to_string(limits_.max_payload_bytes));
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::Validate(const Event& event, std::string_view key) const {
  const pb::Message& msg = event.proto();
  if (event.event_id().empty()) return Reject(RejectReason::kMissingField, "event_id is required");
  if (event.account_id().empty())
    return Reject(RejectReason::kMissingField, "account_id is required");
  if (key.empty())
    return Reject(RejectReason::kKeyMismatch, "message key is empty (must be the account_id)");
  if (key != event.account_id()) {
    return Reject(RejectReason::kKeyMismatch,
                  "message key '" + std::string(key.substr(0, 64)) + "' differs from account_id '" +
                      std::string(event.account_id().substr(0, 64)) + "'");
  }
  if (auto r = CheckStrings(msg, limits_.max_id_bytes, limits_.max_text_bytes)) return r;
  if (auto r = CheckEnums(msg)) return r;

  const auto* ts_field = msg.GetDescriptor()->FindFieldByName("occurred_at");
  if (!msg.GetReflection()->HasField(msg, ts_field)) {
    return Reject(RejectReason::kMissingField, "occurred_at is required");
  }
  if (!event.occurred_at_well_formed()) {
    return Reject(RejectReason::kBadTimestamp,
                  "occurred_at is not a valid timestamp (seconds or nanos out of range)");
  }
  UnixMicros t = event.occurred_at();
  UnixMicros latest = clock_->Now() + limits_.max_future_micros;
  if (t < limits_.min_time || t > latest) {
    return Reject(RejectReason::kBadTimestamp, "occurred_at " + FormatRfc3339(t) + " is outside [" +
                                                   FormatRfc3339(limits_.min_time) + ", " +
                                                   FormatRfc3339(latest) + "]");
  }
  return std::visit(
      [this](const auto& m) -> std::optional<Rejection> {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, v1::OrderEvent>) return ValidateOrder(m);
        if constexpr (std::is_same_v<T, v1::ServiceEvent>) return ValidateService(m);
        if constexpr (std::is_same_v<T, v1::ContactEvent>) return ValidateContact(m);
        if constexpr (std::is_same_v<T, v1::AccountEvent>) return ValidateAccount(m);
      },
      event.message);
}

std::optional<Rejection> EventValidator::ValidateOrder(const v1::OrderEvent& e) const {
  if (e.product_line().empty())
    return Reject(RejectReason::kMissingField, "product_line is required");
  if (e.status() == v1::ORDER_STATUS_UNSPECIFIED) {
    return Reject(RejectReason::kMissingField,
                  "status is required (PLACED, CANCELLED or RETURNED)");
  }
  if (e.quantity() < 0 || e.quantity() > limits_.max_quantity) {
    return Reject(RejectReason::kOutOfRange, "quantity " + std::to_string(e.quantity()) +
                                                 " is outside [0, " +
                                                 std::to_string(limits_.max_quantity) + "]");
  }
  if (e.amount_minor() < 0 || e.amount_minor() > limits_.max_amount_minor) {
    return Reject(RejectReason::kOutOfRange, "amount_minor " + std::to_string(e.amount_minor()) +
                                                 " is outside [0, " +
                                                 std::to_string(limits_.max_amount_minor) + "]");
  }
  if (!e.currency().empty()) {
    bool ok = e.currency().size() == 3;
    for (char c : e.currency()) ok = ok && c >= 'A' && c <= 'Z';
    if (!ok)
      return Reject(RejectReason::kOutOfRange, "currency must be an ISO 4217 code such as CNY");
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::ValidateService(const v1::ServiceEvent& e) const {
  if (e.kind() == v1::SERVICE_KIND_UNSPECIFIED)
    return Reject(RejectReason::kMissingField, "kind is required");
  if (e.csat() != 0 && (e.csat() < 1 || e.csat() > 5)) {
    return Reject(RejectReason::kOutOfRange,
                  "csat " + std::to_string(e.csat()) + " is outside [1, 5]");
  }
  if (e.has_nps() && (e.nps() < 0 || e.nps() > 10)) {
    return Reject(RejectReason::kOutOfRange,
                  "nps " + std::to_string(e.nps()) + " is outside [0, 10]");
  }
  if (e.kind() == v1::SERVICE_KIND_SURVEY && e.csat() == 0 && !e.has_nps()) {
    return Reject(RejectReason::kMissingField, "a SURVEY needs csat or nps");
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::ValidateContact(const v1::ContactEvent& e) const {
  switch (e.kind()) {
    case v1::CONTACT_KIND_UNSPECIFIED:
      return Reject(RejectReason::kMissingField, "kind is required");
    case v1::CONTACT_KIND_MEETING_SCHEDULED:
    case v1::CONTACT_KIND_MEETING_HELD:
    case v1::CONTACT_KIND_MEETING_CANCELLED:
      if (e.meeting_type() == v1::MEETING_TYPE_UNSPECIFIED) {
        return Reject(RejectReason::kMissingField, "meeting_type is required for meetings");
      }
      break;
    case v1::CONTACT_KIND_CONTACT_ADDED:
    case v1::CONTACT_KIND_CONTACT_LEFT:
    case v1::CONTACT_KIND_CONTACT_ROLE_CHANGED:
      if (e.contact_id().empty())
        return Reject(RejectReason::kMissingField, "contact_id is required");
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::ValidateAccount(const v1::AccountEvent& e) const {
  if (e.tier() == v1::TIER_UNSPECIFIED) {
    return Reject(RejectReason::kMissingField,
                  "tier is required (STRATEGIC, KEY, GROWTH, POTENTIAL, ORDINARY)");
  }
  return std::nullopt;
}

}  // namespace churnwatch
