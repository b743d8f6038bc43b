#include "common/calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>

namespace churnwatch {
namespace {

using std::chrono::microseconds;
using SysMicros = date::sys_time<microseconds>;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[pos...]; false when any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int64_t* out) {
  if (pos + n > text.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<Calendar> Calendar::Load(std::string_view zone_name) {
  try {
    const date::time_zone* zone = date::locate_zone(std::string(zone_name));
    return Calendar(std::string(zone_name), zone);
  } catch (const std::exception& e) {
    return InvalidArgument("unknown time zone '" + std::string(zone_name) +
                           "' (use an IANA name such as Asia/Shanghai or UTC)");
  }
}

DayKey Calendar::DayOf(UnixMicros t) const {
  auto local = zone_->to_local(SysMicros(microseconds(t)));
  date::year_month_day ymd{date::floor<date::days>(local)};
  return static_cast<int>(ymd.year()) * 10000 +
         static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
         static_cast<int>(static_cast<unsigned>(ymd.day()));
}

int64_t Calendar::DayNumber(DayKey day) {
  return DaysFromCivil(day / 10000, static_cast<unsigned>(day / 100 % 100),
                       static_cast<unsigned>(day % 100));
}

DayKey Calendar::DayFromNumber(int64_t day_number) {
  date::year_month_day ymd{date::sys_days{date::days{day_number}}};
  return static_cast<int>(ymd.year()) * 10000 +
         static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
         static_cast<int>(static_cast<unsigned>(ymd.day()));
}

UnixMicros Calendar::StartOfDay(DayKey dk) const {
  date::local_days day{date::year(dk / 10000) / date::month(static_cast<unsigned>(dk / 100 % 100)) /
                       date::day(static_cast<unsigned>(dk % 100))};
  // Midnight can be skipped or repeated by a DST change in some zones; take the earliest
  // instant that is local midnight or, if skipped, the first instant after it.
  auto info = zone_->get_info(day);
  date::sys_seconds start;
  if (info.result == date::local_info::nonexistent) {
    start = info.second.begin;
  } else {
    start = date::sys_seconds{(day - info.first.offset).time_since_epoch()};
  }
  return std::chrono::duration_cast<microseconds>(start.time_since_epoch()).count();
}

UnixMicros Calendar::StartOfMonth(MonthKey month) const { return StartOfDay(month * 100 + 1); }

UnixMicros Calendar::StartOfQuarter(QuarterKey quarter) const {
  return StartOfMonth(FirstMonthOfQuarter(quarter));
}

std::string Calendar::QuarterLabel(QuarterKey q) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04dQ%d", q / 10, q % 10);
  return buf;
}

std::string Calendar::MonthLabel(MonthKey m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", m / 100, m % 100);
  return buf;
}

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  date::sys_days d{date::year(static_cast<int>(year)) / date::month(month) / date::day(day)};
  return d.time_since_epoch().count();
}

Result<UnixMicros> ParseRfc3339(std::string_view s) {
  auto bad = [&](const char* why) {
    return InvalidArgument("timestamp '" + std::string(s.substr(0, 64)) +
                           "' is not RFC 3339: " + why);
  };
  int64_t year, month, day, hour, minute, second;
  if (s.size() < 20) return bad("too short (want e.g. 2026-07-01T08:00:00Z)");
  if (!ReadDigits(s, 0, 4, &year) || s[4] != '-' || !ReadDigits(s, 5, 2, &month) || s[7] != '-' ||
      !ReadDigits(s, 8, 2, &day)) {
    return bad("date must be YYYY-MM-DD");
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
    return bad("date and time must be separated by T");
  if (!ReadDigits(s, 11, 2, &hour) || s[13] != ':' || !ReadDigits(s, 14, 2, &minute) ||
      s[16] != ':' || !ReadDigits(s, 17, 2, &second)) {
    return bad("time must be hh:mm:ss");
  }
  if (month < 1 || month > 12) return bad("month out of range");
  date::year_month_day ymd{date::year(static_cast<int>(year)),
                           date::month(static_cast<unsigned>(month)),
                           date::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return bad("no such day");
  if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
  if (second == 60) second = 59;  // leap second: clamp, as most systems do
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return bad("fraction of a second must have 1 to 9 digits");
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  if (pos >= s.size()) return bad("missing offset (Z or +hh:mm)");
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int64_t oh, om;
    if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad("offset must be Z or +hh:mm");
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("offset must be Z or +hh:mm");
  }
  if (pos != s.size()) return bad("trailing characters");
  int64_t days = date::sys_days(ymd).time_since_epoch().count();
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return secs * kMicrosPerSecond + micros;
}

std::string FormatRfc3339(UnixMicros t) {
  SysMicros tp{microseconds(t)};
  auto day = date::floor<date::days>(tp);
  date::year_month_day ymd{day};
  date::hh_mm_ss<microseconds> tod{tp - day};
  char buf[48];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                    static_cast<int>(tod.seconds().count()));
  auto frac = tod.subseconds().count();
  if (frac != 0)
    n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

}  // namespace churnwatch
