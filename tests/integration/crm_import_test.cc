// `import csv --topic accounts|contacts|service` end to end with the real binary: the README's
// commands (deploy/examples/crm/import.sh) on the example exports there, their events produced
// with `churnwatch produce` (which validates every line with the engine's validator) into a real
// broker, applied by a real engine without a dead letter, and visible in the account API. Also:
// hostile rows and mappings exit 2 with FILE:LINE and the fix.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/churnwatch_processes.h"
#include "support/cli_test.h"
#include "support/temp_dir.h"

namespace churnwatch::test {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr int kLagSeries = 4 * 6;
const std::string kExamples = CHURNWATCH_EXAMPLES_DIR;

class CrmImport : public CliTest {
 protected:
  CommandResult Run(const std::vector<std::string>& args) {
    return CliTest::Run(args, seconds(120));
  }
};

size_t CountLines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

TEST_F(CrmImport, ExampleExportsImportProduceAndApplyWithoutDeadLetters) {
  struct Topic {
    std::string name;
    size_t events;
  };
  const std::vector<Topic> topics = {{"accounts", 3}, {"contacts", 6}, {"service", 7}};
  CommandResult r = RunCommand("/bin/bash", {kExamples + "/import.sh", bin_, dir_.path()},
                               dir_.Sub("import.log"), seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& t : topics) {
    EXPECT_NE(r.err.find("import csv: " + std::to_string(t.events) + " " + t.name +
                         " events for 3 accounts"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(CountLines(dir_.Sub(t.name + ".ndjson")), t.events) << t.name;
  }

  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log"), {"--partitions", "6"}));
  EngineProcess engine;
  ASSERT_TRUE(engine.Start(
      {broker.bootstrap(), "it-crm-import", dir_.Sub("state"), dir_.Sub("engine.log"), {}}));
  ASSERT_TRUE(engine.WaitReady(seconds(60)));
  double total = 0;
  for (const auto& t : topics) {
    ASSERT_TRUE(Produce(broker.bootstrap(), t.name, dir_.Sub(t.name + ".ndjson"), "json", t.events,
                        dir_.Sub("produce.log")));
    total += static_cast<double>(t.events);
  }
  ASSERT_TRUE(engine.WaitAllHandled(total, kLagSeries, seconds(90)));
  Metrics metrics = engine.ScrapeMetrics();
  for (const auto& t : topics) {
    EXPECT_EQ(SumMetric(metrics, "churnwatch_events_applied_total", {{"topic", t.name}}),
              static_cast<double>(t.events))
        << t.name;
  }
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_deadlettered_total"), 0);
  EXPECT_EQ(SumMetric(metrics, "churnwatch_events_duplicate_total"), 0);

  // What the engine made of them: the profile, the service month, the decision chain.
  HttpResponse acme = engine.Get("/api/v1/accounts/ACME-001");
  ASSERT_EQ(acme.status, 200) << acme.body;
  json a = json::parse(acme.body);
  EXPECT_EQ(a["profile"]["name"], "华东精密机械有限公司");
  EXPECT_EQ(a["profile"]["tier"], "STRATEGIC");
  EXPECT_EQ(a["profile"]["stage"], "STRATEGIC_PARTNER");
  EXPECT_EQ(a["profile"]["owner"]["id"], "E1001");
  EXPECT_EQ(a["profile"]["owner"]["email"], "wang.wei@example.com");
  EXPECT_EQ(a["profile"]["region"], "华东");
  json october;
  for (const auto& m : a["service"]["months"]) {
    if (m["month"] == "2026-10") october = m;
  }
  ASSERT_TRUE(october.is_object()) << a["service"].dump();
  EXPECT_EQ(october["tickets_opened"], 1);
  EXPECT_EQ(october["tickets_escalated"], 1);
  EXPECT_EQ(october["tickets_resolved"], 1);
  EXPECT_EQ(october["csat_count"], 1);
  EXPECT_EQ(october["csat_sum"], 2);
  bool cio_left = false;
  for (const auto& p : a["contacts"]["people"]) {
    if (p["contact_id"] == "P-77") {
      cio_left = true;
      EXPECT_EQ(p["role"], "DECISION_MAKER");
      EXPECT_EQ(p["level"], "EXECUTIVE");
      EXPECT_EQ(p["active"], false);
    }
  }
  EXPECT_TRUE(cio_left) << a["contacts"].dump();
  HttpResponse gamma = engine.Get("/api/v1/accounts/GAMMA-003");
  ASSERT_EQ(gamma.status, 200) << gamma.body;
  EXPECT_EQ(json::parse(gamma.body)["profile"]["name"], "伽马 \"云\" 科技");
  EXPECT_EQ(engine.Stop(seconds(30)), 0);
}

TEST_F(CrmImport, HostileRowsAndMappingsExitTwoWithFileLine) {
  const std::string file = Write("desk.csv",
                                 "Ticket ID,Organization,Created,Event,Priority,CSAT,NPS\n"
                                 "T-1,ACME-001,2026-10-02,New,Urgent,,\n"
                                 "T-2,ACME-001,2026-10-02,投诉,,,\n"
                                 "T-3,ACME-001,02/10/2026,New,,,\n"
                                 "T-4,ACME-001,2026-10-02,Survey,,9,\n");
  // clang-format off
  CommandResult r = Run({"import", "csv", file, "--topic", "service", "--ticket-id", "Ticket ID",
                         "--account", "Organization", "--date", "Created", "--kind", "Event",
                         "--severity", "Priority", "--csat", "CSAT",
                         "--map", "kind=New:TICKET_OPENED", "--map", "severity=Urgent:CRITICAL",
                         "--out", dir_.Sub("never.ndjson")});
  // clang-format on
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string& needle :
       {file + ":3: kind '投诉' is not one of TICKET_OPENED, TICKET_RESOLVED, TICKET_ESCALATED, "
               "COMPLAINT, SLA_BREACHED, SURVEY; map it with --map kind=投诉:VALUE",
        file + ":4: date '02/10/2026' is not YYYY-MM-DD, YYYYMMDD or an RFC 3339 instant",
        file + ":5: csat '9' is not a whole number from 1 to 5",
        file + ": 3 bad rows (of 4); nothing written"}) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "' in: " << r.err;
  }
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 4)
      << "one line per bad row and the count";
  EXPECT_FALSE(std::ifstream(dir_.Sub("never.ndjson")).good()) << "nothing written";

  struct Usage {
    std::vector<std::string> extra;
    std::string needle;
  };
  for (const Usage& u : std::vector<Usage>{
           {{"--topic", "service", "--kind", "Event", "--quantity", "Qty"},
            "--quantity: not a column of --topic service"},
           {{"--topic", "service", "--kind", "Event", "--tier", "Priority"},
            "--tier is not a column of --topic service (it takes --ticket-id, --kind, "
            "--severity, --csat, --nps)"},
           {{"--topic", "service"}, "--kind is required for --topic service"},
           {{"--topic", "leads", "--kind", "Event"},
            "--topic 'leads' is not one of orders, accounts, contacts, service"},
           {{"--topic", "service", "--kind", "Event", "--map", "severity=Urgent:ASAP"},
            "--map 'severity=Urgent:ASAP': 'ASAP' is not a severity (one of LOW, MEDIUM, HIGH, "
            "CRITICAL)"},
           {{"--tier", "Priority"}, "--tier: not a column of --topic orders"},
       }) {
    std::vector<std::string> args = {"import",       "csv",    file,     "--account",
                                     "Organization", "--date", "Created"};
    args.insert(args.end(), u.extra.begin(), u.extra.end());
    CommandResult bad = Run(args);
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
    EXPECT_NE(bad.err.find(u.needle), std::string::npos)
        << "want '" << u.needle << "' in: " << bad.err;
  }
}

}  // namespace
}  // namespace churnwatch::test
