// `churnwatch broker`: the embedded Kafka broker as a standalone process.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "kafka/mock_broker.h"

namespace churnwatch::cli {
namespace {

struct BrokerOptions {
  int brokers = 1;
  int partitions = 6;
  std::vector<std::string> topics;
  std::string bootstrap_file;
};

const std::vector<std::string> kDefaultTopics = {"orders",   "service", "contacts",
                                                 "accounts", "alerts",  "deadletter"};

Result<kafka::TopicSpec> ParseTopicSpec(const std::string& spec, int default_partitions) {
  kafka::TopicSpec t{spec, default_partitions};
  auto colon = spec.rfind(':');
  if (colon != std::string::npos) {
    t.name = spec.substr(0, colon);
    std::string n = spec.substr(colon + 1);
    try {
      size_t used = 0;
      t.partitions = std::stoi(n, &used);
      if (used != n.size()) throw std::invalid_argument(n);
    } catch (const std::exception&) {
      return InvalidArgument("--topic " + spec + ": partition count '" + n + "' is not a number");
    }
  }
  return t;
}

int RunBroker(const BrokerOptions& o) {
  SetupLogging("info");
  if (o.partitions < 1 || o.partitions > 1000) {
    return Fail("broker", InvalidArgument("--partitions must be 1..1000, got " +
                                          std::to_string(o.partitions)));
  }
  std::vector<kafka::TopicSpec> topics;
  for (const auto& name : kDefaultTopics) topics.push_back({name, o.partitions});
  for (const auto& spec : o.topics) {
    auto t = ParseTopicSpec(spec, o.partitions);
    if (!t.ok()) return Fail("broker", t.status());
    bool replaced = false;
    for (auto& existing : topics) {
      if (existing.name == t->name) existing = *t, replaced = true;
    }
    if (!replaced) topics.push_back(*t);
  }
  const auto& stop = InstallShutdownHandlers();
  auto broker = kafka::MockBroker::Start(o.brokers, topics);
  if (!broker.ok()) return Fail("broker", broker.status());
  std::cout << "bootstrap=" << (*broker)->bootstrap() << std::endl;
  if (!o.bootstrap_file.empty()) {
    Status s = WriteFileAtomically(o.bootstrap_file, (*broker)->bootstrap() + "\n");
    if (!s.ok()) return Fail("broker", s);
  }
  std::string listing;
  for (const auto& t : topics)
    listing += (listing.empty() ? "" : ", ") + t.name + ":" + std::to_string(t.partitions);
  spdlog::info("mock Kafka cluster up ({} broker(s)); topics {}; Ctrl-C stops it", o.brokers,
               listing);
  (void)stop;
  WaitForShutdown();
  spdlog::info("broker stopped");
  return kExitOk;
}

}  // namespace

void AddBrokerCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<BrokerOptions>();
  CLI::App* cmd = app.add_subcommand(
      "broker",
      "Run a development Kafka broker (librdkafka's mock cluster: real Kafka protocol on "
      "loopback).\n"
      "Prints `bootstrap=HOST:PORT[,...]` as its first stdout line. Creates the topics orders, "
      "service,\n"
      "contacts, accounts, alerts and deadletter. Keeps only ~5 MiB per partition (older data is\n"
      "dropped), so it is for development and tests, not production. Runs until SIGTERM/SIGINT.");
  cmd->add_option("--brokers", opts->brokers, "Number of brokers in the cluster (1-16)")
      ->default_val(1);
  cmd->add_option("--partitions", opts->partitions, "Partitions of each default topic")
      ->default_val(6);
  cmd->add_option(
      "--topic", opts->topics,
      "Extra topic NAME or NAME:PARTITIONS (repeatable; also overrides a default topic's count)");
  cmd->add_option("--bootstrap-file", opts->bootstrap_file,
                  "Also write the bootstrap address to this file");
  cmd->callback([opts, exit_code] { *exit_code = RunBroker(*opts); });
}

}  // namespace churnwatch::cli
