#include "events/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cctype>

#include "common/calendar.h"

namespace churnwatch {
namespace {

namespace pb = google::protobuf;
using nlohmann::json;

json ValueToJson(const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kNumberValue:
      return v.number_value();
    case pb::Value::kStringValue:
      return v.string_value();
    case pb::Value::kBoolValue:
      return v.bool_value();
    case pb::Value::kStructValue:
      return ProtoToJson(v.struct_value());
    case pb::Value::kListValue: {
      json arr = json::array();
      for (const auto& item : v.list_value().values()) arr.push_back(ValueToJson(item));
      return arr;
    }
    default:
      return nullptr;
  }
}

json ScalarToJson(const pb::Message& msg, const pb::FieldDescriptor* f, int index) {
  const pb::Reflection* r = msg.GetReflection();
  bool rep = index >= 0;
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(msg, f, index) : r->GetString(msg, f);
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(msg, f, index) : r->GetInt64(msg, f);
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r->GetRepeatedUInt64(msg, f, index) : r->GetUInt64(msg, f);
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(msg, f, index) : r->GetInt32(msg, f);
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r->GetRepeatedUInt32(msg, f, index) : r->GetUInt32(msg, f);
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(msg, f, index) : r->GetBool(msg, f);
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(msg, f, index) : r->GetDouble(msg, f);
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r->GetRepeatedFloat(msg, f, index) : r->GetFloat(msg, f);
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return ShortEnumName(rep ? r->GetRepeatedEnum(msg, f, index) : r->GetEnum(msg, f));
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      const pb::Message& sub = rep ? r->GetRepeatedMessage(msg, f, index) : r->GetMessage(msg, f);
      if (const auto* ts = dynamic_cast<const pb::Timestamp*>(&sub)) {
        return FormatRfc3339(ts->seconds() * kMicrosPerSecond + ts->nanos() / 1000);
      }
      if (const auto* v = dynamic_cast<const pb::Value*>(&sub)) return ValueToJson(*v);
      return ProtoToJson(sub);
    }
  }
  return nullptr;
}

}  // namespace

std::string ShortEnumName(const pb::EnumValueDescriptor* value) {
  if (value == nullptr) return "UNSPECIFIED";
  const std::string& full = value->name();
  std::string prefix;
  for (char c : value->type()->name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty()) prefix.push_back('_');
    prefix.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  prefix.push_back('_');
  return full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
}

json ProtoToJson(const pb::Message& msg) {
  if (const auto* s = dynamic_cast<const pb::Struct*>(&msg)) {
    json out = json::object();
    for (const auto& [k, v] : s->fields()) out[k] = ValueToJson(v);
    return out;
  }
  json out = json::object();
  const pb::Reflection* r = msg.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(msg, &fields);
  for (const auto* f : fields) {
    std::string name(f->name());
    if (f->is_map()) {
      json obj = json::object();
      const pb::FieldDescriptor* key_f = f->message_type()->map_key();
      const pb::FieldDescriptor* val_f = f->message_type()->map_value();
      for (int i = 0; i < r->FieldSize(msg, f); ++i) {
        const pb::Message& entry = r->GetRepeatedMessage(msg, f, i);
        json key = ScalarToJson(entry, key_f, -1);
        obj[key.is_string() ? key.get<std::string>() : key.dump()] = ScalarToJson(entry, val_f, -1);
      }
      out[name] = std::move(obj);
    } else if (f->is_repeated()) {
      json arr = json::array();
      for (int i = 0; i < r->FieldSize(msg, f); ++i) arr.push_back(ScalarToJson(msg, f, i));
      out[name] = std::move(arr);
    } else {
      out[name] = ScalarToJson(msg, f, -1);
    }
  }
  return out;
}

}  // namespace churnwatch
