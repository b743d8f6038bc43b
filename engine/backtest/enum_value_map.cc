#include "backtest/enum_value_map.h"

#include <google/protobuf/descriptor.h>

#include "events/event_decoder.h"
#include "events/proto_json.h"

namespace churnwatch::backtest {
namespace {

namespace pb = google::protobuf;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ShortName(const pb::EnumDescriptor* type, int number) {
  return ShortEnumName(type->FindValueByNumber(number));
}

// The defined value `name` means (short or prefixed, any case), as a short name; "" when none
// (UNSPECIFIED is not a value a row may carry).
std::string Canonical(const pb::EnumDescriptor* type, const std::string& name) {
  int n = ResolveEnumName(type, name);
  return n <= 0 ? "" : ShortName(type, n);
}

}  // namespace

Result<EnumValueMap> EnumValueMap::Parse(const std::vector<std::string>& specs,
                                         std::vector<Field> fields, const std::string& topic) {
  EnumValueMap map;
  map.fields_ = std::move(fields);
  for (const auto& spec : specs) {
    const std::string what = "--map '" + spec + "': ";
    size_t eq = spec.find('='), colon = spec.rfind(':');
    if (eq == std::string::npos || colon == std::string::npos || colon < eq)
      return InvalidArgument(what + "expected FIELD=FROM:TO, e.g. kind=会议取消:MEETING_CANCELLED");
    std::string field = spec.substr(0, eq), from = spec.substr(eq + 1, colon - eq - 1),
                to = spec.substr(colon + 1);
    const Field* f = map.Find(field);
    if (f == nullptr) {
      std::string names;
      for (const auto& g : map.fields_) names += (names.empty() ? "" : ", ") + g.name;
      return InvalidArgument(what + "'" + field + "' is not an enum field of " + topic +
                             (names.empty() ? " (it has none)" : " (it has " + names + ")"));
    }
    if (from.empty()) return InvalidArgument(what + "FROM is empty");
    std::string value = to.empty() ? "" : Canonical(f->type, to);
    if (!to.empty() && value.empty())
      return InvalidArgument(what + "'" + to + "' is not a " + field + " (one of " +
                             map.ValueList(field) + ")");
    auto [it, inserted] = map.table_.emplace(std::make_pair(field, from), value);
    if (!inserted && it->second != value)
      return InvalidArgument(what + "'" + from + "' is already mapped to '" + it->second + "'");
  }
  return map;
}

Result<std::string> EnumValueMap::Resolve(const std::string& field, const std::string& text) const {
  if (text.empty()) return std::string();
  if (auto it = table_.find({field, text}); it != table_.end()) return it->second;
  for (const auto& [key, value] : table_) {
    if (key.first == field && Lower(key.second) == Lower(text)) return value;
  }
  const Field* f = Find(field);
  std::string value = Canonical(f->type, text);
  if (value.empty())
    return InvalidArgument(field + " '" + text + "' is not one of " + ValueList(field) +
                           "; map it with --map " + field + "=" + text + ":VALUE");
  return value;
}

std::string EnumValueMap::ValueList(const std::string& field) const {
  const Field* f = Find(field);
  std::string out;
  for (int i = 0; f != nullptr && i < f->type->value_count(); ++i) {
    int n = f->type->value(i)->number();
    if (n != 0) out += (out.empty() ? "" : ", ") + ShortName(f->type, n);
  }
  return out;
}

const EnumValueMap::Field* EnumValueMap::Find(const std::string& field) const {
  for (const auto& f : fields_) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

}  // namespace churnwatch::backtest
