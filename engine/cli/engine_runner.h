// EngineRunner: the engine, its HTTP server and its metrics registry started together, as
// `churnwatch run` and `churnwatch demo` both need them.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_server.h"
#include "ingest/engine.h"

namespace prometheus {
class Registry;
}

namespace churnwatch::cli {

class EngineRunner {
 public:
  explicit EngineRunner(const Clock* clock);
  ~EngineRunner();

  // Builds the engine, binds HTTP, checks topics. Errors are the engine's or the server's.
  Status Start(const ingest::EngineConfig& config);
  // "HOST:PORT" the HTTP server listens on (after Start).
  std::string http_address() const;
  // Makes SIGHUP ask the engine to reload its rule files.
  void OnReloadSignal();
  // Consumes until `stop`; returns the engine's final status.
  Status Run(const std::atomic<bool>& stop);

 private:
  const Clock* clock_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<ingest::Engine> engine_;
  std::unique_ptr<http::HttpServer> http_;
};

}  // namespace churnwatch::cli
