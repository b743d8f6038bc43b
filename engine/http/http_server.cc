#include "http/http_server.h"

#include <httplib.h>
#include <netdb.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/calendar.h"
#include "events/proto_json.h"
#include "features/features.h"
#include "http/account_json.h"
#include "http/account_list.h"
#include "http/alert_stream.h"
#include "http/dashboard_routes.h"
#include "http/json_reply.h"
#include "http/portfolio_pyramid.h"
#include "http/query_params.h"
#include "ingest/engine.h"
#include "rules/alert_lifecycle.h"

namespace churnwatch::http {

using nlohmann::json;

// True when the request carries the configured bearer token; otherwise answers 401 (or 403
// when no token is configured, so writes are off) and returns false.
bool HttpServer::Authorized(const httplib::Request& req, httplib::Response& res) const {
  const std::string& token = engine_->config().http_token;
  if (token.empty()) {
    SendError(res, 403,
              "API writes are disabled: start the engine with http.token in the config, "
              "--http-token-file or CHURNWATCH_HTTP_TOKEN");
    return false;
  }
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0 ||
      !ConstantTimeEquals(std::string_view(header).substr(kBearer.size()), token)) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "missing or wrong bearer token (Authorization: Bearer <http.token>)");
    return false;
  }
  return true;
}

Status ParseListenAddress(const std::string& address, std::string* host, int* port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return InvalidArgument("HTTP address '" + address + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string h = address.substr(0, colon);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = address.substr(colon + 1);
  int value = 0;
  for (char c : p) {
    if (c < '0' || c > '9' || value > 65535) {
      return InvalidArgument("HTTP port '" + p + "' in '" + address + "' is not a number 0..65535");
    }
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return InvalidArgument("HTTP port " + p + " is above 65535");
  *host = h;
  *port = value;
  return Status::Ok();
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

HttpServer::HttpServer(ingest::Engine* engine, prometheus::Registry* registry)
    : engine_(engine), registry_(registry), server_(std::make_unique<httplib::Server>()) {
  Routes();
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Routes() {
  httplib::Server& s = *server_;
  s.set_payload_max_length(1 << 20);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_default_headers(
      {{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}});
  AddDashboardRoutes(s);
  // Room for kMaxStreams long-lived alert streams beside the API and the dashboard's requests.
  s.new_task_queue = [] { return new httplib::ThreadPool(8 + kMaxStreams); };

  // Reads of /api/v1/ need the token when http.token_for_reads is set.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (engine_ == nullptr || !engine_->config().http_token_for_reads ||
        req.path.rfind("/api/v1/", 0) != 0 || (req.method != "GET" && req.method != "HEAD")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (!Authorized(req, res)) return httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  AlertRoutes();
  CustomerFileRoutes();
  ReportRoutes();
  AddAlertStreamRoute(s, engine_);

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"status", "ok"}});
  });

  s.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (engine_ == nullptr)
      return SendJson(res, 503, {{"ready", false}, {"reason", "engine is starting"}});
    ingest::Readiness r = engine_->GetReadiness();
    if (r.ready) return SendJson(res, 200, {{"ready", true}});
    SendJson(res, 503, {{"ready", false}, {"reason", r.reason}});
  });

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    prometheus::TextSerializer serializer;
    res.set_content(serializer.Serialize(registry_->Collect()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });

  // Filters, sorting and paging: account_list.h (and openapi.yaml).
  s.Get("/api/v1/accounts", [this](const httplib::Request& req, httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    auto query = ParseAccountListQuery(req.params);
    if (!query.ok()) return SendError(res, 400, query.status().message());
    auto body = ListAccounts(*engine_, *query);
    if (!body.ok()) return SendError(res, 500, body.status().message());
    SendJson(res, 200, *body);
  });

  s.Get(R"(/api/v1/accounts/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    std::string id = req.matches[1];
    if (id.size() > 128) return SendError(res, 400, "account id longer than 128 bytes");
    // Ids are validated on ingest (UTF-8, no control characters): nothing else can match.
    bool printable = std::none_of(id.begin(), id.end(),
                                  [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (!printable || !IsUtf8(id)) {
      return SendError(res, 400, "account id must be UTF-8 without control characters");
    }
    auto found = engine_->FindAccount(id);
    if (!found.ok()) return SendError(res, 500, found.status().message());
    if (!found->has_value()) {
      return SendError(
          res, 404,
          "account '" + id +
              "' is not known to this instance (not yet seen, or owned by another instance)");
    }
    json body = AccountToJson(**found, engine_->calendar());
    // Each alert's acknowledgement, repair plan and escalation, as GET /api/v1/alerts has them.
    for (auto& a : body["alerts"]) {
      for (const auto& rec : (*found)->alerts) {
        if (rec.id() == a.value("id", "")) AddFollowUp(*engine_, id, rec, &a);
      }
    }
    // Features as of now (the engine's clock), as rules would see them at an evaluation now.
    UnixMicros at = engine_->clock().Now();
    auto values = rules::AccountFeatures(**found, at, engine_->calendar(),
                                         engine_->config().evaluation.alert);
    json feats = json::object();
    const auto& catalog = features::FeatureCatalog();
    for (size_t i = 0; i < catalog.size(); ++i) {
      double v = values.numbers[i];
      feats[catalog[i].name] = std::isnan(v) ? json(nullptr) : json(v);
    }
    body["features"] = {{"as_of", FormatRfc3339(at)}, {"values", feats}};
    body["health"] = {{"score", feats["health_score"]},
                      {"satisfaction", feats["health_satisfaction"]},
                      {"value", feats["health_value"]},
                      {"risk", feats["health_risk"]}};
    // The learned risk and the features behind it (null without a model: `run --model`).
    body["churn_risk"] = std::isnan(values.Get("churn_risk"))
                             ? json(nullptr)
                             : json{{"probability", values.Get("churn_risk")},
                                    {"drivers", values.text.at("churn_risk_drivers")}};
    // The customer pyramid: the rules' placement with pyramid.params, else instance quintiles.
    PortfolioPyramid pyramid(engine_->config().evaluation.alert.pyramid);
    if (Status s = pyramid.FitOverInstance(*engine_, at); !s.ok())
      return SendError(res, 500, s.message());
    const json placement = pyramid.Describe(values);
    for (const char* key : {"rfm", "strategic_fit", "suggested_tier"}) body[key] = placement[key];
    SendJson(res, 200, body);
  });

  s.Get("/api/v1/rules", [this](const httplib::Request&, httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    auto set = engine_->rules().Get();
    auto report = engine_->rules().last_reload();
    json rules = json::array();
    for (const auto& r : set->rules) {
      json ann = json::object();
      for (const auto& [key, texts] : r.annotations) ann[key] = texts;
      rules.push_back({{"id", r.id},
                       {"group", r.group},
                       {"kind", r.kind},
                       {"expr", r.expr},
                       {"for_seconds", r.for_micros / kMicrosPerSecond},
                       {"cooldown_seconds", r.cooldown_micros / kMicrosPerSecond},
                       {"keep_firing_for_seconds", r.keep_firing_micros / kMicrosPerSecond},
                       {"severity", r.severity},
                       {"severity_by_tier", r.severity_by_tier},
                       {"tiers", r.tiers},
                       {"labels", r.labels},
                       {"annotations", ann},
                       {"evidence", r.evidence},
                       {"file", r.file},
                       {"line", r.line}});
    }
    SendJson(
        res, 200,
        {{"version", set->version},
         {"loaded_at", set->loaded_at_us ? json(FormatRfc3339(set->loaded_at_us)) : json(nullptr)},
         {"files", set->files},
         {"rules", rules},
         {"last_reload",
          {{"ok", report.ok},
           {"at", report.at_us ? json(FormatRfc3339(report.at_us)) : json(nullptr)},
           {"problems", report.problems}}}});
  });

  s.Get("/api/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    auto parsed_state = ParseAlertListState(req.params);
    if (!parsed_state.ok()) return SendError(res, 400, parsed_state.status().message());
    const std::string& state = *parsed_state;
    auto records = engine_->AlertRecords();
    if (!records.ok()) return SendError(res, 500, records.status().message());
    auto match = [&](const char* key, const std::string& value) {
      return !req.has_param(key) || req.get_param_value(key) == value;
    };
    json alerts = json::array();
    for (const auto& [account, rec] : *records) {
      std::string rec_state =
          ShortEnumName(v1::AlertState_descriptor()->FindValueByNumber(rec.state()));
      if (rec.state() == v1::ALERT_STATE_UNSPECIFIED) continue;
      if (!state.empty() && rec_state != state) continue;
      const v1::Alert& a = rec.alert();
      auto label = [&](const char* k) {
        return a.labels().count(k) ? a.labels().at(k) : std::string();
      };
      if (!match("severity", a.severity()) || !match("signal", a.signal()) ||
          !match("rule", rec.rule()) || !match("tier", label("tier")) ||
          !match("owner", label("owner")) || !match("account_id", account)) {
        continue;
      }
      json j = rec.state() == v1::ALERT_STATE_PENDING
                   ? json{{"id", rec.id()}, {"account_id", account}, {"rule", rec.rule()}}
                   : ProtoToJson(a);
      j["state"] = rec_state;
      if (rec.state() == v1::ALERT_STATE_PENDING)
        j["started_at"] = FormatRfc3339(rec.active_since_us());
      if (rec.state() != v1::ALERT_STATE_PENDING) AddFollowUp(*engine_, account, rec, &j);
      alerts.push_back(std::move(j));
    }
    SendJson(res, 200, {{"alerts", alerts}});
  });

  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) return SendError(res, 404, "no such endpoint: " + req.path);
    SendError(res, res.status, "HTTP " + std::to_string(res.status));
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        SendError(res, 500, what);
      });
}

namespace {

// True when a TCP connect to host:port succeeds: another process accepts connections there.
bool SomethingListensOn(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.empty() ? "127.0.0.1" : host.c_str(), std::to_string(port).c_str(), &hints,
                  &found) != 0) {
    return false;
  }
  bool listens = false;
  for (addrinfo* a = found; a != nullptr && !listens; a = a->ai_next) {
    int sock = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (sock < 0) continue;
    listens = connect(sock, a->ai_addr, a->ai_addrlen) == 0;
    close(sock);
  }
  freeaddrinfo(found);
  return listens;
}

}  // namespace

Status HttpServer::Start(const std::string& address) {
  int port = 0;
  CW_RETURN_IF_ERROR(ParseListenAddress(address, &host_, &port));
  // cpp-httplib's default sets SO_REUSEPORT, which lets a second process bind a port another
  // one listens on and the kernel then splits the requests between them (issue 10). Only
  // SO_REUSEADDR: a restart may reuse a port in TIME_WAIT, a live listener makes bind fail.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host_);
  } else {
    port_ = server_->bind_to_port(host_, port) ? port : -1;
  }
  if (port_ < 0) {
    int err = errno;
    if (err == EADDRINUSE || (port != 0 && SomethingListensOn(host_, port))) {
      return FailedPrecondition("cannot listen on " + address +
                                ": another process listens there (is churnwatch already "
                                "running?); stop it or pick another address with --http");
    }
    return Unavailable("cannot listen on " + address + " (" + std::strerror(err) +
                       "; is the host an address of this machine?); pick another with --http");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the accept loop has marked itself running, so a
  // Stop() right after Start() (run failing fast, e.g. on topics not co-partitioned) would
  // leave the loop running and Stop()'s join hanging. Wait for the loop to be up.
  // Bounded: should the loop start and end at once, is_running() may never be seen true.
  for (int waited_ms = 0; !server_->is_running() && waited_ms < 5000; ++waited_ms)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The socket is bound and listening already: connections queue until the accept loop runs.
  return Status::Ok();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace churnwatch::http
