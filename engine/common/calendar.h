// Calendar: event time → calendar periods (months, quarters) in one configured time zone, and
// RFC 3339 timestamps to and from UnixMicros.
//
// Periods are identified by small integers that sort in time order:
//   MonthKey   = year * 100 + month      (202607 = July 2026)
//   QuarterKey = year * 10 + quarter     (20263  = 2026Q3)
// Thread-safety: a loaded Calendar is immutable and may be shared by all threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace date {
class time_zone;
}

namespace churnwatch {

using MonthKey = int32_t;
using QuarterKey = int32_t;
using DayKey = int32_t;  // year * 10000 + month * 100 + day (20260701)

class Calendar {
 public:
  // Loads a zone from the system tz database (e.g. "Asia/Shanghai", "Europe/Berlin", "UTC").
  // InvalidArgument names the zone when it is unknown.
  static Result<Calendar> Load(std::string_view zone_name);

  const std::string& zone_name() const { return zone_name_; }

  // The local day / month / quarter that contains instant t.
  DayKey DayOf(UnixMicros t) const;
  MonthKey MonthOf(UnixMicros t) const { return DayOf(t) / 100; }
  QuarterKey QuarterOf(UnixMicros t) const { return QuarterOfMonth(MonthOf(t)); }
  // The instant the local month / quarter begins (local midnight of its first day).
  UnixMicros StartOfMonth(MonthKey month) const;
  UnixMicros StartOfQuarter(QuarterKey quarter) const;
  // The instant the local day begins (local midnight, or the first instant after it).
  UnixMicros StartOfDay(DayKey day) const;

  // Days since 1970-01-01 of a DayKey's civil date (zone-independent), for day arithmetic.
  static int64_t DayNumber(DayKey day);
  static DayKey DayFromNumber(int64_t day_number);

  static QuarterKey QuarterOfMonth(MonthKey month) {
    return (month / 100) * 10 + ((month % 100) - 1) / 3 + 1;
  }
  static MonthKey FirstMonthOfQuarter(QuarterKey q) {
    return (q / 10) * 100 + (q % 10 - 1) * 3 + 1;
  }
  static QuarterKey NextQuarter(QuarterKey q) {
    return q % 10 == 4 ? (q / 10 + 1) * 10 + 1 : q + 1;
  }
  static QuarterKey PreviousQuarter(QuarterKey q) {
    return q % 10 == 1 ? (q / 10 - 1) * 10 + 4 : q - 1;
  }
  // "2026Q3".
  static std::string QuarterLabel(QuarterKey q);
  // "2026-07".
  static std::string MonthLabel(MonthKey m);

 private:
  Calendar(std::string name, const date::time_zone* zone)
      : zone_name_(std::move(name)), zone_(zone) {}
  std::string zone_name_;
  const date::time_zone* zone_;  // owned by the process-wide tz database
};

// Parses an RFC 3339 timestamp ("2026-07-01T08:00:00Z", "2026-07-01T16:00:00.250+08:00").
// Strict: date and time with seconds and an offset are required; fractions up to nanoseconds
// are accepted and truncated to microseconds. InvalidArgument says what is wrong.
Result<UnixMicros> ParseRfc3339(std::string_view text);

// Formats as UTC RFC 3339 with microseconds only when non-zero: "2026-07-01T08:00:00Z".
std::string FormatRfc3339(UnixMicros t);

// Days since 1970-01-01 of a proleptic Gregorian date (no time zone involved).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace churnwatch
