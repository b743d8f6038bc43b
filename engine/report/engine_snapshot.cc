#include "report/engine_snapshot.h"

#include <httplib.h>

#include <cctype>

namespace churnwatch::report {
namespace {

using json = nlohmann::json;

// Path segment encoding: account ids are any printable UTF-8 ("/", "?", spaces, 汉字).
std::string EncodeSegment(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class ApiClient {
 public:
  explicit ApiClient(const EngineEndpoint& e) : endpoint_(e), client_(e.host, e.port) {
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(30, 0);
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);  // hundreds of small requests: no Nagle delay on each
    if (!e.token.empty()) client_.set_bearer_token_auth(e.token);
  }

  Result<json> Get(const std::string& path) {
    auto res = client_.Get(path);
    if (!res)
      return Unavailable("cannot reach " + endpoint_.url + " (" + path +
                         "): " + httplib::to_string(res.error()));
    json body = json::parse(res->body, nullptr, false);
    if (res->status != 200) {
      std::string why = body.is_object() && body.contains("error") && body["error"].is_string()
                            ? body["error"].get<std::string>()
                            : res->body.substr(0, 200);
      std::string message =
          endpoint_.url + path + ": HTTP " + std::to_string(res->status) + " " + why;
      // 4xx: the request or its token must change (exit 2); 5xx: the engine failed (exit 1).
      return res->status < 500 ? FailedPrecondition(message) : Unavailable(message);
    }
    if (!body.is_object())
      return Corruption(endpoint_.url + path + ": the answer is not a JSON object");
    return body;
  }

 private:
  const EngineEndpoint& endpoint_;
  httplib::Client client_;
};

}  // namespace

Result<EngineEndpoint> ParseEngineUrl(const std::string& url) {
  const std::string bad = "--engine '" + url + "' is not http://HOST:PORT";
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return InvalidArgument(bad);
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.find('/') != std::string::npos)
    return InvalidArgument(bad);
  std::string port = rest.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return InvalidArgument(bad);
  EngineEndpoint e;
  e.host = rest.substr(0, colon);
  e.port = std::stoi(port);
  if (e.port < 1 || e.port > 65535) return InvalidArgument(bad + " (port 1..65535)");
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']')
    e.host = e.host.substr(1, e.host.size() - 2);
  e.url = "http://" + rest;
  return e;
}

Result<EngineSnapshot> FetchEngineSnapshot(const EngineEndpoint& endpoint) {
  ApiClient api(endpoint);
  EngineSnapshot snap;
  snap.source = endpoint.url;
  std::string cursor;
  do {
    auto page =
        api.Get("/api/v1/accounts?sort=id&limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    if (!page.ok()) return page.status();
    if (!(*page)["accounts"].is_array())
      return Corruption(endpoint.url + "/api/v1/accounts: no accounts array");
    if (snap.as_of.empty() && (*page)["as_of"].is_string()) snap.as_of = (*page)["as_of"];
    for (auto& row : (*page)["accounts"]) snap.accounts.push_back({row, json(), json()});
    const json& next = (*page)["next"];
    cursor = next.is_string() ? next.get<std::string>() : "";
  } while (!cursor.empty());
  for (auto& a : snap.accounts) {
    if (!a.row["account_id"].is_string())
      return Corruption(endpoint.url + "/api/v1/accounts: an entry without account_id");
    const std::string path = "/api/v1/accounts/" + EncodeSegment(a.row["account_id"]);
    auto detail = api.Get(path);
    if (!detail.ok()) return detail.status();
    a.detail = std::move(*detail);
    auto history = api.Get(path + "/alerts?limit=5000");
    if (!history.ok()) return history.status();
    if (!(*history)["history"].is_array())
      return Corruption(endpoint.url + path + "/alerts: no history array");
    a.history = std::move(*history);
  }
  auto alerts = api.Get("/api/v1/alerts");
  if (!alerts.ok()) return alerts.status();
  if (!(*alerts)["alerts"].is_array())
    return Corruption(endpoint.url + "/api/v1/alerts: no alerts array");
  snap.alerts = std::move((*alerts)["alerts"]);
  return snap;
}

}  // namespace churnwatch::report
