// EventValidator: the checks an event must pass before it may change state.
//
// Decoding (EventDecoder) guarantees types; validation guarantees meaning: required fields are
// present, numbers and string lengths are in range, enums are defined values (binary protobuf
// keeps unknown numbers), the timestamp lies in [min_time, now + max_future], and the Kafka key
// equals account_id (so every event of an account lands in that account's partition and store).
//
// Thread-safety: immutable after construction; Validate() is const and may run concurrently.
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"
#include "events/event.h"

namespace churnwatch {

struct ValidationLimits {
  // Payloads above this many bytes are rejected as too_large. Default 1 MiB.
  size_t max_payload_bytes = 1 << 20;
  // Identifiers (event_id, account_id, order_id, contact_id...) at most this many bytes. Default
  // 128.
  size_t max_id_bytes = 128;
  // Other strings (names, product lines, regions) at most this many bytes. Default 256.
  size_t max_text_bytes = 256;
  // Earliest accepted occurred_at. Default 1990-01-01T00:00:00Z.
  UnixMicros min_time = 631152000LL * kMicrosPerSecond;
  // How far occurred_at may lie ahead of the wall clock. Default 1 day.
  int64_t max_future_micros = kMicrosPerDay;
  // Upper bounds for order numbers (a guard against unit mistakes). Defaults 1e9 units, 1e15 cents.
  int64_t max_quantity = 1'000'000'000;
  int64_t max_amount_minor = 1'000'000'000'000'000;
};

class EventValidator {
 public:
  EventValidator(ValidationLimits limits, const Clock* clock) : limits_(limits), clock_(clock) {}

  // Checks the payload size before decoding.
  std::optional<Rejection> CheckSize(size_t payload_bytes) const;
  // Checks a decoded event and the Kafka key it came with. nullopt = accepted.
  std::optional<Rejection> Validate(const Event& event, std::string_view key) const;

  const ValidationLimits& limits() const { return limits_; }

 private:
  std::optional<Rejection> ValidateOrder(const v1::OrderEvent& e) const;
  std::optional<Rejection> ValidateService(const v1::ServiceEvent& e) const;
  std::optional<Rejection> ValidateContact(const v1::ContactEvent& e) const;
  std::optional<Rejection> ValidateAccount(const v1::AccountEvent& e) const;

  ValidationLimits limits_;
  const Clock* clock_;
};

}  // namespace churnwatch
