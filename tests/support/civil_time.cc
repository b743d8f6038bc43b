#include "support/civil_time.h"

#include <cstdio>

namespace churnwatch::test {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

int64_t UtcSeconds(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) {
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string FormatWall(int64_t secs) {
  int64_t days = FloorDiv(secs, 86400);
  int64_t rem = secs - days * 86400;
  CivilDate c = CivilFromDays(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

CivilDate LocalDate(int64_t secs, int offset_minutes) {
  return CivilFromDays(FloorDiv(secs + offset_minutes * 60, 86400));
}

}  // namespace

std::string FormatUtc(int64_t secs) { return FormatWall(secs) + "Z"; }

std::string FormatWithOffset(int64_t secs, int offset_minutes) {
  char off[24];
  int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(off, sizeof off, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return FormatWall(secs + offset_minutes * 60) + off;
}

std::optional<int64_t> ParseTimestamp(const std::string& t) {
  int y, mo, d, h, mi, s;
  char rest[16] = {0};
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, rest) != 7) {
    return std::nullopt;
  }
  int64_t base =
      UtcSeconds(y, static_cast<unsigned>(mo), static_cast<unsigned>(d), static_cast<unsigned>(h),
                 static_cast<unsigned>(mi), static_cast<unsigned>(s));
  std::string zone = rest;
  if (zone == "Z") return base;
  int oh, om;
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
      std::sscanf(zone.c_str() + 1, "%2d:%2d", &oh, &om) == 2) {
    int64_t off = (oh * 60 + om) * 60;
    return zone[0] == '+' ? base - off : base + off;
  }
  return std::nullopt;
}

std::string LocalMonthLabel(int64_t secs, int offset_minutes) {
  CivilDate c = LocalDate(secs, offset_minutes);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(c.year), c.month);
  return buf;
}

std::string LocalQuarterLabel(int64_t secs, int offset_minutes) {
  CivilDate c = LocalDate(secs, offset_minutes);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lldQ%u", static_cast<long long>(c.year),
                (c.month - 1) / 3 + 1);
  return buf;
}

}  // namespace churnwatch::test
