// JSON replies shared by the HTTP handlers: every answer, errors included, is JSON.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

namespace churnwatch::http {

inline void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // Upstream text may hold anything; invalid UTF-8 is replaced rather than failing the reply.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

inline void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, nlohmann::json{{"error", message}});
}

// True for UTF-8 text (ids and names from clients must be).
inline bool IsUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace churnwatch::http
