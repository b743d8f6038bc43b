#include "kafka/client_config.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>

namespace churnwatch::kafka {

Status CheckClientProperties(const ClientProperties& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : properties) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return InvalidArgument("kafka property " + k + "=" + v + ": " + err);
  }
  return Status::Ok();
}

}  // namespace churnwatch::kafka
