// engine/http/openapi.yaml against a real server (`churnwatch demo`): every documented GET
// answers with a documented status and the documented required top-level fields (and those of
// the first list item), every documented bounded/enumerated query parameter is enforced with a
// 400 naming it, undocumented /api/v1 paths are 404 JSON, and the file the server serves is
// the one in the repository.
#include <gtest/gtest.h>
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "support/churnwatch_processes.h"
#include "support/demo_suite.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kToken = "openapi-test-token";
const std::string kSpecPath = std::string(CHURNWATCH_SOURCE_DIR) + "/engine/http/openapi.yaml";

std::string UrlEncode(const std::string& s) {
  std::ostringstream out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out << c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out << buf;
    }
  }
  return out.str();
}

class OpenApiTest : public DemoSuite {
 protected:
  static void SetUpTestSuite() {
    spec_ = YAML::LoadFile(kSpecPath);
    StartDemo({"--accounts", "40", "--seed", "3"},
              [] {
                auto r = demo().Get("/api/v1/alerts?state=firing");
                if (r.status != 200) return false;
                json alerts = json::parse(r.body, nullptr, false);
                if (alerts.is_discarded() || alerts["alerts"].empty()) return false;
                account_ = alerts["alerts"][0]["account_id"];
                return true;
              },
              "the demo to raise alerts", {{"CHURNWATCH_HTTP_TOKEN", kToken}});
  }
  static void TearDownTestSuite() { StopDemo(); }

  // GET `url` as an event stream: 200, text/event-stream, and a first event or comment.
  static void ExpectEventStream(const std::string& url) {
    httplib::Client client("127.0.0.1", demo().port());
    client.set_read_timeout(20, 0);
    std::string received, type;
    int status = -1;
    auto r = client.Get(
        url.c_str(),
        [&](const httplib::Response& res) {
          status = res.status;
          type = res.get_header_value("Content-Type");
          return true;
        },
        [&](const char* data, size_t n) {
          received.append(data, n);
          return received.find("\n\n") == std::string::npos;  // stop after the first block
        });
    EXPECT_EQ(status, 200) << url;
    EXPECT_EQ(type, "text/event-stream") << url;
    EXPECT_EQ(r.error(), httplib::Error::Canceled) << url << ": no first event";
    EXPECT_NE(received.find("\n\n"), std::string::npos) << received;
  }

  // Follows a local "$ref" ("#/components/schemas/X").
  static YAML::Node Resolve(YAML::Node node) {
    while (node["$ref"]) {
      std::string ref = node["$ref"].as<std::string>();
      std::istringstream parts(ref.substr(2));
      YAML::Node cur = YAML::Clone(spec_);
      std::string part;
      while (std::getline(parts, part, '/')) cur = YAML::Node(cur[part]);
      node = cur;
    }
    return node;
  }

  // The documented JSON schema of `status` for the operation; nullopt when not JSON.
  // A documented path with its parameters filled: {id} an account of the demo, {month} the
  // current month.
  static std::string FillPath(std::string path) {
    if (auto at = path.find("{id}"); at != std::string::npos)
      path.replace(at, 4, UrlEncode(account_));
    if (auto at = path.find("{month}"); at != std::string::npos) {
      std::time_t now = std::time(nullptr);
      char month[8];
      std::strftime(month, sizeof month, "%Y-%m", std::gmtime(&now));
      path.replace(at, 7, month);
    }
    return path;
  }

  static std::optional<YAML::Node> ResponseSchema(const YAML::Node& op, int status) {
    YAML::Node resp = op["responses"][std::to_string(status)];
    if (!resp) return std::nullopt;
    resp = Resolve(resp);
    if (!resp["content"] || !resp["content"]["application/json"]) return std::nullopt;
    return Resolve(resp["content"]["application/json"]["schema"]);
  }

  // Every field `schema` requires is in `body` (and, for arrays of objects, in the first item).
  static void ExpectConforms(const json& body, const YAML::Node& schema, const std::string& what) {
    if (!schema || !schema.IsMap()) return;
    const std::string type = schema["type"] ? schema["type"].as<std::string>() : "object";
    if (type == "string") {
      EXPECT_TRUE(body.is_string() || (body.is_null() && schema["nullable"])) << what;
      return;
    }
    if (type == "number") {
      EXPECT_TRUE(body.is_number() || (body.is_null() && schema["nullable"])) << what;
      return;
    }
    if (type == "integer" || type == "boolean") {
      EXPECT_TRUE(type == "integer" ? body.is_number_integer() : body.is_boolean()) << what;
      return;
    }
    if (type == "array") {
      ASSERT_TRUE(body.is_array()) << what;
      if (!body.empty()) ExpectConforms(body[0], Resolve(schema["items"]), what + "[0]");
      return;
    }
    if (body.is_null() && schema["nullable"] && schema["nullable"].as<bool>()) return;
    ASSERT_TRUE(body.is_object()) << what << " is not an object: " << body.dump().substr(0, 200);
    for (const auto& field : schema["required"]) {
      std::string name = field.as<std::string>();
      EXPECT_TRUE(body.contains(name)) << what << " lacks required field '" << name << "'";
    }
    if (!schema["properties"]) return;
    for (const auto& prop : schema["properties"]) {
      std::string name = prop.first.as<std::string>();
      if (!body.contains(name)) continue;
      ExpectConforms(body[name], Resolve(prop.second), what + "." + name);
    }
  }

  static std::string account_;
  static YAML::Node spec_;
};

std::string OpenApiTest::account_;
YAML::Node OpenApiTest::spec_;

TEST_F(OpenApiTest, EveryDocumentedGetAnswersAsDocumented) {
  int checked = 0;
  for (const auto& entry : spec_["paths"]) {
    std::string path = entry.first.as<std::string>();
    YAML::Node op = entry.second["get"];
    if (!op) continue;
    std::string url = FillPath(path);
    if (url.find('{') != std::string::npos) {
      ADD_FAILURE() << path << ": the test has no value for its path parameter";
      continue;
    }
    if (op["responses"]["200"]["content"]["text/event-stream"]) {
      ExpectEventStream(url);
      ++checked;
      continue;
    }
    HttpResponse r = demo().Get(url);
    ASSERT_TRUE(op["responses"][std::to_string(r.status)])
        << "GET " << url << " answered " << r.status << ", not documented: " << r.body;
    if (op["responses"]["200"]["content"]["text/html"]) {
      // A page with a JSON form: the page by default, the JSON (checked below) with format=json.
      EXPECT_EQ(r.body.rfind("<!DOCTYPE html>", 0), 0u) << "GET " << url;
      r = demo().Get(url + "?format=json");
      ASSERT_TRUE(op["responses"][std::to_string(r.status)])
          << "GET " << url << "?format=json answered " << r.status << ": " << r.body;
    }
    if (auto schema = ResponseSchema(op, r.status)) {
      json body = json::parse(r.body, nullptr, false);
      ASSERT_FALSE(body.is_discarded()) << "GET " << url << ": not JSON";
      ExpectConforms(body, *schema, "GET " + path);
    }
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_F(OpenApiTest, AcknowledgeAnswersAsDocumented) {
  YAML::Node op = spec_["paths"]["/api/v1/alerts/{id}/ack"]["post"];
  ASSERT_TRUE(op);
  auto alerts = json::parse(demo().Get("/api/v1/alerts?state=firing").body);
  ASSERT_FALSE(alerts["alerts"].empty());
  const std::string id = alerts["alerts"][0]["id"];
  httplib::Client client("127.0.0.1", demo().port());
  client.set_read_timeout(5, 0);
  const httplib::Headers auth = {{"Authorization", "Bearer " + kToken}};
  struct Case {
    std::string id, body;
    httplib::Headers headers;
    int status;
  } cases[] = {
      {id, R"({"by":"openapi"})", {}, 401},
      {id, R"({"by":"openapi"})", {{"Authorization", "Bearer wrong"}}, 401},
      {id, R"({"by":""})", auth, 400},
      {id, R"({"by":"x","extra":1})", auth, 400},
      {"no-such-alert", R"({"by":"openapi"})", auth, 404},
      {id, R"({"by":"openapi","note":"checked"})", auth, 200},
  };
  for (const auto& c : cases) {
    auto r = client.Post(("/api/v1/alerts/" + UrlEncode(c.id) + "/ack").c_str(), c.headers, c.body,
                         "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.body << ": " << r->body;
    ASSERT_TRUE(op["responses"][std::to_string(r->status)]) << r->status << " not documented";
    json body = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r->body;
    if (auto schema = ResponseSchema(op, r->status)) ExpectConforms(body, *schema, c.body);
  }
  // Marking a plan done: the acknowledgement above has none (409), a bad body is a 400.
  YAML::Node done_op = spec_["paths"]["/api/v1/alerts/{id}/plan/done"]["post"];
  ASSERT_TRUE(done_op);
  for (const auto& [body, status] : {std::pair<std::string, int>{R"({"by":"openapi"})", 409},
                                     std::pair<std::string, int>{R"({"by":"x","y":1})", 400}}) {
    auto r = client.Post(("/api/v1/alerts/" + UrlEncode(id) + "/plan/done").c_str(), auth, body,
                         "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << body << ": " << r->body;
    ASSERT_TRUE(done_op["responses"][std::to_string(r->status)]) << r->status << " not documented";
  }
}

TEST_F(OpenApiTest, ServesTheRepositoryFile) {
  std::ifstream in(kSpecPath);
  std::stringstream file;
  file << in.rdbuf();
  HttpResponse r = demo().Get("/api/v1/openapi.yaml");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, file.str());
}

TEST_F(OpenApiTest, DocumentedQueryBoundsAreEnforced) {
  int checked = 0;
  for (const auto& entry : spec_["paths"]) {
    YAML::Node op = entry.second["get"];
    if (!op || !op["parameters"]) continue;
    std::string path = FillPath(entry.first.as<std::string>());
    for (const auto& p : op["parameters"]) {
      if (p["in"].as<std::string>() != "query") continue;
      std::string name = p["name"].as<std::string>();
      YAML::Node s = p["schema"];
      std::vector<std::string> bad;
      if (s["maxLength"]) bad.push_back(std::string(s["maxLength"].as<size_t>() + 1, 'x'));
      if (s["enum"]) bad.push_back("not-a-documented-value");
      if (s["maximum"]) bad.push_back(std::to_string(s["maximum"].as<long>() + 1));
      if (s["minimum"]) bad.push_back(std::to_string(s["minimum"].as<long>() - 1));
      for (const auto& value : bad) {
        HttpResponse r = demo().Get(path + "?" + name + "=" + value);
        EXPECT_EQ(r.status, 400) << path << "?" << name << "=" << value.substr(0, 20);
        json body = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(body.is_object() && body.contains("error")) << r.body;
        EXPECT_NE(body["error"].get<std::string>().find(name), std::string::npos)
            << "the error names the parameter: " << body["error"];
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 10);
}

TEST_F(OpenApiTest, UndocumentedApiPathsAre404Json) {
  for (const char* path :
       {"/api/v1/nope", "/api/v1/account", "/api/v1/accounts/a/b/c", "/api/v2/accounts",
        "/api/v1/rules/extra", "/api/v1/", "/assets/../api/v1/rules", "/assets/nope.js"}) {
    HttpResponse r = demo().Get(path);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    json body = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error")) << path << ": " << r.body;
  }
}

}  // namespace
}  // namespace churnwatch::test
