// The customer file (客户档案) endpoints: an account's decision chain and its timeline
// (customer_file.h says what each holds).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "http/ack_request.h"
#include "http/customer_file.h"
#include "http/http_server.h"
#include "http/json_reply.h"
#include "http/query_params.h"
#include "ingest/engine.h"

namespace churnwatch::http {

void HttpServer::CustomerFileRoutes() {
  httplib::Server& s = *server_;

  // The snapshot of the account in req.matches[1], or nullopt with the error sent.
  auto account_of = [this](const httplib::Request& req, httplib::Response& res)
      -> std::optional<state::AccountSnapshot> {
    if (engine_ == nullptr) {
      SendError(res, 503, "engine is starting");
      return std::nullopt;
    }
    std::string id = req.matches[1];
    if (id.size() > 128 || !PrintableUtf8(id, false)) {
      SendError(res, 400, "account id must be printable UTF-8 of at most 128 bytes");
      return std::nullopt;
    }
    auto found = engine_->FindAccount(id);
    if (!found.ok()) {
      SendError(res, 500, found.status().message());
      return std::nullopt;
    }
    if (!found->has_value()) {
      SendError(res, 404,
                "account '" + id +
                    "' is not known to this instance (not yet seen, or owned by another "
                    "instance)");
      return std::nullopt;
    }
    return std::move(**found);
  };

  s.Get(R"(/api/v1/accounts/([^/]+)/contacts)",
        [account_of](const httplib::Request& req, httplib::Response& res) {
          if (!req.params.empty()) {
            return SendError(res, 400,
                             "unknown parameter '" + req.params.begin()->first + "' (none taken)");
          }
          auto account = account_of(req, res);
          if (account) SendJson(res, 200, DecisionChainJson(*account));
        });

  s.Get(R"(/api/v1/accounts/([^/]+)/timeline)",
        [this, account_of](const httplib::Request& req, httplib::Response& res) {
          auto limit = ParseHistoryLimit(req.params);
          if (!limit.ok()) return SendError(res, 400, limit.status().message());
          auto account = account_of(req, res);
          if (!account) return;
          auto history = engine_->History(account->account_id);
          if (!history.ok()) return SendError(res, 500, history.status().message());
          SendJson(res, 200,
                   TimelineJson(*account, history->value_or(std::vector<v1::HistoryEntry>{}),
                                *limit, engine_->calendar()));
        });
}

}  // namespace churnwatch::http
