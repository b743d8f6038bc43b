// HttpServer: the engine's one HTTP port — /healthz, /readyz, /metrics, /api/v1/...
//
// Binds 127.0.0.1 unless told otherwise (the address comes from config). Every error is JSON
// {"error": "..."} with a 4xx/5xx status. Requests are served on the server's own thread
// pool; engine reads and Engine::Acknowledge are thread-safe.
//
// Access: writes (POST /api/v1/alerts/{id}/ack) need `Authorization: Bearer <http.token>` and
// are refused (403) while no token is configured; with http.token_for_reads every /api/v1/
// read needs it too. Tokens are compared in constant time. No CORS headers are sent.
//
// Lifecycle: Start() binds (port 0 picks a free port, see port()) and serves on a background
// thread; Stop() (or the destructor) stops accepting and joins.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "churnwatch/v1/state.pb.h"
#include "common/status.h"

namespace prometheus {
class Registry;
}
namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace churnwatch::ingest {
class Engine;
}

namespace churnwatch::http {

class HttpServer {
 public:
  // `engine` may be null (e.g. while it starts): /readyz then says so and the API answers 503.
  HttpServer(ingest::Engine* engine, prometheus::Registry* registry);
  ~HttpServer();

  // Binds "HOST:PORT" and starts serving. InvalidArgument for a malformed address;
  // Unavailable when the port can not be bound (in use, no permission).
  Status Start(const std::string& address);
  void Stop();

  int port() const { return port_; }
  const std::string& host() const { return host_; }

 private:
  void Routes();
  // Alert writes and history (alert_routes.cc).
  void AlertRoutes();
  // The customer file: an account's decision chain and timeline (customer_file_routes.cc).
  void CustomerFileRoutes();
  // GET /reports/YYYY-MM, the monthly review (report_routes.cc).
  void ReportRoutes();
  bool Authorized(const httplib::Request& req, httplib::Response& res) const;

  ingest::Engine* engine_;
  prometheus::Registry* registry_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

// Adds an alert's acknowledgement, escalation and notification times to its JSON.
void AddFollowUp(const ingest::Engine& engine, const std::string& account,
                 const v1::AlertRecord& rec, nlohmann::json* out);

// True when `a` equals `b`, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Splits "HOST:PORT" ("[::1]:8080" for IPv6). InvalidArgument says what is wrong.
Status ParseListenAddress(const std::string& address, std::string* host, int* port);

}  // namespace churnwatch::http
