// DeadLetterSink: where messages the engine can not accept go, with why and where from.
//
// Each dead letter keeps the original key and payload (payloads above max_payload_bytes are
// cut, and say so) and carries headers:
//   reason            one of RejectReasonName() (malformed, too_large, ...)
//   detail            the field and problem, e.g. "quantity -3 is outside [0, 1000000000]"
//   source_topic, source_partition, source_offset
//   payload_bytes     original size;  payload_truncated  "true" when cut
// The engine calls Flush() before it stores the offsets past a dead letter, so a message is
// never both skipped and missing from the dead-letter topic.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "events/event.h"
#include "kafka/group_consumer.h"
#include "kafka/producer.h"

namespace churnwatch::ingest {

class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual Status Send(const kafka::ConsumedMessage& message, const Rejection& rejection) = 0;
  // Waits until every dead letter sent so far is acknowledged. Unavailable / IoError if not.
  virtual Status Flush() = 0;
};

class KafkaDeadLetterSink final : public DeadLetterSink {
 public:
  KafkaDeadLetterSink(kafka::Producer* producer, std::string topic, size_t max_payload_bytes,
                      int flush_timeout_ms)
      : producer_(producer),
        topic_(std::move(topic)),
        max_payload_bytes_(max_payload_bytes),
        flush_timeout_ms_(flush_timeout_ms) {}
  Status Send(const kafka::ConsumedMessage& message, const Rejection& rejection) override;
  Status Flush() override;

 private:
  kafka::Producer* producer_;
  std::string topic_;
  size_t max_payload_bytes_;
  int flush_timeout_ms_;
  bool pending_ = false;
};

}  // namespace churnwatch::ingest
