// ProtoToJson: churnwatch's JSON form of a protobuf message, as users see it in the API and
// `churnwatch consume`: snake_case field names, enums by the short names contract.md lists
// ("PLACED", not "ORDER_STATUS_PLACED"), timestamps as RFC 3339 UTC, maps as objects,
// google.protobuf.Value as the plain JSON value; unset fields are omitted.
#pragma once

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>
#include <string>

namespace churnwatch {

nlohmann::json ProtoToJson(const google::protobuf::Message& message);

// "STRATEGIC" for TIER_STRATEGIC: the value name without its type's prefix.
std::string ShortEnumName(const google::protobuf::EnumValueDescriptor* value);

}  // namespace churnwatch
