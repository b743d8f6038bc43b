#include "http/ack_request.h"

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/calendar.h"
#include "http/json_reply.h"

namespace churnwatch::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxTextBytes = 2000;
constexpr size_t kMaxTimeBytes = 64;

Result<json> ParseObject(const std::string& body, std::string_view shape) {
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    return InvalidArgument("body must be JSON " + std::string(shape) + ": " + e.what());
  }
  if (!parsed.is_object()) return InvalidArgument("body must be a JSON object " + std::string(shape));
  return parsed;
}

// Refuses fields outside `known`; `where` prefixes field names in messages ("plan.").
Status OnlyFields(const json& object, std::initializer_list<std::string_view> known,
                  const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    bool ok = false;
    std::string list;
    for (std::string_view k : known) {
      ok = ok || key == k;
      list += (list.empty() ? "" : ", ") + std::string(k);
    }
    if (!ok) return InvalidArgument("unknown field '" + where + key + "' (" + list + ")");
  }
  return Status::Ok();
}

// The string field `key` of `object` ("" when absent), bounded and printable.
Result<std::string> TextField(const json& object, const std::string& where, const char* key,
                              size_t min_bytes, size_t max_bytes, bool allow_newlines) {
  const std::string name = where + key;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (min_bytes > 0) return InvalidArgument("'" + name + "' is required");
    return std::string();
  }
  if (!it->is_string()) return InvalidArgument("'" + name + "' must be a string");
  std::string text = it->get<std::string>();
  if (text.size() < min_bytes || text.size() > max_bytes || !PrintableUtf8(text, allow_newlines)) {
    return InvalidArgument("'" + name + "' must be printable UTF-8 text of " +
                           std::to_string(min_bytes) + ".." + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

Result<v1::RepairPlan> ParsePlan(const json& plan, const std::string& by) {
  if (!plan.is_object())
    return InvalidArgument("'plan' must be an object {\"text\", \"owner\", \"due_at\"}");
  CW_RETURN_IF_ERROR(OnlyFields(plan, {"text", "owner", "due_at"}, "plan."));
  auto text = TextField(plan, "plan.", "text", 1, kMaxTextBytes, true);
  if (!text.ok()) return text.status();
  auto owner = TextField(plan, "plan.", "owner", 0, kMaxNameBytes, false);
  if (!owner.ok()) return owner.status();
  auto due_text = TextField(plan, "plan.", "due_at", 1, kMaxTimeBytes, false);
  if (!due_text.ok()) return due_text.status();
  auto due = ParseRfc3339(*due_text);
  if (!due.ok())
    return InvalidArgument("'plan.due_at' is not an RFC 3339 time: " + due.status().message());
  v1::RepairPlan out;
  out.set_text(*text);
  out.set_owner(owner->empty() ? by : *owner);
  out.set_due_at_us(*due);
  return out;
}

}  // namespace

bool PrintableUtf8(const std::string& s, bool allow_newlines) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && !(allow_newlines && (c == '\n' || c == '\t'))) return false;
    if (u == 0x7f) return false;
  }
  return IsUtf8(s);
}

Result<ingest::Engine::AckRequest> ParseAckRequest(const std::string& body) {
  auto parsed = ParseObject(body, "{\"by\": ..., \"note\": ..., \"plan\": {...}}");
  if (!parsed.ok()) return parsed.status();
  CW_RETURN_IF_ERROR(OnlyFields(*parsed, {"by", "note", "plan"}, ""));
  ingest::Engine::AckRequest out;
  auto by = TextField(*parsed, "", "by", 1, kMaxNameBytes, false);
  if (!by.ok()) return by.status();
  out.by = *by;
  auto note = TextField(*parsed, "", "note", 0, kMaxTextBytes, true);
  if (!note.ok()) return note.status();
  out.note = *note;
  if (auto plan = parsed->find("plan"); plan != parsed->end() && !plan->is_null()) {
    auto p = ParsePlan(*plan, out.by);
    if (!p.ok()) return p.status();
    out.plan = std::move(*p);
  }
  return out;
}

Result<std::string> ParsePlanDoneRequest(const std::string& body) {
  auto parsed = ParseObject(body, "{\"by\": ...}");
  if (!parsed.ok()) return parsed.status();
  CW_RETURN_IF_ERROR(OnlyFields(*parsed, {"by"}, ""));
  return TextField(*parsed, "", "by", 1, kMaxNameBytes, false);
}

}  // namespace churnwatch::http
