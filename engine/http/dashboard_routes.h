// Dashboard routes: `/` (index.html), `/assets/{file}` (the embedded dashboard files) and
// `/api/v1/openapi.yaml`. All are public (no token): they hold code, not data; the data comes
// from /api/v1/..., which the page calls with the operator's token.
//
// Every HTML answer carries a strict Content-Security-Policy (default-src 'self', no inline
// script or style, no framing), so even a rendering bug could not run injected script.
#pragma once

namespace httplib {
class Server;
}

namespace churnwatch::http {

// The CSP sent with the dashboard HTML.
inline constexpr const char* kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

void AddDashboardRoutes(httplib::Server& server);

}  // namespace churnwatch::http
