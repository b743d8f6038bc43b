#include "ingest/dead_letter_sink.h"

namespace churnwatch::ingest {

Status KafkaDeadLetterSink::Send(const kafka::ConsumedMessage& m, const Rejection& rejection) {
  bool truncated = m.payload.size() > max_payload_bytes_;
  std::string_view payload(m.payload);
  if (truncated) payload = payload.substr(0, max_payload_bytes_);
  kafka::Headers headers = {
      {"reason", RejectReasonName(rejection.reason)},
      {"detail", rejection.detail.substr(0, 1024)},
      {"source_topic", m.topic},
      {"source_partition", std::to_string(m.partition.value())},
      {"source_offset", std::to_string(m.offset.value())},
      {"payload_bytes", std::to_string(m.payload.size())},
      {"payload_truncated", truncated ? "true" : "false"},
  };
  pending_ = true;
  return producer_->Send(topic_, m.key, payload, headers);
}

Status KafkaDeadLetterSink::Flush() {
  if (!pending_) return Status::Ok();
  Status s = producer_->Flush(flush_timeout_ms_);
  if (s.ok()) pending_ = false;
  return s;
}

}  // namespace churnwatch::ingest
