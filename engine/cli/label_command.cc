// `churnwatch label`: churn labels from a history, by the CDNOW README's rule.
#include <CLI/CLI.hpp>
#include <iostream>

#include "backtest/history_reader.h"
#include "backtest/labels.h"
#include "backtest/purchase_days.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "common/calendar.h"

namespace churnwatch::cli {
namespace {

struct LabelOptions {
  std::vector<std::string> events;
  std::string calibration_end, observation_end, out, time_zone = "Asia/Shanghai";
  int min_purchase_days = 2;
};

int RunLabel(const LabelOptions& o) {
  const std::string cmd = "label";
  backtest::LabelRule rule;
  auto end = ParseDayFlag("--calibration-end", o.calibration_end);
  if (!end.ok()) return Fail(cmd, end.status());
  rule.calibration_end = *end;
  if (!o.observation_end.empty()) {
    auto obs = ParseDayFlag("--observation-end", o.observation_end);
    if (!obs.ok()) return Fail(cmd, obs.status());
    if (*obs < *end)
      return Fail(cmd, InvalidArgument("--observation-end is before --calibration-end"));
    rule.observation_end = *obs;
  }
  if (o.min_purchase_days < 1)
    return Fail(cmd, InvalidArgument("--min-purchase-days must be at least 1"));
  rule.min_purchase_days = o.min_purchase_days;
  auto calendar = Calendar::Load(o.time_zone);
  if (!calendar.ok())
    return Fail(cmd, InvalidArgument("--time-zone: " + calendar.status().message()));
  auto inputs = backtest::ResolveHistoryInputs(o.events);
  if (!inputs.ok()) return Fail(cmd, inputs.status());
  auto days = backtest::ReadPurchaseDays(*inputs, *calendar, [](uint64_t b, uint64_t t) {
    std::cerr << "label: read " << (t ? 100 * b / t : 0) << "% of the history" << std::endl;
  });
  if (!days.ok()) return Fail(cmd, days.status());
  backtest::Labels labels = backtest::DeriveLabels(*days, rule);
  int churned = 0;
  for (const auto& [id, l] : labels.accounts) churned += l.churned ? 1 : 0;
  if (Status s = WriteOutput(o.out, backtest::FormatLabelsCsv(labels)); !s.ok())
    return Fail(cmd, s);
  std::cerr << "label: " << labels.accounts.size() << " of " << days->size()
            << " accounts labelled (>= " << rule.min_purchase_days << " purchase days by "
            << o.calibration_end << "), " << churned << " churned" << std::endl;
  return kExitOk;
}

}  // namespace

void AddLabelCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<LabelOptions>();
  CLI::App* cmd = app.add_subcommand(
      "label",
      "Derive churn labels from a history's PLACED orders (the CDNOW README's rule): an account "
      "with at\nleast --min-purchase-days distinct purchase days up to --calibration-end is "
      "labelled; it churned\nwhen it bought nothing after that day (up to --observation-end), "
      "and its churn date is its last\npurchase day. Writes CSV account_id,churned,churn_date "
      "(what backtest --labels reads).");
  cmd->add_option("--events", opts->events,
                  "History files: orders.ndjson / *-orders.ndjson, orders:FILE, or a directory")
      ->required();
  cmd->add_option("--calibration-end", opts->calibration_end,
                  "Last day of the calibration period, YYYY-MM-DD (CDNOW: 1997-09-30)")
      ->required();
  cmd->add_option("--observation-end", opts->observation_end,
                  "Ignore orders after this day, YYYY-MM-DD (default: none)");
  cmd->add_option("--min-purchase-days", opts->min_purchase_days,
                  "Distinct purchase days in calibration an account needs to be labelled")
      ->default_val(2);
  cmd->add_option("--time-zone", opts->time_zone,
                  "Zone whose local days are purchase days (the engine's time_zone)")
      ->default_val("Asia/Shanghai");
  cmd->add_option("--out", opts->out, "Write the CSV here; default stdout");
  cmd->callback([opts, exit_code] { *exit_code = RunLabel(*opts); });
}

}  // namespace churnwatch::cli
