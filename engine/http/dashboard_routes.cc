#include "http/dashboard_routes.h"

#include <httplib.h>

#include "http/web_assets.h"

namespace churnwatch::http {
namespace {

// Sends `asset`, or 304 when the client already has this version.
void Serve(const WebAsset& asset, const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", std::string(asset.etag));
  if (asset.content_type.starts_with("text/html"))
    res.set_header("Content-Security-Policy", kDashboardCsp);
  if (req.get_header_value("If-None-Match") == asset.etag) {
    res.status = 304;
    return;
  }
  res.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type).c_str());
}

}  // namespace

void AddDashboardRoutes(httplib::Server& s) {
  s.Get("/", [](const httplib::Request& req, httplib::Response& res) {
    Serve(*FindWebAsset("index.html"), req, res);
  });
  s.Get("/api/v1/openapi.yaml", [](const httplib::Request& req, httplib::Response& res) {
    Serve(*FindWebAsset("openapi.yaml"), req, res);
  });
  // File names only (no '/'), so nothing outside the embedded set can be named.
  s.Get(R"(/assets/([A-Za-z0-9_.-]+))", [](const httplib::Request& req, httplib::Response& res) {
    const WebAsset* asset = FindWebAsset(req.matches[1].str());
    if (asset == nullptr || asset->path == "openapi.yaml") {
      res.status = 404;  // the server's error handler writes the JSON body
      return;
    }
    Serve(*asset, req, res);
  });
}

}  // namespace churnwatch::http
