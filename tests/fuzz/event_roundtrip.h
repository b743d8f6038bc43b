// What the two event targets (event_json, event_proto) check on every input, for every topic:
// decoding and validation never crash, a rejection always says why, and an event that passes
// validation survives the engine's own re-encodings unchanged — protobuf binary (the form the
// produce command sends) and churnwatch's JSON form (what `consume` prints, ProtoToJson) both
// decode back to an equal message that validates again.
#pragma once

#include <string_view>

#include "events/event.h"

namespace churnwatch::fuzz {

// Decodes `payload` as each of the four topics in `format` and checks the above; aborts
// (Check) when something does not hold.
void DecodeAsEveryTopic(PayloadFormat format, std::string_view payload);

}  // namespace churnwatch::fuzz
