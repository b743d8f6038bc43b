#include "events/event_decoder.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/timestamp.pb.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "common/calendar.h"

namespace churnwatch {
namespace {

namespace pb = google::protobuf;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "OrderStatus" -> "ORDER_STATUS_": the prefix protobuf style puts before every value name.
std::string EnumPrefix(const pb::EnumDescriptor* type) {
  std::string out;
  for (char c : type->name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out.push_back('_');
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  out.push_back('_');
  return out;
}

Rejection Reject(RejectReason reason, std::string detail) { return {reason, std::move(detail)}; }

}  // namespace

int ResolveEnumName(const pb::EnumDescriptor* type, std::string_view name) {
  std::string upper = Upper(name);
  if (const auto* v = type->FindValueByName(upper)) return v->number();
  if (const auto* v = type->FindValueByName(EnumPrefix(type) + upper)) return v->number();
  return -1;
}

struct EventDecoder::JsonState {
  simdjson::dom::parser parser;
  std::string buffer;  // payload copy with simdjson's required padding

  std::optional<Rejection> DecodeObject(simdjson::dom::object obj, pb::Message* msg,
                                        const std::string& path);
  std::optional<Rejection> DecodeField(simdjson::dom::element value,
                                       const pb::FieldDescriptor* field, pb::Message* msg,
                                       const std::string& path);
};

namespace {

using simdjson::dom::element_type;

std::optional<Rejection> FromJsonError(simdjson::error_code e, const std::string& path) {
  switch (e) {
    case simdjson::SUCCESS:
      return std::nullopt;
    case simdjson::UTF8_ERROR:
      return Reject(RejectReason::kInvalidUtf8, path + ": text is not UTF-8");
    case simdjson::NUMBER_OUT_OF_RANGE:
      return Reject(RejectReason::kOutOfRange, path + ": number out of range");
    case simdjson::INCORRECT_TYPE:
      return Reject(RejectReason::kMalformed, path + ": wrong JSON type");
    default:
      return Reject(RejectReason::kMalformed, (path.empty() ? std::string("payload") : path) +
                                                  ": " + simdjson::error_message(e));
  }
}

// Reads a JSON integer or decimal string as int64 (protobuf's JSON mapping allows both).
std::optional<Rejection> ReadInt64(simdjson::dom::element value, const std::string& path,
                                   int64_t* out) {
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view s = value.get_string().value_unsafe();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
      if (ec == std::errc::result_out_of_range)
        return Reject(RejectReason::kOutOfRange, path + ": number out of range");
      if (ec != std::errc() || p != s.data() + s.size()) {
        return Reject(RejectReason::kMalformed,
                      path + ": '" + std::string(s.substr(0, 32)) + "' is not an integer");
      }
      return std::nullopt;
    }
    case element_type::INT64:
      *out = value.get_int64().value_unsafe();
      return std::nullopt;
    case element_type::UINT64:
      return Reject(RejectReason::kOutOfRange, path + ": number out of range");
    case element_type::DOUBLE:
      return Reject(RejectReason::kMalformed, path + ": expected an integer, not a fraction");
    default:
      return Reject(RejectReason::kMalformed, path + ": expected an integer");
  }
}

}  // namespace

std::optional<Rejection> EventDecoder::JsonState::DecodeField(simdjson::dom::element value,
                                                              const pb::FieldDescriptor* field,
                                                              pb::Message* msg,
                                                              const std::string& path) {
  const pb::Reflection* refl = msg->GetReflection();
  element_type t = value.type();
  if (t == element_type::NULL_VALUE) return std::nullopt;  // null = absent
  if (field->is_repeated() || field->is_map()) {
    return Reject(RejectReason::kMalformed, path + ": repeated fields are not accepted on input");
  }
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      if (t != element_type::STRING)
        return Reject(RejectReason::kMalformed, path + ": expected a string");
      refl->SetString(msg, field, std::string(value.get_string().value_unsafe()));
      return std::nullopt;
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (auto r = ReadInt64(value, path, &v)) return r;
      refl->SetInt64(msg, field, v);
      return std::nullopt;
    }
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      int64_t v;
      if (auto r = ReadInt64(value, path, &v)) return r;
      if (v < INT32_MIN || v > INT32_MAX)
        return Reject(RejectReason::kOutOfRange, path + ": number out of range");
      refl->SetInt32(msg, field, static_cast<int32_t>(v));
      return std::nullopt;
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      int number;
      if (t == element_type::STRING) {
        std::string_view s = value.get_string().value_unsafe();
        number = ResolveEnumName(field->enum_type(), s);
        if (number < 0) {
          return Reject(RejectReason::kUnknownEnum, path + ": '" + std::string(s.substr(0, 40)) +
                                                        "' is not a " + field->enum_type()->name());
        }
      } else {
        int64_t v;
        if (auto r = ReadInt64(value, path, &v)) return r;
        if (v < 0 || v > INT32_MAX || !field->enum_type()->FindValueByNumber(static_cast<int>(v))) {
          return Reject(RejectReason::kUnknownEnum, path + ": " + std::to_string(v) + " is not a " +
                                                        field->enum_type()->name());
        }
        number = static_cast<int>(v);
      }
      refl->SetEnumValue(msg, field, number);
      return std::nullopt;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      pb::Message* sub = refl->MutableMessage(msg, field);
      if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
        if (t != element_type::STRING)
          return Reject(RejectReason::kBadTimestamp, path + ": expected an RFC 3339 string");
        auto micros = ParseRfc3339(value.get_string().value_unsafe());
        if (!micros.ok())
          return Reject(RejectReason::kBadTimestamp, path + ": " + micros.status().message());
        auto* ts = static_cast<pb::Timestamp*>(sub);
        int64_t secs = *micros / kMicrosPerSecond, rem = *micros % kMicrosPerSecond;
        if (rem < 0) {
          rem += kMicrosPerSecond;
          --secs;
        }
        ts->set_seconds(secs);
        ts->set_nanos(static_cast<int32_t>(rem * 1000));
        return std::nullopt;
      }
      if (t != element_type::OBJECT)
        return Reject(RejectReason::kMalformed, path + ": expected an object");
      return DecodeObject(value.get_object().value_unsafe(), sub, path);
    }
    default:
      return Reject(RejectReason::kMalformed, path + ": field type not supported on input");
  }
}

std::optional<Rejection> EventDecoder::JsonState::DecodeObject(simdjson::dom::object obj,
                                                               pb::Message* msg,
                                                               const std::string& path) {
  const pb::Descriptor* desc = msg->GetDescriptor();
  for (auto [key, value] : obj) {
    std::string name(key);
    const pb::FieldDescriptor* fd = desc->FindFieldByName(name);
    if (fd == nullptr) fd = desc->FindFieldByCamelcaseName(name);  // the JSON mapping's lowerCamel
    if (fd == nullptr) continue;                                   // unknown field: ignored
    std::string sub_path = path.empty() ? name : path + "." + name;
    if (auto r = DecodeField(value, fd, msg, sub_path)) return r;
  }
  return std::nullopt;
}

EventDecoder::EventDecoder() : json_(std::make_unique<JsonState>()) {}
EventDecoder::~EventDecoder() = default;

std::optional<Rejection> EventDecoder::Decode(EventKind kind, PayloadFormat format,
                                              std::string_view payload, Event* out) {
  out->kind = kind;
  switch (kind) {
    case EventKind::kOrder:
      out->message.emplace<v1::OrderEvent>();
      break;
    case EventKind::kService:
      out->message.emplace<v1::ServiceEvent>();
      break;
    case EventKind::kContact:
      out->message.emplace<v1::ContactEvent>();
      break;
    case EventKind::kAccount:
      out->message.emplace<v1::AccountEvent>();
      break;
  }
  pb::Message& msg = out->mutable_proto();

  if (format == PayloadFormat::kAuto) {
    // Only the very first byte decides: no protobuf of ours starts with 0x7B ('{' would be
    // field 15 as a start-group), while whitespace bytes are valid protobuf tags (0x0A is
    // field 1, a string), so leading whitespace can not be skipped.
    format = (!payload.empty() && payload[0] == '{') ? PayloadFormat::kJson : PayloadFormat::kProto;
  }
  if (payload.empty()) return Reject(RejectReason::kMalformed, "empty payload");

  if (format == PayloadFormat::kProto) {
    if (!msg.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Reject(RejectReason::kMalformed,
                    "payload is not a valid protobuf " + msg.GetDescriptor()->name());
    }
    return std::nullopt;
  }

  std::string& buf = json_->buffer;
  buf.assign(payload.data(), payload.size());
  buf.resize(payload.size() + simdjson::SIMDJSON_PADDING, ' ');
  simdjson::dom::element doc;
  // The DOM parser validates UTF-8 and the whole document (no trailing content) and picks the
  // fastest SIMD kernel for this CPU at run time.
  if (auto e = json_->parser.parse(buf.data(), payload.size(), false).get(doc))
    return FromJsonError(e, "");
  if (doc.type() != element_type::OBJECT)
    return Reject(RejectReason::kMalformed, "payload is not a JSON object");
  if (auto r = json_->DecodeObject(doc.get_object().value_unsafe(), &msg, "")) return r;
  return std::nullopt;
}

}  // namespace churnwatch
