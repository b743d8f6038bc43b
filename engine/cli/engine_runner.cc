#include "cli/engine_runner.h"

#include <prometheus/registry.h>

#include <csignal>

#include "common/clock.h"

namespace churnwatch::cli {

EngineRunner::EngineRunner(const Clock* clock)
    : clock_(clock), registry_(std::make_shared<prometheus::Registry>()) {}

namespace {
ingest::Engine* g_reload_target = nullptr;
extern "C" void OnSighup(int) {
  if (g_reload_target != nullptr) g_reload_target->RequestRuleReload();  // sets an atomic flag only
}
}  // namespace

void EngineRunner::OnReloadSignal() {
  g_reload_target = engine_.get();
  struct sigaction sa = {};
  sa.sa_handler = OnSighup;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGHUP, &sa, nullptr);
}

EngineRunner::~EngineRunner() {
  if (g_reload_target == engine_.get()) g_reload_target = nullptr;
  if (http_) http_->Stop();  // before the engine it reads from goes away
}

Status EngineRunner::Start(const ingest::EngineConfig& config) {
  auto engine = ingest::Engine::Create(config, registry_.get(), clock_);
  if (!engine.ok()) return engine.status();
  engine_ = std::move(*engine);
  http_ = std::make_unique<http::HttpServer>(engine_.get(), registry_.get());
  CW_RETURN_IF_ERROR(http_->Start(config.http));
  return engine_->Start();
}

std::string EngineRunner::http_address() const {
  std::string host = http_->host();
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(http_->port());
}

Status EngineRunner::Run(const std::atomic<bool>& stop) { return engine_->RunUntil(stop); }

}  // namespace churnwatch::cli
