#include "common/dashboard_link.h"

#include <fmt/format.h>

#include <cctype>

namespace churnwatch {

std::string AccountRoute(const std::string& account_id) {
  std::string out = "#/account/";
  for (unsigned char c : account_id) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string DashboardAccountLink(const std::string& dashboard_url, const std::string& account_id) {
  if (dashboard_url.empty()) return "";
  std::string base = dashboard_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + AccountRoute(account_id);
}

}  // namespace churnwatch
