// The HTTP API against hostile and malformed requests, on a real engine process: every error
// is JSON with a 4xx status, nothing crashes, and the engine keeps serving.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start(dir_.Sub("broker.log")));
    ASSERT_TRUE(WriteFile(
        dir_.Sub("accounts.ndjson"),
        R"({"event_id":"p1","account_id":"ACC-中文-1","occurred_at":"2026-01-05T00:00:00Z","name":"<script>alert(1)</script>","tier":"KEY"})"
        "\n"));
    ASSERT_TRUE(Produce(broker_.bootstrap(), "accounts", dir_.Sub("accounts.ndjson"), "json", 1,
                        dir_.Sub("produce.log")));
    ASSERT_TRUE(engine_.Start(
        {broker_.bootstrap(), "http-api", dir_.Sub("state"), dir_.Sub("engine.log"), {}}));
    ASSERT_TRUE(engine_.WaitReady(60s));
    ASSERT_TRUE(WaitUntil(
        [&] { return engine_.Get("/api/v1/accounts/ACC-%E4%B8%AD%E6%96%87-1").status == 200; }, 30s,
        "the account to be applied"));
  }

  // Asserts a JSON error with `status`.
  void ExpectJsonError(const HttpResponse& r, int status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << what << ": not JSON: " << r.body;
    EXPECT_TRUE(body.contains("error") && body["error"].is_string()) << what << ": " << r.body;
  }

  TempDir dir_;
  BrokerProcess broker_;
  EngineProcess engine_;
};

TEST_F(HttpApiTest, MalformedQueriesGetJsonErrors) {
  ExpectJsonError(engine_.Get("/api/v1/accounts/" + std::string(129, 'a')), 400,
                  "id longer than 128 bytes");
  ExpectJsonError(engine_.Get("/api/v1/accounts/ACC-unknown"), 404, "unknown account");
  ExpectJsonError(engine_.Get("/api/v1/accounts/%00abc"), 400, "NUL in the id");
  ExpectJsonError(engine_.Get("/api/v1/accounts/%ff%fe"), 400, "invalid UTF-8 in the id");
  ExpectJsonError(engine_.Get("/api/v1/alerts?state=bogus"), 400, "bad state filter");
  ExpectJsonError(engine_.Get("/api/v1/alerts?nope=1"), 400, "unknown alert filter");
  ExpectJsonError(engine_.Get("/api/v1/accounts?limit=0"), 400, "limit 0");
  ExpectJsonError(engine_.Get("/api/v1/accounts?limit=501"), 400, "limit above 500");
  ExpectJsonError(engine_.Get("/api/v1/accounts?limit=abc"), 400, "limit not a number");
  ExpectJsonError(engine_.Get("/api/v1/accounts?limit=99999999999999999999"), 400,
                  "limit overflow");
  ExpectJsonError(engine_.Get("/api/v1/accounts?cursor=-1"), 400, "negative cursor");
  ExpectJsonError(engine_.Get("/api/v1/accounts?sort=bogus"), 400, "unknown sort");
  ExpectJsonError(engine_.Get("/api/v1/accounts?bogus=1"), 400, "unknown parameter");
  ExpectJsonError(engine_.Get("/no/such/endpoint"), 404, "unknown endpoint");
  ExpectJsonError(engine_.Get("/api/v1/../../etc/passwd"), 404, "path traversal");
}

TEST_F(HttpApiTest, WrongMethodsAndOversizedBodiesAreRefused) {
  httplib::Client client("127.0.0.1", engine_.port());
  client.set_read_timeout(5, 0);
  auto post = client.Post("/api/v1/alerts", "{}", "application/json");
  ASSERT_TRUE(post);
  ExpectJsonError({post->status, post->body}, 404, "POST to a read-only endpoint");
  std::string big(2 << 20, 'x');
  auto huge = client.Post("/api/v1/alerts", big, "application/json");
  ASSERT_TRUE(huge);
  ExpectJsonError({huge->status, huge->body}, 413, "2 MiB body");
  auto del = client.Delete("/api/v1/accounts/ACC-%E4%B8%AD%E6%96%87-1");
  ASSERT_TRUE(del);
  ExpectJsonError({del->status, del->body}, 404, "DELETE");
  EXPECT_EQ(engine_.Get("/healthz").status, 200) << "still serving";
}

TEST_F(HttpApiTest, UpstreamTextComesBackAsDataAndListsPage) {
  auto one = engine_.Get("/api/v1/accounts/ACC-%E4%B8%AD%E6%96%87-1");
  ASSERT_EQ(one.status, 200) << one.body;
  json account = json::parse(one.body);
  EXPECT_EQ(account["account_id"], "ACC-中文-1");
  EXPECT_EQ(account["profile"]["name"], "<script>alert(1)</script>")
      << "stored and returned as text, unchanged";
  EXPECT_TRUE(account["health"].contains("score"));
  auto list = engine_.Get("/api/v1/accounts?sort=health&limit=1");
  ASSERT_EQ(list.status, 200) << list.body;
  json page = json::parse(list.body);
  ASSERT_EQ(page["accounts"].size(), 1u);
  EXPECT_EQ(page["accounts"][0]["account_id"], "ACC-中文-1");
  EXPECT_TRUE(page["next"].is_null()) << "one account: no next page";
  EXPECT_EQ(page["total"], 1);
}

TEST_F(HttpApiTest, DashboardIsServedWithAStrictContentSecurityPolicy) {
  httplib::Client client("127.0.0.1", engine_.port());
  client.set_read_timeout(5, 0);
  auto index = client.Get("/");
  ASSERT_TRUE(index);
  ASSERT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  std::string csp = index->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << "no unsafe-inline/eval: " << csp;
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(index->body.find("<script>"), std::string::npos) << "no inline script";
  EXPECT_EQ(index->body.find("http"), std::string::npos) << "nothing from another origin";
  for (const char* asset : {"/assets/app.js", "/assets/app.css", "/assets/dom.js",
                            "/assets/i18n.js", "/assets/api.js", "/assets/charts.js"}) {
    auto r = client.Get(asset);
    ASSERT_TRUE(r) << asset;
    EXPECT_EQ(r->status, 200) << asset;
    EXPECT_FALSE(r->body.empty()) << asset;
    std::string type = r->get_header_value("Content-Type");
    EXPECT_TRUE(
        type.starts_with(std::string(asset).ends_with(".css") ? "text/css" : "text/javascript"))
        << asset << ": " << type;
    // A revalidation with the ETag costs no body.
    auto again = client.Get(asset, {{"If-None-Match", r->get_header_value("ETag")}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304) << asset;
  }
}

TEST_F(HttpApiTest, NoCorsAndBoundedRequests) {
  httplib::Client client("127.0.0.1", engine_.port());
  client.set_read_timeout(5, 0);
  auto get = client.Get("/api/v1/accounts", {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_FALSE(get->has_header("Access-Control-Allow-Origin")) << "no CORS by default";
  auto preflight = client.Options("/api/v1/accounts", {{"Origin", "https://evil.example"},
                                                       {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(preflight);
  EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Methods"));

  auto long_uri = client.Get("/api/v1/accounts?q=" + std::string(9000, 'a'));
  ASSERT_TRUE(long_uri);
  EXPECT_EQ(long_uri->status, 414) << "request line above 8 KiB";
  ExpectJsonError(engine_.Get("/api/v1/accounts?q=" + std::string(129, 'a')), 400,
                  "q above 128 bytes");
  ExpectJsonError(engine_.Get("/api/v1/accounts?tier=key&tier=growth"), 400, "repeated filter");
  ExpectJsonError(engine_.Get("/api/v1/accounts?q=%ff"), 400, "q not UTF-8");
  EXPECT_EQ(engine_.Get("/healthz").status, 200) << "still serving";
}

TEST_F(HttpApiTest, AccountListFiltersSearchAndSort) {
  auto body = [&](const std::string& query) {
    auto r = engine_.Get("/api/v1/accounts?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  };
  EXPECT_EQ(body("q=script")["total"], 1) << "name substring";
  EXPECT_EQ(body("q=SCRIPT")["total"], 1) << "case-insensitive";
  EXPECT_EQ(body("q=%E4%B8%AD%E6%96%87")["total"], 1) << "id substring (UTF-8)";
  EXPECT_EQ(body("q=nomatch")["total"], 0);
  EXPECT_EQ(body("tier=KEY")["total"], 1);
  EXPECT_EQ(body("tier=growth")["total"], 0);
  json all = body("sort=name&order=desc");
  ASSERT_EQ(all["accounts"].size(), 1u);
  // Whatever fires for this account (rules may flag a profile without orders): the severity
  // and firing filters agree with the entry, and the counts with both.
  json worst = all["accounts"][0]["worst_severity"];
  std::string severity = worst.is_null() ? "none" : worst.get<std::string>();
  EXPECT_EQ(body("severity=" + severity)["total"], 1);
  EXPECT_EQ(body(severity == "critical" ? "severity=info" : "severity=critical")["total"], 0);
  EXPECT_EQ(body("firing=true")["total"], severity == "none" ? 0 : 1);
  EXPECT_EQ(body("firing=false")["total"], severity == "none" ? 1 : 0);
  EXPECT_EQ(all["counts"][severity], 1);
  EXPECT_EQ(all["facets"]["tiers"], json::array({"key"}));
  EXPECT_EQ(all["accounts"][0]["volume"].size(), 4u) << "four quarters";
}

TEST_F(HttpApiTest, TokenForReadsGuardsEveryApiReadButNotTheDashboardCode) {
  const std::string token = "reads-need-this-token";
  ASSERT_TRUE(WriteFile(dir_.Sub("reads.yaml"),
                        "http:\n  token: " + token + "\n  token_for_reads: true\n"));
  EngineProcess guarded;
  ASSERT_TRUE(guarded.Start({broker_.bootstrap(),
                             "http-api-reads",
                             dir_.Sub("state-reads"),
                             dir_.Sub("engine-reads.log"),
                             {"--config", dir_.Sub("reads.yaml")}}));
  ASSERT_TRUE(guarded.WaitReady(60s));
  httplib::Client client("127.0.0.1", guarded.port());
  client.set_read_timeout(5, 0);
  const httplib::Headers good = {{"Authorization", "Bearer " + token}};
  const httplib::Headers bad = {{"Authorization", "Bearer " + token + "x"}};
  for (const char* path : {"/api/v1/accounts", "/api/v1/alerts", "/api/v1/rules",
                           "/api/v1/accounts/ACC-%E4%B8%AD%E6%96%87-1", "/api/v1/alerts/stream",
                           "/api/v1/openapi.yaml"}) {
    for (const auto& headers : {httplib::Headers{}, bad}) {
      auto r = client.Get(path, headers);
      ASSERT_TRUE(r) << path;
      ExpectJsonError({r->status, r->body}, 401, std::string(path) + " without the right token");
    }
  }
  for (const char* path : {"/api/v1/accounts", "/api/v1/rules"}) {
    auto r = client.Get(path, good);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
  // The dashboard's code, health and metrics hold no customer data and stay public.
  for (const char* path : {"/", "/assets/app.js", "/healthz", "/readyz", "/metrics"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
}

TEST_F(HttpApiTest, AlertStreamsAreBoundedAndReleased) {
  // Four streams fill the cap (alert_stream.h: kMaxStreams); the fifth is refused with JSON.
  std::vector<std::unique_ptr<httplib::Client>> clients;
  std::vector<std::thread> streams;
  std::atomic<int> open{0};
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", engine_.port()));
    clients.back()->set_read_timeout(60, 0);
    streams.emplace_back([&, c = clients.back().get()] {
      bool counted = false;
      c->Get("/api/v1/alerts/stream", [&](const char*, size_t) {
        if (!counted) ++open;
        counted = true;
        return true;
      });
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return open == 4; }, 30s, "four streams open"));
  HttpResponse fifth = engine_.Get("/api/v1/alerts/stream");
  ExpectJsonError(fifth, 503, "a fifth stream");
  EXPECT_EQ(engine_.Get("/api/v1/rules").status, 200) << "the API still answers";
  for (auto& c : clients) c->stop();
  for (auto& t : streams) t.join();
  // Closed streams give their slots back (noticed at the next heartbeat at the latest).
  EXPECT_TRUE(WaitUntil(
      [&] {
        httplib::Client c("127.0.0.1", engine_.port());
        int status = 0;
        c.Get(
            "/api/v1/alerts/stream",
            [&](const httplib::Response& r) {
              status = r.status;
              return r.status == 200 ? true : false;
            },
            [](const char*, size_t) { return false; });
        return status == 200;
      },
      40s, "a stream slot to be free again"));
}

}  // namespace
}  // namespace churnwatch::test
