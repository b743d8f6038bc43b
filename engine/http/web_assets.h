// WebAssets: the dashboard's static files (engine/http/web/) and openapi.yaml, compiled into
// the binary at build time (embed_assets.cmake), so `churnwatch demo` serves `/` with nothing
// installed beside it and no CDN is ever asked for anything.
#pragma once

#include <span>
#include <string_view>

namespace churnwatch::http {

struct WebAsset {
  std::string_view path;          // file name, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // quoted, changes with the content
};

// Every embedded file (generated).
std::span<const WebAsset> WebAssets();

// The asset at `path`, or nullptr.
inline const WebAsset* FindWebAsset(std::string_view path) {
  for (const auto& a : WebAssets())
    if (a.path == path) return &a;
  return nullptr;
}

}  // namespace churnwatch::http
