// `churnwatch run`: the engine.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/alerting_flags.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/config_loader.h"
#include "cli/engine_runner.h"
#include "clv/params_file.h"
#include "common/calendar.h"
#include "common/clock.h"
#include "http/http_server.h"
#include "kafka/client_config.h"
#include "model/risk_model_file.h"
#include "pyramid/pyramid_params_file.h"
#include "rules/rule_loader.h"

namespace churnwatch::cli {
namespace {

struct RunOptions {
  std::string config_file;
  std::string bootstrap, group, state_dir, http, time_zone, rules, as_of, clv_params,
      pyramid_params, model, log_level = "info", log_format = "text";
  bool check = false;
  std::vector<std::string> properties;
  AlertingFlags alerting;
};

int RunEngine(const RunOptions& o) {
  SetupLogging(o.log_level, o.log_format);
  ingest::EngineConfig config;
  if (!o.config_file.empty()) {
    Status s = ApplyConfigFile(o.config_file, &config);
    if (!s.ok()) return Fail("run", s);
  }
  if (Status s = ApplyEnvironment(&config); !s.ok()) return Fail("run", s);
  if (!o.bootstrap.empty()) config.bootstrap = o.bootstrap;
  if (!o.group.empty()) config.group = o.group;
  if (!o.state_dir.empty()) config.state_dir = o.state_dir;
  if (!o.http.empty()) config.http = o.http;
  if (!o.time_zone.empty()) config.time_zone = o.time_zone;
  if (!o.rules.empty()) {
    config.rules_path = o.rules;
    config.rules_path_explicit = true;
  }
  if (!o.pyramid_params.empty()) {
    auto params = pyramid::LoadPyramidParams(o.pyramid_params);
    if (!params.ok())
      return Fail("run", InvalidArgument("--pyramid-params: " + params.status().message()));
    config.evaluation.alert.pyramid =
        std::make_shared<const pyramid::PyramidParams>(std::move(*params));
  }
  if (!o.clv_params.empty()) {
    auto params = clv::LoadParams(o.clv_params);
    if (!params.ok())
      return Fail("run", InvalidArgument("--clv-params: " + params.status().message()));
    config.evaluation.alert.clv = *params;
  }
  if (!o.model.empty()) {
    auto loaded = model::LoadSharedRiskModel(o.model);
    if (!loaded.ok()) return Fail("run", InvalidArgument("--model: " + loaded.status().message()));
    config.evaluation.alert.risk_model = *loaded;
  }
  ResolveDefaultRulesPath(&config);
  if (Status s = ApplyAlertingFlags(o.alerting, &config); !s.ok()) return Fail("run", s);
  for (const auto& p : o.properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return Fail("run", InvalidArgument("-X " + p + ": expected KEY=VALUE"));
    config.kafka_properties[p.substr(0, eq)] = p.substr(eq + 1);
  }
  if (o.check) {
    // Validate everything that can be validated without a broker, then say what would run:
    // what `run` would refuse, --check refuses (the listen address, librdkafka's properties).
    if (Status s = config.Validate(); !s.ok()) return Fail("run", s);
    std::string host;
    int port = 0;
    if (Status s = http::ParseListenAddress(config.http, &host, &port); !s.ok())
      return Fail("run", s);
    if (Status s = kafka::CheckClientProperties(config.kafka_properties); !s.ok())
      return Fail("run", s);
    auto loaded = rules::LoadRules(config.rules_path);
    if (!loaded.problems.empty()) {
      return Fail("run", InvalidArgument("rules: " + loaded.problems[0].ToString()));
    }
    std::cout << "config ok: bootstrap " << config.bootstrap << ", group " << config.group
              << ", state " << config.state_dir << ", http " << config.http << ", zone "
              << config.time_zone << ", " << loaded.set.rules.size() << " rules from "
              << config.rules_path << " (version " << loaded.set.version << "), "
              << config.notify.alertmanager_urls.size() << " Alertmanager URL(s), API writes "
              << (config.http_token.empty() ? "disabled (no token)" : "need the token")
              << std::endl;
    return kExitOk;
  }
  std::unique_ptr<ManualClock> frozen;
  if (!o.as_of.empty()) {
    auto t = ParseRfc3339(o.as_of);
    if (!t.ok()) return Fail("run", InvalidArgument("--as-of: " + t.status().message()));
    frozen = std::make_unique<ManualClock>(*t);
  }
  const auto& stop = InstallShutdownHandlers();
  EngineRunner runner(frozen ? static_cast<const Clock*>(frozen.get()) : &SystemClock::Instance());
  Status started = runner.Start(config);
  if (!started.ok()) return Fail("run", started);
  std::cout << "http=" << runner.http_address() << std::endl;
  runner.OnReloadSignal();
  spdlog::info("churnwatch running: http://{}/ (metrics /metrics, ready /readyz); state in {}",
               runner.http_address(), config.state_dir);
  Status result = runner.Run(stop);
  if (!result.ok()) return Fail("run", result);
  spdlog::info("stopped cleanly");
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run the engine: join the consumer group, consume the input topics into per-partition state\n"
      "stores and serve HTTP. Settings come from defaults, then --config, then CHURNWATCH_* "
      "variables,\n"
      "then flags. Prints `http=HOST:PORT` as its first stdout line. SIGTERM/SIGINT: finish the "
      "batch,\n"
      "flush, commit, exit 0. Exit 2: bad configuration or topics not co-partitioned; 1: runtime "
      "failure.");
  cmd->add_option("--config", opts->config_file, "YAML config file (see README: Configuration)");
  cmd->add_option("--bootstrap", opts->bootstrap,
                  "Kafka bootstrap servers HOST:PORT[,...] (env CHURNWATCH_BOOTSTRAP)");
  cmd->add_option("--group", opts->group, "Consumer group id (default churnwatch)");
  cmd->add_option("--state-dir", opts->state_dir,
                  "Directory of the partition stores (default ./churnwatch-state)");
  cmd->add_option("--http", opts->http,
                  "HTTP listen address HOST:PORT (default 127.0.0.1:8080; port 0 = any free)");
  cmd->add_option("--time-zone", opts->time_zone,
                  "Zone of calendar months and quarters (default Asia/Shanghai)");
  cmd->add_option("-X,--kafka-property", opts->properties,
                  "librdkafka property KEY=VALUE for every client (repeatable), e.g. -X "
                  "session.timeout.ms=6000");
  cmd->add_option("--rules", opts->rules,
                  "Rule file or directory (default ./rules; reloaded on SIGHUP and on change)");
  cmd->add_option("--pyramid-params", opts->pyramid_params,
                  "Customer pyramid cut points written by `churnwatch pyramid fit` (config "
                  "pyramid.params): features rfm_r, rfm_f, rfm_m, value_segment, suggested_tier; "
                  "NaN without");
  cmd->add_option("--clv-params", opts->clv_params,
                  "BG/NBD parameters file written by `churnwatch fit` (config clv.params); behind "
                  "the p_alive features. Default: the CDNOW master fit");
  cmd->add_option("--model", opts->model,
                  "Risk model file written by `churnwatch train` (config model.path): feature "
                  "churn_risk and\nrule churn_risk_high. Without one churn_risk is NaN and that "
                  "rule never fires");
  cmd->add_option(
      "--as-of", opts->as_of,
      "Act as if the wall clock stood at this RFC 3339 instant (replays and reproducible tests)");
  AddAlertingFlags(cmd, &opts->alerting);
  cmd->add_flag("--check", opts->check,
                "Validate the configuration and rules, print the effective settings and exit (no "
                "broker needed)");
  cmd->add_option("--log-level", opts->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->default_val("info");
  cmd->add_option("--log-format", opts->log_format,
                  "text (local time with UTC offset) or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_val("text");
  cmd->callback([opts, exit_code] { *exit_code = RunEngine(*opts); });
}

}  // namespace churnwatch::cli
