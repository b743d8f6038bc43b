// The churnwatch subcommands. Each Add*Command registers its flags and help on `app`; when the
// subcommand is chosen, its body runs and stores the process exit code in *exit_code.
#pragma once

namespace CLI {
class App;
}

namespace churnwatch::cli {

void AddBrokerCommand(CLI::App& app, int* exit_code);
void AddProduceCommand(CLI::App& app, int* exit_code);
void AddConsumeCommand(CLI::App& app, int* exit_code);
void AddRunCommand(CLI::App& app, int* exit_code);
void AddDemoCommand(CLI::App& app, int* exit_code);
void AddRulesCommand(CLI::App& app, int* exit_code);
void AddImportCommand(CLI::App& app, int* exit_code);
void AddLabelCommand(CLI::App& app, int* exit_code);
void AddFitCommand(CLI::App& app, int* exit_code);
void AddBacktestCommand(CLI::App& app, int* exit_code);
void AddTrainCommand(CLI::App& app, int* exit_code);
void AddReportCommand(CLI::App& app, int* exit_code);
void AddPyramidCommand(CLI::App& app, int* exit_code);

}  // namespace churnwatch::cli
