// Links into the dashboard (engine/http/web). The dashboard is hash-routed: its routes live in
// the fragment, so a link works behind any proxy path prefix and never reaches the server's
// router. This is the one place the server side spells a route; the dashboard's own links come
// from dom.js accountHref(), which must build the same fragment (the browser test follows a
// real Alertmanager notification's link to the account page to prove it).
//
// Thread-safety: pure.
#pragma once

#include <string>

namespace churnwatch {

// "#/account/<percent-encoded id>": every byte but A-Z a-z 0-9 - _ . ~ is %XX-encoded, so an
// id with '/', '#', '?', spaces or UTF-8 stays one path segment (decodeURIComponent undoes it).
std::string AccountRoute(const std::string& account_id);

// <dashboard root without trailing '/'>/<AccountRoute(id)>, or "" when the root is empty (no
// dashboard configured: no link rather than a broken one).
std::string DashboardAccountLink(const std::string& dashboard_url, const std::string& account_id);

}  // namespace churnwatch
