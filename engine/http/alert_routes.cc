// Alert follow-up endpoints: acknowledge (a write, bearer token) and an account's history.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "common/calendar.h"
#include "events/proto_json.h"
#include "http/http_server.h"
#include "http/json_reply.h"
#include "http/query_params.h"
#include "ingest/engine.h"

namespace churnwatch::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxByBytes = 200;
constexpr size_t kMaxNoteBytes = 2000;
constexpr size_t kMaxIdBytes = 128;

json AckJson(const v1::AckRecord& ack) {
  return {{"by", ack.by()}, {"note", ack.note()}, {"at", FormatRfc3339(ack.at_us())}};
}

bool PrintableUtf8(const std::string& s, bool allow_newlines) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && !(allow_newlines && (c == '\n' || c == '\t'))) return false;
    if (u == 0x7f) return false;
  }
  return IsUtf8(s);
}

}  // namespace

void AddFollowUp(const ingest::Engine& engine, const std::string& account,
                 const v1::AlertRecord& rec, json* out) {
  auto ack = engine.AckOf(account, rec.id());
  (*out)["ack"] = ack.ok() && ack->has_value() ? AckJson(**ack) : json(nullptr);
  UnixMicros escalated = engine.notifier().EscalatedAt(rec.id());
  (*out)["escalated"] = escalated != 0;
  (*out)["escalated_at"] = escalated != 0 ? json(FormatRfc3339(escalated)) : json(nullptr);
  UnixMicros notified = engine.notifier().NotifiedAt(rec.id());
  (*out)["notified_at"] = notified != 0 ? json(FormatRfc3339(notified)) : json(nullptr);
}

void HttpServer::AlertRoutes() {
  httplib::Server& s = *server_;

  // Body: {"by": "who (required)", "note": "the repair plan (optional)"}.
  s.Post(
      R"(/api/v1/alerts/([^/]+)/ack)", [this](const httplib::Request& req, httplib::Response& res) {
        if (engine_ == nullptr) return SendError(res, 503, "engine is starting");
        if (!Authorized(req, res)) return;
        std::string id = req.matches[1];
        if (id.size() > kMaxIdBytes || !PrintableUtf8(id, false))
          return SendError(res, 400, "alert id must be printable UTF-8 of at most 128 bytes");
        json body;
        try {
          body = json::parse(req.body);
        } catch (const json::parse_error& e) {
          return SendError(
              res, 400, std::string("body must be JSON {\"by\": ..., \"note\": ...}: ") + e.what());
        }
        if (!body.is_object()) return SendError(res, 400, "body must be a JSON object");
        for (const auto& [key, value] : body.items()) {
          if (key != "by" && key != "note")
            return SendError(res, 400, "unknown field '" + key + "' (by, note)");
          if (!value.is_string()) return SendError(res, 400, "'" + key + "' must be a string");
        }
        std::string by = body.value("by", "");
        std::string note = body.value("note", "");
        if (by.empty() || by.size() > kMaxByBytes || !PrintableUtf8(by, false))
          return SendError(res, 400, "'by' must name who acknowledges (printable, 1..200 bytes)");
        if (note.size() > kMaxNoteBytes || !PrintableUtf8(note, true))
          return SendError(res, 400, "'note' must be printable text of at most 2000 bytes");
        auto acked = engine_->Acknowledge(id, by, note);
        if (!acked.ok()) {
          int status = acked.status().code() == StatusCode::kNotFound             ? 404
                       : acked.status().code() == StatusCode::kFailedPrecondition ? 409
                                                                                  : 500;
          return SendError(res, status, acked.status().message());
        }
        SendJson(res, 200,
                 {{"alert_id", id},
                  {"account_id", acked->account_id},
                  {"rule", acked->alert.rule()},
                  {"ack", AckJson(acked->ack)}});
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
      if (h.has_ack()) row["ack"] = AckJson(h.ack());
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
