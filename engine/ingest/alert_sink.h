// AlertSink: where alert transitions are published (the alerts topic). Sends are asynchronous;
// the task drops an alert from its outbox only once its delivery ticket says it was
// acknowledged. A crash before that re-publishes it on restart with the same id.
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
  // Queues one alert; `ticket` reports its acknowledgement. The task keeps the alert in its
  // outbox until the ticket says 1, and sends it again if it says -1.
  virtual Status Send(const v1::Alert& alert, kafka::DeliveryTicket ticket) = 0;
  // Serves acknowledgements (non-blocking).
  virtual void Poll() = 0;
};

// Publishes each alert as protobuf binary to `topic`, key = account_id.
class KafkaAlertSink final : public AlertSink {
 public:
  KafkaAlertSink(kafka::Producer* producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}
  Status Send(const v1::Alert& alert, kafka::DeliveryTicket ticket) override {
    return producer_->Send(topic_, alert.account_id(), alert.SerializeAsString(), {}, std::nullopt,
                           std::move(ticket));
  }
  void Poll() override { producer_->Poll(); }

 private:
  kafka::Producer* producer_;
  std::string topic_;
};

}  // namespace churnwatch::ingest
