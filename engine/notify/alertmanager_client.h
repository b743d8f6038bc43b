// AlertmanagerClient: POST /api/v2/alerts to one Alertmanager, over libcurl.
//
// One client per URL (it keeps its connection alive between posts). Post() blocks for at most
// the timeout. Any 2xx is success. A 4xx (but 408/429) is InvalidArgument: the request is
// wrong and resending it will not help. Anything else — refused connection, timeout, 5xx,
// 408, 429 — is Unavailable with what the server said, so the caller retries with backoff.
//
// Thread-safety: one thread per client.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace churnwatch::notify {

class AlertmanagerClient {
 public:
  // `base_url` is the Alertmanager's root, e.g. http://127.0.0.1:9093 (a trailing '/' and a
  // path prefix behind a proxy are fine: /api/v2/alerts is appended).
  AlertmanagerClient(std::string base_url, int timeout_ms);
  ~AlertmanagerClient();
  AlertmanagerClient(const AlertmanagerClient&) = delete;
  AlertmanagerClient& operator=(const AlertmanagerClient&) = delete;

  // Sends a JSON array of postable alerts.
  Status Post(const std::string& json_array);
  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  std::string endpoint_;
  int timeout_ms_;
  void* curl_ = nullptr;  // CURL*, kept out of the header
};

}  // namespace churnwatch::notify
