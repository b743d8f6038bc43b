// Producer: an idempotent Kafka producer with per-message delivery accounting.
//
// Send() only queues; Flush() waits until every queued message is acknowledged by the broker
// or has failed, and reports how many failed. Callers that must not lose a message (dead
// letters before their source offset is stored, alerts before their transition is
// acknowledged) Flush() and check the result before they move on.
//
// Thread-safety: Send() and Flush() may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "kafka/client_config.h"

namespace churnwatch::kafka {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The delivery outcome of one message: 0 while in flight, 1 acknowledged, -1 failed.
using DeliveryTicket = std::shared_ptr<std::atomic<int>>;

class Producer {
 public:
  // Connects lazily to `bootstrap`. Defaults: enable.idempotence=true, linger.ms=5,
  // compression none. InvalidArgument when a property is unknown or has a bad value.
  static Result<std::unique_ptr<Producer>> Create(const std::string& bootstrap,
                                                  const ClientProperties& extra = {});
  ~Producer();

  // Queues one message. `partition` unset = the partitioner picks by key (librdkafka's
  // consistent_random: CRC32 of the key). Blocks briefly when the local queue is full.
  // InvalidArgument for an unknown topic or a message above message.max.bytes.
  Status Send(std::string_view topic, std::string_view key, std::string_view payload,
              const Headers& headers = {}, std::optional<int32_t> partition = std::nullopt,
              DeliveryTicket ticket = nullptr);

  // Serves delivery reports without blocking (tickets are updated from here).
  void Poll();

  // Waits up to timeout_ms for all queued messages. Unavailable if some are still queued;
  // IoError naming the first delivery error if any message failed since the last Flush().
  Status Flush(int timeout_ms);

  // Counters since creation.
  int64_t delivered() const;
  int64_t failed() const;

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace churnwatch::kafka
