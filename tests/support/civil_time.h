// Civil-time arithmetic for the tests' reference model, written independently of the engine's
// calendar code (Howard Hinnant's days_from_civil algorithm) so a shared bug can not hide.
// Periods use a FIXED offset (Asia/Shanghai is UTC+8 all year, no DST since 1991).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace churnwatch::test {

// Days since 1970-01-01 of the proleptic Gregorian date y-m-d.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};
CivilDate CivilFromDays(int64_t days);

// Seconds since the epoch of the UTC wall time.
int64_t UtcSeconds(int64_t y, unsigned mo, unsigned d, unsigned h = 0, unsigned mi = 0,
                   unsigned s = 0);

// "2026-03-31T16:00:00Z".
std::string FormatUtc(int64_t secs);
// The same instant written in local time with an offset, e.g. "2026-04-01T00:00:00+08:00".
std::string FormatWithOffset(int64_t secs, int offset_minutes);
// Parses "YYYY-MM-DDTHH:MM:SS" followed by "Z" or "+HH:MM"/"-HH:MM" (whole seconds only).
std::optional<int64_t> ParseTimestamp(const std::string& text);

// The calendar month / quarter that contains `secs` at UTC+8: "2026-04", "2026Q2".
constexpr int kShanghaiOffsetMinutes = 8 * 60;
std::string LocalMonthLabel(int64_t secs, int offset_minutes = kShanghaiOffsetMinutes);
std::string LocalQuarterLabel(int64_t secs, int offset_minutes = kShanghaiOffsetMinutes);

}  // namespace churnwatch::test
