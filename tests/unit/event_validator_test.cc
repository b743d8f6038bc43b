// Unit tests of engine/events/event_validator.h: required fields, ranges, enum values, the
// accepted time window (with a ManualClock), Kafka key = account_id, and payload size.
#include "events/event_validator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/clock.h"
#include "events/event.h"
#include "events/event_decoder.h"

namespace churnwatch {
namespace {

UnixMicros Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int64_t us = 0) {
  using namespace std::chrono;
  sys_days day{year{y} / month{mo} / std::chrono::day{d}};
  return duration_cast<microseconds>(day.time_since_epoch()).count() +
         ((h * 3600LL + mi * 60LL + s) * kMicrosPerSecond) + us;
}

template <typename M>
void SetTime(M* m, UnixMicros t) {
  int64_t secs = t / kMicrosPerSecond, rem = t % kMicrosPerSecond;
  if (rem < 0) {
    rem += kMicrosPerSecond;
    --secs;
  }
  m->mutable_occurred_at()->set_seconds(secs);
  m->mutable_occurred_at()->set_nanos(static_cast<int32_t>(rem * 1000));
}

const UnixMicros kNow = Utc(2026, 7, 1, 12);
const UnixMicros kEventTime = Utc(2026, 6, 15, 9, 30);
constexpr const char* kKey = "acct-1";

template <typename M>
void SetCommon(M* m) {
  m->set_event_id("evt-1");
  m->set_account_id(kKey);
  SetTime(m, kEventTime);
}

v1::OrderEvent ValidOrder() {
  v1::OrderEvent o;
  SetCommon(&o);
  o.set_order_id("ord-1");
  o.set_product_line("pumps");
  o.set_quantity(10);
  o.set_amount_minor(12345);
  o.set_currency("CNY");
  o.set_status(v1::ORDER_STATUS_PLACED);
  return o;
}

v1::ServiceEvent ValidService() {
  v1::ServiceEvent s;
  SetCommon(&s);
  s.set_ticket_id("T-1");
  s.set_kind(v1::SERVICE_KIND_TICKET_OPENED);
  s.set_severity(v1::SEVERITY_HIGH);
  return s;
}

v1::ContactEvent ValidContact() {
  v1::ContactEvent c;
  SetCommon(&c);
  c.set_kind(v1::CONTACT_KIND_MEETING_HELD);
  c.set_meeting_type(v1::MEETING_TYPE_STRATEGY);
  c.set_level(v1::CONTACT_LEVEL_EXECUTIVE);
  return c;
}

v1::AccountEvent ValidAccount() {
  v1::AccountEvent a;
  SetCommon(&a);
  a.set_name("Acme");
  a.set_tier(v1::TIER_KEY);
  a.mutable_owner()->set_id("emp-1");
  a.mutable_owner()->set_name("Owner");
  a.mutable_owner()->set_email("owner@example.com");
  return a;
}

Event Wrap(v1::OrderEvent m) { return Event{EventKind::kOrder, std::move(m)}; }
Event Wrap(v1::ServiceEvent m) { return Event{EventKind::kService, std::move(m)}; }
Event Wrap(v1::ContactEvent m) { return Event{EventKind::kContact, std::move(m)}; }
Event Wrap(v1::AccountEvent m) { return Event{EventKind::kAccount, std::move(m)}; }

class EventValidatorTest : public testing::Test {
 protected:
  EventValidatorTest() : clock_(kNow), validator_(ValidationLimits{}, &clock_) {}

  // nullopt when accepted, the reason otherwise.
  template <typename M>
  std::optional<RejectReason> Check(M msg, std::string_view key = kKey) {
    auto r = validator_.Validate(Wrap(std::move(msg)), key);
    if (!r) return std::nullopt;
    last_detail_ = r->detail;
    return r->reason;
  }

  ManualClock clock_;
  EventValidator validator_;
  std::string last_detail_;
};

TEST_F(EventValidatorTest, ValidEventsOfEveryKindAreAccepted) {
  EXPECT_EQ(Check(ValidOrder()), std::nullopt) << last_detail_;
  EXPECT_EQ(Check(ValidService()), std::nullopt) << last_detail_;
  EXPECT_EQ(Check(ValidContact()), std::nullopt) << last_detail_;
  EXPECT_EQ(Check(ValidAccount()), std::nullopt) << last_detail_;
}

// ---------------------------------------------------------------------------------------------
// Fields every event has

TEST_F(EventValidatorTest, MissingEventIdIsMissingField) {
  auto o = ValidOrder();
  o.clear_event_id();
  EXPECT_EQ(Check(o), RejectReason::kMissingField);
  EXPECT_NE(last_detail_.find("event_id"), std::string::npos) << last_detail_;
}

TEST_F(EventValidatorTest, MissingAccountIdIsMissingFieldEvenWithEmptyKey) {
  auto s = ValidService();
  s.clear_account_id();
  EXPECT_EQ(Check(s, ""), RejectReason::kMissingField);
  EXPECT_NE(last_detail_.find("account_id"), std::string::npos) << last_detail_;
}

TEST_F(EventValidatorTest, MissingOccurredAtIsMissingField) {
  auto c = ValidContact();
  c.clear_occurred_at();
  EXPECT_EQ(Check(c), RejectReason::kMissingField);
  EXPECT_NE(last_detail_.find("occurred_at"), std::string::npos) << last_detail_;
}

TEST_F(EventValidatorTest, EmptyKeyIsKeyMismatch) {
  EXPECT_EQ(Check(ValidOrder(), ""), RejectReason::kKeyMismatch);
}

TEST_F(EventValidatorTest, KeyDifferentFromAccountIdIsKeyMismatch) {
  EXPECT_EQ(Check(ValidOrder(), "acct-2"), RejectReason::kKeyMismatch);
  EXPECT_NE(last_detail_.find("acct-2"), std::string::npos) << last_detail_;
  EXPECT_EQ(Check(ValidOrder(), "ACCT-1"), RejectReason::kKeyMismatch);
  EXPECT_EQ(Check(ValidOrder(), "acct-1 "), RejectReason::kKeyMismatch);
  EXPECT_EQ(Check(ValidOrder(), "acct-"), RejectReason::kKeyMismatch);
}

// ---------------------------------------------------------------------------------------------
// Time window

TEST_F(EventValidatorTest, YearThreeThousandIsBadTimestamp) {
  auto o = ValidOrder();
  SetTime(&o, Utc(3000, 1, 1));
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
  EXPECT_NE(last_detail_.find("3000-01-01T00:00:00Z"), std::string::npos) << last_detail_;
}

TEST_F(EventValidatorTest, FutureLimitIsInclusiveOfNowPlusOneDay) {
  auto o = ValidOrder();
  SetTime(&o, kNow + kMicrosPerDay);
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
  SetTime(&o, kNow + kMicrosPerDay + 1);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
}

TEST_F(EventValidatorTest, FutureLimitMovesWithTheClock) {
  auto o = ValidOrder();
  SetTime(&o, kNow + 2 * kMicrosPerDay);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
  clock_.Advance(kMicrosPerDay);
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
}

TEST_F(EventValidatorTest, MinTimeIsInclusiveOf1990) {
  auto o = ValidOrder();
  SetTime(&o, Utc(1990, 1, 1));
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
  SetTime(&o, Utc(1990, 1, 1) - 1);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
  SetTime(&o, -kMicrosPerSecond);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
}

TEST_F(EventValidatorTest, TimestampBeyondTheProtobufRangeIsBadTimestamp) {
  // google.protobuf.Timestamp allows 0001-01-01..9999-12-31; a binary producer can send more.
  auto o = ValidOrder();
  o.mutable_occurred_at()->set_seconds(253402300800);  // 10000-01-01T00:00:00Z
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
  o.mutable_occurred_at()->set_seconds(-62135596801);  // one second before 0001-01-01
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
}

// BUG (engine/events/event.cc Event::occurred_at via protobuf TimeUtil::TimestampToMicroseconds,
// checked in engine/events/event_validator.cc Validate): seconds * 1'000'000 overflows int64
// for seconds above ~9.2e12 (signed overflow, UB; wraps in practice). A binary event with
// occurred_at.seconds = 18448525589510 (year ~586,000) reads as 2026-06-15T09:30:00.448384Z
// and is accepted. Expected kBadTimestamp. Regression test: the validator now range-checks the raw
// Timestamp (seconds within 0001..9999, nanos within [0, 1e9)) before converting.
TEST_F(EventValidatorTest, TimestampWhoseMicrosOverflowIsBadTimestamp) {
  auto o = ValidOrder();
  o.mutable_occurred_at()->set_seconds(18448525589510);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp) << "accepted as " << Wrap(o).occurred_at();
}

TEST_F(EventValidatorTest, TimestampWithNanosOutOfRangeIsBadTimestamp) {
  // BUG (same place as above, minor): nanos must lie in [0, 999'999'999] for a valid
  // google.protobuf.Timestamp, but a binary event with nanos 1e9 or -1 is accepted (1e9 silently
  // adds a second). Expected kBadTimestamp.
  auto o = ValidOrder();
  o.mutable_occurred_at()->set_nanos(1'000'000'000);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
  o.mutable_occurred_at()->set_nanos(-1);
  EXPECT_EQ(Check(o), RejectReason::kBadTimestamp);
}

TEST_F(EventValidatorTest, CustomTimeLimitsAreHonoured) {
  ValidationLimits limits;
  limits.min_time = Utc(2026, 1, 1);
  limits.max_future_micros = 0;
  EventValidator v(limits, &clock_);
  auto o = ValidOrder();
  SetTime(&o, Utc(2025, 12, 31, 23, 59, 59));
  ASSERT_TRUE(v.Validate(Wrap(o), kKey).has_value());
  EXPECT_EQ(v.Validate(Wrap(o), kKey)->reason, RejectReason::kBadTimestamp);
  SetTime(&o, kNow);
  EXPECT_FALSE(v.Validate(Wrap(o), kKey).has_value());
  SetTime(&o, kNow + 1);
  ASSERT_TRUE(v.Validate(Wrap(o), kKey).has_value());
  EXPECT_EQ(v.Validate(Wrap(o), kKey)->reason, RejectReason::kBadTimestamp);
}

// ---------------------------------------------------------------------------------------------
// Orders

TEST_F(EventValidatorTest, OrderNeedsProductLineAndStatus) {
  auto o = ValidOrder();
  o.clear_product_line();
  EXPECT_EQ(Check(o), RejectReason::kMissingField);
  o = ValidOrder();
  o.clear_status();
  EXPECT_EQ(Check(o), RejectReason::kMissingField);
}

TEST_F(EventValidatorTest, NegativeQuantityIsOutOfRange) {
  auto o = ValidOrder();
  o.set_quantity(-1);
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  EXPECT_NE(last_detail_.find("quantity -1"), std::string::npos) << last_detail_;
}

TEST_F(EventValidatorTest, QuantityAndAmountBoundsAreInclusive) {
  auto o = ValidOrder();
  o.set_quantity(0);
  o.set_amount_minor(0);
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
  o.set_quantity(1'000'000'000);
  o.set_amount_minor(1'000'000'000'000'000);
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
  o.set_quantity(1'000'000'001);
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  o.set_quantity(1);
  o.set_amount_minor(1'000'000'000'000'001);
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  o.set_amount_minor(-1);
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
}

TEST_F(EventValidatorTest, CurrencyMustBeThreeUppercaseLettersWhenPresent) {
  auto o = ValidOrder();
  o.clear_currency();
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
  for (const char* bad : {"cny", "CN", "CNYY", "C1Y", "Cny"}) {
    o.set_currency(bad);
    EXPECT_EQ(Check(o), RejectReason::kOutOfRange) << bad;
  }
  o.set_currency("EUR");
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
}

// ---------------------------------------------------------------------------------------------
// Service

TEST_F(EventValidatorTest, ServiceNeedsKind) {
  auto s = ValidService();
  s.clear_kind();
  EXPECT_EQ(Check(s), RejectReason::kMissingField);
}

TEST_F(EventValidatorTest, CsatOutsideOneToFiveIsOutOfRange) {
  auto s = ValidService();
  s.set_kind(v1::SERVICE_KIND_SURVEY);
  for (int ok : {1, 5}) {
    s.set_csat(ok);
    EXPECT_EQ(Check(s), std::nullopt) << ok << ": " << last_detail_;
  }
  for (int bad : {6, -1, 100}) {
    s.set_csat(bad);
    EXPECT_EQ(Check(s), RejectReason::kOutOfRange) << bad;
  }
}

TEST_F(EventValidatorTest, NpsOutsideZeroToTenIsOutOfRange) {
  auto s = ValidService();
  s.set_kind(v1::SERVICE_KIND_SURVEY);
  for (int ok : {0, 10}) {
    s.set_nps(ok);
    EXPECT_EQ(Check(s), std::nullopt) << ok << ": " << last_detail_;
  }
  for (int bad : {11, -1}) {
    s.set_nps(bad);
    EXPECT_EQ(Check(s), RejectReason::kOutOfRange) << bad;
  }
}

TEST_F(EventValidatorTest, SurveyWithoutCsatOrNpsIsMissingField) {
  auto s = ValidService();
  s.set_kind(v1::SERVICE_KIND_SURVEY);
  EXPECT_EQ(Check(s), RejectReason::kMissingField);
  EXPECT_NE(last_detail_.find("SURVEY"), std::string::npos) << last_detail_;
  s.set_nps(0);  // an explicit 0 is an answer
  EXPECT_EQ(Check(s), std::nullopt) << last_detail_;
}

// ---------------------------------------------------------------------------------------------
// Contacts

TEST_F(EventValidatorTest, ContactNeedsKind) {
  auto c = ValidContact();
  c.clear_kind();
  EXPECT_EQ(Check(c), RejectReason::kMissingField);
}

TEST_F(EventValidatorTest, MeetingsWithoutMeetingTypeAreMissingField) {
  for (auto kind : {v1::CONTACT_KIND_MEETING_SCHEDULED, v1::CONTACT_KIND_MEETING_HELD,
                    v1::CONTACT_KIND_MEETING_CANCELLED}) {
    auto c = ValidContact();
    c.set_kind(kind);
    c.clear_meeting_type();
    EXPECT_EQ(Check(c), RejectReason::kMissingField) << v1::ContactKind_Name(kind);
    EXPECT_NE(last_detail_.find("meeting_type"), std::string::npos) << last_detail_;
  }
}

TEST_F(EventValidatorTest, PeopleChangesWithoutContactIdAreMissingField) {
  for (auto kind : {v1::CONTACT_KIND_CONTACT_ADDED, v1::CONTACT_KIND_CONTACT_LEFT,
                    v1::CONTACT_KIND_CONTACT_ROLE_CHANGED}) {
    auto c = ValidContact();
    c.set_kind(kind);
    c.clear_meeting_type();
    EXPECT_EQ(Check(c), RejectReason::kMissingField) << v1::ContactKind_Name(kind);
    EXPECT_NE(last_detail_.find("contact_id"), std::string::npos) << last_detail_;
    c.set_contact_id("p-1");
    EXPECT_EQ(Check(c), std::nullopt) << v1::ContactKind_Name(kind) << ": " << last_detail_;
  }
}

TEST_F(EventValidatorTest, CallsVisitsAndReferencesNeedNoExtraFields) {
  for (auto kind : {v1::CONTACT_KIND_CALL, v1::CONTACT_KIND_VISIT,
                    v1::CONTACT_KIND_REFERENCE_WITHDRAWN, v1::CONTACT_KIND_MANAGER_CHANGED}) {
    v1::ContactEvent c;
    SetCommon(&c);
    c.set_kind(kind);
    EXPECT_EQ(Check(c), std::nullopt) << v1::ContactKind_Name(kind) << ": " << last_detail_;
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts

TEST_F(EventValidatorTest, AccountWithoutTierIsMissingField) {
  auto a = ValidAccount();
  a.clear_tier();
  EXPECT_EQ(Check(a), RejectReason::kMissingField);
  EXPECT_NE(last_detail_.find("tier"), std::string::npos) << last_detail_;
}

// ---------------------------------------------------------------------------------------------
// String limits

TEST_F(EventValidatorTest, IdsAreLimitedTo128Bytes) {
  auto o = ValidOrder();
  o.set_event_id(std::string(128, 'e'));
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
  o.set_event_id(std::string(129, 'e'));
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  EXPECT_NE(last_detail_.find("event_id"), std::string::npos) << last_detail_;

  std::string long_account(129, 'a');
  o = ValidOrder();
  o.set_account_id(long_account);
  EXPECT_EQ(Check(o, long_account), RejectReason::kOutOfRange);

  o = ValidOrder();
  o.set_order_id(std::string(129, 'o'));
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);

  auto c = ValidContact();
  c.set_kind(v1::CONTACT_KIND_CONTACT_LEFT);
  c.set_contact_id(std::string(129, 'p'));
  EXPECT_EQ(Check(c), RejectReason::kOutOfRange);
}

TEST_F(EventValidatorTest, NestedPersonIdIsAnIdAndOtherStringsAreText) {
  auto a = ValidAccount();
  a.mutable_owner()->set_id(std::string(129, 'x'));
  EXPECT_EQ(Check(a), RejectReason::kOutOfRange);
  a = ValidAccount();
  a.mutable_executive_sponsor()->set_email(std::string(256, 'm'));
  a.set_name(std::string(256, 'n'));
  EXPECT_EQ(Check(a), std::nullopt) << last_detail_;
  a.set_name(std::string(257, 'n'));
  EXPECT_EQ(Check(a), RejectReason::kOutOfRange);
  a = ValidAccount();
  a.mutable_executive_sponsor()->set_email(std::string(257, 'm'));
  EXPECT_EQ(Check(a), RejectReason::kOutOfRange);
}

TEST_F(EventValidatorTest, ControlCharactersInIdsAreOutOfRange) {
  auto o = ValidOrder();
  o.set_order_id("ord\n1");
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  o.set_order_id(std::string("ord\0001", 5));
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  o.set_order_id("ord\x7f");
  EXPECT_EQ(Check(o), RejectReason::kOutOfRange);
  // Free text may hold them.
  o = ValidOrder();
  o.set_product_line("line\tone");
  EXPECT_EQ(Check(o), std::nullopt) << last_detail_;
}

TEST_F(EventValidatorTest, InvalidUtf8InAnyStringIsInvalidUtf8) {
  auto a = ValidAccount();
  a.set_region("\xC3(");
  EXPECT_EQ(Check(a), RejectReason::kInvalidUtf8);
  a = ValidAccount();
  a.mutable_owner()->set_name("\xFF");
  EXPECT_EQ(Check(a), RejectReason::kInvalidUtf8);
}

TEST_F(EventValidatorTest, CustomIdLimitIsHonoured) {
  ValidationLimits limits;
  limits.max_id_bytes = 8;
  EventValidator v(limits, &clock_);
  auto o = ValidOrder();
  o.set_order_id("12345678");
  EXPECT_FALSE(v.Validate(Wrap(o), kKey).has_value());
  o.set_order_id("123456789");
  auto r = v.Validate(Wrap(o), kKey);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, RejectReason::kOutOfRange);
}

// ---------------------------------------------------------------------------------------------
// Unknown enum numbers (binary protobuf keeps them)

TEST_F(EventValidatorTest, BinaryProtoWithUnknownEnumNumberIsUnknownEnum) {
  std::string bytes = ValidOrder().SerializeAsString();
  bytes += std::string("\x48\x2a", 2);  // status (field 9) = 42
  EventDecoder decoder;
  Event event;
  auto d = decoder.Decode(EventKind::kOrder, PayloadFormat::kProto, bytes, &event);
  ASSERT_FALSE(d.has_value()) << d->detail;
  auto r = validator_.Validate(event, kKey);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, RejectReason::kUnknownEnum);
  EXPECT_NE(r->detail.find("status"), std::string::npos) << r->detail;
  EXPECT_NE(r->detail.find("42"), std::string::npos) << r->detail;
}

TEST_F(EventValidatorTest, UnknownEnumNumberInEveryEnumFieldIsRejected) {
  // level (field 8) of a contact; tier (field 5), stage (10), credit_risk (11) of an account;
  // severity (6) of a service event.
  struct Case {
    EventKind kind;
    std::string bytes;
  };
  std::vector<Case> cases = {
      {EventKind::kContact, ValidContact().SerializeAsString() + std::string("\x40\x63", 2)},
      {EventKind::kAccount, ValidAccount().SerializeAsString() + std::string("\x28\x06", 2)},
      {EventKind::kAccount, ValidAccount().SerializeAsString() + std::string("\x50\x09", 2)},
      {EventKind::kAccount, ValidAccount().SerializeAsString() + std::string("\x58\x05", 2)},
      {EventKind::kService, ValidService().SerializeAsString() + std::string("\x30\x05", 2)},
  };
  EventDecoder decoder;
  for (const Case& c : cases) {
    Event event;
    auto d = decoder.Decode(c.kind, PayloadFormat::kProto, c.bytes, &event);
    ASSERT_FALSE(d.has_value()) << d->detail;
    auto r = validator_.Validate(event, kKey);
    ASSERT_TRUE(r.has_value()) << event.proto().ShortDebugString();
    EXPECT_EQ(r->reason, RejectReason::kUnknownEnum) << r->detail;
  }
}

// ---------------------------------------------------------------------------------------------
// Size

TEST_F(EventValidatorTest, CheckSizeRejectsAboveTheLimitOnly) {
  EXPECT_FALSE(validator_.CheckSize(0).has_value());
  EXPECT_FALSE(validator_.CheckSize(1 << 20).has_value());
  auto r = validator_.CheckSize((1 << 20) + 1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, RejectReason::kTooLarge);
  EXPECT_NE(r->detail.find("1048577"), std::string::npos) << r->detail;
}

TEST_F(EventValidatorTest, CheckSizeUsesTheConfiguredLimit) {
  ValidationLimits limits;
  limits.max_payload_bytes = 100;
  EventValidator v(limits, &clock_);
  EXPECT_EQ(v.limits().max_payload_bytes, 100u);
  EXPECT_FALSE(v.CheckSize(100).has_value());
  ASSERT_TRUE(v.CheckSize(101).has_value());
  EXPECT_EQ(v.CheckSize(101)->reason, RejectReason::kTooLarge);
}

// ---------------------------------------------------------------------------------------------
// Decode + validate, as the engine does

TEST_F(EventValidatorTest, DecodedJsonOrderIsAcceptedAndStringQuantityValidated) {
  EventDecoder decoder;
  Event event;
  auto d = decoder.Decode(EventKind::kOrder, PayloadFormat::kJson,
                          R"({"event_id":"e","account_id":"acct-1",
                              "occurred_at":"2026-06-30T16:00:00Z","product_line":"pumps",
                              "quantity":"-5","status":"placed"})",
                          &event);
  ASSERT_FALSE(d.has_value()) << d->detail;
  auto r = validator_.Validate(event, kKey);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, RejectReason::kOutOfRange);
}

}  // namespace
}  // namespace churnwatch
