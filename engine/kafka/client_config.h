// ClientConfig: librdkafka properties for one client, validated at the edge.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace churnwatch::kafka {

// Properties passed verbatim to librdkafka (bootstrap.servers, security.protocol, sasl.*,
// ssl.*, ...). Keys churnwatch sets itself are documented where it sets them; a user value
// given here wins over churnwatch's defaults.
using ClientProperties = std::map<std::string, std::string>;

// InvalidArgument "kafka property K=V: <librdkafka's reason>" for the first property librdkafka
// does not know or whose value it refuses — the check the clients make when they are created,
// without creating one (no broker needed: `run --check`).
Status CheckClientProperties(const ClientProperties& properties);

}  // namespace churnwatch::kafka
