// backtest_bench: the workload of ingest_bench (N accounts × M events, same generator) written
// as a history — one time-ordered NDJSON file per topic — and replayed by `churnwatch backtest`
// (a child process) with the shipped ruleset, so its rate can be set beside the engine's
// ingest rate in the README ("Performance"). Not a test: it asserts nothing about speed.
//
// Prints per run the replay rate (events / the replay's own time, from the JSON report), the
// whole command's wall time (reading, replay, scoring, report) and its peak RSS.
// Usage: backtest_bench [--accounts N] [--events-per-account M] [--churnwatch PATH]
//                       [--rules PATH] [--batch-events B] [--runs R] [--keep DIR]
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_workload.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Options {
  int accounts = 1000;
  int events_per_account = 100;
  int runs = 3;
  std::string churnwatch = "build/bin/churnwatch";
  std::string rules = "rules";
  std::string batch_events = "1000";  // backtest --batch-events
  std::string keep;                   // write the history here and keep it (for profiling)
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app(
      "Backtest benchmark: the ingest benchmark's workload as a time-ordered history, replayed "
      "by `churnwatch backtest` with the shipped rules");
  app.add_option("--accounts", o.accounts, "Accounts")->check(CLI::Range(1, 1'000'000));
  app.add_option("--events-per-account", o.events_per_account, "Events per account")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--churnwatch", o.churnwatch, "The churnwatch binary");
  app.add_option("--rules", o.rules, "Rule files");
  app.add_option("--keep", o.keep, "Write the history here and keep it (for profiling)");
  app.add_option("--batch-events", o.batch_events, "backtest --batch-events");
  app.add_option("--runs", o.runs, "Runs")->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);
  auto workload = churnwatch::bench::MakeWorkload(o.accounts, o.events_per_account);
  std::map<std::string, std::vector<std::pair<std::string, const std::string*>>> by_topic;
  for (const auto& m : workload)
    by_topic[m.topic].push_back({churnwatch::bench::OccurredAt(m.payload), &m.payload});
  std::string dir =
      o.keep.empty()
          ? (fs::temp_directory_path() / ("backtest_bench-" + std::to_string(getpid()))).string()
          : o.keep;
  fs::create_directories(dir + "/history");
  for (auto& [topic, events] : by_topic) {
    std::stable_sort(events.begin(), events.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::ofstream out(dir + "/history/" + topic + ".ndjson");
    for (const auto& [at, payload] : events) out << *payload << '\n';
  }
  // Scoring is not what is measured; one label keeps the report well-formed.
  std::ofstream(dir + "/labels.csv") << "account_id,churned,churn_date\nACC-0,0,\n";
  std::printf("workload: %d accounts x %d events = %zu events, history in %s/history\n", o.accounts,
              o.events_per_account, workload.size(), dir.c_str());

  for (int run = 0; run < o.runs; ++run) {
    std::string report = dir + "/report.json";
    std::vector<std::string> args = {
        o.churnwatch, "backtest", "--events", dir + "/history", "--labels", dir + "/labels.csv",
        "--rules",    o.rules,    "--format", "json",           "--out",    report};
    std::vector<char*> argv_c;
    for (auto& a : args) argv_c.push_back(a.data());
    argv_c.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, (dir + "/stderr.log").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    auto started = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawn(&pid, o.churnwatch.c_str(), &fa, nullptr, argv_c.data(), environ) != 0) {
      std::cerr << "cannot start " << o.churnwatch << "\n";
      return 1;
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::cerr << "backtest failed; see " << dir << "/stderr.log\n";
      return 1;
    }
    std::ifstream in(report);
    auto j = nlohmann::json::parse(in);
    double events = j["events"]["replayed"].get<double>();
    double seconds = j["events"]["seconds"].get<double>();
    std::printf(
        "run %d: %.0f events replayed in %.2f s = %.1f k events/s; whole command %.2f s "
        "(%.1f k events/s), peak RSS %.0f MB (%.0f bytes/account), %d alerts\n",
        run + 1, events, seconds, events / seconds / 1000, wall, events / wall / 1000,
        usage.ru_maxrss / 1024.0, usage.ru_maxrss * 1024.0 / o.accounts,
        j["overall"]["alerts"].get<int>());
  }
  if (o.keep.empty()) fs::remove_all(dir);
  return 0;
}
