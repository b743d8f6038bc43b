#include "http/alert_stream.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "events/proto_json.h"
#include "http/json_reply.h"
#include "http/query_params.h"
#include "ingest/engine.h"
#include "ingest/transition_feed.h"

namespace churnwatch::http {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::atomic<size_t> open_streams{0};

std::string EventText(const ingest::FeedEntry& e) {
  std::string kind = e.kind;
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  json data = {{"seq", e.seq},
               {"kind", e.kind},
               {"at", FormatRfc3339(e.at_us)},
               {"alert", ProtoToJson(e.alert)},
               {"by", e.by},
               {"note", e.note}};
  // dump() escapes newlines, so the payload is one `data:` line.
  return "id: " + std::to_string(e.seq) + "\nevent: " + kind +
         "\ndata: " + data.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

// The sequence number to resume after: Last-Event-ID, else ?after=, else the latest
// kReplayOnConnect entries. Nullopt when the given value is not a number.
std::optional<uint64_t> StartAfter(const httplib::Request& req,
                                   const ingest::TransitionFeed& feed) {
  std::string v = req.get_header_value("Last-Event-ID");
  if (v.empty() && req.has_param("after")) v = req.get_param_value("after");
  if (v.empty()) {
    uint64_t last = feed.last_seq();
    return last > kReplayOnConnect ? last - kReplayOnConnect : 0;
  }
  return ParseEventSeq(v);
}

}  // namespace

void AddAlertStreamRoute(httplib::Server& s, const ingest::Engine* engine) {
  s.Get("/api/v1/alerts/stream", [engine](const httplib::Request& req, httplib::Response& res) {
    if (engine == nullptr) return SendError(res, 503, "engine is starting");
    for (const auto& [key, value] : req.params)
      if (key != "after") return SendError(res, 400, "unknown parameter '" + key + "' (after)");
    const ingest::TransitionFeed& feed = engine->transition_feed();
    auto after = StartAfter(req, feed);
    if (!after) return SendError(res, 400, "Last-Event-ID / after must be an event id (a number)");
    if (open_streams.fetch_add(1) >= kMaxStreams) {
      open_streams.fetch_sub(1);
      res.set_header("Retry-After", "10");
      return SendError(res, 503, "too many alert streams open; retry later");
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    auto seq = std::make_shared<uint64_t>(*after);
    auto opened = Clock::now();
    // The first idle round writes a heartbeat at once, so clients see the stream open.
    auto last_write = std::make_shared<Clock::time_point>(opened - kHeartbeat);
    res.set_chunked_content_provider(
        "text/event-stream",
        [&feed, seq, opened, last_write](size_t, httplib::DataSink& sink) {
          if (Clock::now() - opened > kMaxStreamDuration) {
            sink.done();
            return true;
          }
          // Short waits, so a stopping server is never held up for long.
          auto entries = feed.After(*seq, std::chrono::milliseconds(1000), 100);
          std::string out;
          for (const auto& e : entries) {
            out += EventText(e);
            *seq = e.seq;
          }
          if (out.empty() && Clock::now() - *last_write >= kHeartbeat) out = ": heartbeat\n\n";
          if (out.empty()) return true;
          *last_write = Clock::now();
          return sink.write(out.data(), out.size());
        },
        [](bool) { open_streams.fetch_sub(1); });
  });
}

}  // namespace churnwatch::http
