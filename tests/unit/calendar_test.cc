// Unit tests of engine/common/calendar.h: periods in a configured zone (including DST and
// skipped midnights) and strict RFC 3339 parsing/formatting.
#include "common/calendar.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace churnwatch {
namespace {

// UTC wall time → UnixMicros, computed with std::chrono (independent of the code under test).
UnixMicros Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int64_t us = 0) {
  using namespace std::chrono;
  sys_days day{year{y} / month{mo} / std::chrono::day{d}};
  return duration_cast<microseconds>(day.time_since_epoch()).count() +
         ((h * 3600LL + mi * 60LL + s) * kMicrosPerSecond) + us;
}

Calendar MustLoad(const char* zone) {
  auto cal = Calendar::Load(zone);
  EXPECT_TRUE(cal.ok()) << cal.status().ToString();
  return std::move(cal).value();
}

UnixMicros MustParse(std::string_view text) {
  auto r = ParseRfc3339(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

// ---------------------------------------------------------------------------------------------
// Loading zones

TEST(CalendarLoad, KnownZoneKeepsItsName) {
  auto cal = Calendar::Load("Asia/Shanghai");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ(cal->zone_name(), "Asia/Shanghai");
}

TEST(CalendarLoad, UnknownZoneIsInvalidArgumentNamingTheZone) {
  auto cal = Calendar::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cal.status().message().find("Mars/Olympus_Mons"), std::string::npos)
      << cal.status().message();
}

TEST(CalendarLoad, EmptyZoneNameIsInvalidArgument) {
  auto cal = Calendar::Load("");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Asia/Shanghai (UTC+8, no DST today)

TEST(CalendarShanghai, QuarterStartsAtLocalMidnightOfJulyFirst) {
  Calendar cal = MustLoad("Asia/Shanghai");
  // 2026-06-30T16:00:00Z is 2026-07-01 00:00 in Shanghai.
  EXPECT_EQ(cal.MonthOf(Utc(2026, 6, 30, 16, 0, 0)), 202607);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 6, 30, 16, 0, 0)), 20263);
  // One second (and one microsecond) earlier is still June, Q2.
  EXPECT_EQ(cal.MonthOf(Utc(2026, 6, 30, 15, 59, 59)), 202606);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 6, 30, 15, 59, 59)), 20262);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 6, 30, 16, 0, 0) - 1), 20262);
}

TEST(CalendarShanghai, YearBoundaryIsEightHoursBeforeUtcMidnight) {
  Calendar cal = MustLoad("Asia/Shanghai");
  EXPECT_EQ(cal.QuarterOf(Utc(2025, 12, 31, 16, 0, 0)), 20261);
  EXPECT_EQ(cal.MonthOf(Utc(2025, 12, 31, 16, 0, 0)), 202601);
  EXPECT_EQ(cal.QuarterOf(Utc(2025, 12, 31, 15, 59, 59)), 20254);
  EXPECT_EQ(cal.MonthOf(Utc(2025, 12, 31, 15, 59, 59)), 202512);
}

TEST(CalendarShanghai, StartOfMonthAndQuarterAreLocalMidnight) {
  Calendar cal = MustLoad("Asia/Shanghai");
  EXPECT_EQ(cal.StartOfMonth(202607), Utc(2026, 6, 30, 16));
  EXPECT_EQ(cal.StartOfQuarter(20263), Utc(2026, 6, 30, 16));
  EXPECT_EQ(cal.StartOfQuarter(20261), Utc(2025, 12, 31, 16));
  EXPECT_EQ(cal.StartOfMonth(202602), Utc(2026, 1, 31, 16));
  EXPECT_EQ(cal.StartOfQuarter(20264), Utc(2026, 9, 30, 16));
}

TEST(CalendarShanghai, StartOfMonthIsTheFirstInstantOfThatMonth) {
  Calendar cal = MustLoad("Asia/Shanghai");
  for (MonthKey m : {202601, 202602, 202603, 202612, 202402}) {
    UnixMicros start = cal.StartOfMonth(m);
    EXPECT_EQ(cal.MonthOf(start), m) << m;
    EXPECT_NE(cal.MonthOf(start - 1), m) << m;
  }
}

TEST(CalendarShanghai, SkippedMidnightStartsMonthAtTheTransition) {
  // Shanghai skipped 1940-06-01 00:00-01:00 (DST began at local midnight): the month begins
  // at the transition, 1940-05-31T16:00:00Z (01:00 CDT).
  Calendar cal = MustLoad("Asia/Shanghai");
  EXPECT_EQ(cal.StartOfMonth(194006), Utc(1940, 5, 31, 16));
  EXPECT_EQ(cal.MonthOf(Utc(1940, 5, 31, 16)), 194006);
  EXPECT_EQ(cal.MonthOf(Utc(1940, 5, 31, 16) - 1), 194005);
}

TEST(CalendarAsuncion, SkippedMidnightOnFirstOfOctoberStartsAtTheTransition) {
  // Paraguay: 2023-10-01 00:00 -04 jumped to 01:00 -03 at 04:00Z.
  Calendar cal = MustLoad("America/Asuncion");
  EXPECT_EQ(cal.StartOfMonth(202310), Utc(2023, 10, 1, 4));
  EXPECT_EQ(cal.StartOfQuarter(20234), Utc(2023, 10, 1, 4));
  EXPECT_EQ(cal.MonthOf(Utc(2023, 10, 1, 4) - 1), 202309);
}

TEST(CalendarHavana, RepeatedMidnightStartsMonthAtItsFirstOccurrence) {
  // Cuba fell back 2020-11-01 01:00 CDT -> 00:00 CST (05:00Z): local midnight of November 1st
  // happened twice, at 04:00Z (CDT) and 05:00Z (CST). The month begins at the first.
  Calendar cal = MustLoad("America/Havana");
  EXPECT_EQ(cal.StartOfMonth(202011), Utc(2020, 11, 1, 4));
  EXPECT_EQ(cal.MonthOf(Utc(2020, 11, 1, 4) - 1), 202010);
  EXPECT_EQ(cal.MonthOf(Utc(2020, 11, 1, 4)), 202011);
  EXPECT_EQ(cal.MonthOf(Utc(2020, 11, 1, 5)), 202011);
}

// ---------------------------------------------------------------------------------------------
// DST zones

TEST(CalendarBerlin, MonthStartsUseTheOffsetInForceAtLocalMidnight) {
  Calendar cal = MustLoad("Europe/Berlin");
  // March begins in CET (+1), April in CEST (+2): DST began 2026-03-29T01:00:00Z.
  EXPECT_EQ(cal.StartOfMonth(202603), Utc(2026, 2, 28, 23));
  EXPECT_EQ(cal.StartOfMonth(202604), Utc(2026, 3, 31, 22));
  EXPECT_EQ(cal.StartOfMonth(202604) - cal.StartOfMonth(202603),
            31 * kMicrosPerDay - 3600 * kMicrosPerSecond);
  // October begins in CEST, November in CET: DST ended 2026-10-25T01:00:00Z.
  EXPECT_EQ(cal.StartOfMonth(202610), Utc(2026, 9, 30, 22));
  EXPECT_EQ(cal.StartOfMonth(202611), Utc(2026, 10, 31, 23));
  EXPECT_EQ(cal.StartOfMonth(202611) - cal.StartOfMonth(202610),
            31 * kMicrosPerDay + 3600 * kMicrosPerSecond);
  EXPECT_EQ(cal.StartOfQuarter(20262), Utc(2026, 3, 31, 22));
}

TEST(CalendarBerlin, InstantsAroundTheSpringSwitchStayInMarch) {
  Calendar cal = MustLoad("Europe/Berlin");
  EXPECT_EQ(cal.MonthOf(Utc(2026, 3, 29, 0, 59, 59)), 202603);  // 01:59:59 CET
  EXPECT_EQ(cal.MonthOf(Utc(2026, 3, 29, 1, 0, 0)), 202603);    // 03:00:00 CEST
}

TEST(CalendarBerlin, MonthEdgesNextToDstUseSummerAndWinterOffsets) {
  Calendar cal = MustLoad("Europe/Berlin");
  // 2026-03-31T22:00:00Z = 2026-04-01 00:00 CEST.
  EXPECT_EQ(cal.MonthOf(Utc(2026, 3, 31, 22, 0, 0)), 202604);
  EXPECT_EQ(cal.MonthOf(Utc(2026, 3, 31, 21, 59, 59)), 202603);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 3, 31, 22, 0, 0)), 20262);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 3, 31, 21, 59, 59)), 20261);
  // 2026-10-31T23:00:00Z = 2026-11-01 00:00 CET.
  EXPECT_EQ(cal.MonthOf(Utc(2026, 10, 31, 23, 0, 0)), 202611);
  EXPECT_EQ(cal.MonthOf(Utc(2026, 10, 31, 22, 59, 59)), 202610);
}

TEST(CalendarNewYork, NovemberBeginsBeforeTheFallBackOnItsFirstDay) {
  // DST ended 2026-11-01 02:00 EDT (06:00Z), so November's midnight is still EDT (-4).
  Calendar cal = MustLoad("America/New_York");
  EXPECT_EQ(cal.StartOfMonth(202611), Utc(2026, 11, 1, 4));
  EXPECT_EQ(cal.StartOfMonth(202612), Utc(2026, 12, 1, 5));
  EXPECT_EQ(cal.MonthOf(Utc(2026, 11, 1, 3, 59, 59)), 202610);
  EXPECT_EQ(cal.MonthOf(Utc(2026, 11, 1, 4, 0, 0)), 202611);
  // 01:30 occurs twice (EDT at 05:30Z, EST at 06:30Z); both are November.
  EXPECT_EQ(cal.MonthOf(Utc(2026, 11, 1, 5, 30)), 202611);
  EXPECT_EQ(cal.MonthOf(Utc(2026, 11, 1, 6, 30)), 202611);
  // Spring forward inside March: March starts in EST, April in EDT.
  EXPECT_EQ(cal.StartOfMonth(202603), Utc(2026, 3, 1, 5));
  EXPECT_EQ(cal.StartOfMonth(202604), Utc(2026, 4, 1, 4));
}

// ---------------------------------------------------------------------------------------------
// UTC

TEST(CalendarUtc, PeriodsFollowUtcMidnight) {
  Calendar cal = MustLoad("UTC");
  EXPECT_EQ(cal.MonthOf(Utc(2026, 7, 1)), 202607);
  EXPECT_EQ(cal.MonthOf(Utc(2026, 7, 1) - 1), 202606);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 7, 1)), 20263);
  EXPECT_EQ(cal.QuarterOf(Utc(2026, 7, 1) - 1), 20262);
  EXPECT_EQ(cal.StartOfMonth(202607), Utc(2026, 7, 1));
  EXPECT_EQ(cal.StartOfQuarter(20271), Utc(2027, 1, 1));
}

TEST(CalendarUtc, PreEpochInstantsMapToTheirMonth) {
  Calendar cal = MustLoad("UTC");
  EXPECT_EQ(cal.MonthOf(-1), 196912);
  EXPECT_EQ(cal.MonthOf(0), 197001);
  EXPECT_EQ(cal.StartOfMonth(196912), Utc(1969, 12, 1));
  EXPECT_LT(cal.StartOfMonth(196912), 0);
}

// ---------------------------------------------------------------------------------------------
// Period arithmetic and labels

TEST(CalendarPeriods, QuarterOfMonthCoversAllTwelveMonths) {
  const QuarterKey expected[12] = {20261, 20261, 20261, 20262, 20262, 20262,
                                   20263, 20263, 20263, 20264, 20264, 20264};
  for (int m = 1; m <= 12; ++m) {
    EXPECT_EQ(Calendar::QuarterOfMonth(202600 + m), expected[m - 1]) << m;
  }
}

TEST(CalendarPeriods, FirstMonthOfQuarter) {
  EXPECT_EQ(Calendar::FirstMonthOfQuarter(20261), 202601);
  EXPECT_EQ(Calendar::FirstMonthOfQuarter(20262), 202604);
  EXPECT_EQ(Calendar::FirstMonthOfQuarter(20263), 202607);
  EXPECT_EQ(Calendar::FirstMonthOfQuarter(20264), 202610);
}

TEST(CalendarPeriods, NextAndPreviousQuarterCrossYears) {
  EXPECT_EQ(Calendar::NextQuarter(20263), 20264);
  EXPECT_EQ(Calendar::NextQuarter(20264), 20271);
  EXPECT_EQ(Calendar::PreviousQuarter(20262), 20261);
  EXPECT_EQ(Calendar::PreviousQuarter(20261), 20254);
}

TEST(CalendarPeriods, LabelsArePaddedYearAndQuarterOrMonth) {
  EXPECT_EQ(Calendar::QuarterLabel(20263), "2026Q3");
  EXPECT_EQ(Calendar::QuarterLabel(20251), "2025Q1");
  EXPECT_EQ(Calendar::QuarterLabel(9994), "0999Q4");
  EXPECT_EQ(Calendar::MonthLabel(202607), "2026-07");
  EXPECT_EQ(Calendar::MonthLabel(202612), "2026-12");
}

TEST(CalendarPeriods, DaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2026, 7, 1) * kMicrosPerDay, Utc(2026, 7, 1));
}

// ---------------------------------------------------------------------------------------------
// ParseRfc3339: accepted forms

TEST(ParseRfc3339, UtcZulu) { EXPECT_EQ(MustParse("2026-07-01T08:00:00Z"), Utc(2026, 7, 1, 8)); }

TEST(ParseRfc3339, LowercaseSeparatorsAndSpaceAreAccepted) {
  EXPECT_EQ(MustParse("2026-07-01t08:00:00z"), Utc(2026, 7, 1, 8));
  EXPECT_EQ(MustParse("2026-07-01 08:00:00Z"), Utc(2026, 7, 1, 8));
}

TEST(ParseRfc3339, PositiveAndNegativeOffsetsAreSubtracted) {
  EXPECT_EQ(MustParse("2026-07-01T16:00:00+08:00"), Utc(2026, 7, 1, 8));
  EXPECT_EQ(MustParse("2026-01-01T00:00:00-05:00"), Utc(2026, 1, 1, 5));
  EXPECT_EQ(MustParse("2026-01-01T00:00:00+05:30"), Utc(2025, 12, 31, 18, 30));
  EXPECT_EQ(MustParse("2026-01-01T00:00:00+00:00"), Utc(2026, 1, 1));
  EXPECT_EQ(MustParse("2026-01-01T00:00:00-00:00"), Utc(2026, 1, 1));
  EXPECT_EQ(MustParse("2026-07-01T00:00:00+23:59"), Utc(2026, 6, 30, 0, 1));
}

TEST(ParseRfc3339, FractionsOfOneToNineDigitsTruncateToMicros) {
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.5Z"), Utc(2026, 7, 1, 8, 0, 0, 500000));
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.25+08:00"), Utc(2026, 7, 1, 0, 0, 0, 250000));
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.123456Z"), Utc(2026, 7, 1, 8, 0, 0, 123456));
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.1234567Z"), Utc(2026, 7, 1, 8, 0, 0, 123456));
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.123456789Z"), Utc(2026, 7, 1, 8, 0, 0, 123456));
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.999999999Z"), Utc(2026, 7, 1, 8, 0, 0, 999999));
  EXPECT_EQ(MustParse("2026-07-01T08:00:00.000001Z"), Utc(2026, 7, 1, 8, 0, 0, 1));
}

TEST(ParseRfc3339, LeapSecondClampsToFiftyNine) {
  EXPECT_EQ(MustParse("2016-12-31T23:59:60Z"), Utc(2016, 12, 31, 23, 59, 59));
  EXPECT_EQ(MustParse("2016-12-31T23:59:60.5Z"), Utc(2016, 12, 31, 23, 59, 59, 500000));
  EXPECT_EQ(MustParse("2017-01-01T07:59:60+08:00"), Utc(2016, 12, 31, 23, 59, 59));
}

TEST(ParseRfc3339, LeapDaysFollowGregorianRules) {
  EXPECT_EQ(MustParse("2024-02-29T00:00:00Z"), Utc(2024, 2, 29));
  EXPECT_EQ(MustParse("2000-02-29T00:00:00Z"), Utc(2000, 2, 29));
  EXPECT_FALSE(ParseRfc3339("2100-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-02-29T00:00:00Z").ok());
}

TEST(ParseRfc3339, PreEpochTimesAreNegative) {
  EXPECT_EQ(MustParse("1969-12-31T23:59:59Z"), -kMicrosPerSecond);
  EXPECT_EQ(MustParse("1969-12-31T23:59:59.5Z"), -500000);
  EXPECT_EQ(MustParse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(MustParse("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(MustParse("1900-01-01T00:00:00Z"), Utc(1900, 1, 1));
}

TEST(ParseRfc3339, ExtremeYears) {
  EXPECT_EQ(MustParse("0001-01-01T00:00:00Z"), Utc(1, 1, 1));
  EXPECT_EQ(MustParse("9999-12-31T23:59:59.999999Z"), Utc(9999, 12, 31, 23, 59, 59, 999999));
}

// ---------------------------------------------------------------------------------------------
// ParseRfc3339: rejected forms

class ParseRfc3339Rejects : public testing::TestWithParam<const char*> {};

TEST_P(ParseRfc3339Rejects, WithInvalidArgument) {
  auto r = ParseRfc3339(GetParam());
  ASSERT_FALSE(r.ok()) << GetParam() << " parsed as " << *r;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("RFC 3339"), std::string::npos) << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(BadTimestamps, ParseRfc3339Rejects,
                         testing::Values(
                             // missing parts
                             "", "2026-07-01", "2026-07-01T08:00:00", "2026-07-01T08:00Z",
                             "2026-07-01T08:00:00.123", "2026-07-01T08:00:00.Z",
                             "2026-07-01T08:00:00+08",
                             "2026-07-01T08:00:00+08:", "2026-07-01T08:00:00+08:0",
                             "2026-07-01T08:00:00+0800", "2026-07-01T08:00:00 Z",
                             // bad dates
                             "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                             "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-1-01T00:00:00Z",
                             "26-07-01T08:00:00Z0000", "2026/07/01T08:00:00Z",
                             // bad times
                             "2026-07-01T24:00:00Z", "2026-07-01T23:60:00Z", "2026-07-01T23:59:61Z",
                             "2026-07-01T8:00:00Z+", "2026-07-01X08:00:00Z", "2026-07-01T08-00-00Z",
                             // bad offsets
                             "2026-07-01T08:00:00+24:00", "2026-07-01T08:00:00+08:60",
                             "2026-07-01T08:00:00UTC", "2026-07-01T08:00:00 +08:00",
                             "2026-07-01T08:00:00,5Z",
                             // too many fraction digits
                             "2026-07-01T08:00:00.1234567891Z",
                             // trailing garbage
                             "2026-07-01T08:00:00Zabc", "2026-07-01T08:00:00Z ",
                             "2026-07-01T08:00:00+08:00Z", "2026-07-01T08:00:00.5Zx",
                             // leading garbage
                             " 2026-07-01T08:00:00Z", "+2026-07-01T08:00:00Z"));

// ---------------------------------------------------------------------------------------------
// FormatRfc3339

TEST(FormatRfc3339, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(FormatRfc3339(Utc(2026, 7, 1, 8)), "2026-07-01T08:00:00Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339, FractionsHaveSixDigits) {
  EXPECT_EQ(FormatRfc3339(Utc(2026, 7, 1, 8, 0, 0, 250000)), "2026-07-01T08:00:00.250000Z");
  EXPECT_EQ(FormatRfc3339(Utc(2026, 7, 1, 8, 0, 0, 1)), "2026-07-01T08:00:00.000001Z");
}

TEST(FormatRfc3339, NegativeTimesFormatAsPreEpochDates) {
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(-kMicrosPerSecond), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(-500000), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(FormatRfc3339(Utc(1900, 1, 1)), "1900-01-01T00:00:00Z");
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  for (UnixMicros t : {UnixMicros{0}, UnixMicros{-1}, UnixMicros{1}, Utc(2026, 6, 30, 16),
                       Utc(2026, 6, 30, 15, 59, 59, 999999), Utc(1969, 7, 20, 20, 17, 40, 123456),
                       Utc(1900, 3, 1, 0, 0, 0, 7), Utc(2024, 2, 29, 23, 59, 59),
                       Utc(9999, 12, 31, 23, 59, 59, 999999), Utc(1, 1, 1)}) {
    std::string text = FormatRfc3339(t);
    auto back = ParseRfc3339(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().ToString();
    EXPECT_EQ(*back, t) << text;
  }
}

}  // namespace
}  // namespace churnwatch
