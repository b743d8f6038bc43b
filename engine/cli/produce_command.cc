// `churnwatch produce`: NDJSON events into a topic, keyed by account_id.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "events/event_decoder.h"
#include "events/event_validator.h"
#include "kafka/producer.h"

namespace churnwatch::cli {
namespace {

struct ProduceOptions {
  std::string bootstrap;
  std::string topic;
  std::string format = "json";
  std::string schema;
  std::string input = "-";
  std::vector<std::string> properties;
};

Result<kafka::ClientProperties> ParseProperties(const std::vector<std::string>& props) {
  kafka::ClientProperties out;
  for (const auto& p : props) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument("-X " + p + ": expected KEY=VALUE");
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

int RunProduce(const ProduceOptions& o) {
  SetupLogging("warn");
  if (o.format != "json" && o.format != "proto") {
    return Fail("produce",
                InvalidArgument("--format must be json or proto, got '" + o.format + "'"));
  }
  // The schema every line is checked against: the topic's, or --schema. A topic that is not
  // an input topic is refused without --schema: a mistyped `--topic order` would otherwise
  // create a topic nobody reads. `--schema none` sends JSON objects unchecked.
  std::optional<EventKind> kind;
  if (o.schema != "none") {
    auto by_name = EventKindFromName(o.schema.empty() ? o.topic : o.schema);
    if (by_name.ok()) {
      kind = *by_name;
    } else if (!o.schema.empty()) {
      return Fail("produce", InvalidArgument("--schema: " + by_name.status().message() +
                                             " (or none to send lines unchecked)"));
    } else {
      return Fail("produce", InvalidArgument("--topic " + o.topic +
                                             ": not an input topic (orders, service, contacts, "
                                             "accounts); pass --schema orders|service|contacts|"
                                             "accounts to check lines against one, or --schema "
                                             "none to send them unchecked"));
    }
  }
  if (o.format == "proto" && !kind) {
    return Fail("produce", InvalidArgument("--format proto needs a schema (not --schema none)"));
  }
  auto props = ParseProperties(o.properties);
  if (!props.ok()) return Fail("produce", props.status());
  auto producer = kafka::Producer::Create(o.bootstrap, *props);
  if (!producer.ok()) return Fail("produce", producer.status());

  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.input != "-") {
    file.open(o.input);
    if (!file) return Fail("produce", InvalidArgument("cannot read " + o.input));
    in = &file;
  }
  EventDecoder decoder;
  // The engine's checks with its default limits: what passes here is not dead-lettered there
  // (unless the engine's config is stricter).
  EventValidator validator(ValidationLimits{}, &SystemClock::Instance());
  Event event;
  std::string line;
  int64_t line_no = 0, queued = 0, bad = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string key, payload;
    if (kind) {
      // Decoding with the topic's schema catches mistakes here, before they reach Kafka.
      auto rej = decoder.Decode(*kind, PayloadFormat::kJson, line, &event);
      if (!rej) rej = validator.Validate(event, event.account_id());
      if (rej) {
        std::cerr << o.input << ":" << line_no << ": " << rej->detail << " ("
                  << RejectReasonName(rej->reason) << ", schema " << EventKindName(*kind)
                  << "); not sent\n";
        ++bad;
        continue;
      }
      key = std::string(event.account_id());
      payload = o.format == "proto" ? event.proto().SerializeAsString() : line;
    } else {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        std::cerr << o.input << ":" << line_no << ": not a JSON object; not sent\n";
        ++bad;
        continue;
      }
      if (j.contains("account_id") && j["account_id"].is_string())
        key = j["account_id"].get<std::string>();
      payload = line;
    }
    if (key.empty()) {
      std::cerr << o.input << ":" << line_no << ": no account_id to use as the key; not sent\n";
      ++bad;
      continue;
    }
    Status s = (*producer)->Send(o.topic, key, payload);
    if (!s.ok()) return Fail("produce", s);
    ++queued;
  }
  Status flushed = (*producer)->Flush(60'000);
  int64_t failed = (*producer)->failed();
  std::cout << "sent " << (queued - failed) << " messages to " << o.topic;
  if (bad + failed > 0)
    std::cout << " (" << bad << " lines rejected, " << failed << " deliveries failed)";
  std::cout << std::endl;
  if (!flushed.ok()) return Fail("produce", flushed);
  // Bad input is the user's to fix (2); lost deliveries are the environment's (1).
  return failed > 0 ? kExitRuntime : bad > 0 ? kExitUsage : kExitOk;
}

}  // namespace

void AddProduceCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<ProduceOptions>();
  CLI::App* cmd = app.add_subcommand(
      "produce",
      "Send NDJSON events (one JSON object per line) to a topic, keyed by their account_id.\n"
      "Every line is checked against the topic's schema (orders, service, contacts, accounts, or\n"
      "--schema for another topic name) as the engine would check it; lines that fail are\n"
      "reported with file:line and not sent. Any other topic needs --schema (none: unchecked).\n"
      "Prints how many were sent; exits 2 if any line was rejected, 1 if a delivery failed.");
  cmd->add_option("--bootstrap", opts->bootstrap, "Kafka bootstrap servers HOST:PORT[,...]")
      ->required();
  cmd->add_option("--topic", opts->topic, "Topic to send to")->required();
  cmd->add_option("--format", opts->format, "Payload encoding on the wire: json or proto")
      ->default_val("json");
  cmd->add_option("--schema", opts->schema,
                  "Event schema when the topic name is not one: orders|service|contacts|accounts, "
                  "or none (JSON objects, unchecked)");
  cmd->add_option("-X,--kafka-property", opts->properties,
                  "librdkafka property KEY=VALUE (repeatable)");
  cmd->add_option("input", opts->input, "NDJSON file, or - for standard input")->default_val("-");
  cmd->callback([opts, exit_code] { *exit_code = RunProduce(*opts); });
}

}  // namespace churnwatch::cli
