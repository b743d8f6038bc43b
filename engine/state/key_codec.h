// Key encoding of the state store.
//
// Account-scoped keys start with the account prefix [varint length][account id bytes], so all
// of an account's rows in a column family are one contiguous range and a prefix seek finds
// them. Months are big-endian so that keys sort in time order. Length prefixes (not
// separators) make any byte in an id safe.
//
//   orders      prefix(account) [varint len][product line] [month:u32 BE]   → CounterRecord
//   service     prefix(account) [day:u32 BE]                                → CounterRecord
//   engagement  prefix(account) [day:u32 BE]                                → CounterRecord
//   order_days  prefix(account) [day:u32 BE]                                → CounterRecord
//   accounts    prefix(account)                                             → CounterRecord
//   alerts      prefix(account) [varint len][rule id]                       → AlertRecord (proto)
//   outbox      [sequence:u64 BE]                                           → OutboxEntry (proto)
//   notify      [url hash:u64 BE][sequence:u64 BE]                          → NotificationEntry
//   history     prefix(account) [time:u64 BE, sign-flipped][sequence:u64 BE][source:u8]
//                                                                           → HistoryEntry (proto)
//   acks        'a' alert id                                                → AckRecord (proto)
//               'n' alert id                                                → first notified (i64
//               LE)
//               'e' alert id → first escalated; 'p' alert id → escalated for an overdue plan
//   contacts    prefix(account) [varint len][contact id]                    → ContactRecord (proto)
//   profiles    prefix(account)                                             → ProfileRecord (proto)
//   dedup       [kind:u8][event id]                      → occurred_at (i64 LE) [fingerprint u64
//   LE] meta        "offset/" topic                                             → next offset (i64
//   LE)
//               "stream_time"                                               → micros (i64 LE)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/calendar.h"

namespace churnwatch::state {

std::string AccountPrefix(std::string_view account_id);
std::string OrderMonthKey(std::string_view account_id, std::string_view product_line,
                          MonthKey month);
// Period = a DayKey (or any int32 that sorts in time order).
std::string AccountPeriodKey(std::string_view account_id, int32_t period);
std::string AlertKey(std::string_view account_id, std::string_view rule_id);
std::string OutboxKey(uint64_t sequence);
inline constexpr std::string_view kOutboxSequenceKey = "outbox_sequence";
// Alertmanager outbox: entries of one URL sort together, in sequence order.
std::string NotifyKey(uint64_t url_hash, uint64_t sequence);
std::string NotifyUrlPrefix(uint64_t url_hash);
// History rows sort by time within an account. `source` tells writers apart so that their keys
// never collide: kHistoryFromTask (transitions, event time) and kHistoryFromApi (acks).
inline constexpr uint8_t kHistoryFromTask = 'T';
inline constexpr uint8_t kHistoryFromApi = 'A';
std::string HistoryKey(std::string_view account_id, int64_t at_us, uint64_t sequence,
                       uint8_t source);
// The time of a history key; nullopt when it is not one.
std::optional<int64_t> HistoryKeyTime(std::string_view key);
std::string AckKey(std::string_view alert_id);
std::string NotifiedKey(std::string_view alert_id);
std::string EscalatedKey(std::string_view alert_id);
// When the alert escalated because its repair plan was overdue (i64 LE, wall clock).
std::string PlanEscalatedKey(std::string_view alert_id);
std::string ContactKey(std::string_view account_id, std::string_view contact_id);
std::string DedupKey(uint8_t kind, std::string_view event_id);
// A dedup row's value: the event time (what expiry reads) and a fingerprint of the event's
// content, so a repeated id with other content can be told from a plain redelivery.
// Fingerprint 0 = unknown (rows written before fingerprints were stored).
struct DedupValue {
  int64_t occurred_at = 0;
  uint64_t fingerprint = 0;
};
std::string EncodeDedupValue(const DedupValue& v);
// nullopt when the bytes are neither the 8-byte (time only) nor the 16-byte form.
std::optional<DedupValue> DecodeDedupValue(std::string_view bytes);
std::string OffsetKey(std::string_view topic);
inline constexpr std::string_view kStreamTimeKey = "stream_time";

// Parsed parts of keys; nullopt when the key is not of that shape.
struct OrderMonthKeyParts {
  std::string account_id;
  std::string product_line;
  MonthKey month;
};
std::optional<OrderMonthKeyParts> ParseOrderMonthKey(std::string_view key);
// For per-period keys (service, engagement, order_days): the period.
std::optional<MonthKey> ParseAccountPeriodKey(std::string_view key);
std::optional<std::string> ParseAccountOfKey(std::string_view key);

std::string EncodeInt64(int64_t v);
std::optional<int64_t> DecodeInt64(std::string_view bytes);

}  // namespace churnwatch::state
