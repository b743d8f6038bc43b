// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on loopback, and a webhook
// receiver the test runs in-process, for end-to-end notification tests.
//
// AlertmanagerProcess: started with a config file, its own storage directory and clustering
// off; Start() waits for /-/ready. Stop() and Start() again keep the port, so an engine
// configured with its URL sees it go away and come back.
//
// WebhookReceiver: an HTTP server on 127.0.0.1 that records every POST body by path (one
// path per Alertmanager receiver, e.g. /mgr-a) — what a manager's phone would get.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"

namespace httplib {
class Server;
}

namespace churnwatch::test {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

class AlertmanagerProcess {
 public:
  AlertmanagerProcess() : port_(FreeLoopbackPort()) {}
  // Starts (or restarts) with `config_path`; storage under `data_dir`; stderr to `log_path`.
  ::testing::AssertionResult Start(const std::string& config_path, const std::string& data_dir,
                                   const std::string& log_path);
  void Stop();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // POST /api/v2/silences: silences alerts whose label `name` equals `value` for an hour.
  // Returns the silence id ("" on failure, with a test failure).
  std::string Silence(const std::string& name, const std::string& value);
  // GET /api/v2/alerts: the alerts the Alertmanager holds (null on failure).
  nlohmann::json Alerts() const;

 private:
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

class WebhookReceiver {
 public:
  WebhookReceiver();
  ~WebhookReceiver();
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Every notification (Alertmanager webhook payload) received on `path`, in order.
  std::vector<nlohmann::json> Received(const std::string& path) const;
  // For each notification on `path`: the alerts in it whose label alertname is `alertname`
  // and label account_id is `account_id`, as (status, labels) — status "firing"/"resolved".
  std::vector<std::pair<std::string, nlohmann::json>> AlertsFor(
      const std::string& path, const std::string& alertname, const std::string& account_id) const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<nlohmann::json>> received_;
};

}  // namespace churnwatch::test
