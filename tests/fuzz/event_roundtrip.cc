#include "event_roundtrip.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/message_differencer.h>

#include <memory>
#include <string>

#include "events/event_decoder.h"
#include "events/event_validator.h"
#include "events/proto_json.h"
#include "fuzz_target.h"

namespace churnwatch::fuzz {
namespace {

// A fixed "now" (2026-07-01T00:00:00Z), so whether occurred_at is in the future does not depend
// on the day a reproducer is replayed.
constexpr UnixMicros kNow = 1782864000LL * kMicrosPerSecond;

void CheckRejection(const std::optional<Rejection>& r) {
  Check(static_cast<int>(r->reason) < kRejectReasonCount, "rejection reason out of range");
  Check(!r->detail.empty(), "rejection without detail");
  Check(RejectReasonName(r->reason) != nullptr, "rejection reason without a name");
}

// `again` was decoded from a re-encoding of `first`: it must be accepted and equal. Fields the
// schema does not know (binary payloads keep them; a field with the wrong wire type is one)
// are not compared: the JSON form drops them, and nothing in the engine reads them.
// With `micros`, occurred_at is compared at microsecond resolution: the engine's one time unit,
// and the precision of the JSON form (FormatRfc3339).
void CheckSame(const EventValidator& validator, const Event& first,
               const std::optional<Rejection>& decoded, const Event& again, bool micros,
               const char* what) {
  Check(!decoded.has_value(), what);
  auto known = [micros](const google::protobuf::Message& m) {
    std::unique_ptr<google::protobuf::Message> copy(m.New());
    copy->CopyFrom(m);
    copy->DiscardUnknownFields();
    const auto* field = copy->GetDescriptor()->FindFieldByName("occurred_at");
    if (micros && field != nullptr && copy->GetReflection()->HasField(*copy, field)) {
      auto* ts = static_cast<google::protobuf::Timestamp*>(
          copy->GetReflection()->MutableMessage(copy.get(), field));
      ts->set_nanos(ts->nanos() / 1000 * 1000);
    }
    return copy;
  };
  Check(google::protobuf::util::MessageDifferencer::Equals(*known(first.proto()),
                                                           *known(again.proto())),
        what);
  Check(!validator.Validate(again, again.account_id()).has_value(), what);
}

}  // namespace

void DecodeAsEveryTopic(PayloadFormat format, std::string_view payload) {
  // protobuf logs one ERROR line per string field with invalid UTF-8 it parses; the decoder
  // rejects those payloads anyway, and the lines would bury libFuzzer's own output.
  static const bool silenced = [] {
    google::protobuf::SetLogHandler(
        [](google::protobuf::LogLevel, const char*, int, const std::string&) {});
    return true;
  }();
  (void)silenced;
  // One decoder for the whole run, reused as the engine's ingest loop reuses its own (the
  // simdjson buffers carry over from one input to the next, as they do in production).
  static EventDecoder decoder;
  static EventDecoder redecoder;
  static const ManualClock clock(kNow);
  static const EventValidator validator(ValidationLimits{}, &clock);

  if (auto r = validator.CheckSize(payload.size())) CheckRejection(r);
  for (int k = 0; k < kEventKindCount; ++k) {
    const auto kind = static_cast<EventKind>(k);
    Event event;
    auto rejected = decoder.Decode(kind, format, payload, &event);
    if (rejected) {
      CheckRejection(rejected);
      continue;
    }
    Check(event.kind == kind, "decoded event of another kind");
    (void)event.occurred_at();
    // Both with the key producers use (account_id) and with a wrong one.
    if (auto r = validator.Validate(event, "fuzz-key")) CheckRejection(r);
    if (auto r = validator.Validate(event, event.account_id())) {
      CheckRejection(r);
      continue;
    }

    std::string binary;
    Check(event.proto().SerializeToString(&binary), "a valid event does not serialize");
    Event from_binary;
    auto r = redecoder.Decode(kind, PayloadFormat::kProto, binary, &from_binary);
    CheckSame(validator, event, r, from_binary, false,
              "binary re-encoding of a valid event differs");

    const std::string json = ProtoToJson(event.proto()).dump();
    Event from_json;
    r = redecoder.Decode(kind, PayloadFormat::kJson, json, &from_json);
    CheckSame(validator, event, r, from_json, true,
              "JSON form of a valid event does not decode back");
  }
}

}  // namespace churnwatch::fuzz
