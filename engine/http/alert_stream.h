// GET /api/v1/alerts/stream: the engine's alert transitions (FIRING, RESOLVED, REROUTED,
// ACKNOWLEDGED) as server-sent events, from ingest::TransitionFeed.
//
// Each event: `id: <seq>`, `event: <kind lowercase>`, `data: {"seq", "kind", "at", "alert",
// "by", "note"}` (alert in the alerts topic's JSON form). A reconnecting client sends
// Last-Event-ID (or ?after=SEQ) and gets what it missed while the feed still holds it; a new
// client first gets the latest kReplayOnConnect entries. A comment line every
// kHeartbeat keeps proxies from closing an idle stream and finds gone clients.
//
// Bounds: at most kMaxStreams streams at once (503 JSON beyond, so the HTTP thread pool stays
// free for the API), each closed after kMaxStreamDuration (clients reconnect with
// Last-Event-ID). Reads are guarded like every /api/v1 read (http.token_for_reads).
#pragma once

#include <chrono>
#include <cstddef>

namespace httplib {
class Server;
}
namespace churnwatch::ingest {
class Engine;
}

namespace churnwatch::http {

inline constexpr size_t kMaxStreams = 4;
inline constexpr size_t kReplayOnConnect = 50;
inline constexpr std::chrono::seconds kHeartbeat{15};
inline constexpr std::chrono::minutes kMaxStreamDuration{10};

// `engine` may be null while it starts (the route answers 503).
void AddAlertStreamRoute(httplib::Server& server, const ingest::Engine* engine);

}  // namespace churnwatch::http
