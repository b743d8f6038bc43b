// EventDecoder: turns one Kafka payload into an Event, or says precisely why it can not.
//
// JSON is protobuf's JSON mapping, parsed with simdjson and written into the message through
// protobuf reflection, so every schema in proto/ is decoded by the same code and a new field
// needs no decoder change. (protobuf's own JsonStringToMessage is ~30x slower: 0.14 M msg/s
// on this hardware, too slow for the hot path.) Rules beyond the protobuf JSON mapping:
//   - enum values are accepted case-insensitively, short ("placed") or prefixed
//     ("ORDER_STATUS_PLACED"), or as their number; unknown names are rejected;
//   - int64 may be a JSON number or a decimal string; fractions are rejected;
//   - unknown fields are ignored (forward compatibility with newer producers); null = absent.
// Binary payloads are parsed with ParseFromArray.
//
// Thread-safety: not thread-safe (it owns a reusable simdjson parser and buffer); use one
// decoder per thread. Decode() never throws.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "events/event.h"

namespace google::protobuf {
class EnumDescriptor;
}

namespace churnwatch {

class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes `payload` as an event of `kind`. On success `*out` holds the event (its previous
  // content is replaced); on failure the Rejection names the field and problem. Does not
  // validate ranges or required fields beyond what decoding needs: see EventValidator.
  std::optional<Rejection> Decode(EventKind kind, PayloadFormat format, std::string_view payload,
                                  Event* out);

 private:
  struct JsonState;
  std::unique_ptr<JsonState> json_;
};

// Resolves an enum value name the lenient way described above; -1 when unknown.
int ResolveEnumName(const google::protobuf::EnumDescriptor* type, std::string_view name);

}  // namespace churnwatch
