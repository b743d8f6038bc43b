// `churnwatch pyramid fit`: the customer pyramid's RFM cut points over a history, as of a day —
// the file `run --pyramid-params` (config pyramid.params) and `backtest --pyramid-params` read.
// The measures are the engine's own features (days_since_last_order, orders_365d, amount_12m)
// from a replay of the history up to that day, so the engine scores accounts exactly as fitted.
#include <CLI/CLI.hpp>
#include <iostream>

#include "backtest/backtest_runner.h"
#include "backtest/history_reader.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/replay_support.h"
#include "common/calendar.h"
#include "pyramid/customer_pyramid.h"
#include "pyramid/pyramid_params_file.h"
#include "rules/alert_lifecycle.h"

namespace churnwatch::cli {
namespace {

struct PyramidFitOptions {
  std::vector<std::string> events, industries;
  std::string as_of, out, time_zone = "Asia/Shanghai", state_dir;
  int partitions = 2;
};

int RunPyramidFit(const PyramidFitOptions& o) {
  const std::string cmd = "pyramid fit";
  auto cutoff = ParseReplayCutoff("--as-of", o.as_of, o.time_zone, o.partitions);
  if (!cutoff.ok()) return Fail(cmd, cutoff.status());
  pyramid::PyramidParams params;
  params.as_of = o.as_of;
  params.time_zone = o.time_zone;
  params.strategic_industries = o.industries;
  if (Status s = pyramid::CheckStrategicIndustries(o.industries); !s.ok())
    return Fail(cmd, InvalidArgument("--strategic-industry: " + s.message()));
  auto inputs = backtest::ResolveHistoryInputs(o.events);
  if (!inputs.ok()) return Fail(cmd, inputs.status());
  ReplayStateDir state;
  if (Status s = state.Prepare("--state-dir", o.state_dir, cmd); !s.ok()) return Fail(cmd, s);
  backtest::BacktestOptions bo =
      StateOnlyReplay(*inputs, cutoff->end, o.time_zone, o.partitions, state, cmd);
  std::vector<pyramid::RfmMeasures> portfolio;
  bo.at_end = [&](const state::AccountSnapshot& s, UnixMicros at, const Calendar& cal) {
    portfolio.push_back(
        pyramid::MeasuresOf(rules::AccountFeatures(s, at, cal, bo.evaluation.alert)));
    return Status::Ok();
  };
  auto run = backtest::RunBacktest(bo);
  if (!run.ok()) return Fail(cmd, run.status());
  auto cuts = pyramid::FitCutPoints(portfolio);
  if (!cuts.ok()) return Fail(cmd, InvalidArgument(cuts.status().message()));
  params.cuts = *cuts;
  std::cerr << "pyramid fit: " << cuts->accounts << " accounts with orders (of " << portfolio.size()
            << ") as of " << o.as_of << std::endl;
  if (Status s = WriteOutput(o.out, pyramid::FormatPyramidJson(params)); !s.ok())
    return Fail(cmd, s);
  return kExitOk;
}

}  // namespace

void AddPyramidCommand(CLI::App& app, int* exit_code) {
  CLI::App* group = app.add_subcommand("pyramid", "The customer pyramid (客户金字塔).");
  group->require_subcommand(1);
  auto opts = std::make_shared<PyramidFitOptions>();
  CLI::App* cmd = group->add_subcommand(
      "fit",
      "Fit the RFM quintile cut points of the customer pyramid over a history as of a day: "
      "recency\n(days since the last order), frequency (orders in 365 days) and monetary "
      "(amount in 12 months)\nof every account with orders, from the engine's own features "
      "after a replay up to --as-of.\nWrites the file `run --pyramid-params` (config "
      "pyramid.params) reads; without one the\nfeatures rfm_r, rfm_f, rfm_m, value_segment and "
      "suggested_tier are NaN.");
  cmd->add_option("--events", opts->events,
                  "History: NDJSON files ordered by occurred_at (as for backtest), or a directory")
      ->required();
  cmd->add_option("--as-of", opts->as_of,
                  "Last day (YYYY-MM-DD, inclusive) of the history measured; later events are "
                  "not read")
      ->required();
  cmd->add_option("--strategic-industry", opts->industries,
                  "An industry (the accounts topic's industry, ASCII case ignored) that counts "
                  "toward strategic fit;\nrepeatable");
  cmd->add_option("--out", opts->out, "Write the parameters here; default stdout");
  cmd->add_option("--time-zone", opts->time_zone, "The engine's time_zone (days, months)")
      ->default_val("Asia/Shanghai");
  AddStateOnlyReplayFlags(cmd, &opts->state_dir, &opts->partitions);
  cmd->callback([opts, exit_code] { *exit_code = RunPyramidFit(*opts); });
}

}  // namespace churnwatch::cli
