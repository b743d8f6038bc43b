#include "support/http_get.h"

#include <httplib.h>

namespace churnwatch::test {

HttpResponse HttpGet(const std::string& host, int port, const std::string& path) {
  httplib::Client client(host, port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  HttpResponse out;
  auto res = client.Get(path);
  if (!res) return out;
  out.status = res->status;
  out.body = res->body;
  return out;
}

}  // namespace churnwatch::test
