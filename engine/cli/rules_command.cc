// `churnwatch rules check|test|features`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <set>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/rule_test_runner.h"
#include "features/features.h"
#include "rules/builtin_kinds.h"
#include "rules/rule_loader.h"

namespace churnwatch::cli {

std::string FormatParam(double v);

namespace {

int RunCheck(const std::string& path, bool explain) {
  auto loaded = rules::LoadRules(path);
  for (const auto& p : loaded.problems) std::cerr << p.ToString() << "\n";
  if (!loaded.problems.empty()) {
    std::cerr << "churnwatch rules check: " << loaded.problems.size() << " problem(s) in " << path
              << std::endl;
    return kExitUsage;
  }
  std::set<std::string> signals;
  for (const auto& r : loaded.set.rules) {
    signals.insert(r.labels.at("signal"));
    if (explain) std::cout << r.id << " [" << r.labels.at("signal") << "] " << r.expr << "\n";
  }
  std::cout << "ok: " << loaded.set.rules.size() << " rules in " << loaded.set.files.size()
            << " file(s), " << signals.size() << " of " << rules::KnownSignals().size()
            << " signals covered, version " << loaded.set.version << std::endl;
  return kExitOk;
}

int RunTests(const std::vector<std::string>& files) {
  RuleTestSummary total;
  for (const auto& f : files) {
    auto s = RunRuleTestFile(f, std::cout);
    if (!s.ok()) return Fail("rules test", s.status());
    total.passed += s->passed;
    total.failed += s->failed;
  }
  std::cout << total.passed << " passed, " << total.failed << " failed" << std::endl;
  return total.failed == 0 ? kExitOk : kExitRuntime;
}

int RunFeatures() {
  std::cout << "| feature | unit | meaning |\n|---|---|---|\n";
  for (const auto& f : features::FeatureCatalog())
    std::cout << "| `" << f.name << "` | " << f.unit << " | " << f.meaning << " |\n";
  std::cout << "\nText fields for annotations and evidence:";
  for (const auto& t : features::TextFieldNames()) std::cout << " `" << t << "`";
  std::cout << "\n\n| kind | signal | expression | defaults |\n|---|---|---|---|\n";
  for (const auto& k : rules::BuiltinKinds()) {
    std::string defaults;
    for (const auto& [p, v] : k.params)
      defaults += (defaults.empty() ? "" : ", ") + p + "=" + FormatParam(v);
    std::cout << "| `" << k.name << "` | " << k.signal << " | `" << k.expr_template << "` | "
              << defaults << " |\n";
  }
  return kExitOk;
}

}  // namespace

std::string FormatParam(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void AddRulesCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("rules", "Validate, test and document rule files.");
  cmd->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto explain = std::make_shared<bool>(false);
  CLI::App* check = cmd->add_subcommand("check",
                                        "Validate rule files (a file or a directory of *.yaml). "
                                        "Prints every problem as FILE:LINE: reason\n"
                                        "and exits 2 if there is any; 0 and a summary otherwise.");
  check->add_option("path", *path, "Rule file or directory")->required();
  check->add_flag("--explain", *explain, "Print each rule's expression (built-in kinds expanded)");
  check->callback([path, explain, exit_code] { *exit_code = RunCheck(*path, *explain); });

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* test = cmd->add_subcommand("test",
                                       "Run rule unit tests (see rules/tests/*.yaml): input event "
                                       "series, evaluation times and the alerts\n"
                                       "expected then. Runs the engine's own code without Kafka. "
                                       "Exits 1 with a diff if a test fails.");
  test->add_option("files", *files, "Test files")->required();
  test->callback([files, exit_code] { *exit_code = RunTests(*files); });

  CLI::App* feats =
      cmd->add_subcommand("features", "Print the feature table and built-in kinds (Markdown).");
  feats->callback([exit_code] { *exit_code = RunFeatures(); });
}

}  // namespace churnwatch::cli
