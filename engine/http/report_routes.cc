// GET /reports/YYYY-MM: the monthly review (engine/report) of this engine on the dashboard's
// port. The review is built from this server's own API, read over loopback exactly as
// `churnwatch report --engine` reads it, so the page, the JSON and the command always agree.
//
// One review is built at a time (per process): building one holds a server thread while its
// requests are served by the others, so unbounded concurrent reviews could take every thread
// of the pool and starve their own requests; a second one meanwhile gets 503 + Retry-After.
#include <httplib.h>

#include <atomic>

#include "common/calendar.h"
#include "http/http_server.h"
#include "http/json_reply.h"
#include "ingest/engine.h"
#include "report/engine_snapshot.h"
#include "report/monthly_review.h"
#include "report/review_html.h"

namespace churnwatch::http {
namespace {

// The review page's own policy: inline styles, nothing else (no scripts, no loads).
constexpr const char* kReportCsp = "default-src 'none'; style-src 'unsafe-inline'";

std::atomic<bool> g_building{false};

// Clears g_building when the review is done (or failed).
struct BuildingGuard {
  ~BuildingGuard() { g_building.store(false); }
};

// A wildcard listen address is reached through loopback.
std::string LoopbackHost(const std::string& host) {
  if (host == "0.0.0.0" || host.empty()) return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

}  // namespace

void HttpServer::ReportRoutes() {
  // The dashboard's link: this month, in the engine's zone and by its clock.
  server_->Get("/reports", [this](const httplib::Request& req, httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    MonthKey month = engine_->calendar().MonthOf(engine_->clock().Now());
    std::string lang = req.get_param_value("lang");
    if (!report::ParseReviewLang(lang).ok()) lang = "zh-CN";
    res.set_redirect("/reports/" + Calendar::MonthLabel(month) + "?lang=" + lang);
  });
  server_->Get(R"(/reports/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    // The review shows what /api/v1 shows: the same guard.
    if (engine_->config().http_token_for_reads && !Authorized(req, res)) return;
    std::string format = "html", lang_name = "zh-CN";
    for (const auto& [key, value] : req.params) {
      if (key == "format") {
        format = value;
      } else if (key == "lang") {
        lang_name = value;
      } else {
        return SendError(res, 400, "unknown parameter '" + key + "' (format, lang)");
      }
    }
    if (req.params.count("format") > 1 || req.params.count("lang") > 1)
      return SendError(res, 400, "parameters format and lang may be given once");
    if (format != "html" && format != "json")
      return SendError(res, 400, "format must be html or json");
    auto lang = report::ParseReviewLang(lang_name);
    if (!lang.ok()) return SendError(res, 400, lang.status().message());
    auto month = report::ParseMonth(std::string(req.matches[1]));
    if (!month.ok()) return SendError(res, 400, month.status().message());

    if (g_building.exchange(true)) {
      res.set_header("Retry-After", "10");
      return SendError(res, 503, "another monthly review is being built; retry shortly");
    }
    BuildingGuard guard;
    report::EngineEndpoint self;
    self.host = LoopbackHost(host_);
    self.port = port_;
    self.token = engine_->config().http_token;
    self.url = "http://" +
               (self.host.find(':') != std::string::npos ? "[" + self.host + "]" : self.host) +
               ":" + std::to_string(port_);
    auto snapshot = report::FetchEngineSnapshot(self);
    if (!snapshot.ok()) return SendError(res, 503, snapshot.status().message());
    nlohmann::json review = report::BuildMonthlyReview(*snapshot, *month, engine_->calendar());
    if (format == "json") return SendJson(res, 200, review);
    res.set_header("Content-Security-Policy", kReportCsp);
    res.set_content(report::RenderReviewHtml(review, *lang), "text/html; charset=utf-8");
  });
}

}  // namespace churnwatch::http
