// churnwatch — churn early-warning streaming engine for key accounts.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/cli_support.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace churnwatch::cli;
  CLI::App app{
      "churnwatch: churn early-warning engine for key accounts.\n"
      "Consumes order, service, contact and account events from Kafka, keeps per-account state\n"
      "in RocksDB and serves it over HTTP. Run `churnwatch demo` to see it work, or\n"
      "`churnwatch SUBCOMMAND --help` for one command."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "churnwatch 0.1.0");
  int exit_code = kExitOk;
  AddBrokerCommand(app, &exit_code);
  AddProduceCommand(app, &exit_code);
  AddConsumeCommand(app, &exit_code);
  AddRunCommand(app, &exit_code);
  AddDemoCommand(app, &exit_code);
  AddRulesCommand(app, &exit_code);
  AddImportCommand(app, &exit_code);
  AddLabelCommand(app, &exit_code);
  AddFitCommand(app, &exit_code);
  AddBacktestCommand(app, &exit_code);
  AddTrainCommand(app, &exit_code);
  AddPyramidCommand(app, &exit_code);
  AddReportCommand(app, &exit_code);
  // CLI11 reports an unknown first word as "a subcommand is required"; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;  // from the registered subcommands, so the list cannot go stale
    for (const auto* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::cerr << "churnwatch: unknown subcommand '" << argv[1] << "' (known: " << names
                << "; see churnwatch --help)" << std::endl;
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg) {
      if (c == '\n') c = ' ';
    }
    std::cerr << "churnwatch: " << msg << " (see churnwatch --help)" << std::endl;
    return kExitUsage;
  }
  return exit_code;
}
