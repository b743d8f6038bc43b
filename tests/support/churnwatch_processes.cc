#include "support/churnwatch_processes.h"

#include <signal.h>

#include <cstdlib>
#include <sstream>

#include "support/wait_until.h"

namespace churnwatch::test {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ChurnwatchBin() {
  const char* bin = std::getenv("CHURNWATCH_BIN");
  if (bin == nullptr || *bin == '\0') {
    ADD_FAILURE() << "CHURNWATCH_BIN is not set (run through ctest, or export it)";
    return "";
  }
  return bin;
}

::testing::AssertionResult BrokerProcess::Start(const std::string& log_path,
                                                const std::vector<std::string>& extra_args) {
  std::string bin = ChurnwatchBin();
  if (bin.empty()) return ::testing::AssertionFailure() << "no binary";
  std::vector<std::string> args = {"broker"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::string error;
  if (!process_.Start(bin, args, log_path, {}, &error)) {
    return ::testing::AssertionFailure() << "cannot start broker: " << error;
  }
  auto line = process_.ReadLine(DeadlineIn(seconds(20)));
  const std::string prefix = "bootstrap=";
  if (!line || line->rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure() << "broker did not print bootstrap= (got '"
                                         << line.value_or("<nothing>") << "'); stderr:\n"
                                         << process_.Stderr();
  }
  bootstrap_ = line->substr(prefix.size());
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult EngineProcess::Start(const EngineOptions& o) {
  std::string bin = ChurnwatchBin();
  if (bin.empty()) return ::testing::AssertionFailure() << "no binary";
  std::vector<std::string> args = {"run", "--bootstrap", o.bootstrap, "--group", o.group,
                                   "--state-dir", o.state_dir, "--http", "127.0.0.1:0", "-X",
                                   "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                                   // Bounds how long a rebalance waits for members to rejoin
                                   // (Kafka's rebalance timeout); a SIGKILLed member never does.
                                   "-X", "max.poll.interval.ms=15000"};
  args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());
  std::string error;
  if (!process_.Start(bin, args, o.log_path, o.env, &error)) {
    return ::testing::AssertionFailure() << "cannot start engine: " << error;
  }
  auto line = process_.ReadLine(DeadlineIn(seconds(30)));
  const std::string prefix = "http=";
  if (!line || line->rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure()
           << "engine did not print http= (got '" << line.value_or("<nothing>") << "'); stderr:\n"
           << process_.Stderr();
  }
  auto colon = line->rfind(':');
  port_ = colon == std::string::npos ? -1 : std::atoi(line->c_str() + colon + 1);
  if (port_ <= 0) return ::testing::AssertionFailure() << "bad http line: " << *line;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult DemoProcess::Start(const std::string& log_path,
                                              const std::vector<std::string>& extra_args,
                                              const std::map<std::string, std::string>& env) {
  std::string bin = ChurnwatchBin();
  if (bin.empty()) return ::testing::AssertionFailure() << "no binary";
  std::vector<std::string> args = {"demo", "--http", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::string error;
  if (!process_.Start(bin, args, log_path, env, &error)) {
    return ::testing::AssertionFailure() << "cannot start demo: " << error;
  }
  // The demo generates and produces its dataset before the engine starts listening.
  Deadline deadline = DeadlineIn(seconds(120));
  while (auto line = process_.ReadLine(deadline)) {
    if (line->rfind("http=", 0) == 0) {
      port_ = std::atoi(line->c_str() + line->rfind(':') + 1);
    } else if (auto at = line->find("Kafka bootstrap"); at != std::string::npos) {
      std::istringstream words(line->substr(at + 15));
      words >> bootstrap_;
      break;
    }
  }
  if (port_ <= 0 || bootstrap_.empty()) {
    return ::testing::AssertionFailure() << "demo did not print http= and its bootstrap; stderr:\n"
                                         << process_.Stderr();
  }
  return ::testing::AssertionSuccess();
}

Metrics EngineProcess::ScrapeMetrics() const {
  HttpResponse r = Get("/metrics");
  if (r.status != 200) return {};
  return ParseMetrics(r.body);
}

namespace {

// Events the engine is done with: applied, dead-lettered or ignored as a duplicate.
double HandledIn(const Metrics& m) {
  return SumMetric(m, "churnwatch_events_applied_total") +
         SumMetric(m, "churnwatch_events_deadlettered_total") +
         SumMetric(m, "churnwatch_events_duplicate_total") +
         SumMetric(m, "churnwatch_events_duplicate_conflict_total");
}

}  // namespace

double EngineProcess::HandledCount() const {
  Metrics m = ScrapeMetrics();
  if (m.empty()) return -1;
  return HandledIn(m);
}

::testing::AssertionResult EngineProcess::WaitReady(milliseconds timeout) {
  return WaitUntil([&] { return Get("/readyz").status == 200; }, timeout,
                   "engine /readyz to answer 200");
}

namespace {

bool AllLagZero(const Metrics& m, int lag_series) {
  return CountSeries(m, "churnwatch_consumer_lag") == lag_series &&
         MaxMetric(m, "churnwatch_consumer_lag").value_or(1) == 0;
}

std::string LagSummary(const Metrics& m) {
  std::ostringstream s;
  for (const auto& [series, value] : m) {
    if (SeriesName(series) == "churnwatch_consumer_lag" && value != 0) {
      s << series << "=" << value << " ";
    }
  }
  return s.str();
}

}  // namespace

::testing::AssertionResult EngineProcess::WaitAllHandled(double expected_total, int lag_series,
                                                         milliseconds timeout) {
  Metrics last;
  auto done = WaitUntil(
      [&] {
        if (!process_.running()) return true;  // reported below
        last = ScrapeMetrics();
        double handled = HandledIn(last);
        return AllLagZero(last, lag_series) && handled >= expected_total;
      },
      timeout, "all " + std::to_string(static_cast<int64_t>(expected_total)) + " events handled");
  if (!process_.running()) {
    return ::testing::AssertionFailure() << "engine exited early; stderr:\n" << process_.Stderr();
  }
  if (!done) {
    return done << " (handled " << HandledCount() << ", lag series "
                << CountSeries(last, "churnwatch_consumer_lag") << ", non-zero lag "
                << LagSummary(last) << ")";
  }
  return done;
}

::testing::AssertionResult EngineProcess::WaitCaughtUp(int lag_series, milliseconds timeout) {
  // Lag gauges update once a second: the handled count must hold still across an update
  // that already shows zero lag.
  double stable_count = -2;
  Deadline stable_since = Clock::now();
  Metrics last;
  auto done = WaitUntil(
      [&] {
        if (!process_.running()) return true;
        last = ScrapeMetrics();
        double handled = HandledIn(last);
        if (!AllLagZero(last, lag_series) || handled != stable_count) {
          stable_count = AllLagZero(last, lag_series) ? handled : -2;
          stable_since = Clock::now();
          return false;
        }
        return Clock::now() - stable_since > milliseconds(2200);
      },
      timeout, "engine caught up (all lag 0, stable)");
  if (!process_.running()) {
    return ::testing::AssertionFailure() << "engine exited early; stderr:\n" << process_.Stderr();
  }
  if (!done) return done << " (non-zero lag " << LagSummary(last) << ")";
  return done;
}

std::optional<int> EngineProcess::Stop(milliseconds timeout) {
  process_.Signal(SIGTERM);
  return process_.Wait(Clock::now() + timeout);
}

::testing::AssertionResult Produce(const std::string& bootstrap, const std::string& topic,
                                   const std::string& file, const std::string& format,
                                   size_t expected_messages, const std::string& log_path) {
  std::string bin = ChurnwatchBin();
  if (bin.empty()) return ::testing::AssertionFailure() << "no binary";
  CommandResult r = RunCommand(
      bin, {"produce", "--bootstrap", bootstrap, "--topic", topic, "--format", format, file},
      log_path, seconds(120));
  std::string want = "sent " + std::to_string(expected_messages) + " messages to " + topic;
  if (r.exit_code != 0 || r.out.find(want) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "produce " << file << " to " << topic << ": exit "
           << (r.exit_code ? std::to_string(*r.exit_code) : "<timeout>") << ", stdout '" << r.out
           << "', expected '" << want << "'; stderr:\n"
           << r.err;
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> ConsumeLines(const std::string& bootstrap, const std::string& topic,
                                      int idle_exit_seconds, const std::string& log_path) {
  std::string bin = ChurnwatchBin();
  if (bin.empty()) return {};
  CommandResult r =
      RunCommand(bin,
                 {"consume", "--bootstrap", bootstrap, "--topic", topic, "--from-beginning",
                  "--idle-exit", std::to_string(idle_exit_seconds)},
                 log_path, seconds(60 + idle_exit_seconds));
  EXPECT_EQ(r.exit_code, 0) << "consume " << topic << " failed; stderr:\n" << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

::testing::AssertionResult ProduceScenario(const std::string& bootstrap, const Scenario& sc,
                                           const TempDir& dir) {
  struct File {
    std::string topic, name, format;
    const std::vector<std::string>* lines;
  };
  const File files[] = {{"orders", "orders_proto.ndjson", "proto", &sc.orders_proto},
                        {"orders", "orders_json.ndjson", "json", &sc.orders_json},
                        {"service", "service.ndjson", "json", &sc.service},
                        {"contacts", "contacts.ndjson", "json", &sc.contacts},
                        {"accounts", "accounts.ndjson", "json", &sc.accounts}};
  for (const auto& f : files) {
    if (!WriteFile(dir.Sub(f.name), JoinLines(*f.lines)))
      return ::testing::AssertionFailure() << "cannot write " << dir.Sub(f.name);
    auto sent = Produce(bootstrap, f.topic, dir.Sub(f.name), f.format, f.lines->size(),
                        dir.Sub("produce.log"));
    if (!sent) return sent;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace churnwatch::test
