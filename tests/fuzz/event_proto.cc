// Fuzz target event_proto: a Kafka payload in protobuf binary, decoded (ParseFromArray)
// and validated as an event of each input topic, also through the `auto` format
// detection. See event_roundtrip.h for what is checked.
#include <string_view>

#include "event_roundtrip.h"
#include "fuzz_target.h"

namespace churnwatch::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  DecodeAsEveryTopic(PayloadFormat::kProto, payload);
  DecodeAsEveryTopic(PayloadFormat::kAuto, payload);
  return 0;
}

}  // namespace churnwatch::fuzz
