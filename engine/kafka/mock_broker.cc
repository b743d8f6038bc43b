#include "kafka/mock_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace churnwatch::kafka {

struct MockBroker::Impl {
  rd_kafka_t* handle = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (handle != nullptr) rd_kafka_destroy(handle);
  }
};

MockBroker::MockBroker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

MockBroker::~MockBroker() = default;

Result<std::unique_ptr<MockBroker>> MockBroker::Start(int brokers,
                                                      const std::vector<TopicSpec>& topics) {
  if (brokers < 1 || brokers > 16) {
    return InvalidArgument("--brokers must be between 1 and 16, got " + std::to_string(brokers));
  }
  auto impl = std::make_unique<Impl>();
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only does book-keeping for the cluster; keep it quiet.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  impl->handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (impl->handle == nullptr)
    return Unavailable(std::string("cannot start the mock cluster: ") + err);
  impl->cluster = rd_kafka_mock_cluster_new(impl->handle, brokers);
  if (impl->cluster == nullptr) return Unavailable("cannot start the mock cluster (no free port?)");
  std::unique_ptr<MockBroker> broker(new MockBroker(std::move(impl)));
  for (const auto& t : topics) CW_RETURN_IF_ERROR(broker->CreateTopic(t));
  return broker;
}

Status MockBroker::CreateTopic(const TopicSpec& topic) {
  if (topic.name.empty() || topic.name.size() > 249)
    return InvalidArgument("topic name must be 1..249 characters");
  for (char c : topic.name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return InvalidArgument("topic name '" + topic.name + "' may only hold [a-zA-Z0-9._-]");
  }
  if (topic.partitions < 1 || topic.partitions > 1000) {
    return InvalidArgument("topic '" + topic.name + "': partitions must be 1..1000, got " +
                           std::to_string(topic.partitions));
  }
  rd_kafka_resp_err_t e =
      rd_kafka_mock_topic_create(impl_->cluster, topic.name.c_str(), topic.partitions, 1);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("cannot create topic '" + topic.name + "': " + rd_kafka_err2str(e));
  }
  return Status::Ok();
}

Status MockBroker::SetBrokerDown(int id, bool down) {
  rd_kafka_resp_err_t e = down ? rd_kafka_mock_broker_set_down(impl_->cluster, id)
                               : rd_kafka_mock_broker_set_up(impl_->cluster, id);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return InvalidArgument(std::string("broker ") + std::to_string(id) + ": " +
                           rd_kafka_err2str(e));
  return Status::Ok();
}

}  // namespace churnwatch::kafka
