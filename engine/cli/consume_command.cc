// `churnwatch consume`: print a topic's messages as JSON lines.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "churnwatch/v1/alert.pb.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "events/event_decoder.h"
#include "events/proto_json.h"
#include "kafka/group_consumer.h"

namespace churnwatch::cli {
namespace {

using nlohmann::json;

struct ConsumeOptions {
  std::string bootstrap;
  std::string topic;
  std::string schema;
  bool from_beginning = false;
  double idle_exit = 0;
  int64_t max = 0;
  std::vector<std::string> properties;
};

class NoRebalance final : public kafka::RebalanceListener {
 public:
  Result<std::vector<int64_t>> OnAssigned(const std::vector<kafka::TopicPartition>& p) override {
    return std::vector<int64_t>(p.size(), kafka::kOffsetBeginning);
  }
  void OnRevoked(const std::vector<kafka::TopicPartition>&) override {}
};

bool IsUtf8Text(const std::string& s) {
  auto j = json(s);  // nlohmann validates UTF-8 on dump
  try {
    (void)j.dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

std::string Base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

json RawPayload(const std::string& payload) {
  auto parsed = json::parse(payload, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  if (IsUtf8Text(payload)) return payload;
  return json{{"base64", Base64(payload)}};
}

json Render(const kafka::ConsumedMessage& m, const std::string& schema, EventDecoder& decoder) {
  if (schema == "alerts") {
    v1::Alert alert;
    if (!m.payload.empty() && m.payload[0] == '{') return RawPayload(m.payload);
    if (alert.ParseFromString(m.payload)) return ProtoToJson(alert);
    return json{{"undecodable", true}, {"payload", RawPayload(m.payload)}};
  }
  if (schema == "deadletter") {
    json out = json::object();
    for (const auto& [k, v] : m.headers) {
      if (k == "source_partition" || k == "source_offset" || k == "payload_bytes") {
        out[k] = std::strtoll(v.c_str(), nullptr, 10);
      } else if (k == "payload_truncated") {
        out[k] = v == "true";
      } else {
        out[k] = IsUtf8Text(v) ? json(v) : json(Base64(v));
      }
    }
    out["key"] = IsUtf8Text(m.key) ? json(m.key) : json(Base64(m.key));
    out["payload"] = RawPayload(m.payload);
    return out;
  }
  auto kind = EventKindFromName(schema);
  if (kind.ok()) {
    Event event;
    if (!decoder.Decode(*kind, PayloadFormat::kAuto, m.payload, &event))
      return ProtoToJson(event.proto());
    return json{{"undecodable", true}, {"payload", RawPayload(m.payload)}};
  }
  return RawPayload(m.payload);
}

int RunConsume(const ConsumeOptions& o) {
  SetupLogging("warn");
  const auto& stop = InstallShutdownHandlers();
  kafka::ClientProperties props;
  for (const auto& p : o.properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return Fail("consume", InvalidArgument("-X " + p + ": expected KEY=VALUE"));
    props[p.substr(0, eq)] = p.substr(eq + 1);
  }
  NoRebalance listener;
  auto consumer = kafka::GroupConsumer::Create(o.bootstrap, "churnwatch-consume", props, &listener);
  if (!consumer.ok()) return Fail("consume", consumer.status());
  Status assigned = (*consumer)->AssignAll(o.topic, o.from_beginning, 15000);
  if (!assigned.ok()) return Fail("consume", assigned);
  std::string schema = o.schema.empty() ? o.topic : o.schema;
  EventDecoder decoder;
  std::vector<kafka::ConsumedMessage> batch;
  int64_t printed = 0;
  auto last_message = std::chrono::steady_clock::now();
  while (!stop.load()) {
    batch.clear();
    Status s = (*consumer)->Poll(1000, 100, &batch);
    if (!s.ok()) return Fail("consume", s);
    for (const auto& m : batch) {
      std::cout << Render(m, schema, decoder).dump(-1, ' ', false, json::error_handler_t::replace)
                << '\n';
      if (o.max > 0 && ++printed >= o.max) {
        std::cout.flush();
        return kExitOk;
      }
    }
    if (!batch.empty()) {
      std::cout.flush();
      last_message = std::chrono::steady_clock::now();
    } else if (o.idle_exit > 0 && std::chrono::steady_clock::now() - last_message >
                                      std::chrono::duration<double>(o.idle_exit)) {
      break;
    }
  }
  return kExitOk;
}

}  // namespace

void AddConsumeCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<ConsumeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "consume",
      "Print every message of a topic as one JSON line, decoded by the topic's schema:\n"
      "input topics as events, `alerts` as alerts, `deadletter` with its reason/source headers;\n"
      "other topics as their JSON (or text / base64). Reads all partitions, joins no group.");
  cmd->add_option("--bootstrap", opts->bootstrap, "Kafka bootstrap servers HOST:PORT[,...]")
      ->required();
  cmd->add_option("--topic", opts->topic, "Topic to read")->required();
  cmd->add_flag("--from-beginning", opts->from_beginning,
                "Start at the oldest message (default: only new ones)");
  cmd->add_option("--idle-exit", opts->idle_exit,
                  "Exit after this many SECONDS without a message (default: never)");
  cmd->add_option("--max", opts->max, "Exit after printing N messages");
  cmd->add_option("--schema", opts->schema,
                  "Decode as: orders|service|contacts|accounts|alerts|deadletter");
  cmd->add_option("-X,--kafka-property", opts->properties,
                  "librdkafka property KEY=VALUE (repeatable)");
  cmd->callback([opts, exit_code] { *exit_code = RunConsume(*opts); });
}

}  // namespace churnwatch::cli
