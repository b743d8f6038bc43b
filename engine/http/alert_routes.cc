// Alert follow-up endpoints: acknowledge (a write, bearer token) and an account's history.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "common/calendar.h"
#include "events/proto_json.h"
#include "http/ack_request.h"
#include "http/http_server.h"
#include "http/json_reply.h"
#include "http/query_params.h"
#include "ingest/engine.h"
#include "notify/escalation_policy.h"

namespace churnwatch::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdBytes = 128;

json TimeOrNull(UnixMicros t) { return t != 0 ? json(FormatRfc3339(t)) : json(nullptr); }

// The acknowledgement as the API shows it; the plan's state is as of `now` (wall clock).
json AckJson(const v1::AckRecord& ack, UnixMicros now) {
  json out = {{"by", ack.by()}, {"note", ack.note()}, {"at", FormatRfc3339(ack.at_us())}};
  if (ack.has_plan()) {
    const v1::RepairPlan& plan = ack.plan();
    out["plan"] = {{"text", plan.text()},
                   {"owner", plan.owner()},
                   {"due_at", FormatRfc3339(plan.due_at_us())},
                   {"state", notify::PlanStateName(notify::PlanStateAt(plan, now))},
                   {"done_at", TimeOrNull(plan.done_at_us())},
                   {"done_by", plan.done_at_us() != 0 ? json(plan.done_by()) : json(nullptr)}};
  }
  return out;
}

int StatusOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
      return 409;
    default:
      return 500;
  }
}

}  // namespace

void AddFollowUp(const ingest::Engine& engine, const std::string& account,
                 const v1::AlertRecord& rec, json* out) {
  auto ack = engine.AckOf(account, rec.id());
  (*out)["ack"] = ack.ok() && ack->has_value()
                      ? AckJson(**ack, SystemClock::Instance().Now())
                      : json(nullptr);
  if (ack.ok() && ack->has_value() && (*ack)->has_plan())
    (*out)["ack"]["plan"]["escalated_at"] = TimeOrNull(engine.notifier().PlanEscalatedAt(rec.id()));
  (*out)["escalated"] = engine.notifier().EscalatedAt(rec.id()) != 0;
  (*out)["escalated_at"] = TimeOrNull(engine.notifier().EscalatedAt(rec.id()));
  (*out)["notified_at"] = TimeOrNull(engine.notifier().NotifiedAt(rec.id()));
}

void HttpServer::AlertRoutes() {
  httplib::Server& s = *server_;

  // Body: see ack_request.h ({"by", "note", "plan": {"text", "owner", "due_at"}}).
  auto reply = [](httplib::Response& res, const std::string& id,
                  const ingest::Engine::Acknowledgement& acked) {
    SendJson(res, 200,
             {{"alert_id", id},
              {"account_id", acked.account_id},
              {"rule", acked.alert.rule()},
              {"ack", AckJson(acked.ack, SystemClock::Instance().Now())}});
  };
  // The alert id of a write, or an error already sent.
  auto write_target = [this](const httplib::Request& req,
                             httplib::Response& res) -> std::optional<std::string> {
    if (engine_ == nullptr) {
      SendError(res, 503, "engine is starting");
      return std::nullopt;
    }
    if (!Authorized(req, res)) return std::nullopt;
    std::string id = req.matches[1];
    if (id.size() > kMaxIdBytes || !PrintableUtf8(id, false)) {
      SendError(res, 400, "alert id must be printable UTF-8 of at most 128 bytes");
      return std::nullopt;
    }
    return id;
  };
  s.Post(R"(/api/v1/alerts/([^/]+)/ack)",
         [this, reply, write_target](const httplib::Request& req, httplib::Response& res) {
           auto id = write_target(req, res);
           if (!id) return;
           auto request = ParseAckRequest(req.body);
           if (!request.ok()) return SendError(res, 400, request.status().message());
           auto acked = engine_->Acknowledge(*id, *request);
           if (!acked.ok()) return SendError(res, StatusOf(acked.status()), acked.status().message());
           reply(res, *id, *acked);
         });

  // Body: {"by": "who"}. Marks the acknowledgement's repair plan done.
  s.Post(R"(/api/v1/alerts/([^/]+)/plan/done)",
         [this, reply, write_target](const httplib::Request& req, httplib::Response& res) {
           auto id = write_target(req, res);
           if (!id) return;
           auto by = ParsePlanDoneRequest(req.body);
           if (!by.ok()) return SendError(res, 400, by.status().message());
           auto done = engine_->CompletePlan(*id, *by);
           if (!done.ok()) return SendError(res, StatusOf(done.status()), done.status().message());
           reply(res, *id, *done);
         });

  // Every transition, re-route and acknowledgement of the account's alerts within the
  // retention, oldest first.
  s.Get(R"(/api/v1/accounts/([^/]+)/alerts)", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
    if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
    std::string id = req.matches[1];
    if (id.size() > kMaxIdBytes || !PrintableUtf8(id, false))
      return SendError(res, 400, "account id must be printable UTF-8 of at most 128 bytes");
    auto parsed_limit = ParseHistoryLimit(req.params);
    if (!parsed_limit.ok()) return SendError(res, 400, parsed_limit.status().message());
    const size_t limit = *parsed_limit;
    auto history = engine_->History(id);
    if (!history.ok()) return SendError(res, 500, history.status().message());
    if (!history->has_value()) {
      return SendError(res, 404,
                       "account '" + id +
                           "' is not known to this instance (not yet seen, or owned by another "
                           "instance)");
    }
    json rows = json::array();
    const UnixMicros now = SystemClock::Instance().Now();
    // The newest `limit` rows, oldest first.
    const auto& all = **history;
    const size_t skip = all.size() > limit ? all.size() - limit : 0;
    for (size_t i = skip; i < all.size(); ++i) {
      const auto& h = all[i];
      json row = {{"kind", h.kind()},
                  {"at", FormatRfc3339(h.at_us())},
                  {"alert_id", h.alert().id()},
                  {"rule", h.alert().rule()},
                  {"signal", h.alert().signal()},
                  {"severity", h.alert().severity()},
                  {"alert", ProtoToJson(h.alert())}};
      if (h.has_ack()) row["ack"] = AckJson(h.ack(), now);
      if (!h.previous_owner().empty()) row["previous_owner"] = h.previous_owner();
      rows.push_back(std::move(row));
    }
    SendJson(res, 200,
             {{"account_id", id},
              {"retention_days", engine_->config().notify.history_retention_us / kMicrosPerDay},
              {"truncated", skip > 0},
              {"history", rows}});
  });
}

}  // namespace churnwatch::http
