// `churnwatch backtest`: replay a history through the engine's own code and score its alerts
// against churn labels.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

#include "backtest/backtest_runner.h"
#include "backtest/baselines.h"
#include "backtest/history_reader.h"
#include "backtest/labels.h"
#include "backtest/purchase_days.h"
#include "backtest/report.h"
#include "backtest/scoring.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/replay_support.h"
#include "clv/params_file.h"
#include "common/calendar.h"
#include "model/risk_model_file.h"
#include "pyramid/pyramid_params_file.h"
#include "rules/alert_lifecycle.h"
#include "rules/rule_loader.h"

namespace churnwatch::cli {
namespace {

struct BacktestCliOptions {
  std::vector<std::string> events;
  std::string labels, rules, format = "table", out, from, to, min_severity = "warning",
                             time_zone = "Asia/Shanghai", clv_params, pyramid_params, state_dir,
                             model;
  size_t batch_events = 1000;
  int partitions = 2;
};

int RunBacktestCommand(const BacktestCliOptions& o) {
  const std::string cmd = "backtest";
  if (o.format != "table" && o.format != "json" && o.format != "html")
    return Fail(cmd, InvalidArgument("--format " + o.format + ": expected table, json or html"));
  if (backtest::SeverityRank(o.min_severity) < 0)
    return Fail(cmd, InvalidArgument("--min-severity " + o.min_severity +
                                     ": expected info, warning or critical"));
  auto calendar = Calendar::Load(o.time_zone);
  if (!calendar.ok())
    return Fail(cmd, InvalidArgument("--time-zone: " + calendar.status().message()));
  backtest::BacktestOptions bo;
  bo.time_zone = o.time_zone;
  if (!o.from.empty()) {
    auto t = ParseBound("--from", o.from, *calendar, false);
    if (!t.ok()) return Fail(cmd, t.status());
    bo.from = *t;
  }
  if (!o.to.empty()) {
    auto t = ParseBound("--to", o.to, *calendar, true);
    if (!t.ok()) return Fail(cmd, t.status());
    bo.to = *t;
  }
  if (bo.from && bo.to && *bo.to <= *bo.from)
    return Fail(cmd, InvalidArgument("--to must be after --from"));
  auto inputs = backtest::ResolveHistoryInputs(o.events);
  if (!inputs.ok()) return Fail(cmd, inputs.status());
  bo.inputs = *inputs;
  auto labels = backtest::LoadLabels(o.labels);
  if (!labels.ok()) return Fail(cmd, labels.status());
  auto loaded = rules::LoadRules(o.rules);
  if (!loaded.problems.empty()) {
    // Every problem, as `rules check` prints them: fixing one at a time is a slow loop.
    for (const auto& p : loaded.problems)
      std::cerr << "churnwatch " << cmd << ": --rules: " << p.ToString() << "\n";
    return Fail(cmd, InvalidArgument("--rules: " + std::to_string(loaded.problems.size()) +
                                     " problem(s) in " + o.rules));
  }
  if (!o.pyramid_params.empty()) {
    auto params = pyramid::LoadPyramidParams(o.pyramid_params);
    if (!params.ok())
      return Fail(cmd, InvalidArgument("--pyramid-params: " + params.status().message()));
    bo.evaluation.alert.pyramid =
        std::make_shared<const pyramid::PyramidParams>(std::move(*params));
  }
  if (!o.clv_params.empty()) {
    auto params = clv::LoadParams(o.clv_params);
    if (!params.ok())
      return Fail(cmd, InvalidArgument("--clv-params: " + params.status().message()));
    bo.evaluation.alert.clv = *params;
  }
  // With a model: churn_risk of every account at the end, ranked against the labels.
  std::map<std::string, double> risk, recency;
  if (!o.model.empty()) {
    auto loaded = model::LoadSharedRiskModel(o.model);
    if (!loaded.ok()) return Fail(cmd, InvalidArgument("--model: " + loaded.status().message()));
    bo.evaluation.alert.risk_model = *loaded;
    bo.at_end = [&](const state::AccountSnapshot& s, UnixMicros to, const Calendar& cal) {
      if (!labels->accounts.count(s.account_id)) return Status::Ok();
      auto values = rules::AccountFeatures(s, to, cal, bo.evaluation.alert);
      risk[s.account_id] = values.Get("churn_risk");
      recency[s.account_id] = values.Get("days_since_last_order");
      return Status::Ok();
    };
  }
  backtest::ScoringOptions so;
  so.min_severity = o.min_severity;
  for (const auto& r : loaded.set.rules) so.rules[r.id] = {r.labels.at("signal"), r.for_micros};
  bo.rules = std::make_shared<const rules::RuleSet>(std::move(loaded.set));
  // The whole history's accounts stay in memory for evaluation: a backtest is one process
  // over one partition, and re-reading snapshots from the store is its largest cost.
  bo.evaluation.snapshot_cache_accounts = 1 << 17;

  ReplayStateDir state;
  if (Status s = state.Prepare("--state-dir", o.state_dir, cmd); !s.ok()) return Fail(cmd, s);
  bo.state_dir = state.path();
  if (o.batch_events == 0) return Fail(cmd, InvalidArgument("--batch-events must be at least 1"));
  bo.batch_events = o.batch_events;
  if (o.partitions < 1 || o.partitions > 256)
    return Fail(cmd, InvalidArgument("--partitions must be between 1 and 256"));
  bo.partitions = o.partitions;
  bo.progress = [](int64_t events, uint64_t bytes, uint64_t total) {
    std::cerr << "backtest: " << events << " events replayed (" << (total ? 100 * bytes / total : 0)
              << "% of the history)" << std::endl;
  };
  auto run = backtest::RunBacktest(bo);
  if (!run.ok()) return Fail(cmd, run.status());
  so.from = run->from;
  so.to = run->to;
  backtest::ScoreReport report = backtest::Score(run->transitions, *labels, so, *calendar);
  // Naive baselines from the same history, scored by the same code.
  auto days = backtest::ReadPurchaseDays(bo.inputs, *calendar);
  if (days.ok()) {
    report.baselines = backtest::ScoreBaselines(*days, *labels, so, *calendar);
  } else {
    std::cerr << "backtest: no baselines: " << days.status().message() << std::endl;
  }
  if (bo.at_end) report.ranking = backtest::ScoreRanking(risk, recency, *labels);
  backtest::ReportContext context{FormatRfc3339(run->from),
                                  FormatRfc3339(run->to),
                                  o.min_severity,
                                  o.rules,
                                  o.labels,
                                  o.events,
                                  run->events,
                                  static_cast<int64_t>(run->rejected.size()),
                                  run->seconds};
  std::cerr << std::fixed << std::setprecision(2) << "backtest: " << run->events << " events in "
            << run->seconds << " s ("
            << (run->seconds > 0 ? static_cast<double>(run->events) / run->seconds : 0)
            << " events/s), " << run->transitions.size() << " alert transitions, "
            << run->rejected.size() << " events rejected" << std::endl;
  for (size_t i = 0; i < run->rejected.size() && i < 5; ++i)
    std::cerr << "backtest: rejected: " << run->rejected[i] << std::endl;
  std::string text = o.format == "json"   ? backtest::RenderJson(report, context)
                     : o.format == "html" ? backtest::RenderHtml(report, context)
                                          : backtest::RenderTable(report, context);
  if (Status s = WriteOutput(o.out, text); !s.ok()) return Fail(cmd, s);
  return kExitOk;
}

}  // namespace

void AddBacktestCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<BacktestCliOptions>();
  CLI::App* c = app.add_subcommand(
      "backtest",
      "Replay a recorded history through the engine's own decoding, state, rule and alert code "
      "(one\nprocess, event time, no Kafka) and score the alerts against churn labels: "
      "precision, recall, lead\ntime and alerts per account per quarter, per rule and overall. "
      "The scoring rule is in the README\n(Backtest) and in the JSON `scoring` object. Progress "
      "on stderr.");
  c->add_option("--events", opts->events,
                "History: NDJSON files ordered by occurred_at, merged by time. The topic comes "
                "from the name\n(orders.ndjson, x-orders.ndjson, service.ndjson...), a TOPIC:FILE "
                "prefix, or a directory of such\nfiles (what `demo --write DIR` writes)")
      ->required();
  c->add_option("--labels", opts->labels,
                "CSV account_id,churned,churn_date (optionally product_line,dropped,drop_date "
                "rows), e.g. from `churnwatch label`")
      ->required();
  c->add_option("--rules", opts->rules, "Rule file or directory (e.g. rules/)")->required();
  c->add_option("--format", opts->format, "table, json or html")->default_val("table");
  c->add_option("--out", opts->out, "Write the report here; default stdout");
  c->add_option("--from", opts->from,
                "Replay and score from this day (YYYY-MM-DD, local midnight) or RFC 3339 instant; "
                "default: the first event");
  c->add_option("--to", opts->to,
                "Replay and score up to the end of this day (YYYY-MM-DD, inclusive) or this RFC "
                "3339 instant\n(exclusive); later events are not replayed. Set it to the labels' "
                "calibration end, or the\nholdout leaks into the alerts. Default: the last event");
  c->add_option("--min-severity", opts->min_severity,
                "Alerts below this severity are not counted (info, warning, critical)")
      ->default_val("warning");
  c->add_option("--time-zone", opts->time_zone, "The engine's time_zone (days, quarters)")
      ->default_val("Asia/Shanghai");
  c->add_option("--pyramid-params", opts->pyramid_params,
                "Customer pyramid cut points written by `churnwatch pyramid fit` (config "
                "pyramid.params): features rfm_r, rfm_f, rfm_m, value_segment, suggested_tier; "
                "NaN without");
  c->add_option("--clv-params", opts->clv_params,
                "BG/NBD parameters from `churnwatch fit` for the p_alive features (default: the "
                "CDNOW master fit)");
  c->add_option("--model", opts->model,
                "Risk model from `churnwatch train`: feature churn_risk (and rule churn_risk_high) "
                "during the\nreplay, and the report's `ranking` of the labelled accounts by "
                "churn_risk at the end");
  c->add_option("--state-dir", opts->state_dir,
                "Keep the replay's store in this (empty or new) directory; default a temporary "
                "one, removed");
  c->add_option("--batch-events", opts->batch_events,
                "Events applied per store write (the engine writes once per consumed batch of up "
                "to 1000 per partition)")
      ->default_val(1000);
  c->add_option("--partitions", opts->partitions,
                "Partitions to spread accounts over (hash of account id), each replayed on its "
                "own thread with its\nown store and stream time, as the engine runs one task per "
                "partition")
      ->default_val(2);
  c->callback([opts, exit_code] { *exit_code = RunBacktestCommand(*opts); });
}

}  // namespace churnwatch::cli
