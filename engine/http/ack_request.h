// AckRequest parsing: the body of POST /api/v1/alerts/{id}/ack and .../plan/done, checked at
// the edge so that the engine only ever sees well-formed, bounded text.
//
// Ack body (unknown fields are refused, so a typo is not silently dropped):
//   {"by": "who (required, 1..200 bytes)", "note": "free text (optional, ≤ 2000 bytes)",
//    "plan": {"text": "what will be done (required, 1..2000 bytes)",
//             "owner": "who does it (optional, ≤ 200 bytes; default: by)",
//             "due_at": "RFC 3339 (required)"}}
// The plan is optional (today's bodies stay valid). Whether the alert may carry a plan
// (critical only) and whether the due time is ahead of now is the engine's to say.
// Plan-done body: {"by": "who (required)"}.
//
// Text must be UTF-8 without control characters (note and plan text may hold newlines and
// tabs). Every failure is InvalidArgument naming the field.
#pragma once

#include <string>

#include "common/status.h"
#include "ingest/engine.h"

namespace churnwatch::http {

// Printable UTF-8: no control characters other than (when allowed) newline and tab, no DEL.
bool PrintableUtf8(const std::string& s, bool allow_newlines);

Result<ingest::Engine::AckRequest> ParseAckRequest(const std::string& body);
// The `by` of a plan-done body.
Result<std::string> ParsePlanDoneRequest(const std::string& body);

}  // namespace churnwatch::http
