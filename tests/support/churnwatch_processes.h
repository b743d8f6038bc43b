// Real churnwatch processes for integration tests: the dev broker (librdkafka mock cluster,
// real Kafka protocol on loopback) and the engine (`churnwatch run`), plus the produce and
// consume commands. The binary is $CHURNWATCH_BIN (set by the churnwatch_test CMake function).
//
// Every process is a ChildProcess: killed and reaped by the destructor if still running.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/http_get.h"
#include "support/metrics_text.h"
#include "support/scenario.h"
#include "support/temp_dir.h"

namespace churnwatch::test {

// $CHURNWATCH_BIN; fails the test (and returns "") when unset.
std::string ChurnwatchBin();

// `churnwatch broker` with its first stdout line `bootstrap=HOST:PORT` read.
class BrokerProcess {
 public:
  // Starts the broker with `extra_args` (e.g. {"--partitions", "6"}); its stderr goes to
  // `log_path`. Failure says why and includes the broker's stderr.
  ::testing::AssertionResult Start(const std::string& log_path,
                                   const std::vector<std::string>& extra_args = {});
  const std::string& bootstrap() const { return bootstrap_; }
  ChildProcess& process() { return process_; }

 private:
  ChildProcess process_;
  std::string bootstrap_;
};

struct EngineOptions {
  std::string bootstrap;
  std::string group;
  std::string state_dir;
  std::string log_path;                    // stderr of the engine (appended across restarts)
  std::vector<std::string> extra_args;     // e.g. {"--config", F}
  std::map<std::string, std::string> env;  // extra environment, e.g. CHURNWATCH_TEST_* faults
};

// `churnwatch run --bootstrap B --group G --state-dir D --http 127.0.0.1:0
//   -X session.timeout.ms=6000 -X heartbeat.interval.ms=500`, first stdout line `http=...`.
class EngineProcess {
 public:
  ::testing::AssertionResult Start(const EngineOptions& options);

  int port() const { return port_; }
  HttpResponse Get(const std::string& path) const { return HttpGet("127.0.0.1", port_, path); }
  // Parsed /metrics; empty when the engine does not answer.
  Metrics ScrapeMetrics() const;

  // Waits until /readyz answers 200.
  ::testing::AssertionResult WaitReady(std::chrono::milliseconds timeout);
  // Single-run completion: every input partition of every input topic reports lag 0
  // (`lag_series` series of churnwatch_consumer_lag, e.g. 4 topics x 6 partitions), and
  // applied + deadlettered + duplicate events of this process add up to `expected_total`.
  ::testing::AssertionResult WaitAllHandled(double expected_total, int lag_series,
                                            std::chrono::milliseconds timeout);
  // Completion across restarts (per-process counters do not add up to the input): all
  // `lag_series` lag series are 0 and the handled count stays the same over two consecutive
  // gauge updates (> 1 s apart).
  ::testing::AssertionResult WaitCaughtUp(int lag_series, std::chrono::milliseconds timeout);

  // applied + deadlettered + duplicate events of this process, -1 when it does not answer.
  double HandledCount() const;

  // SIGTERM and wait: the exit code (nullopt when it did not exit in time).
  std::optional<int> Stop(std::chrono::milliseconds timeout);
  std::optional<int> Kill() { return process_.Kill(); }
  ChildProcess& process() { return process_; }

 private:
  ChildProcess process_;
  int port_ = -1;
};

// `churnwatch demo --http 127.0.0.1:0 ARGS...` (embedded broker + generator + engine + HTTP),
// with its `http=HOST:PORT` line and the embedded broker's bootstrap read from stdout.
class DemoProcess {
 public:
  ::testing::AssertionResult Start(const std::string& log_path,
                                   const std::vector<std::string>& extra_args = {},
                                   const std::map<std::string, std::string>& env = {});
  int port() const { return port_; }
  const std::string& bootstrap() const { return bootstrap_; }
  HttpResponse Get(const std::string& path) const { return HttpGet("127.0.0.1", port_, path); }
  ChildProcess& process() { return process_; }

 private:
  ChildProcess process_;
  int port_ = -1;
  std::string bootstrap_;
};

// `churnwatch produce --bootstrap B --topic T [--format F] FILE`; asserts exit 0 and the
// `sent N messages to T` line.
::testing::AssertionResult Produce(const std::string& bootstrap, const std::string& topic,
                                   const std::string& file, const std::string& format,
                                   size_t expected_messages, const std::string& log_path);

// Writes the scenario's topics as NDJSON files under `dir` and produces them in the
// scenario's order (orders as protobuf, then as JSON; service, contacts, accounts).
::testing::AssertionResult ProduceScenario(const std::string& bootstrap, const Scenario& scenario,
                                           const TempDir& dir);

// `churnwatch consume --bootstrap B --topic T --from-beginning --idle-exit S`: every line
// parsed as JSON (a line that is not JSON fails the test).
std::vector<std::string> ConsumeLines(const std::string& bootstrap, const std::string& topic,
                                      int idle_exit_seconds, const std::string& log_path);

}  // namespace churnwatch::test
