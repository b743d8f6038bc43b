// Hostile command lines and config files: the CLI refuses them with the contract's exit codes
// (2 usage/config, 1 runtime) and one stderr line that names the problem (flag, file:line,
// field, topic counts). Also: every subcommand's --help exits 0 and mentions each of its flags.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/churnwatch_processes.h"
#include "support/temp_dir.h"

extern char** environ;

namespace churnwatch::test {
namespace {

using std::chrono::seconds;

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  }
  return out;
}

class CliErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    // Settings must come from the command line under test only.
    std::vector<std::string> names;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      std::string name = kv.substr(0, kv.find('='));
      if (name.rfind("CHURNWATCH_", 0) == 0 && name != "CHURNWATCH_BIN") names.push_back(name);
    }
    for (const auto& n : names) unsetenv(n.c_str());
    bin_ = ChurnwatchBin();
    ASSERT_FALSE(bin_.empty());
  }

  CommandResult Run(const std::vector<std::string>& args, seconds timeout = seconds(60)) {
    return RunCommand(bin_, args, dir_.Sub("stderr-" + std::to_string(++runs_) + ".log"), timeout);
  }

  // `run` with everything but what the test breaks.
  std::vector<std::string> RunArgs(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "run", "--group", "it-cli", "--state-dir", dir_.Sub("state"), "--http", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::string Config(const std::string& name, const std::string& text) {
    std::string path = dir_.Sub(name);
    WriteFile(path, text);
    return path;
  }

  // Exit code 2 and exactly one stderr line containing each of `needles`.
  void ExpectUsageError(const CommandResult& r, const std::vector<std::string>& needles) {
    EXPECT_EQ(r.exit_code, 2) << "stderr:\n" << r.err;
    std::vector<std::string> lines = NonEmptyLines(r.err);
    ASSERT_EQ(lines.size(), 1u) << "expected one stderr line, got:\n" << r.err;
    for (const auto& n : needles)
      EXPECT_NE(lines[0].find(n), std::string::npos) << n << " in: " << lines[0];
  }

  TempDir dir_;
  std::string bin_;
  int runs_ = 0;
};

TEST_F(CliErrors, RunWithoutBootstrapNamesTheFlag) {
  ExpectUsageError(Run(RunArgs({})), {"--bootstrap"});
}

TEST_F(CliErrors, ConfigUnknownKeyNamesFileAndLine) {
  std::string f = Config("unknown.yaml",
                         "kafka:\n"
                         "  group: it-cli\n"
                         "  bootstrp: 127.0.0.1:9\n");
  ExpectUsageError(Run(RunArgs({"--config", f, "--bootstrap", "127.0.0.1:9"})),
                   {f + ":3", "bootstrp"});
}

TEST_F(CliErrors, ConfigInvalidYamlNamesTheFile) {
  std::string f = Config("invalid.yaml",
                         "kafka:\n"
                         "  group: [it-cli\n"
                         "state: {dir: x\n");
  ExpectUsageError(Run(RunArgs({"--config", f, "--bootstrap", "127.0.0.1:9"})), {f});
}

TEST_F(CliErrors, ConfigBadDurationNamesFieldAndLine) {
  std::string f = Config("duration.yaml",
                         "state:\n"
                         "  dedup_window: 30 parsecs\n");
  ExpectUsageError(Run(RunArgs({"--config", f, "--bootstrap", "127.0.0.1:9"})),
                   {f + ":2", "dedup_window"});
}

TEST_F(CliErrors, AlertmanagerSettingsAreChecked) {
  std::string not_list = Config("am-list.yaml", "alertmanager:\n  urls: http://127.0.0.1:9093\n");
  ExpectUsageError(Run(RunArgs({"--config", not_list, "--bootstrap", "127.0.0.1:9"})),
                   {not_list + ":2", "alertmanager.urls"});
  ExpectUsageError(Run(RunArgs({"--alertmanager", "127.0.0.1:9093", "--bootstrap", "127.0.0.1:9"})),
                   {"127.0.0.1:9093", "http://"});
  ExpectUsageError(Run(RunArgs({"--alertmanager", "http://a:9093", "--alertmanager",
                                "http://a:9093", "--bootstrap", "127.0.0.1:9"})),
                   {"http://a:9093", "twice"});
  ExpectUsageError(Run(RunArgs({"--ack-timeout", "tomorrow", "--bootstrap", "127.0.0.1:9"})),
                   {"--ack-timeout"});
  std::string bad_key = Config("am-key.yaml", "alertmanager:\n  url: [http://a:9093]\n");
  ExpectUsageError(Run(RunArgs({"--config", bad_key, "--bootstrap", "127.0.0.1:9"})),
                   {bad_key + ":2", "'url'", "urls"});
  std::string retention = Config("history.yaml", "history: {retention: 1h}\n");
  ExpectUsageError(Run(RunArgs({"--config", retention, "--bootstrap", "127.0.0.1:9"})),
                   {"history.retention"});
}

TEST_F(CliErrors, WeakOrMissingTokensAreRefused) {
  std::string weak = Config("weak.yaml", "http: {token: secret}\n");
  ExpectUsageError(Run(RunArgs({"--config", weak, "--bootstrap", "127.0.0.1:9"})),
                   {"http.token", "16"});
  std::string reads = Config("reads.yaml", "http: {token_for_reads: true}\n");
  ExpectUsageError(Run(RunArgs({"--config", reads, "--bootstrap", "127.0.0.1:9"})),
                   {"token_for_reads"});
  ExpectUsageError(
      Run(RunArgs({"--http-token-file", dir_.Sub("no-such-file"), "--bootstrap", "127.0.0.1:9"})),
      {"--http-token-file", "no-such-file"});
}

TEST_F(CliErrors, BadTimeZoneNamesTimeZone) {
  std::string f = Config("zone.yaml", "time_zone: Mars/Olympus_Mons\n");
  ExpectUsageError(Run(RunArgs({"--config", f, "--bootstrap", "127.0.0.1:9"})),
                   {"time_zone", "Mars/Olympus_Mons"});
  ExpectUsageError(Run(RunArgs({"--time-zone", "Nowhere/Atlantis", "--bootstrap", "127.0.0.1:9"})),
                   {"time_zone", "Nowhere/Atlantis"});
}

TEST_F(CliErrors, HttpPortOutOfRange) {
  BrokerProcess broker;  // a reachable cluster, so only the address can be at fault
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  std::vector<std::string> args = {
      "run",    "--group",         "it-cli",      "--state-dir",     dir_.Sub("state"),
      "--http", "127.0.0.1:99999", "--bootstrap", broker.bootstrap()};
  CommandResult r = Run(args);
  EXPECT_EQ(r.exit_code, 2) << "stderr:\n" << r.err;
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("99999"), std::string::npos) << r.err;
}

// cpp-httplib's SO_REUSEPORT let a second engine share a busy port with the first, the kernel
// splitting requests between them: `run` and `demo` must refuse such an address instead.
TEST_F(CliErrors, HttpAddressAnotherProcessListensOnIsRefused) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  EngineProcess first;
  ASSERT_TRUE(first.Start({broker.bootstrap(),
                           "it-cli-first",
                           dir_.Sub("state-first"),
                           dir_.Sub("first.log"),
                           {},
                           {}}));
  const std::string busy = "127.0.0.1:" + std::to_string(first.port());
  ExpectUsageError(Run({"run", "--group", "it-cli", "--state-dir", dir_.Sub("state"), "--http",
                        busy, "--bootstrap", broker.bootstrap()}),
                   {busy, "another process"});
  CommandResult demo = Run({"demo", "--http", busy, "--accounts", "20"}, seconds(120));
  EXPECT_EQ(demo.exit_code, 2) << demo.err;
  std::vector<std::string> lines = NonEmptyLines(demo.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find(busy), std::string::npos) << demo.err;
  // The first engine still answers alone.
  EXPECT_EQ(first.Get("/healthz").status, 200);
  EXPECT_EQ(first.Stop(seconds(30)), 0);
}

TEST_F(CliErrors, UnknownFlag) {
  ExpectUsageError(Run({"run", "--bootstrap", "127.0.0.1:9", "--no-such-flag"}),
                   {"--no-such-flag"});
  ExpectUsageError(
      Run({"produce", "--bootstrap", "127.0.0.1:9", "--topic", "orders", "--frobnicate", "x"}),
      {"--frobnicate"});
}

TEST_F(CliErrors, UnknownSubcommandIsNamed) {
  ExpectUsageError(Run({"no-such-command"}), {"no-such-command"});
}

TEST_F(CliErrors, BrokerZeroPartitions) {
  ExpectUsageError(Run({"broker", "--partitions", "0"}), {"--partitions"});
}

TEST_F(CliErrors, RunRefusesTopicsThatAreNotCoPartitioned) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log"), {"--topic", "orders:3"}));
  CommandResult r = Run(RunArgs({"--bootstrap", broker.bootstrap()}));
  EXPECT_EQ(r.exit_code, 2) << "stderr:\n" << r.err;
  std::vector<std::string> lines = NonEmptyLines(r.err);
  ASSERT_FALSE(lines.empty());
  std::string line;  // the error line (librdkafka may log after it)
  for (const auto& l : lines) {
    if (l.find("co-partitioned") != std::string::npos) line = l;
  }
  EXPECT_NE(line.find("co-partitioned"), std::string::npos) << r.err;
  EXPECT_NE(line.find("orders=3"), std::string::npos) << r.err;
  EXPECT_NE(line.find("service=6"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.find("http=") == std::string::npos) << "it must not start serving: " << r.out;
}

TEST_F(CliErrors, ProduceReportsTheBadLineAndSendsTheRest) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  std::string file = dir_.Sub("orders.ndjson");
  WriteFile(
      file,
      R"({"event_id":"e1","account_id":"a1","occurred_at":"2026-05-01T00:00:00Z","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n"
      R"({"event_id":"e2","account_id":"a1","occurred_at":"2026-05-01T00:00:00Z","product_line":"P","quantity":"abc","status":"PLACED"})"
      "\n"
      R"({"event_id":"e3","account_id":"a1","occurred_at":"2026-05-01T00:00:00Z","product_line":"P","quantity":3,"status":"PLACED"})"
      "\n");
  CommandResult r = Run({"produce", "--bootstrap", broker.bootstrap(), "--topic", "orders", file});
  EXPECT_EQ(r.exit_code, 2) << "bad input is a usage error; stderr:\n" << r.err;
  EXPECT_NE(r.err.find(file + ":2"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(file + ":1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(file + ":3"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("sent 2 messages to orders"), std::string::npos) << r.out;

  std::vector<std::string> sent =
      ConsumeLines(broker.bootstrap(), "orders", 2, dir_.Sub("consume.log"));
  ASSERT_EQ(sent.size(), 2u);
  std::set<std::string> ids;
  for (const auto& l : sent) ids.insert(nlohmann::json::parse(l).value("event_id", ""));
  EXPECT_EQ(ids, (std::set<std::string>{"e1", "e3"}));
}

// Issue 15 defect 9: `run --check` passed what `run` refuses. Each is refused with exit 2 and
// a line naming it; a config reachable from other hosts needs a token.
TEST_F(CliErrors, RunCheckRefusesWhatRunRefuses) {
  auto check = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",         "--check",           "--bootstrap",
                                     "127.0.0.1:9", "--state-dir",       dir_.Sub("state"),
                                     "--rules",     CHURNWATCH_RULES_DIR};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  };
  CommandResult ok = check({"--http", "127.0.0.1:0"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("config ok"), std::string::npos) << ok.out;
  ExpectUsageError(check({"--http", "127.0.0.1:99999"}), {"99999"});
  ExpectUsageError(check({"-X", "nonsense.prop=1"}), {"nonsense.prop"});
  ExpectUsageError(check({"--log-level", "verbose"}), {"--log-level", "verbose"});
  ExpectUsageError(check({"--http", "0.0.0.0:8080"}), {"0.0.0.0:8080", "token"});
  CommandResult with_token = check(
      {"--http", "0.0.0.0:8080", "--http-token-file", Config("token", "0123456789abcdef0123\n")});
  EXPECT_EQ(with_token.exit_code, 0) << with_token.err;
}

// Issue 15 friction: log lines had no UTC offset and no JSON form. With --log-format json
// every stderr line of a running engine is one JSON object whose time carries its offset.
TEST_F(CliErrors, RunLogsJsonLinesWithTheUtcOffset) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  EngineProcess engine;
  ASSERT_TRUE(engine.Start({broker.bootstrap(),
                            "it-json-log",
                            dir_.Sub("state-json"),
                            dir_.Sub("engine-json.log"),
                            {"--log-format", "json"}}));
  ASSERT_TRUE(engine.WaitReady(seconds(60)));
  EXPECT_EQ(engine.Stop(seconds(30)), 0);
  std::vector<std::string> lines = NonEmptyLines(engine.process().Stderr());
  ASSERT_GE(lines.size(), 2u) << engine.process().Stderr();
  for (const auto& line : lines) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
    std::string time = j.value("time", "");
    ASSERT_GE(time.size(), 29u) << line;
    EXPECT_TRUE(time[23] == '+' || time[23] == '-') << "offset after the milliseconds: " << line;
    EXPECT_FALSE(j.value("level", "").empty()) << line;
    EXPECT_TRUE(j.contains("msg")) << line;
  }
  ExpectUsageError(Run(RunArgs({"--bootstrap", "127.0.0.1:9", "--log-format", "xml"})),
                   {"--log-format"});
}

// Issue 15 defect 8: an orders line sent to `--topic service` was "sent" (exit 0) and then
// dead-lettered by the engine; a mistyped `--topic order` was accepted. Lines are checked as
// the engine checks them; a topic that is not an input topic needs --schema.
TEST_F(CliErrors, ProduceChecksLinesAgainstTheTopicsSchemaAndRefusesUnknownTopics) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(dir_.Sub("broker.log")));
  std::string file = dir_.Sub("orders.ndjson");
  WriteFile(
      file,
      R"({"event_id":"e1","account_id":"a1","occurred_at":"2026-05-01T00:00:00Z","order_id":"o1","product_line":"P","quantity":1,"status":"PLACED"})"
      "\n");
  CommandResult wrong =
      Run({"produce", "--bootstrap", broker.bootstrap(), "--topic", "service", file});
  EXPECT_EQ(wrong.exit_code, 2) << "stderr:\n" << wrong.err;
  EXPECT_NE(wrong.err.find(file + ":1"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("schema service"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.out.find("sent 0 messages to service"), std::string::npos) << wrong.out;

  CommandResult typo =
      Run({"produce", "--bootstrap", broker.bootstrap(), "--topic", "order", file});
  EXPECT_EQ(typo.exit_code, 2) << "stderr:\n" << typo.err;
  std::vector<std::string> lines = NonEmptyLines(typo.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("--topic order: not an input topic"), std::string::npos) << typo.err;
  EXPECT_NE(lines.back().find("--schema"), std::string::npos) << typo.err;

  CommandResult with_schema = Run({"produce", "--bootstrap", broker.bootstrap(), "--topic",
                                   "orders-replay", "--schema", "orders", file});
  EXPECT_EQ(with_schema.exit_code, 0) << with_schema.err;
  EXPECT_NE(with_schema.out.find("sent 1 messages to orders-replay"), std::string::npos)
      << with_schema.out;
}

struct HelpCase {
  std::string command;
  std::vector<std::string> flags;
};
void PrintTo(const HelpCase& c, std::ostream* os) {
  *os << "churnwatch " << c.command << " --help";
}

class CliHelp : public CliErrors, public ::testing::WithParamInterface<HelpCase> {};

TEST_P(CliHelp, MentionsEveryFlag) {
  const HelpCase& c = GetParam();
  std::vector<std::string> args;
  if (!c.command.empty()) args.push_back(c.command);
  args.push_back("--help");
  CommandResult r = Run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const auto& flag : c.flags) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << c.command << " --help lacks " << flag << ":\n"
                                                   << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Subcommands, CliHelp,
    ::testing::Values(
        HelpCase{"", {"broker", "produce", "consume", "run"}},
        HelpCase{"broker", {"--brokers", "--partitions", "--topic", "--bootstrap-file"}},
        HelpCase{"produce", {"--bootstrap", "--topic", "--format", "--schema", "--kafka-property"}},
        HelpCase{
            "consume",
            {"--bootstrap", "--topic", "--from-beginning", "--idle-exit", "--max", "--schema"}},
        HelpCase{"run",
                 {"--config", "--bootstrap", "--group", "--state-dir", "--http", "--time-zone",
                  "--kafka-property", "--log-level", "--alertmanager", "--dashboard-url",
                  "--ack-timeout", "--resend-interval", "--http-token-file"}}),
    [](const ::testing::TestParamInfo<HelpCase>& info) {
      return info.param.command.empty() ? std::string("top_level") : info.param.command;
    });

}  // namespace
}  // namespace churnwatch::test
