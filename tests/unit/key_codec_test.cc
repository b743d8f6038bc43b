// Unit tests of engine/state/key_codec.h: key layouts, parse round trips, ordering, and that
// one account's prefix never matches another account's keys.
#include "state/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace churnwatch::state {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(KeyCodec, AccountPrefixIsVarintLengthThenBytes) {
  EXPECT_EQ(AccountPrefix("a1"), std::string("\x02"
                                             "a1",
                                             3));
  EXPECT_EQ(AccountPrefix(""), std::string("\x00", 1));
  std::string long_id(300, 'x');  // 300 = 0xAC 0x02 as a varint
  std::string p = AccountPrefix(long_id);
  ASSERT_EQ(p.size(), 302u);
  EXPECT_EQ(static_cast<uint8_t>(p[0]), 0xAC);
  EXPECT_EQ(static_cast<uint8_t>(p[1]), 0x02);
  EXPECT_EQ(p.substr(2), long_id);
}

TEST(KeyCodec, OrderMonthKeyLayoutAndRoundTrip) {
  std::string key = OrderMonthKey("acct-1", "pumps", 202607);
  EXPECT_EQ(key, AccountPrefix("acct-1") + std::string("\x05pumps", 6) +
                     std::string("\x00\x03\x17\x6F", 4));  // 202607 = 0x0003176F big-endian
  auto parts = ParseOrderMonthKey(key);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->account_id, "acct-1");
  EXPECT_EQ(parts->product_line, "pumps");
  EXPECT_EQ(parts->month, 202607);
}

TEST(KeyCodec, OrderMonthKeyRoundTripsAnyBytes) {
  std::string account("a\0b\xff/", 5), line(200, '\x80');
  auto parts = ParseOrderMonthKey(OrderMonthKey(account, line, 190001));
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->account_id, account);
  EXPECT_EQ(parts->product_line, line);
  EXPECT_EQ(parts->month, 190001);
  auto empty = ParseOrderMonthKey(OrderMonthKey("", "", 0));
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->account_id, "");
  EXPECT_EQ(empty->product_line, "");
  EXPECT_EQ(empty->month, 0);
}

TEST(KeyCodec, AccountPeriodKeyRoundTrip) {
  std::string key = AccountPeriodKey("acct-1", 202612);
  EXPECT_EQ(key.size(), AccountPrefix("acct-1").size() + 4);
  EXPECT_TRUE(StartsWith(key, AccountPrefix("acct-1")));
  EXPECT_EQ(ParseAccountPeriodKey(key), std::optional<MonthKey>(202612));
  EXPECT_EQ(ParseAccountOfKey(key), std::optional<std::string>("acct-1"));
}

TEST(KeyCodec, ContactKeyRoundTripsItsAccount) {
  std::string key = ContactKey("acct-1", "person-7");
  EXPECT_EQ(key, AccountPrefix("acct-1") + std::string("\x08person-7", 9));
  EXPECT_EQ(ParseAccountOfKey(key), std::optional<std::string>("acct-1"));
}

TEST(KeyCodec, MalformedKeysDoNotParse) {
  std::string key = OrderMonthKey("acct-1", "pumps", 202607);
  EXPECT_FALSE(ParseOrderMonthKey(key.substr(0, key.size() - 1)).has_value());
  EXPECT_FALSE(ParseOrderMonthKey(key + "x").has_value());
  EXPECT_FALSE(ParseOrderMonthKey("").has_value());
  EXPECT_FALSE(ParseOrderMonthKey(std::string("\x7f"
                                              "abc",
                                              4))
                   .has_value());                                            // length > rest
  EXPECT_FALSE(ParseOrderMonthKey(std::string("\x80\x80", 2)).has_value());  // unterminated varint
  std::string month_key = AccountPeriodKey("acct-1", 202607);
  EXPECT_FALSE(ParseAccountPeriodKey(month_key.substr(0, month_key.size() - 1)).has_value());
  EXPECT_FALSE(ParseAccountPeriodKey(month_key + "\x01").has_value());
  // An order key is not an account-month key (extra bytes after the month position).
  EXPECT_FALSE(ParseAccountPeriodKey(key).has_value());
  EXPECT_FALSE(ParseAccountOfKey("").has_value());
  EXPECT_FALSE(ParseAccountOfKey(std::string("\x05"
                                             "abc",
                                             4))
                   .has_value());
}

TEST(KeyCodec, MetaAndDedupKeys) {
  EXPECT_EQ(OffsetKey("orders"), "offset/orders");
  EXPECT_EQ(DedupKey(2, "evt-1"), std::string("\x02"
                                              "evt-1",
                                              6));
  EXPECT_NE(DedupKey(0, "e"), DedupKey(1, "e"));
  EXPECT_EQ(kStreamTimeKey, "stream_time");
}

TEST(KeyCodec, Int64RoundTripsLittleEndian) {
  EXPECT_EQ(EncodeInt64(1), std::string("\x01\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(EncodeInt64(-1), std::string(8, '\xff'));
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1782892800000000},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(DecodeInt64(EncodeInt64(v)), std::optional<int64_t>(v)) << v;
  }
  EXPECT_FALSE(DecodeInt64("").has_value());
  EXPECT_FALSE(DecodeInt64("1234567").has_value());
  EXPECT_FALSE(DecodeInt64("123456789").has_value());
}

TEST(KeyCodec, MonthsOfOneAccountAndLineSortInTimeOrder) {
  std::vector<MonthKey> months = {202701, 202612, 202601, 199912, 202602, 210001};
  std::vector<std::string> keys;
  for (MonthKey m : months) keys.push_back(AccountPeriodKey("acct-1", m));
  std::sort(keys.begin(), keys.end());
  std::sort(months.begin(), months.end());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(*ParseAccountPeriodKey(keys[i]), months[i]);
}

TEST(KeyCodec, OrderKeysOfOneAccountSortByProductLineThenMonth) {
  // Equal-length product lines: byte order of the line, then month.
  std::vector<std::string> keys = {
      OrderMonthKey("acct-1", "pump", 202607), OrderMonthKey("acct-1", "cord", 202701),
      OrderMonthKey("acct-1", "pump", 202512), OrderMonthKey("acct-1", "cord", 202606),
      OrderMonthKey("acct-1", "gear", 202607)};
  std::sort(keys.begin(), keys.end());
  std::vector<std::pair<std::string, MonthKey>> got;
  for (const auto& k : keys) {
    auto p = ParseOrderMonthKey(k);
    ASSERT_TRUE(p.has_value());
    got.emplace_back(p->product_line, p->month);
  }
  std::vector<std::pair<std::string, MonthKey>> want = {
      {"cord", 202606}, {"cord", 202701}, {"gear", 202607}, {"pump", 202512}, {"pump", 202607}};
  EXPECT_EQ(got, want);
}

TEST(KeyCodec, AllRowsOfAnAccountAreOneContiguousRange) {
  std::vector<std::string> keys = {
      OrderMonthKey("acct-1", "pump", 202607), OrderMonthKey("acct-10", "pump", 202607),
      OrderMonthKey("acct-1", "zzzz", 209912), OrderMonthKey("acct-2", "aaaa", 190001),
      OrderMonthKey("acct", "pump", 202607),   OrderMonthKey("acct-1", "", 202601)};
  std::sort(keys.begin(), keys.end());
  const std::string prefix = AccountPrefix("acct-1");
  auto first =
      std::find_if(keys.begin(), keys.end(), [&](auto& k) { return StartsWith(k, prefix); });
  auto last = std::find_if(first, keys.end(), [&](auto& k) { return !StartsWith(k, prefix); });
  EXPECT_EQ(last - first, 3);
  EXPECT_EQ(std::count_if(keys.begin(), keys.end(), [&](auto& k) { return StartsWith(k, prefix); }),
            3);
}

TEST(KeyCodec, BytePrefixAccountDoesNotMatchLongerAccountsPrefix) {
  // "acct-1" is a byte-prefix of "acct-10"; their encoded prefixes are not prefixes of each
  // other's keys, in any family.
  const std::string short_prefix = AccountPrefix("acct-1");
  for (const std::string& key :
       {OrderMonthKey("acct-10", "pump", 202607), AccountPeriodKey("acct-10", 202607),
        ContactKey("acct-10", "p"), AccountPrefix("acct-10"),
        AccountPeriodKey(std::string("acct-1\0", 7), 202607)}) {
    EXPECT_FALSE(StartsWith(key, short_prefix)) << testing::PrintToString(key);
  }
  const std::string long_prefix = AccountPrefix("acct-10");
  for (const std::string& key :
       {OrderMonthKey("acct-1", "0", 202607), AccountPeriodKey("acct-1", 202607),
        ContactKey("acct-1", "0"), ContactKey("acct-1", "0pump")}) {
    EXPECT_FALSE(StartsWith(key, long_prefix)) << testing::PrintToString(key);
  }
}

TEST(KeyCodec, LongAccountIdsWithMultiByteLengthsStaySeparate) {
  std::string a(127, 'a'), b(128, 'a');  // 1-byte vs 2-byte varint lengths
  EXPECT_FALSE(StartsWith(AccountPeriodKey(b, 202607), AccountPrefix(a)));
  EXPECT_FALSE(StartsWith(AccountPeriodKey(a, 202607), AccountPrefix(b)));
  auto parts = ParseOrderMonthKey(OrderMonthKey(b, "line", 202607));
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->account_id, b);
}

}  // namespace
}  // namespace churnwatch::state
