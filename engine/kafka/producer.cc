#include "kafka/producer.h"

#include <librdkafka/rdkafkacpp.h>

#include <mutex>

#include "kafka/log_bridge.h"

namespace churnwatch::kafka {

struct Producer::Impl : public RdKafka::DeliveryReportCb {
  std::unique_ptr<RdKafka::Producer> producer;
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  std::mutex error_mu;
  std::string first_error;  // since the last Flush()

  void dr_cb(RdKafka::Message& m) override {
    if (auto* ticket = static_cast<DeliveryTicket*>(m.msg_opaque())) {
      (*ticket)->store(m.err() == RdKafka::ERR_NO_ERROR ? 1 : -1);
      delete ticket;
    }
    if (m.err() == RdKafka::ERR_NO_ERROR) {
      delivered.fetch_add(1);
      return;
    }
    failed.fetch_add(1);
    std::lock_guard lock(error_mu);
    if (first_error.empty()) first_error = m.topic_name() + ": " + m.errstr();
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  if (impl_->producer) impl_->producer->flush(5000);
}

Result<std::unique_ptr<Producer>> Producer::Create(const std::string& bootstrap,
                                                   const ClientProperties& extra) {
  auto impl = std::make_unique<Impl>();
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  ClientProperties props = {
      {"bootstrap.servers", bootstrap},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
      {"log_level", "6"},
  };
  for (const auto& [k, v] : extra) props[k] = v;
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return InvalidArgument("kafka property " + k + "=" + v + ": " + err);
    }
  }
  InstallLogBridge(conf.get());
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(impl.get()), err) !=
      RdKafka::Conf::CONF_OK) {
    return Internal(err);
  }
  impl->producer.reset(RdKafka::Producer::create(conf.get(), err));
  if (!impl->producer) return InvalidArgument("cannot create Kafka producer: " + err);
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Status Producer::Send(std::string_view topic, std::string_view key, std::string_view payload,
                      const Headers& headers, std::optional<int32_t> partition,
                      DeliveryTicket ticket) {
  auto* opaque = ticket ? new DeliveryTicket(std::move(ticket)) : nullptr;
  RdKafka::Headers* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = RdKafka::Headers::create();
    for (const auto& [k, v] : headers) hdrs->add(k, v.data(), v.size());
  }
  for (;;) {
    RdKafka::ErrorCode e = impl_->producer->produce(
        std::string(topic), partition.value_or(RdKafka::Topic::PARTITION_UA),
        RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(payload.data()), payload.size(),
        key.data(), key.size(), 0, hdrs, opaque);
    if (e == RdKafka::ERR_NO_ERROR) return Status::Ok();  // headers now owned by librdkafka
    if (e == RdKafka::ERR__QUEUE_FULL) {
      impl_->producer->poll(50);  // serve delivery reports to make room
      continue;
    }
    delete hdrs;
    delete opaque;
    return InvalidArgument("cannot produce to '" + std::string(topic) +
                           "': " + RdKafka::err2str(e));
  }
}

Status Producer::Flush(int timeout_ms) {
  RdKafka::ErrorCode e = impl_->producer->flush(timeout_ms);
  std::string first_error;
  {
    std::lock_guard lock(impl_->error_mu);
    first_error.swap(impl_->first_error);
  }
  if (!first_error.empty()) return IoError("delivery failed: " + first_error);
  if (e == RdKafka::ERR__TIMED_OUT) {
    return Unavailable(std::to_string(impl_->producer->outq_len()) +
                       " messages still unacknowledged after " + std::to_string(timeout_ms) +
                       " ms (is the broker reachable?)");
  }
  return Status::Ok();
}

void Producer::Poll() { impl_->producer->poll(0); }

int64_t Producer::delivered() const { return impl_->delivered.load(); }
int64_t Producer::failed() const { return impl_->failed.load(); }

}  // namespace churnwatch::kafka
