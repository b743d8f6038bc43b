// HttpGet: one blocking GET against the engine's HTTP port (cpp-httplib), for tests.
#pragma once

#include <string>

namespace churnwatch::test {

struct HttpResponse {
  int status = -1;  // -1: no response (connection refused, timeout)
  std::string body;
};

// GET http://host:port/path with 5 s connect/read timeouts.
HttpResponse HttpGet(const std::string& host, int port, const std::string& path);

}  // namespace churnwatch::test
