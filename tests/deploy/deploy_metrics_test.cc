// The SRE files in deploy/ against a real engine: /metrics of `churnwatch demo` passes
// `promtool check metrics`, and every churnwatch_* metric the Grafana dashboard and the
// Prometheus alert rules query is one the engine exposes (no dead panels, no rule that can
// never fire because of a typo).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "support/churnwatch_processes.h"
#include "support/demo_suite.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kSource = CHURNWATCH_SOURCE_DIR;

// Metric names (churnwatch_*) mentioned in a PromQL expression.
std::set<std::string> MetricNames(const std::string& expr) {
  static const std::regex kName(R"(\bchurnwatch_[a-zA-Z0-9_]+)");
  std::set<std::string> out;
  for (std::sregex_iterator it(expr.begin(), expr.end(), kName), end; it != end; ++it)
    out.insert(it->str());
  return out;
}

// Every "expr" and templating query in the dashboard JSON.
void CollectQueries(const json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if ((key == "expr" || key == "definition") && value.is_string()) out->push_back(value);
      CollectQueries(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) CollectQueries(v, out);
  }
}

class DeployMetricsTest : public DemoSuite {
 protected:
  static void SetUpTestSuite() {
    StartDemo(
        // An Alertmanager nobody listens on: the delivery metrics exist and count failures.
        {"--accounts", "40", "--seed", "11", "--alertmanager", "http://127.0.0.1:9"},
        [] {
          auto r = demo().Get("/metrics");
          if (r.status != 200) return false;
          Metrics m = ParseMetrics(r.body);
          text_ = r.body;
          return SumMetric(m, "churnwatch_events_applied_total") > 0 &&
                 CountSeries(m, "churnwatch_alerts_firing") > 0 &&
                 CountSeries(m, "churnwatch_consumer_lag") > 0 &&
                 SumMetric(m, "churnwatch_alertmanager_notifications_failed_total") > 0 &&
                 SumMetric(m, "churnwatch_apply_latency_seconds_count") > 0;
        },
        "demo applies events and raises alerts");
  }
  static void TearDownTestSuite() { StopDemo(); }

  // Names of every series the engine exposes.
  static std::set<std::string> Exposed() {
    std::set<std::string> names;
    for (const auto& [series, value] : ParseMetrics(text_)) names.insert(SeriesName(series));
    return names;
  }

  static std::string text_;
};

std::string DeployMetricsTest::text_;

TEST_F(DeployMetricsTest, PromtoolAcceptsTheMetricsText) {
  ASSERT_TRUE(WriteFile(dir().Sub("metrics.txt"), text_));
  CommandResult r = RunCommand(
      "/bin/sh", {"-c", std::string(PROMTOOL) + " check metrics < " + dir().Sub("metrics.txt")},
      dir().Sub("promtool.log"), 30s);
  EXPECT_EQ(r.exit_code, 0) << "promtool check metrics:\n" << r.out << r.err;
  EXPECT_EQ(r.out, "") << "lint problems";
}

TEST_F(DeployMetricsTest, EveryGrafanaPanelQueriesExposedMetrics) {
  std::ifstream in(kSource + "/deploy/grafana/dashboards/churnwatch-engine.json");
  ASSERT_TRUE(in) << "dashboard JSON missing";
  json dash = json::parse(in);
  std::set<std::string> exposed = Exposed();
  std::set<int> ids;
  int panels = 0;
  for (const auto& panel : dash.at("panels")) {
    EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "duplicate panel id";
    if (panel.at("type") == "row") continue;
    ++panels;
    ASSERT_TRUE(panel.contains("targets")) << panel["title"];
    EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
    for (const auto& t : panel["targets"]) {
      auto names = MetricNames(t.at("expr"));
      EXPECT_FALSE(names.empty()) << panel["title"] << ": " << t["expr"];
      for (const auto& n : names)
        EXPECT_TRUE(exposed.count(n)) << "panel '" << panel["title"].get<std::string>()
                                      << "' queries " << n << ", which /metrics does not have";
    }
  }
  EXPECT_GE(panels, 12);
  std::vector<std::string> queries;
  CollectQueries(dash, &queries);
  for (const auto& q : queries)
    for (const auto& n : MetricNames(q)) EXPECT_TRUE(exposed.count(n)) << q;
  // The SRE view the issue asks for: each of these appears in some panel.
  std::string all;
  for (const auto& q : queries) all += q + "\n";
  for (const char* m :
       {"churnwatch_events_applied_total", "churnwatch_consumer_lag",
        "churnwatch_apply_latency_seconds_bucket", "churnwatch_events_deadlettered_total",
        "churnwatch_store_size_bytes", "churnwatch_alerts_firing",
        "churnwatch_alertmanager_notifications_failed_total",
        "churnwatch_alertmanager_delivery_lag_seconds"})
    EXPECT_NE(all.find(m), std::string::npos) << "no panel shows " << m;
}

TEST_F(DeployMetricsTest, EveryAlertRuleQueriesExposedMetrics) {
  YAML::Node file = YAML::LoadFile(kSource + "/deploy/prometheus/churnwatch-rules.yml");
  std::set<std::string> exposed = Exposed();
  int rules = 0;
  for (const auto& group : file["groups"]) {
    for (const auto& rule : group["rules"]) {
      ++rules;
      std::string expr = rule["expr"].as<std::string>();
      for (const auto& n : MetricNames(expr))
        EXPECT_TRUE(exposed.count(n)) << rule["alert"].as<std::string>() << " queries " << n
                                      << ", which /metrics does not have";
    }
  }
  EXPECT_GE(rules, 6);
}

}  // namespace
}  // namespace churnwatch::test
