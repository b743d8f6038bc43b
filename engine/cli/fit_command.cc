// `churnwatch fit`: BG/NBD maximum-likelihood fit on a history's orders.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "backtest/history_reader.h"
#include "backtest/purchase_days.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "clv/bgnbd_fit.h"
#include "clv/customer_summary.h"
#include "clv/params_file.h"
#include "common/calendar.h"

namespace churnwatch::cli {
namespace {

struct FitOptions {
  std::vector<std::string> events;
  std::string calibration_end, time_unit = "week", out, time_zone = "Asia/Shanghai";
};

void PrintProgress(const char* what, uint64_t bytes, uint64_t total) {
  std::cerr << what << ": read " << (total ? 100 * bytes / total : 0) << "% of the history"
            << std::endl;
}

int RunFit(const FitOptions& o) {
  const std::string cmd = "fit";
  auto end = ParseDayFlag("--calibration-end", o.calibration_end);
  if (!end.ok()) return Fail(cmd, end.status());
  auto unit = clv::TimeUnitDays(o.time_unit);
  if (!unit.ok()) return Fail(cmd, InvalidArgument("--time-unit: " + unit.status().message()));
  auto calendar = Calendar::Load(o.time_zone);
  if (!calendar.ok())
    return Fail(cmd, InvalidArgument("--time-zone: " + calendar.status().message()));
  auto inputs = backtest::ResolveHistoryInputs(o.events);
  if (!inputs.ok()) return Fail(cmd, inputs.status());
  auto days = backtest::ReadPurchaseDays(
      *inputs, *calendar, [](uint64_t b, uint64_t t) { PrintProgress("fit", b, t); });
  if (!days.ok()) return Fail(cmd, days.status());
  std::vector<clv::CustomerSummary> customers;
  for (const auto& [account, list] : *days) {
    auto s = clv::Summarise(list, *end, *unit);
    if (s) customers.push_back(*s);
  }
  std::cerr << "fit: " << customers.size() << " customers with a first purchase by "
            << o.calibration_end << " (of " << days->size() << " in the history); fitting..."
            << std::endl;
  auto started = std::chrono::steady_clock::now();
  auto fit = clv::FitBgNbd(customers, *unit);
  if (!fit.ok()) return Fail(cmd, fit.status());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << std::setprecision(6) << "fit: r " << fit->params.r << ", alpha " << fit->params.alpha
            << ", a " << fit->params.a << ", b " << fit->params.b << ", log-likelihood "
            << std::setprecision(8) << fit->log_likelihood << " (" << fit->evaluations
            << " likelihood evaluations, " << std::setprecision(3) << seconds << " s)" << std::endl;
  if (Status s = WriteOutput(o.out, clv::FormatParamsJson(*fit, o.calibration_end)); !s.ok())
    return Fail(cmd, s);
  return kExitOk;
}

}  // namespace

void AddFitCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<FitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fit",
      "Fit the BG/NBD model (Fader, Hardie & Lee 2005) to the PLACED orders of a history by "
      "maximum\nlikelihood (NLopt). Each account is summarised by its distinct purchase days up "
      "to the calibration\nend: x = repeat purchase days, t_x = time of the last one and T = time "
      "to the calibration end,\nboth from its first purchase day. Writes JSON {r, alpha, a, b, "
      "log_likelihood, customers,\ntime_unit, calibration_end}: the file `run --clv-params` and "
      "`backtest --clv-params` read.");
  cmd->add_option("--events", opts->events,
                  "History files: orders.ndjson / *-orders.ndjson, orders:FILE, or a directory "
                  "(other topics are ignored)")
      ->required();
  cmd->add_option("--calibration-end", opts->calibration_end,
                  "Last day of the calibration period, YYYY-MM-DD (inclusive); later orders are "
                  "ignored")
      ->required();
  cmd->add_option("--time-unit", opts->time_unit,
                  "Unit of t_x and T, and of the rate alpha: week (the paper's) or day")
      ->default_val("week");
  cmd->add_option("--time-zone", opts->time_zone,
                  "Zone whose local days are purchase days (the engine's time_zone)")
      ->default_val("Asia/Shanghai");
  cmd->add_option("--out", opts->out, "Write the parameters here; default stdout");
  cmd->callback([opts, exit_code] { *exit_code = RunFit(*opts); });
}

}  // namespace churnwatch::cli
