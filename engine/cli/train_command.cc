// `churnwatch train`: fit the risk model behind churn_risk on a history and its churn labels,
// with a time split — the features are the engine's own, as of the calibration end, from the
// events up to it; the labels say what happened after it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>

#include "backtest/backtest_runner.h"
#include "backtest/history_reader.h"
#include "backtest/labels.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/replay_support.h"
#include "clv/params_file.h"
#include "common/calendar.h"
#include "model/boosted_trees_fit.h"
#include "model/logistic_fit.h"
#include "model/risk_model_file.h"
#include "rules/alert_lifecycle.h"

namespace churnwatch::cli {
namespace {

struct TrainOptions {
  std::vector<std::string> events;
  std::string labels, calibration_end, out, time_zone = "Asia/Shanghai", clv_params, state_dir;
  std::vector<std::string> features;  // --features a,b,c
  std::string algorithm = "logistic";
  double l2 = 1.0;
  model::XgbTrainParams trees;
  int partitions = 2;
};

// Fits the model the options ask for; `dropped` lists features left out as constant.
Result<std::unique_ptr<model::RiskModel>> Fit(const std::vector<model::TrainingRow>& rows,
                                              const TrainOptions& o,
                                              const model::TrainingSummary& summary,
                                              std::vector<std::string>* dropped) {
  if (o.algorithm == "boosted_trees") {
    model::BoostedTreesOptions bo;
    bo.features = o.features;
    bo.trees = o.trees;
    bo.trees.l2 = o.l2;
    bo.summary = summary;
    auto fit = model::FitBoostedTrees(rows, bo);
    if (!fit.ok()) return fit.status();
    return std::unique_ptr<model::RiskModel>(std::move(*fit));
  }
  model::FitOptions fo;
  fo.features = o.features;
  fo.l2 = o.l2;
  fo.summary = summary;
  auto fit = model::FitRiskModel(rows, fo);
  if (!fit.ok()) return fit.status();
  *dropped = fit->dropped;
  return std::unique_ptr<model::RiskModel>(
      std::make_unique<model::LogisticRiskModel>(std::move(fit->model)));
}

// The features that moved the training accounts' risk most: mean |contribution| in log-odds.
void PrintLargestContributions(const model::RiskModel& m,
                               const std::vector<model::TrainingRow>& rows) {
  std::map<std::string, double> total;
  for (const auto& row : rows)
    for (const auto& c : m.Score(row.values).contributions)
      total[c.feature] += std::abs(c.log_odds);
  std::vector<std::pair<std::string, double>> ranked(total.begin(), total.end());
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < ranked.size() && i < 8; ++i) {
    std::cerr << "train:   " << ranked[i].first << ": mean |contribution| "
              << ranked[i].second / static_cast<double>(std::max<size_t>(1, rows.size()))
              << " log-odds" << std::endl;
  }
}

int RunTrain(const TrainOptions& o) {
  const std::string cmd = "train";
  if (o.out.empty()) return Fail(cmd, InvalidArgument("--out: name the model file to write"));
  if (o.algorithm != "logistic" && o.algorithm != "boosted_trees")
    return Fail(cmd, InvalidArgument("--algorithm must be logistic or boosted_trees, not '" +
                                     o.algorithm + "'"));
  auto cutoff =
      ParseReplayCutoff("--calibration-end", o.calibration_end, o.time_zone, o.partitions);
  if (!cutoff.ok()) return Fail(cmd, cutoff.status());
  if (!(o.l2 >= 0) || !std::isfinite(o.l2))
    return Fail(cmd, InvalidArgument("--l2 must be a number, 0 or more"));
  auto labels = backtest::LoadLabels(o.labels);
  if (!labels.ok()) return Fail(cmd, labels.status());
  // Labels made for a later cutoff would leak the future into the features: a churned
  // account's churn date is its last purchase day, so it cannot lie after the calibration end.
  const int64_t end_number = cutoff->day_number;
  for (const auto& [id, label] : labels->accounts) {
    if (label.churn_date && Calendar::DayNumber(*label.churn_date) > end_number)
      return Fail(cmd,
                  InvalidArgument(o.labels + ": account " + id + " churned on " +
                                  backtest::FormatDate(*label.churn_date) +
                                  ", after --calibration-end " + o.calibration_end +
                                  ": make the labels with `churnwatch label --calibration-end " +
                                  o.calibration_end + "`"));
  }
  model::TrainingSummary summary;
  summary.calibration_end = o.calibration_end;
  summary.labels = o.labels;

  auto inputs = backtest::ResolveHistoryInputs(o.events);
  if (!inputs.ok()) return Fail(cmd, inputs.status());
  ReplayStateDir state;
  if (Status s = state.Prepare("--state-dir", o.state_dir, cmd); !s.ok()) return Fail(cmd, s);
  backtest::BacktestOptions bo =
      StateOnlyReplay(*inputs, cutoff->end, o.time_zone, o.partitions, state, cmd);
  if (!o.clv_params.empty()) {
    auto params = clv::LoadParams(o.clv_params);
    if (!params.ok())
      return Fail(cmd, InvalidArgument("--clv-params: " + params.status().message()));
    bo.evaluation.alert.clv = *params;
  }
  std::vector<model::TrainingRow> rows;
  bo.at_end = [&](const state::AccountSnapshot& s, UnixMicros at, const Calendar& cal) {
    auto it = labels->accounts.find(s.account_id);
    if (it == labels->accounts.end()) return Status::Ok();
    rows.push_back({s.account_id, rules::AccountFeatures(s, at, cal, bo.evaluation.alert),
                    it->second.churned});
    return Status::Ok();
  };
  auto run = backtest::RunBacktest(bo);
  if (!run.ok()) return Fail(cmd, run.status());
  // Partition by partition: put the rows in account order, so the fit does not depend on
  // --partitions.
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.account_id < b.account_id; });
  size_t missing = labels->accounts.size() - rows.size();
  std::cerr << "train: " << rows.size() << " labelled accounts as of " << o.calibration_end << " ("
            << missing << " labelled accounts not in the history); fitting..." << std::endl;
  std::vector<std::string> dropped;
  auto fit = Fit(rows, o, summary, &dropped);
  if (!fit.ok()) return Fail(cmd, fit.status());
  if (!dropped.empty()) {
    std::string names;
    for (const auto& d : dropped) names += (names.empty() ? "" : ", ") + d;
    std::cerr << "train: constant on these accounts, left out: " << names << std::endl;
  }
  const model::TrainingSummary& t = (*fit)->training();
  std::cerr << std::fixed << std::setprecision(3) << "train: " << (*fit)->kind() << ", "
            << t.accounts << " accounts, " << t.churned << " churned; ROC AUC " << t.auc_train
            << " on them, " << t.auc_cv << " in 5-fold cross-validation; log loss " << t.log_loss
            << std::endl;
  PrintLargestContributions(**fit, rows);
  auto text = model::FormatRiskModel(**fit);
  if (!text.ok()) return Fail(cmd, text.status());
  if (Status s = WriteOutput(o.out, *text); !s.ok()) return Fail(cmd, s);
  return kExitOk;
}

}  // namespace

void AddTrainCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Fit the risk model behind feature churn_risk — a logistic regression or gradient-boosted "
      "trees\n(XGBoost) — on the engine's own features of each labelled account as of "
      "--calibration-end\n(from the events up to that day only), against its label (what "
      "happened after).\nWrites the model file that "
      "`run --model` (config model.path) and `backtest --model` read.\nProgress and the fit's "
      "figures on stderr.");
  cmd->add_option("--events", opts->events,
                  "History: NDJSON files ordered by occurred_at (as for backtest); events after "
                  "--calibration-end\nare not read into the features")
      ->required();
  cmd->add_option("--labels", opts->labels,
                  "CSV account_id,churned,churn_date from `churnwatch label --calibration-end` "
                  "with the same day")
      ->required();
  cmd->add_option("--calibration-end", opts->calibration_end,
                  "Last day (YYYY-MM-DD, inclusive) of the history the features see")
      ->required();
  cmd->add_option("--out", opts->out, "Write the model file here (JSON)")->required();
  cmd->add_option("--features", opts->features,
                  "Comma-separated features to use (see churnwatch rules features); default: "
                  "purchase rhythm,\nrecency, BG/NBD, volume, product lines, service, people, "
                  "meetings, credit, health")
      ->delimiter(',');
  cmd->add_option("--algorithm", opts->algorithm,
                  "logistic (coefficients on standardised features) or boosted_trees (XGBoost, "
                  "binary:logistic;\ncontributions by TreeSHAP)")
      ->default_val("logistic");
  cmd->add_option("--l2", opts->l2,
                  "L2 penalty: on the coefficients (logistic), on the leaf weights (trees)")
      ->default_val(1.0);
  cmd->add_option("--trees", opts->trees.rounds, "boosted_trees: boosting rounds, 1-5000")
      ->default_val(opts->trees.rounds);
  cmd->add_option("--max-depth", opts->trees.max_depth, "boosted_trees: depth of each tree, 1-12")
      ->default_val(opts->trees.max_depth);
  cmd->add_option("--learning-rate", opts->trees.learning_rate,
                  "boosted_trees: each tree's step (eta), (0, 1]")
      ->default_val(opts->trees.learning_rate);
  cmd->add_option("--min-child-weight", opts->trees.min_child_weight,
                  "boosted_trees: the smallest hessian sum in a leaf (about the fewest accounts "
                  "x 0.25)")
      ->default_val(opts->trees.min_child_weight);
  cmd->add_option("--time-zone", opts->time_zone, "The engine's time_zone (days, quarters)")
      ->default_val("Asia/Shanghai");
  cmd->add_option("--clv-params", opts->clv_params,
                  "BG/NBD parameters from `churnwatch fit` for the p_alive features (default: "
                  "the CDNOW master fit)");
  AddStateOnlyReplayFlags(cmd, &opts->state_dir, &opts->partitions);
  cmd->callback([opts, exit_code] { *exit_code = RunTrain(*opts); });
}

}  // namespace churnwatch::cli
