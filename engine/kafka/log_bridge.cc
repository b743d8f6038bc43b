#include "kafka/log_bridge.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

namespace churnwatch::kafka {
namespace {

class SpdlogEventCb final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& e) override {
    switch (e.type()) {
      case RdKafka::Event::EVENT_LOG:
        if (e.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR) {
          spdlog::warn("kafka: {} {}", e.fac(), e.str());
        } else if (e.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
          spdlog::info("kafka: {} {}", e.fac(), e.str());
        } else {
          spdlog::debug("kafka: {} {}", e.fac(), e.str());
        }
        break;
      case RdKafka::Event::EVENT_ERROR:
        // Transient by nature (broker down, resolve failure): librdkafka retries by itself.
        spdlog::warn("kafka: {}", e.str());
        break;
      default:
        break;
    }
  }
};

}  // namespace

void InstallLogBridge(RdKafka::Conf* conf) {
  static SpdlogEventCb bridge;
  std::string err;
  conf->set("event_cb", static_cast<RdKafka::EventCb*>(&bridge), err);
}

}  // namespace churnwatch::kafka
