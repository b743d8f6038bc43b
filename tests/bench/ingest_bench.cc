// ingest_bench: N accounts × M events through a real Kafka broker (`churnwatch broker`, a
// child process) into the engine (in this process), against librdkafka's raw consume rate of
// the same messages measured in the same run.
//
// The engine runs with the shipped ruleset (--rules, default ./rules) unless --rules none.
// Not a test: it asserts nothing about speed. It prints events/s, the ratio to the baseline,
// apply latency p50/p99 (interpolated in the engine's histogram buckets), peak RSS of this
// process (engine + baseline consumer; the broker runs in its own process), the engine's
// resident memory per account (RSS with every account loaded, less RSS before the engine
// started) and store bytes per account (the state directory once the engine has closed).
// With --rate R the workload is produced at R messages/s while the engine runs (a broker per
// run), for the batch latency below the maximum rate; the ratio is then not printed (0). Usage:
// ingest_bench [--accounts N] [--events-per-account M] [--partitions P]
//                                  [--churnwatch PATH] [--runs R] [--rules PATH|none]
//                                  [--time-ordered 1] [--rate MSG_PER_S]
#include <librdkafka/rdkafkacpp.h>
#include <prometheus/registry.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_workload.h"
#include "common/calendar.h"
#include "ingest/engine.h"
#include "kafka/producer.h"

extern char** environ;

namespace {

using namespace churnwatch;
using Steady = std::chrono::steady_clock;

struct Options {
  int accounts = 2000;
  int events_per_account = 100;
  int partitions = 12;
  int runs = 1;
  std::string churnwatch = "build/bin/churnwatch";
  std::string rules = "rules";  // the shipped ruleset; "none" to measure ingest without rules
  // Produce in event-time order (as a recorded history replays) instead of account by account.
  bool time_ordered = false;
  // Messages per second produced while the engine runs (0: everything produced before it
  // starts, and the engine drains the backlog as fast as it can). Each run then has a broker of
  // its own, and the raw-consume baseline is measured after the engine, on the same messages.
  double rate = 0;
};

struct Broker {
  pid_t pid = -1;
  std::string bootstrap;
  ~Broker() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

bool StartBroker(const Options& o, Broker* b) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::string parts = std::to_string(o.partitions);
  std::vector<char*> argv = {const_cast<char*>(o.churnwatch.c_str()), const_cast<char*>("broker"),
                             const_cast<char*>("--partitions"), parts.data(), nullptr};
  if (posix_spawn(&b->pid, o.churnwatch.c_str(), &fa, nullptr, argv.data(), environ) != 0)
    return false;
  close(fds[1]);
  std::string line;
  char c;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  if (line.rfind("bootstrap=", 0) != 0) return false;
  b->bootstrap = line.substr(10);
  return true;
}

// librdkafka alone: assign every input partition from the beginning and count messages.
double BaselineConsumeRate(const std::string& bootstrap, int partitions, size_t expected) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "bench-baseline", err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("log_level", "3", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> parts;
  for (const char* t : {"orders", "service", "contacts", "accounts"}) {
    for (int p = 0; p < partitions; ++p) {
      parts.push_back(RdKafka::TopicPartition::create(t, p, RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  size_t got = 0;
  size_t bytes = 0;
  Steady::time_point first{};
  auto deadline = Steady::now() + std::chrono::seconds(120);
  while (got < expected && Steady::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(100));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      if (got == 0) first = Steady::now();
      ++got;
      bytes += m->len();
    }
  }
  double secs = std::chrono::duration<double>(Steady::now() - first).count();
  c->close();
  if (got < expected) {
    std::cerr << "baseline consumed only " << got << " of " << expected << " messages\n";
    return 0;
  }
  (void)bytes;
  return static_cast<double>(got) / secs;
}

double SumCounter(prometheus::Registry& reg, const std::string& name) {
  double sum = 0;
  for (const auto& fam : reg.Collect()) {
    if (fam.name != name) continue;
    for (const auto& m : fam.metric) sum += m.counter.value;
  }
  return sum;
}

double HistogramQuantile(prometheus::Registry& reg, const std::string& name, double q) {
  for (const auto& fam : reg.Collect()) {
    if (fam.name != name || fam.metric.empty()) continue;
    const auto& h = fam.metric[0].histogram;
    double total = static_cast<double>(h.sample_count);
    double rank = q * total, prev_count = 0, prev_bound = 0;
    for (const auto& b : h.bucket) {
      double count = static_cast<double>(b.cumulative_count);
      if (count >= rank) {
        if (std::isinf(b.upper_bound)) return prev_bound;
        double frac = count == prev_count ? 0 : (rank - prev_count) / (count - prev_count);
        return prev_bound + frac * (b.upper_bound - prev_bound);
      }
      prev_count = count;
      prev_bound = b.upper_bound;
    }
  }
  return 0;
}

// This process's resident set now (VmRSS), in bytes; 0 if /proc is not readable.
double ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  double kb = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmRSS: %lf kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb * 1024;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// Sends the workload, at `rate` messages per second when positive (paced in 1 ms steps), and
// waits for every delivery. Returns the seconds it took, or a negative number on failure.
double Produce(const std::string& bootstrap, const std::vector<bench::Message>& workload,
               double rate) {
  auto producer = kafka::Producer::Create(bootstrap, {{"linger.ms", rate > 0 ? "5" : "20"}});
  if (!producer.ok()) return -1;
  auto t0 = Steady::now();
  for (size_t i = 0; i < workload.size(); ++i) {
    if (rate > 0 && i % 64 == 0) {
      auto due = t0 + std::chrono::duration_cast<Steady::duration>(
                          std::chrono::duration<double>(static_cast<double>(i) / rate));
      std::this_thread::sleep_until(due);
    }
    const auto& m = workload[i];
    if (!(*producer)->Send(m.topic, m.key, m.payload).ok()) return -1;
  }
  if (!(*producer)->Flush(120'000).ok()) return -1;
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app(
      "Ingest benchmark: N accounts x M events through a real `churnwatch broker` into the "
      "engine, with librdkafka's raw consume rate of the same messages as the baseline");
  app.add_option("--accounts", o.accounts, "Accounts")->check(CLI::Range(1, 1'000'000));
  app.add_option("--events-per-account", o.events_per_account, "Events per account")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--partitions", o.partitions, "Partitions per topic")->check(CLI::Range(1, 256));
  app.add_option("--churnwatch", o.churnwatch, "The churnwatch binary");
  app.add_option("--runs", o.runs, "Runs")->check(CLI::Range(1, 100));
  app.add_option("--rules", o.rules, "Rule files, or none to measure ingest alone");
  app.add_option("--time-ordered", o.time_ordered,
                 "Produce in event-time order (as a recorded history replays): 1 or 0");
  app.add_option("--rate", o.rate,
                 "Produce at this many messages/s while the engine runs, to measure batch latency "
                 "below the maximum rate (default 0: produce everything first)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  auto broker = std::make_unique<Broker>();
  if (!StartBroker(o, broker.get())) {
    std::cerr << "cannot start `" << o.churnwatch << " broker` (pass --churnwatch PATH)\n";
    return 1;
  }
  auto workload = bench::MakeWorkload(o.accounts, o.events_per_account);
  if (o.time_ordered) bench::SortByTime(workload);
  size_t payload_bytes = 0;
  for (const auto& m : workload) payload_bytes += m.payload.size();
  std::printf(
      "workload: %d accounts x %d events = %zu events, %.1f MB JSON, %d partitions per topic\n",
      o.accounts, o.events_per_account, workload.size(), payload_bytes / 1e6, o.partitions);

  if (o.rate == 0) {
    double produce_secs = Produce(broker->bootstrap, workload, 0);
    if (produce_secs < 0) return 1;
    std::printf("produce: %.0f msg/s\n", workload.size() / produce_secs);
  }

  for (int run = 0; run < o.runs; ++run) {
    if (o.rate > 0 && run > 0) {  // a fresh broker: the same events again would be duplicates
      broker = std::make_unique<Broker>();
      if (!StartBroker(o, broker.get())) return 1;
    }
    double baseline = 0;
    if (o.rate == 0)
      baseline = BaselineConsumeRate(broker->bootstrap, o.partitions, workload.size());

    std::string state_dir = std::filesystem::temp_directory_path() /
                            ("cw-bench-" + std::to_string(getpid()) + "-" + std::to_string(run));
    prometheus::Registry registry;
    ingest::EngineConfig config;
    config.bootstrap = broker->bootstrap;
    config.group = "bench-engine-" + std::to_string(run);
    config.state_dir = state_dir;
    config.kafka_properties["session.timeout.ms"] = "6000";
    config.limits.max_future_micros = 3650 * kMicrosPerDay;
    config.rules_path = o.rules == "none" ? "/nonexistent-rules" : o.rules;
    config.rules_path_explicit = o.rules != "none";
    config.follow_wall_clock = false;
    const double rss_before = ResidentBytes();
    auto engine = ingest::Engine::Create(config, &registry, &SystemClock::Instance());
    if (!engine.ok() || !(*engine)->Start().ok()) {
      std::cerr << "engine failed to start\n";
      return 1;
    }
    std::atomic<bool> stop{false};
    Status result;
    std::thread runner([&] { result = (*engine)->RunUntil(stop); });
    // Time from the first applied event to the last, so group joining is not counted; when
    // paced, from the first message produced (the engine may wait for every topic to start).
    Steady::time_point first{}, last{};
    double paced_secs = 0;
    std::thread paced;
    if (o.rate > 0) {
      first = Steady::now();
      paced = std::thread([&] { paced_secs = Produce(broker->bootstrap, workload, o.rate); });
    }
    auto deadline = Steady::now() + std::chrono::seconds(900);
    double applied = 0;
    while (Steady::now() < deadline) {
      applied = SumCounter(registry, "churnwatch_events_applied_total");
      if (applied > 0 && first == Steady::time_point{}) first = Steady::now();
      if (applied >= static_cast<double>(workload.size())) {
        last = Steady::now();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    double eval_seconds = 0;
    for (const auto& fam : registry.Collect()) {
      if (fam.name == "churnwatch_rule_evaluation_seconds" && !fam.metric.empty())
        eval_seconds = fam.metric[0].histogram.sample_sum;
    }
    std::printf("  batches %.0f, enforced processing %.0f, time in rule evaluation %.2f s\n",
                SumCounter(registry, "churnwatch_batches_total"),
                SumCounter(registry, "churnwatch_enforced_processing_total"), eval_seconds);
    double p50 = HistogramQuantile(registry, "churnwatch_apply_latency_seconds", 0.5);
    double p99 = HistogramQuantile(registry, "churnwatch_apply_latency_seconds", 0.99);
    // What the engine holds in memory with every account resident, over what the process
    // held before it started (the workload, the baseline consumer).
    const double engine_rss = ResidentBytes() - rss_before;
    const double evaluations = SumCounter(registry, "churnwatch_rule_evaluations_total");
    const double transitions = SumCounter(registry, "churnwatch_alert_transitions_total");
    stop = true;
    runner.join();
    if (paced.joinable()) paced.join();
    if (o.rate > 0) {
      if (paced_secs < 0) {
        std::cerr << "producing at " << o.rate << " msg/s failed\n";
        return 1;
      }
      std::printf("  produced at %.0f msg/s (asked %.0f)\n", workload.size() / paced_secs, o.rate);
      baseline = BaselineConsumeRate(broker->bootstrap, o.partitions, workload.size());
    }
    engine->reset();  // closes the stores: their size is what stays on disk
    if (last == Steady::time_point{}) {
      std::cerr << "engine applied only " << applied << " of " << workload.size() << " events\n";
      return 1;
    }
    double secs = std::chrono::duration<double>(last - first).count();
    double rate = workload.size() / secs;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t disk = DirBytes(state_dir);
    std::printf(
        "run %d: engine %.0f events/s | librdkafka consume %.0f msg/s | ratio %.3f | apply latency "
        "p50 %.1f ms p99 %.1f ms per batch | peak RSS %.0f MB, engine RSS %.0f bytes/account | "
        "store %.0f bytes/account | %0.f rule evaluations, %.0f alert transitions\n",
        run + 1, rate, baseline, baseline > 0 && o.rate == 0 ? rate / baseline : 0, p50 * 1e3,
        p99 * 1e3, ru.ru_maxrss / 1024.0, engine_rss / o.accounts,
        static_cast<double>(disk) / o.accounts, evaluations, transitions);
    std::error_code ec;
    std::filesystem::remove_all(state_dir, ec);
  }
  return 0;
}
