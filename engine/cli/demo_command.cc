// `churnwatch demo`: embedded broker + seeded generator + engine + HTTP, in one process.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/alerting_flags.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/config_loader.h"
#include "cli/engine_runner.h"
#include "common/calendar.h"
#include "common/clock.h"
#include "common/dashboard_link.h"
#include "demo/demo_generator.h"
#include "kafka/mock_broker.h"
#include "kafka/producer.h"

namespace churnwatch::cli {
namespace {

struct DemoCommandOptions {
  std::string http = "127.0.0.1:8080";
  int accounts = 300;
  uint64_t seed = 42;
  int partitions = 6;
  std::string state_dir;
  std::string write_dir;
  std::string now;
  AlertingFlags alerting;
};

// Writes the dataset as one NDJSON file per topic plus planted.csv (account, tier, owner,
// pattern) into `dir`.
Status WriteDataset(const demo::DemoDataset& data, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create " + dir + ": " + ec.message());
  std::map<std::string, std::ofstream> files;
  for (const auto& m : data.messages) {
    auto& out = files[m.topic];
    if (!out.is_open()) out.open(dir + "/" + m.topic + ".ndjson");
    out << m.json << "\n";
  }
  std::ofstream planted(dir + "/planted.csv");
  planted << "account_id,tier,owner_id,signal\n";
  for (const auto& a : data.accounts) {
    planted << a.account_id << "," << a.tier << "," << a.owner_id << ","
            << demo::PatternSignal(a.pattern) << "\n";
  }
  for (auto& [topic, out] : files) {
    if (!out) return IoError("cannot write " + dir + "/" + topic + ".ndjson");
  }
  return Status::Ok();
}

int RunDemo(const DemoCommandOptions& o) {
  SetupLogging("info");
  const auto& stop = InstallShutdownHandlers();
  demo::DemoOptions gen;
  gen.seed = o.seed;
  gen.accounts = o.accounts;
  gen.now = SystemClock::Instance().Now();
  if (!o.now.empty()) {
    auto t = ParseRfc3339(o.now);
    if (!t.ok()) return Fail("demo", InvalidArgument("--now: " + t.status().message()));
    gen.now = *t;
  }
  if (Status s = demo::ValidateDemoOptions(gen); !s.ok()) return Fail("demo", s);

  if (!o.write_dir.empty()) {
    demo::DemoDataset data = demo::GenerateDemo(gen);
    if (Status s = WriteDataset(data, o.write_dir); !s.ok()) return Fail("demo", s);
    std::cout << "wrote " << data.messages.size() << " events of " << data.accounts.size()
              << " accounts to " << o.write_dir
              << " (orders/service/contacts/accounts.ndjson, planted.csv)" << std::endl;
    return kExitOk;
  }
  std::vector<kafka::TopicSpec> topics;
  for (const char* t : {"orders", "service", "contacts", "accounts", "alerts", "deadletter"}) {
    topics.push_back({t, o.partitions});
  }
  auto broker = kafka::MockBroker::Start(1, topics);
  if (!broker.ok()) return Fail("demo", broker.status());

  spdlog::info("generating {} accounts (seed {})", o.accounts, o.seed);
  demo::DemoDataset data = demo::GenerateDemo(gen);
  auto producer = kafka::Producer::Create((*broker)->bootstrap());
  if (!producer.ok()) return Fail("demo", producer.status());
  for (const auto& m : data.messages) {
    if (Status s = (*producer)->Send(m.topic, m.key, m.json); !s.ok()) return Fail("demo", s);
  }
  if (Status s = (*producer)->Flush(60'000); !s.ok()) return Fail("demo", s);
  spdlog::info("produced {} events into the embedded broker at {}", data.messages.size(),
               (*broker)->bootstrap());

  std::string state_dir = o.state_dir;
  bool temporary = state_dir.empty();
  if (temporary) {
    state_dir =
        (std::filesystem::temp_directory_path() / ("churnwatch-demo-" + std::to_string(getpid())))
            .string();
  }
  ingest::EngineConfig config;
  config.bootstrap = (*broker)->bootstrap();
  config.group = "churnwatch-demo";
  config.state_dir = state_dir;
  config.http = o.http;
  config.kafka_properties["session.timeout.ms"] = "6000";
  ResolveDefaultRulesPath(&config);
  config.evaluation.interval_micros =
      60 * kMicrosPerSecond;  // alerts within a minute of live events
  if (Status s = ApplyAlertingFlags(o.alerting, &config); !s.ok()) return Fail("demo", s);
  EngineRunner runner(&SystemClock::Instance());
  Status started = runner.Start(config);
  if (!started.ok()) return Fail("demo", started);

  std::string base = "http://" + runner.http_address();
  std::cout << "http=" << runner.http_address() << "\n\n"
            << "churnwatch demo is running (Ctrl-C stops it)\n"
            << "  Kafka bootstrap   " << (*broker)->bootstrap()
            << "   (try: churnwatch consume --bootstrap " << (*broker)->bootstrap()
            << " --topic orders --from-beginning --max 3)\n"
            << "  dashboard         " << base << "/\n"
            << "  readiness         " << base << "/readyz\n"
            << "  metrics           " << base << "/metrics\n";
  std::map<demo::Pattern, const demo::DemoAccount*> examples;
  for (const auto& a : data.accounts) examples.try_emplace(a.pattern, &a);
  // The dashboard page is what a person opens; the API path is beside it for scripts.
  std::cout << "  accounts (one per planted pattern: dashboard page, API):\n";
  for (const auto& [pattern, account] : examples) {
    std::cout << "    " << demo::PatternSignal(pattern)
              << std::string(22 - std::string(demo::PatternSignal(pattern)).size(), ' ')
              << DashboardAccountLink(base, account->account_id) << "   " << base
              << "/api/v1/accounts/" << account->account_id << "\n";
  }
  std::cout << std::endl;
  Status result = runner.Run(stop);
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir, ec);
  }
  if (!result.ok()) return Fail("demo", result);
  return kExitOk;
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<DemoCommandOptions>();
  CLI::App* cmd = app.add_subcommand("demo",
                                     "Everything in one process: an embedded Kafka broker, a "
                                     "seeded generator of realistic key accounts\n"
                                     "(a few hundred across all tiers, most healthy, some drifting "
                                     "into each loss pattern over the last\n"
                                     "quarters), the engine and its HTTP server. Prints the URLs "
                                     "to open. Ctrl-C stops it cleanly.");
  cmd->add_option("--http", opts->http, "HTTP listen address HOST:PORT (port 0 = any free port)")
      ->default_val("127.0.0.1:8080");
  cmd->add_option("--accounts", opts->accounts, "Number of generated accounts (1-9999)")
      ->default_val(300);
  cmd->add_option("--seed", opts->seed, "Generator seed (same seed, same accounts)")
      ->default_val(42);
  cmd->add_option("--partitions", opts->partitions, "Partitions per topic of the embedded broker")
      ->default_val(6);
  cmd->add_option("--state-dir", opts->state_dir,
                  "Keep the state here (default: a temporary directory removed at exit)");
  cmd->add_option("--write", opts->write_dir,
                  "Only write the generated events as NDJSON per topic (and planted.csv) into this "
                  "directory, then exit");
  cmd->add_option("--now", opts->now,
                  "End the generated history at this RFC 3339 instant (default: now)");
  AddAlertingFlags(cmd, &opts->alerting);
  cmd->callback([opts, exit_code] { *exit_code = RunDemo(*opts); });
}

}  // namespace churnwatch::cli
