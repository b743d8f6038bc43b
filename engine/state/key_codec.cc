#include "state/key_codec.h"

namespace churnwatch::state {
namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    auto byte = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

void PutMonth(std::string* out, MonthKey m) {
  auto v = static_cast<uint32_t>(m);
  for (int b = 3; b >= 0; --b) out->push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}

bool GetMonth(std::string_view* in, MonthKey* m) {
  if (in->size() < 4) return false;
  uint32_t v = 0;
  for (int b = 0; b < 4; ++b) v = (v << 8) | static_cast<uint8_t>((*in)[b]);
  in->remove_prefix(4);
  *m = static_cast<MonthKey>(v);
  return true;
}

}  // namespace

std::string AccountPrefix(std::string_view account_id) {
  std::string out;
  out.reserve(account_id.size() + 2);
  PutLengthPrefixed(&out, account_id);
  return out;
}

std::string OrderMonthKey(std::string_view account_id, std::string_view product_line,
                          MonthKey month) {
  std::string out = AccountPrefix(account_id);
  PutLengthPrefixed(&out, product_line);
  PutMonth(&out, month);
  return out;
}

std::string AccountPeriodKey(std::string_view account_id, int32_t period) {
  std::string out = AccountPrefix(account_id);
  PutMonth(&out, period);
  return out;
}

std::string AlertKey(std::string_view account_id, std::string_view rule_id) {
  std::string out = AccountPrefix(account_id);
  PutLengthPrefixed(&out, rule_id);
  return out;
}

namespace {
void PutU64(std::string* out, uint64_t v) {
  for (int b = 7; b >= 0; --b) out->push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}
uint64_t GetU64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}
// Flipping the sign bit makes signed times sort as unsigned big-endian bytes.
constexpr uint64_t kSignBit = uint64_t{1} << 63;
}  // namespace

std::string NotifyUrlPrefix(uint64_t url_hash) {
  std::string out;
  PutU64(&out, url_hash);
  return out;
}

std::string NotifyKey(uint64_t url_hash, uint64_t sequence) {
  std::string out = NotifyUrlPrefix(url_hash);
  PutU64(&out, sequence);
  return out;
}

std::string HistoryKey(std::string_view account_id, int64_t at_us, uint64_t sequence,
                       uint8_t source) {
  std::string out = AccountPrefix(account_id);
  PutU64(&out, static_cast<uint64_t>(at_us) ^ kSignBit);
  PutU64(&out, sequence);
  out.push_back(static_cast<char>(source));
  return out;
}

std::optional<int64_t> HistoryKeyTime(std::string_view key) {
  auto account = ParseAccountOfKey(key);
  if (!account || key.size() != AccountPrefix(*account).size() + 17) return std::nullopt;
  return static_cast<int64_t>(GetU64(key.substr(key.size() - 17, 8)) ^ kSignBit);
}

std::string AckKey(std::string_view alert_id) { return "a" + std::string(alert_id); }
std::string NotifiedKey(std::string_view alert_id) { return "n" + std::string(alert_id); }
std::string EscalatedKey(std::string_view alert_id) { return "e" + std::string(alert_id); }
std::string PlanEscalatedKey(std::string_view alert_id) { return "p" + std::string(alert_id); }

std::string OutboxKey(uint64_t sequence) {
  std::string out;
  PutU64(&out, sequence);
  return out;
}

std::string ContactKey(std::string_view account_id, std::string_view contact_id) {
  std::string out = AccountPrefix(account_id);
  PutLengthPrefixed(&out, contact_id);
  return out;
}

std::string DedupKey(uint8_t kind, std::string_view event_id) {
  std::string out(1, static_cast<char>(kind));
  out.append(event_id);
  return out;
}

std::string OffsetKey(std::string_view topic) { return "offset/" + std::string(topic); }

std::optional<OrderMonthKeyParts> ParseOrderMonthKey(std::string_view key) {
  std::string_view account, line;
  OrderMonthKeyParts parts;
  if (!GetLengthPrefixed(&key, &account) || !GetLengthPrefixed(&key, &line) ||
      !GetMonth(&key, &parts.month) || !key.empty()) {
    return std::nullopt;
  }
  parts.account_id = account;
  parts.product_line = line;
  return parts;
}

std::optional<MonthKey> ParseAccountPeriodKey(std::string_view key) {
  std::string_view account;
  MonthKey m;
  if (!GetLengthPrefixed(&key, &account) || !GetMonth(&key, &m) || !key.empty())
    return std::nullopt;
  return m;
}

std::optional<std::string> ParseAccountOfKey(std::string_view key) {
  std::string_view account;
  if (!GetLengthPrefixed(&key, &account)) return std::nullopt;
  return std::string(account);
}

std::string EncodeDedupValue(const DedupValue& v) {
  return EncodeInt64(v.occurred_at) + EncodeInt64(static_cast<int64_t>(v.fingerprint));
}

std::optional<DedupValue> DecodeDedupValue(std::string_view bytes) {
  if (bytes.size() != 8 && bytes.size() != 16) return std::nullopt;
  DedupValue v;
  v.occurred_at = *DecodeInt64(bytes.substr(0, 8));
  if (bytes.size() == 16) v.fingerprint = static_cast<uint64_t>(*DecodeInt64(bytes.substr(8)));
  return v;
}

std::string EncodeInt64(int64_t v) {
  std::string out(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>((u >> (8 * b)) & 0xff);
  return out;
}

std::optional<int64_t> DecodeInt64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t u = 0;
  for (int b = 0; b < 8; ++b) u |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[b])) << (8 * b);
  return static_cast<int64_t>(u);
}

}  // namespace churnwatch::state
