#include "notify/alertmanager_client.h"

#include <curl/curl.h>

#include <mutex>

namespace churnwatch::notify {
namespace {

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() < 512) body->append(data, std::min<size_t>(size * n, 512 - body->size()));
  return size * n;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

AlertmanagerClient::AlertmanagerClient(std::string base_url, int timeout_ms)
    : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {
  GlobalInitOnce();
  std::string root = base_url_;
  while (!root.empty() && root.back() == '/') root.pop_back();
  endpoint_ = root + "/api/v2/alerts";
  curl_ = curl_easy_init();
}

AlertmanagerClient::~AlertmanagerClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Status AlertmanagerClient::Post(const std::string& json_array) {
  auto* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Unavailable("libcurl could not be initialised");
  std::string response;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, endpoint_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_array.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_array.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    return Unavailable("Alertmanager " + base_url_ + ": " + curl_easy_strerror(code));
  }
  if (status < 200 || status >= 300) {
    std::string what =
        "Alertmanager " + base_url_ + " answered HTTP " + std::to_string(status) + ": " + response;
    // 4xx: the request itself is wrong; sending it again would not help (but 408 and 429 are
    // the server's own trouble).
    bool permanent = status >= 400 && status < 500 && status != 408 && status != 429;
    return permanent ? InvalidArgument(what) : Unavailable(what);
  }
  return Status::Ok();
}

}  // namespace churnwatch::notify
