// HttpServer: the engine's one HTTP port — /healthz, /readyz, /metrics, /api/v1/...
//
// Binds 127.0.0.1 unless told otherwise (the address comes from config). Every error is JSON
// {"error": "..."} with a 4xx/5xx status. Requests are served on the server's own thread
// pool; handlers only read (engine reads are thread-safe).
//
// Lifecycle: Start() binds (port 0 picks a free port, see port()) and serves on a background
// thread; Stop() (or the destructor) stops accepting and joins.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/status.h"

namespace prometheus {
class Registry;
}
namespace httplib {
class Server;
}

namespace churnwatch::ingest {
class Engine;
}

namespace churnwatch::http {

class HttpServer {
 public:
  // `engine` may be null (e.g. while it starts): /readyz then says so and the API answers 503.
  HttpServer(const ingest::Engine* engine, prometheus::Registry* registry);
  ~HttpServer();

  // Binds "HOST:PORT" and starts serving. InvalidArgument for a malformed address;
  // Unavailable when the port can not be bound (in use, no permission).
  Status Start(const std::string& address);
  void Stop();

  int port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  void Routes();

  const ingest::Engine* engine_;
  prometheus::Registry* registry_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

// Splits "HOST:PORT" ("[::1]:8080" for IPv6). InvalidArgument says what is wrong.
Status ParseListenAddress(const std::string& address, std::string* host, int* port);

}  // namespace churnwatch::http
