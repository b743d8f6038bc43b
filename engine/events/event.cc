#include "events/event.h"

namespace churnwatch {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kOrder:
      return "orders";
    case EventKind::kService:
      return "service";
    case EventKind::kContact:
      return "contacts";
    case EventKind::kAccount:
      return "accounts";
  }
  return "?";
}

Result<EventKind> EventKindFromName(std::string_view name) {
  for (int i = 0; i < kEventKindCount; ++i) {
    auto k = static_cast<EventKind>(i);
    if (name == EventKindName(k)) return k;
  }
  return NotFound("no event schema called '" + std::string(name) +
                  "' (known: orders, service, contacts, accounts)");
}

Result<PayloadFormat> PayloadFormatFromName(std::string_view name) {
  if (name == "json") return PayloadFormat::kJson;
  if (name == "proto") return PayloadFormat::kProto;
  if (name == "auto") return PayloadFormat::kAuto;
  return InvalidArgument("payload format '" + std::string(name) +
                         "' is not one of json, proto, auto");
}

const char* PayloadFormatName(PayloadFormat f) {
  switch (f) {
    case PayloadFormat::kJson:
      return "json";
    case PayloadFormat::kProto:
      return "proto";
    case PayloadFormat::kAuto:
      return "auto";
  }
  return "?";
}

const char* RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kMalformed:
      return "malformed";
    case RejectReason::kInvalidUtf8:
      return "invalid_utf8";
    case RejectReason::kTooLarge:
      return "too_large";
    case RejectReason::kMissingField:
      return "missing_field";
    case RejectReason::kOutOfRange:
      return "out_of_range";
    case RejectReason::kUnknownEnum:
      return "unknown_enum";
    case RejectReason::kBadTimestamp:
      return "bad_timestamp";
    case RejectReason::kKeyMismatch:
      return "key_mismatch";
  }
  return "?";
}

const google::protobuf::Message& Event::proto() const {
  return std::visit([](const auto& m) -> const google::protobuf::Message& { return m; }, message);
}

google::protobuf::Message& Event::mutable_proto() {
  return std::visit([](auto& m) -> google::protobuf::Message& { return m; }, message);
}

std::string_view Event::event_id() const {
  return std::visit([](const auto& m) -> std::string_view { return m.event_id(); }, message);
}

std::string_view Event::account_id() const {
  return std::visit([](const auto& m) -> std::string_view { return m.account_id(); }, message);
}

UnixMicros Event::occurred_at() const {
  return std::visit(
      [](const auto& m) -> UnixMicros {
        // Out-of-range seconds would overflow the conversion; map them to the extremes so the
        // validator's time window rejects them.
        const auto& ts = m.occurred_at();
        if (ts.seconds() < kMinTimestampSeconds) return INT64_MIN;
        if (ts.seconds() > kMaxTimestampSeconds) return INT64_MAX;
        return ts.seconds() * kMicrosPerSecond + ts.nanos() / 1000;
      },
      message);
}

bool Event::occurred_at_well_formed() const {
  return std::visit(
      [](const auto& m) {
        const auto& ts = m.occurred_at();
        return ts.seconds() >= kMinTimestampSeconds && ts.seconds() <= kMaxTimestampSeconds &&
               ts.nanos() >= 0 && ts.nanos() < 1'000'000'000;
      },
      message);
}

}  // namespace churnwatch
