// AlertSink: where alert transitions are published (the alerts topic), synchronously: Publish()
// returns OK only once every alert is acknowledged, so the task may then drop them from its
// outbox. A crash before that re-publishes them on restart with the same ids.
#pragma once

#include <string>
#include <vector>

#include "churnwatch/v1/alert.pb.h"
#include "common/status.h"
#include "kafka/producer.h"

namespace churnwatch::ingest {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual Status Publish(const std::vector<v1::Alert>& alerts) = 0;
};

// Publishes each alert as protobuf binary to `topic`, key = account_id.
class KafkaAlertSink final : public AlertSink {
 public:
  KafkaAlertSink(kafka::Producer* producer, std::string topic, int flush_timeout_ms)
      : producer_(producer), topic_(std::move(topic)), flush_timeout_ms_(flush_timeout_ms) {}
  Status Publish(const std::vector<v1::Alert>& alerts) override {
    for (const auto& a : alerts) CW_RETURN_IF_ERROR(producer_->Send(topic_, a.account_id(), a.SerializeAsString()));
    return producer_->Flush(flush_timeout_ms_);
  }

 private:
  kafka::Producer* producer_;
  std::string topic_;
  int flush_timeout_ms_;
};

}  // namespace churnwatch::ingest
