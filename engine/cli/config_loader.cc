#include "cli/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "clv/params_file.h"
#include "common/calendar.h"
#include "model/risk_model_file.h"
#include "pyramid/pyramid_params_file.h"

namespace churnwatch::cli {
namespace {

std::string Where(const std::string& source, const YAML::Node& node) {
  return source + ":" + std::to_string(node.Mark().line + 1);
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  // Calls handlers[key] for each key of the mapping; unknown keys are errors.
  Status Map(const YAML::Node& node, const std::string& what,
             const std::map<std::string, std::function<Status(const YAML::Node&)>>& handlers) {
    if (!node.IsMap())
      return InvalidArgument(Where(source_, node) + ": '" + what + "' must be a mapping");
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      auto it = handlers.find(key);
      if (it == handlers.end()) {
        std::string known;
        for (const auto& [k, _] : handlers) known += (known.empty() ? "" : ", ") + k;
        return InvalidArgument(Where(source_, kv.first) + ": unknown key '" + key + "' in " + what +
                               " (known: " + known + ")");
      }
      CW_RETURN_IF_ERROR(it->second(kv.second));
    }
    return Status::Ok();
  }

  Status String(const YAML::Node& n, const std::string& what, std::string* out) {
    if (!n.IsScalar())
      return InvalidArgument(Where(source_, n) + ": " + what + " must be a string");
    *out = n.Scalar();
    return Status::Ok();
  }

  template <typename T>
  Status Int(const YAML::Node& n, const std::string& what, T min, T max, T* out) {
    if (!n.IsScalar())
      return InvalidArgument(Where(source_, n) + ": " + what + " must be a number");
    const std::string& s = n.Scalar();
    long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < static_cast<long long>(min) ||
        v > static_cast<long long>(max)) {
      return InvalidArgument(Where(source_, n) + ": " + what + " must be a whole number in [" +
                             std::to_string(min) + ", " + std::to_string(max) + "], got '" + s +
                             "'");
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }

  Status Bool(const YAML::Node& n, const std::string& what, bool* out) {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s == "true" || s == "yes" || s == "on") return *out = true, Status::Ok();
      if (s == "false" || s == "no" || s == "off") return *out = false, Status::Ok();
    }
    return InvalidArgument(Where(source_, n) + ": " + what + " must be true or false");
  }

  Status Duration(const YAML::Node& n, const std::string& what, int64_t* out) {
    if (!n.IsScalar())
      return InvalidArgument(Where(source_, n) + ": " + what + " must be a duration such as 30d");
    auto d = ParseDuration(n.Scalar());
    if (!d.ok())
      return InvalidArgument(Where(source_, n) + ": " + what + ": " + d.status().message());
    *out = *d;
    return Status::Ok();
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

Status ApplyRoot(Reader& r, const YAML::Node& root, ingest::EngineConfig* c) {
  auto topic = [&](int kind) {
    return [&r, c, kind](const YAML::Node& n) -> Status {
      ingest::InputTopic& t = c->inputs[kind];
      std::string what = std::string("topics.") + EventKindName(static_cast<EventKind>(kind));
      if (n.IsScalar()) return r.String(n, what, &t.name);
      return r.Map(
          n, what,
          {{"name", [&](const YAML::Node& v) { return r.String(v, what + ".name", &t.name); }},
           {"format", [&](const YAML::Node& v) -> Status {
              std::string f;
              CW_RETURN_IF_ERROR(r.String(v, what + ".format", &f));
              auto parsed = PayloadFormatFromName(f);
              if (!parsed.ok())
                return InvalidArgument(Where(r.source(), v) + ": " + parsed.status().message());
              t.format = *parsed;
              return Status::Ok();
            }}});
    };
  };
  return r.Map(
      root, "the config file",
      {{"kafka",
        [&](const YAML::Node& n) {
          return r.Map(
              n, "kafka",
              {{"bootstrap",
                [&](const YAML::Node& v) { return r.String(v, "kafka.bootstrap", &c->bootstrap); }},
               {"group",
                [&](const YAML::Node& v) { return r.String(v, "kafka.group", &c->group); }},
               {"properties", [&](const YAML::Node& v) -> Status {
                  if (!v.IsMap())
                    return InvalidArgument(Where(r.source(), v) +
                                           ": kafka.properties must be a mapping");
                  for (const auto& kv : v) {
                    if (!kv.second.IsScalar()) {
                      return InvalidArgument(Where(r.source(), kv.second) +
                                             ": kafka.properties values must be strings");
                    }
                    c->kafka_properties[kv.first.as<std::string>()] = kv.second.Scalar();
                  }
                  return Status::Ok();
                }}});
        }},
       {"topics",
        [&](const YAML::Node& n) {
          return r.Map(n, "topics",
                       {{"orders", topic(0)},
                        {"service", topic(1)},
                        {"contacts", topic(2)},
                        {"accounts", topic(3)},
                        {"deadletter", [&](const YAML::Node& v) {
                           return r.String(v, "topics.deadletter", &c->deadletter_topic);
                         }}});
        }},
       {"state",
        [&](const YAML::Node& n) {
          return r.Map(
              n, "state",
              {{"dir",
                [&](const YAML::Node& v) { return r.String(v, "state.dir", &c->state_dir); }},
               {"sync_writes",
                [&](const YAML::Node& v) {
                  return r.Bool(v, "state.sync_writes", &c->store.sync_writes);
                }},
               {"dedup_window",
                [&](const YAML::Node& v) {
                  return r.Duration(v, "state.dedup_window", &c->store.dedup_window_micros);
                }},
               {"block_cache_mb",
                [&](const YAML::Node& v) -> Status {
                  size_t mb;
                  CW_RETURN_IF_ERROR(r.Int<size_t>(v, "state.block_cache_mb", 1, 1 << 20, &mb));
                  c->block_cache_bytes = mb << 20;
                  return Status::Ok();
                }},
               {"write_buffer_budget_mb",
                [&](const YAML::Node& v) -> Status {
                  size_t mb;
                  CW_RETURN_IF_ERROR(
                      r.Int<size_t>(v, "state.write_buffer_budget_mb", 1, 1 << 20, &mb));
                  c->write_buffer_budget_bytes = mb << 20;
                  return Status::Ok();
                }},
               {"write_buffer_mb", [&](const YAML::Node& v) -> Status {
                  size_t mb;
                  CW_RETURN_IF_ERROR(r.Int<size_t>(v, "state.write_buffer_mb", 1, 1024, &mb));
                  c->store.write_buffer_bytes = mb << 20;
                  return Status::Ok();
                }}});
        }},
       {"http",
        [&](const YAML::Node& n) {
          return r.Map(
              n, "http",
              {{"listen",
                [&](const YAML::Node& v) { return r.String(v, "http.listen", &c->http); }},
               {"token",
                [&](const YAML::Node& v) { return r.String(v, "http.token", &c->http_token); }},
               {"token_file",
                [&](const YAML::Node& v) -> Status {
                  std::string path;
                  CW_RETURN_IF_ERROR(r.String(v, "http.token_file", &path));
                  std::ifstream in(path);
                  if (!in)
                    return InvalidArgument(Where(r.source(), v) +
                                           ": http.token_file: cannot read " + path);
                  std::getline(in, c->http_token);
                  while (!c->http_token.empty() &&
                         std::isspace(static_cast<unsigned char>(c->http_token.back())))
                    c->http_token.pop_back();
                  return Status::Ok();
                }},
               {"token_for_reads", [&](const YAML::Node& v) {
                  return r.Bool(v, "http.token_for_reads", &c->http_token_for_reads);
                }}});
        }},
       {"time_zone", [&](const YAML::Node& v) { return r.String(v, "time_zone", &c->time_zone); }},
       {"rules",
        [&](const YAML::Node& n) {
          return r.Map(n, "rules", {{"path", [&](const YAML::Node& v) {
                                       c->rules_path_explicit = true;
                                       return r.String(v, "rules.path", &c->rules_path);
                                     }}});
        }},
       {"evaluation",
        [&](const YAML::Node& n) {
          return r.Map(
              n, "evaluation",
              {{"interval",
                [&](const YAML::Node& v) {
                  return r.Duration(v, "evaluation.interval", &c->evaluation.interval_micros);
                }},
               {"sweep_days",
                [&](const YAML::Node& v) {
                  return r.Int<int>(v, "evaluation.sweep_days", 1, 366, &c->evaluation.sweep_days);
                }},
               {"max_task_idle_ms",
                [&](const YAML::Node& v) {
                  return r.Int<int>(v, "evaluation.max_task_idle_ms", 0, 600'000,
                                    &c->evaluation.max_task_idle_ms);
                }},
               {"snapshot_cache_accounts",
                [&](const YAML::Node& v) {
                  return r.Int<size_t>(v, "evaluation.snapshot_cache_accounts", 0, 1'000'000,
                                       &c->evaluation.snapshot_cache_accounts);
                }},
               {"follow_wall_clock", [&](const YAML::Node& v) {
                  return r.Bool(v, "evaluation.follow_wall_clock", &c->follow_wall_clock);
                }}});
        }},
       {"alerts",
        [&](const YAML::Node& n) {
          return r.Map(n, "alerts",
                       {{"language",
                         [&](const YAML::Node& v) {
                           return r.String(v, "alerts.language", &c->evaluation.alert.language);
                         }},
                        {"topic", [&](const YAML::Node& v) {
                           return r.String(v, "alerts.topic", &c->alerts_topic);
                         }}});
        }},
       {"clv",
        [&](const YAML::Node& n) {
          return r.Map(n, "clv",
                       {{"params", [&](const YAML::Node& v) -> Status {
                           std::string path;
                           CW_RETURN_IF_ERROR(r.String(v, "clv.params", &path));
                           auto params = clv::LoadParams(path);
                           if (!params.ok())
                             return InvalidArgument(Where(r.source(), v) +
                                                    ": clv.params: " + params.status().message());
                           c->evaluation.alert.clv = *params;
                           return Status::Ok();
                         }}});
        }},
       {"pyramid",
        [&](const YAML::Node& n) {
          return r.Map(n, "pyramid",
                       {{"params", [&](const YAML::Node& v) -> Status {
                           std::string path;
                           CW_RETURN_IF_ERROR(r.String(v, "pyramid.params", &path));
                           auto params = pyramid::LoadPyramidParams(path);
                           if (!params.ok())
                             return InvalidArgument(Where(r.source(), v) + ": pyramid.params: " +
                                                    params.status().message());
                           c->evaluation.alert.pyramid =
                               std::make_shared<const pyramid::PyramidParams>(std::move(*params));
                           return Status::Ok();
                         }}});
        }},
       {"model",
        [&](const YAML::Node& n) {
          return r.Map(n, "model",
                       {{"path", [&](const YAML::Node& v) -> Status {
                           std::string path;
                           CW_RETURN_IF_ERROR(r.String(v, "model.path", &path));
                           auto loaded = model::LoadSharedRiskModel(path);
                           if (!loaded.ok())
                             return InvalidArgument(Where(r.source(), v) +
                                                    ": model.path: " + loaded.status().message());
                           c->evaluation.alert.risk_model = *loaded;
                           return Status::Ok();
                         }}});
        }},
       {"alertmanager",
        [&](const YAML::Node& n) {
          notify::NotifyOptions& o = c->notify;
          return r.Map(
              n, "alertmanager",
              {{"urls",
                [&](const YAML::Node& v) -> Status {
                  if (!v.IsSequence())
                    return InvalidArgument(Where(r.source(), v) +
                                           ": alertmanager.urls must be a list of URLs");
                  o.alertmanager_urls.clear();
                  for (const auto& item : v) {
                    std::string url;
                    CW_RETURN_IF_ERROR(r.String(item, "alertmanager.urls[]", &url));
                    o.alertmanager_urls.push_back(url);
                  }
                  return Status::Ok();
                }},
               {"resend_interval",
                [&](const YAML::Node& v) {
                  return r.Duration(v, "alertmanager.resend_interval", &o.resend_interval_us);
                }},
               {"timeout",
                [&](const YAML::Node& v) -> Status {
                  int64_t us = 0;
                  CW_RETURN_IF_ERROR(r.Duration(v, "alertmanager.timeout", &us));
                  o.request_timeout_ms = static_cast<int>(std::min<int64_t>(us / 1000, 1 << 30));
                  return Status::Ok();
                }},
               {"max_backoff",
                [&](const YAML::Node& v) {
                  return r.Duration(v, "alertmanager.max_backoff", &o.max_backoff_us);
                }},
               {"ack_timeout",
                [&](const YAML::Node& v) {
                  return r.Duration(v, "alertmanager.ack_timeout", &o.ack_timeout_us);
                }},
               {"dashboard_url", [&](const YAML::Node& v) {
                  return r.String(v, "alertmanager.dashboard_url", &o.dashboard_url);
                }}});
        }},
       {"history",
        [&](const YAML::Node& n) {
          return r.Map(n, "history", {{"retention", [&](const YAML::Node& v) {
                                         return r.Duration(v, "history.retention",
                                                           &c->notify.history_retention_us);
                                       }}});
        }},
       {"health",
        [&](const YAML::Node& n) {
          auto weight = [&](const char* name, double* out) {
            return [&r, name, out](const YAML::Node& v) -> Status {
              try {
                *out = v.as<double>();
              } catch (const YAML::Exception&) {
                return InvalidArgument(Where(r.source(), v) + ": health.weights." + name +
                                       " must be a number");
              }
              if (*out < 0)
                return InvalidArgument(Where(r.source(), v) + ": health.weights." + name +
                                       " must be >= 0");
              return Status::Ok();
            };
          };
          features::HealthWeights& w = c->evaluation.alert.health;
          return r.Map(n, "health",
                       {{"weights", [&](const YAML::Node& v) {
                           return r.Map(v, "health.weights",
                                        {{"satisfaction", weight("satisfaction", &w.satisfaction)},
                                         {"value", weight("value", &w.value)},
                                         {"risk", weight("risk", &w.risk)}});
                         }}});
        }},
       {"events",
        [&](const YAML::Node& n) {
          return r.Map(n, "events",
                       {{"max_bytes",
                         [&](const YAML::Node& v) {
                           return r.Int<size_t>(v, "events.max_bytes", 64, 64 << 20,
                                                &c->limits.max_payload_bytes);
                         }},
                        {"max_id_bytes",
                         [&](const YAML::Node& v) {
                           return r.Int<size_t>(v, "events.max_id_bytes", 8, 4096,
                                                &c->limits.max_id_bytes);
                         }},
                        {"max_text_bytes",
                         [&](const YAML::Node& v) {
                           return r.Int<size_t>(v, "events.max_text_bytes", 16, 65536,
                                                &c->limits.max_text_bytes);
                         }},
                        {"max_future",
                         [&](const YAML::Node& v) {
                           return r.Duration(v, "events.max_future", &c->limits.max_future_micros);
                         }},
                        {"min_time", [&](const YAML::Node& v) -> Status {
                           std::string s;
                           CW_RETURN_IF_ERROR(r.String(v, "events.min_time", &s));
                           auto t = ParseRfc3339(s);
                           if (!t.ok())
                             return InvalidArgument(Where(r.source(), v) +
                                                    ": events.min_time: " + t.status().message());
                           c->limits.min_time = *t;
                           return Status::Ok();
                         }}});
        }},
       {"ingest", [&](const YAML::Node& n) {
          return r.Map(n, "ingest",
                       {{"max_batch_messages",
                         [&](const YAML::Node& v) {
                           return r.Int<size_t>(v, "ingest.max_batch_messages", 1, 1'000'000,
                                                &c->max_batch_messages);
                         }},
                        {"poll_timeout_ms",
                         [&](const YAML::Node& v) {
                           return r.Int<int>(v, "ingest.poll_timeout_ms", 1, 60'000,
                                             &c->poll_timeout_ms);
                         }},
                        {"deadletter_max_payload_bytes", [&](const YAML::Node& v) {
                           return r.Int<size_t>(v, "ingest.deadletter_max_payload_bytes", 0,
                                                16 << 20, &c->deadletter_max_payload_bytes);
                         }}});
        }}});
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > (int64_t{1} << 40))
      return InvalidArgument("duration '" + std::string(text) + "' is too large");
    n = n * 10 + (text[i++] - '0');
  }
  std::string_view unit = text.substr(i);
  if (i == 0)
    return InvalidArgument("duration '" + std::string(text) +
                           "' must start with a number, e.g. 30d");
  if (unit == "ms") return n * 1000;
  if (unit == "s") return n * kMicrosPerSecond;
  if (unit == "m") return n * 60 * kMicrosPerSecond;
  if (unit == "h") return n * 3600 * kMicrosPerSecond;
  if (unit == "d") return n * kMicrosPerDay;
  return InvalidArgument("duration '" + std::string(text) + "' needs a unit: ms, s, m, h or d");
}

Status ApplyConfigText(const std::string& text, const std::string& source_name,
                       ingest::EngineConfig* config) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source_name + ":" + std::to_string(e.mark.line + 1) +
                           ": not valid YAML: " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();  // empty file: defaults
  Reader reader(source_name);
  try {
    return ApplyRoot(reader, root, config);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status ApplyConfigFile(const std::string& path, ingest::EngineConfig* config) {
  std::ifstream in(path);
  if (!in)
    return InvalidArgument("cannot read config file " + path +
                           " (does it exist and is it readable?)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ApplyConfigText(ss.str(), path, config);
}

void ResolveDefaultRulesPath(ingest::EngineConfig* config) {
  std::error_code ec;
  if (config->rules_path_explicit || std::filesystem::exists(config->rules_path, ec)) return;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return;
  for (const auto& candidate :
       {exe.parent_path() / "../../rules", exe.parent_path() / "../share/churnwatch/rules"}) {
    if (std::filesystem::is_directory(candidate, ec)) {
      config->rules_path = candidate.lexically_normal().string();
      return;
    }
  }
}

Status ApplyEnvironment(ingest::EngineConfig* config) {
  auto env = [](const char* name, std::string* out) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') *out = v;
  };
  env("CHURNWATCH_BOOTSTRAP", &config->bootstrap);
  env("CHURNWATCH_GROUP", &config->group);
  env("CHURNWATCH_STATE_DIR", &config->state_dir);
  env("CHURNWATCH_HTTP", &config->http);
  env("CHURNWATCH_TIME_ZONE", &config->time_zone);
  env("CHURNWATCH_HTTP_TOKEN", &config->http_token);
  std::string urls;
  env("CHURNWATCH_ALERTMANAGER", &urls);
  if (!urls.empty()) {
    config->notify.alertmanager_urls.clear();
    std::stringstream in(urls);
    for (std::string url; std::getline(in, url, ',');) {
      if (!url.empty()) config->notify.alertmanager_urls.push_back(url);
    }
  }
  // Test-only fault injection into the Kafka consumer (kafka::ConsumerFaults).
  auto fault = [](const char* name, int* out) -> Status {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return Status::Ok();
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (*end != '\0' || n < 0 || n > 1000000) {
      return InvalidArgument(std::string(name) + "=" + v +
                             ": expected a whole number from 0 to 1000000");
    }
    *out = static_cast<int>(n);
    return Status::Ok();
  };
  CW_RETURN_IF_ERROR(
      fault("CHURNWATCH_TEST_ASSIGN_DELAY_MS", &config->consumer_faults.assign_delay_ms));
  CW_RETURN_IF_ERROR(
      fault("CHURNWATCH_TEST_DROP_AFTER_ASSIGN", &config->consumer_faults.drop_after_assign));
  return Status::Ok();
}

}  // namespace churnwatch::cli
