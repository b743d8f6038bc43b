// LogBridge: routes librdkafka's log lines and error events into spdlog, so that they share
// the engine's format and level instead of being printed raw ("%3|...") to stderr.
#pragma once

namespace RdKafka {
class Conf;
}

namespace churnwatch::kafka {

// Installs the bridge on a librdkafka global config. The bridge is a process-wide singleton.
void InstallLogBridge(RdKafka::Conf* conf);

}  // namespace churnwatch::kafka
