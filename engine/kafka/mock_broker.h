// MockBroker: an in-process Kafka cluster speaking the real wire protocol over TCP on
// loopback, built on librdkafka's mock cluster (rdkafka_mock.h). It backs `churnwatch broker`,
// `churnwatch demo` and every integration test; any Kafka client (kcat included) can connect.
//
// Limits inherited from librdkafka 2.0.2's mock (see architecture.md): about 5 MiB are kept
// per partition and older data is dropped silently; transactions are not real.
//
// Thread-safety: the cluster runs on its own librdkafka threads; methods may be called from
// any thread. Destroying the object stops the cluster and closes its ports.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace churnwatch::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 6;
};

class MockBroker {
 public:
  // Starts a cluster of `brokers` brokers (1..16) on 127.0.0.1 with ephemeral ports and
  // creates `topics`. Unavailable when librdkafka can not start it.
  static Result<std::unique_ptr<MockBroker>> Start(int brokers,
                                                   const std::vector<TopicSpec>& topics);
  ~MockBroker();

  // "127.0.0.1:PORT[,127.0.0.1:PORT...]".
  const std::string& bootstrap() const { return bootstrap_; }

  // Creates a topic; InvalidArgument for a bad name or partition count.
  Status CreateTopic(const TopicSpec& topic);

  // Fault injection for tests: take broker `id` (1-based) down or up.
  Status SetBrokerDown(int id, bool down);

 private:
  struct Impl;
  explicit MockBroker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string bootstrap_;
};

}  // namespace churnwatch::kafka
