#include "support/alertmanager_process.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/wait_until.h"

namespace churnwatch::test {

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

::testing::AssertionResult AlertmanagerProcess::Start(const std::string& config_path,
                                                      const std::string& data_dir,
                                                      const std::string& log_path) {
  std::string error;
  process_ = std::make_unique<ChildProcess>();
  if (!process_->Start("/usr/bin/prometheus-alertmanager",
                       {"--config.file=" + config_path, "--storage.path=" + data_dir,
                        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                        "--cluster.listen-address=", "--log.level=debug"},
                       log_path, {}, &error)) {
    return ::testing::AssertionFailure() << "cannot start prometheus-alertmanager: " << error;
  }
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(1, 0);
  auto ready = WaitUntil(
      [&] {
        auto res = client.Get("/-/ready");
        return res && res->status == 200;
      },
      std::chrono::seconds(30), "Alertmanager /-/ready");
  if (!ready) return ready << "\nAlertmanager log:\n" << process_->Stderr();
  return ::testing::AssertionSuccess();
}

void AlertmanagerProcess::Stop() {
  if (process_ && process_->running()) {
    process_->Signal(SIGTERM);
    if (!process_->Wait(DeadlineIn(std::chrono::seconds(10)))) process_->Kill();
  }
}

std::string AlertmanagerProcess::Silence(const std::string& name, const std::string& value) {
  httplib::Client client("127.0.0.1", port_);
  auto now = std::chrono::system_clock::now();
  auto iso = [](std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
    return std::string(buf);
  };
  nlohmann::json body = {
      {"matchers", {{{"name", name}, {"value", value}, {"isRegex", false}, {"isEqual", true}}}},
      {"startsAt", iso(now - std::chrono::minutes(1))},
      {"endsAt", iso(now + std::chrono::hours(1))},
      {"createdBy", "churnwatch test"},
      {"comment", "customer visit planned; no reminders"}};
  auto res = client.Post("/api/v2/silences", body.dump(), "application/json");
  if (!res || res->status != 200) {
    ADD_FAILURE() << "creating a silence failed: "
                  << (res ? std::to_string(res->status) + " " + res->body : "no answer");
    return "";
  }
  return nlohmann::json::parse(res->body).value("silenceID", "");
}

nlohmann::json AlertmanagerProcess::Alerts() const {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/api/v2/alerts");
  if (!res || res->status != 200) return nullptr;
  return nlohmann::json::parse(res->body, nullptr, false);
}

WebhookReceiver::WebhookReceiver() : server_(std::make_unique<httplib::Server>()) {
  server_->Post(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    std::lock_guard lock(mu_);
    received_[req.path].push_back(std::move(body));
    res.status = 200;
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

WebhookReceiver::~WebhookReceiver() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::vector<nlohmann::json> WebhookReceiver::Received(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = received_.find(path);
  return it == received_.end() ? std::vector<nlohmann::json>() : it->second;
}

std::vector<std::pair<std::string, nlohmann::json>> WebhookReceiver::AlertsFor(
    const std::string& path, const std::string& alertname, const std::string& account_id) const {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const auto& notification : Received(path)) {
    if (!notification.is_object() || !notification.contains("alerts")) continue;
    for (const auto& alert : notification["alerts"]) {
      const auto& labels = alert["labels"];
      if (labels.value("alertname", "") == alertname &&
          labels.value("account_id", "") == account_id) {
        out.emplace_back(alert.value("status", ""), labels);
      }
    }
  }
  return out;
}

}  // namespace churnwatch::test
