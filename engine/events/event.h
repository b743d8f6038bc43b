// Event: one decoded input event, in its canonical protobuf form, with the fields every event
// shares lifted out for the engine's hot path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "churnwatch/v1/account.pb.h"
#include "churnwatch/v1/contact.pb.h"
#include "churnwatch/v1/order.pb.h"
#include "churnwatch/v1/service.pb.h"
#include "common/clock.h"
#include "common/status.h"

namespace churnwatch {

// Which input topic (and therefore which schema) a message belongs to.
enum class EventKind : uint8_t { kOrder = 0, kService = 1, kContact = 2, kAccount = 3 };
constexpr int kEventKindCount = 4;

// "orders", "service", "contacts", "accounts" — the default topic names and metric labels.
const char* EventKindName(EventKind kind);
// Inverse of EventKindName; NotFound otherwise.
Result<EventKind> EventKindFromName(std::string_view name);

// How a topic's payloads are encoded.
enum class PayloadFormat : uint8_t {
  kJson,   // protobuf's JSON mapping (snake_case field names)
  kProto,  // protobuf binary
  kAuto,   // JSON when the first non-blank byte is '{', protobuf binary otherwise
};
Result<PayloadFormat> PayloadFormatFromName(std::string_view name);
const char* PayloadFormatName(PayloadFormat f);

// Valid range of google.protobuf.Timestamp seconds: 0001-01-01 .. 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

struct Event {
  EventKind kind = EventKind::kOrder;
  std::variant<v1::OrderEvent, v1::ServiceEvent, v1::ContactEvent, v1::AccountEvent> message;

  // Lifted from the message after decoding.
  std::string_view event_id() const;
  std::string_view account_id() const;
  // occurred_at in microseconds since the epoch (UTC); INT64_MIN / INT64_MAX when its seconds
  // lie outside years 0001..9999 (so no overflow can sneak a value into range).
  UnixMicros occurred_at() const;
  // False when occurred_at's seconds or nanos are outside protobuf Timestamp's valid range.
  bool occurred_at_well_formed() const;

  const google::protobuf::Message& proto() const;
  google::protobuf::Message& mutable_proto();
};

// Why a message was not accepted. Closed set: these names are the `reason` label of
// churnwatch_events_deadlettered_total and the `reason` header on the dead-letter topic.
enum class RejectReason : uint8_t {
  kMalformed,     // not valid JSON / protobuf, or a field has the wrong JSON type
  kInvalidUtf8,   // text is not UTF-8
  kTooLarge,      // payload above events.max_bytes
  kMissingField,  // a required field is absent or empty
  kOutOfRange,    // a number, string length or enum value is outside what is allowed
  kUnknownEnum,   // an enum name the schema does not define
  kBadTimestamp,  // occurred_at unparseable, or outside the accepted time range
  kKeyMismatch,   // Kafka key empty or different from account_id
};
constexpr int kRejectReasonCount = 8;
const char* RejectReasonName(RejectReason r);

// A rejection: the reason class plus a message naming the field and value.
struct Rejection {
  RejectReason reason;
  std::string detail;
};

}  // namespace churnwatch
