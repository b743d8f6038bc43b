// Unit tests of engine/events/event_decoder.h: JSON (protobuf JSON mapping plus churnwatch's
// lenient enum and integer rules) and protobuf binary decoding of the four input schemas.
#include "events/event_decoder.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "events/event.h"

namespace churnwatch {
namespace {

using google::protobuf::util::MessageDifferencer;

UnixMicros Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int64_t us = 0) {
  using namespace std::chrono;
  sys_days day{year{y} / month{mo} / std::chrono::day{d}};
  return duration_cast<microseconds>(day.time_since_epoch()).count() +
         ((h * 3600LL + mi * 60LL + s) * kMicrosPerSecond) + us;
}

class EventDecoderTest : public testing::Test {
 protected:
  // Decodes JSON; nullopt on success.
  std::optional<Rejection> Json(EventKind kind, std::string_view payload) {
    return decoder_.Decode(kind, PayloadFormat::kJson, payload, &event_);
  }
  // The rejection reason of a JSON payload that must be rejected.
  RejectReason JsonReject(EventKind kind, std::string_view payload) {
    auto r = Json(kind, payload);
    EXPECT_TRUE(r.has_value()) << "accepted: " << payload;
    return r ? r->reason : static_cast<RejectReason>(255);
  }
  // A minimal order with `extra` spliced in as more fields.
  static std::string Order(std::string_view extra) {
    std::string s = R"({"event_id":"e1","account_id":"a1","occurred_at":"2026-07-01T08:00:00Z")";
    if (!extra.empty()) s += "," + std::string(extra);
    return s + "}";
  }
  const v1::OrderEvent& order() const { return std::get<v1::OrderEvent>(event_.message); }
  const v1::ServiceEvent& service() const { return std::get<v1::ServiceEvent>(event_.message); }
  const v1::ContactEvent& contact() const { return std::get<v1::ContactEvent>(event_.message); }
  const v1::AccountEvent& account() const { return std::get<v1::AccountEvent>(event_.message); }

  EventDecoder decoder_;
  Event event_;
};

// ---------------------------------------------------------------------------------------------
// All four kinds, every field

TEST_F(EventDecoderTest, OrderWithEveryField) {
  auto r = Json(EventKind::kOrder, R"({
      "event_id": "evt-1", "account_id": "acct-1",
      "occurred_at": "2026-07-01T16:00:00.250+08:00",
      "order_id": "ord-9", "product_line": "pumps", "quantity": 12,
      "amount_minor": "123456789012", "currency": "CNY", "status": "placed"})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(event_.kind, EventKind::kOrder);
  EXPECT_EQ(event_.event_id(), "evt-1");
  EXPECT_EQ(event_.account_id(), "acct-1");
  EXPECT_EQ(event_.occurred_at(), Utc(2026, 7, 1, 8, 0, 0, 250000));
  EXPECT_EQ(order().occurred_at().seconds(), Utc(2026, 7, 1, 8) / kMicrosPerSecond);
  EXPECT_EQ(order().occurred_at().nanos(), 250'000'000);
  EXPECT_EQ(order().order_id(), "ord-9");
  EXPECT_EQ(order().product_line(), "pumps");
  EXPECT_EQ(order().quantity(), 12);
  EXPECT_EQ(order().amount_minor(), 123456789012);
  EXPECT_EQ(order().currency(), "CNY");
  EXPECT_EQ(order().status(), v1::ORDER_STATUS_PLACED);
}

TEST_F(EventDecoderTest, ServiceWithEveryField) {
  auto r = Json(EventKind::kService, R"({
      "event_id": "s-1", "account_id": "acct-2", "occurred_at": "2026-03-01T00:00:00Z",
      "ticket_id": "T-77", "kind": "SURVEY", "severity": "high", "csat": 4, "nps": 9})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(event_.kind, EventKind::kService);
  EXPECT_EQ(service().event_id(), "s-1");
  EXPECT_EQ(service().account_id(), "acct-2");
  EXPECT_EQ(event_.occurred_at(), Utc(2026, 3, 1));
  EXPECT_EQ(service().ticket_id(), "T-77");
  EXPECT_EQ(service().kind(), v1::SERVICE_KIND_SURVEY);
  EXPECT_EQ(service().severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(service().csat(), 4);
  ASSERT_TRUE(service().has_nps());
  EXPECT_EQ(service().nps(), 9);
}

TEST_F(EventDecoderTest, ContactWithEveryFieldAndNestedManager) {
  auto r = Json(EventKind::kContact, R"({
      "event_id": "c-1", "account_id": "acct-3", "occurred_at": "2025-12-31T23:59:59Z",
      "kind": "manager_changed", "meeting_type": "EXECUTIVE", "contact_id": "p-5",
      "contact_role": "decision_maker", "level": "CONTACT_LEVEL_EXECUTIVE",
      "new_manager": {"id": "emp-42", "name": "Li Wei", "email": "li.wei@example.com"}})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(event_.kind, EventKind::kContact);
  EXPECT_EQ(contact().event_id(), "c-1");
  EXPECT_EQ(contact().account_id(), "acct-3");
  EXPECT_EQ(event_.occurred_at(), Utc(2025, 12, 31, 23, 59, 59));
  EXPECT_EQ(contact().kind(), v1::CONTACT_KIND_MANAGER_CHANGED);
  EXPECT_EQ(contact().meeting_type(), v1::MEETING_TYPE_EXECUTIVE);
  EXPECT_EQ(contact().contact_id(), "p-5");
  EXPECT_EQ(contact().contact_role(), v1::CONTACT_ROLE_DECISION_MAKER);
  EXPECT_EQ(contact().level(), v1::CONTACT_LEVEL_EXECUTIVE);
  ASSERT_TRUE(contact().has_new_manager());
  EXPECT_EQ(contact().new_manager().id(), "emp-42");
  EXPECT_EQ(contact().new_manager().name(), "Li Wei");
  EXPECT_EQ(contact().new_manager().email(), "li.wei@example.com");
}

TEST_F(EventDecoderTest, AccountWithEveryFieldAndBothPeople) {
  auto r = Json(EventKind::kAccount, R"({
      "event_id": "p-1", "account_id": "acct-4", "occurred_at": "2026-01-01T00:00:00+08:00",
      "name": "上海精密制造", "tier": "Strategic",
      "owner": {"id": "emp-1", "name": "Wang Fang", "email": "wang@example.com"},
      "executive_sponsor": {"id": "emp-2", "name": "Zhang San", "email": "zhang@example.com"},
      "region": "East", "industry": "Manufacturing", "stage": "STRATEGIC_PARTNER",
      "credit_risk": "watch"})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(event_.kind, EventKind::kAccount);
  EXPECT_EQ(account().event_id(), "p-1");
  EXPECT_EQ(account().account_id(), "acct-4");
  EXPECT_EQ(event_.occurred_at(), Utc(2025, 12, 31, 16));
  EXPECT_EQ(account().name(), "上海精密制造");
  EXPECT_EQ(account().tier(), v1::TIER_STRATEGIC);
  ASSERT_TRUE(account().has_owner());
  EXPECT_EQ(account().owner().id(), "emp-1");
  EXPECT_EQ(account().owner().name(), "Wang Fang");
  EXPECT_EQ(account().owner().email(), "wang@example.com");
  ASSERT_TRUE(account().has_executive_sponsor());
  EXPECT_EQ(account().executive_sponsor().id(), "emp-2");
  EXPECT_EQ(account().executive_sponsor().name(), "Zhang San");
  EXPECT_EQ(account().executive_sponsor().email(), "zhang@example.com");
  EXPECT_EQ(account().region(), "East");
  EXPECT_EQ(account().industry(), "Manufacturing");
  EXPECT_EQ(account().stage(), v1::STAGE_STRATEGIC_PARTNER);
  EXPECT_EQ(account().credit_risk(), v1::CREDIT_RISK_WATCH);
}

TEST_F(EventDecoderTest, LowerCamelFieldNamesAreAccepted) {
  auto r = Json(EventKind::kOrder, R"({"eventId":"e1","accountId":"a1",
      "occurredAt":"2026-07-01T08:00:00Z","productLine":"valves","amountMinor":5})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(order().event_id(), "e1");
  EXPECT_EQ(order().account_id(), "a1");
  EXPECT_EQ(event_.occurred_at(), Utc(2026, 7, 1, 8));
  EXPECT_EQ(order().product_line(), "valves");
  EXPECT_EQ(order().amount_minor(), 5);
}

TEST_F(EventDecoderTest, PreEpochTimestampKeepsNonNegativeNanos) {
  auto r = Json(EventKind::kOrder, R"({"occurred_at":"1969-12-31T23:59:59.5Z"})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(order().occurred_at().seconds(), -1);
  EXPECT_EQ(order().occurred_at().nanos(), 500'000'000);
  EXPECT_EQ(event_.occurred_at(), -500000);
}

// ---------------------------------------------------------------------------------------------
// Enums

struct EnumCase {
  EventKind kind;
  const char* field;
  const char* json_value;  // as written in JSON, quotes included for strings
  int expected;
};

class EnumSpellingTest : public testing::TestWithParam<EnumCase> {};

TEST_P(EnumSpellingTest, ResolvesToTheSameNumber) {
  const EnumCase& c = GetParam();
  EventDecoder decoder;
  Event event;
  std::string payload = std::string("{\"") + c.field + "\":" + c.json_value + "}";
  auto r = decoder.Decode(c.kind, PayloadFormat::kJson, payload, &event);
  ASSERT_FALSE(r.has_value()) << payload << ": " << r->detail;
  const auto& msg = event.proto();
  const auto* fd = msg.GetDescriptor()->FindFieldByName(c.field);
  ASSERT_NE(fd, nullptr);
  EXPECT_EQ(msg.GetReflection()->GetEnumValue(msg, fd), c.expected) << payload;
}

INSTANTIATE_TEST_SUITE_P(
    AllSpellings, EnumSpellingTest,
    testing::Values(
        // orders.status
        EnumCase{EventKind::kOrder, "status", "\"placed\"", v1::ORDER_STATUS_PLACED},
        EnumCase{EventKind::kOrder, "status", "\"PLACED\"", v1::ORDER_STATUS_PLACED},
        EnumCase{EventKind::kOrder, "status", "\"Cancelled\"", v1::ORDER_STATUS_CANCELLED},
        EnumCase{EventKind::kOrder, "status", "\"ORDER_STATUS_RETURNED\"",
                 v1::ORDER_STATUS_RETURNED},
        EnumCase{EventKind::kOrder, "status", "\"order_status_returned\"",
                 v1::ORDER_STATUS_RETURNED},
        EnumCase{EventKind::kOrder, "status", "2", v1::ORDER_STATUS_CANCELLED},
        // service.kind / severity
        EnumCase{EventKind::kService, "kind", "\"ticket_opened\"", v1::SERVICE_KIND_TICKET_OPENED},
        EnumCase{EventKind::kService, "kind", "\"SERVICE_KIND_SLA_BREACHED\"",
                 v1::SERVICE_KIND_SLA_BREACHED},
        EnumCase{EventKind::kService, "kind", "6", v1::SERVICE_KIND_SURVEY},
        EnumCase{EventKind::kService, "severity", "\"critical\"", v1::SEVERITY_CRITICAL},
        EnumCase{EventKind::kService, "severity", "\"SEVERITY_LOW\"", v1::SEVERITY_LOW},
        // contacts.kind / meeting_type / contact_role / level
        EnumCase{EventKind::kContact, "kind", "\"Meeting_Cancelled\"",
                 v1::CONTACT_KIND_MEETING_CANCELLED},
        EnumCase{EventKind::kContact, "kind", "\"CONTACT_KIND_REFERENCE_WITHDRAWN\"",
                 v1::CONTACT_KIND_REFERENCE_WITHDRAWN},
        EnumCase{EventKind::kContact, "kind", "\"contact_left\"", v1::CONTACT_KIND_CONTACT_LEFT},
        EnumCase{EventKind::kContact, "kind", "10", v1::CONTACT_KIND_MANAGER_CHANGED},
        EnumCase{EventKind::kContact, "meeting_type", "\"business_review\"",
                 v1::MEETING_TYPE_BUSINESS_REVIEW},
        EnumCase{EventKind::kContact, "meeting_type", "\"MEETING_TYPE_STRATEGY\"",
                 v1::MEETING_TYPE_STRATEGY},
        EnumCase{EventKind::kContact, "contact_role", "\"opponent\"", v1::CONTACT_ROLE_OPPONENT},
        EnumCase{EventKind::kContact, "contact_role", "\"CONTACT_ROLE_USER\"",
                 v1::CONTACT_ROLE_USER},
        EnumCase{EventKind::kContact, "level", "\"operational\"", v1::CONTACT_LEVEL_OPERATIONAL},
        EnumCase{EventKind::kContact, "level", "\"EXECUTIVE\"", v1::CONTACT_LEVEL_EXECUTIVE},
        // accounts.tier / stage / credit_risk
        EnumCase{EventKind::kAccount, "tier", "\"key\"", v1::TIER_KEY},
        EnumCase{EventKind::kAccount, "tier", "\"TIER_ORDINARY\"", v1::TIER_ORDINARY},
        EnumCase{EventKind::kAccount, "tier", "4", v1::TIER_POTENTIAL},
        EnumCase{EventKind::kAccount, "stage", "\"interrupted\"", v1::STAGE_INTERRUPTED},
        EnumCase{EventKind::kAccount, "stage", "\"STAGE_NURTURING\"", v1::STAGE_NURTURING},
        EnumCase{EventKind::kAccount, "credit_risk", "\"distressed\"", v1::CREDIT_RISK_DISTRESSED},
        EnumCase{EventKind::kAccount, "credit_risk", "\"CREDIT_RISK_NONE\"",
                 v1::CREDIT_RISK_NONE}));

TEST_F(EventDecoderTest, UnknownEnumNamesAndNumbersAreUnknownEnum) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":"SHIPPED")")),
            RejectReason::kUnknownEnum);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":"")")), RejectReason::kUnknownEnum);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":"ORDER_STATUS_")")),
            RejectReason::kUnknownEnum);
  // A value of another enum is not a value of this one.
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":"TICKET_OPENED")")),
            RejectReason::kUnknownEnum);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":4)")), RejectReason::kUnknownEnum);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":-1)")), RejectReason::kUnknownEnum);
  EXPECT_EQ(JsonReject(EventKind::kService, R"({"severity":"SEVERE"})"),
            RejectReason::kUnknownEnum);
  EXPECT_EQ(JsonReject(EventKind::kAccount, R"({"tier":6})"), RejectReason::kUnknownEnum);
}

TEST_F(EventDecoderTest, UnknownEnumDetailNamesFieldAndValue) {
  auto r = Json(EventKind::kOrder, Order(R"("status":"SHIPPED")"));
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->detail.find("status"), std::string::npos) << r->detail;
  EXPECT_NE(r->detail.find("SHIPPED"), std::string::npos) << r->detail;
}

TEST_F(EventDecoderTest, EnumOfWrongJsonTypeIsMalformed) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":1.0)")), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":true)")), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("status":{})")), RejectReason::kMalformed);
}

TEST(ResolveEnumName, ShortPrefixedAnyCaseAndUnknown) {
  const auto* type = v1::OrderStatus_descriptor();
  EXPECT_EQ(ResolveEnumName(type, "returned"), v1::ORDER_STATUS_RETURNED);
  EXPECT_EQ(ResolveEnumName(type, "ORDER_STATUS_RETURNED"), v1::ORDER_STATUS_RETURNED);
  EXPECT_EQ(ResolveEnumName(type, "Order_Status_Placed"), v1::ORDER_STATUS_PLACED);
  EXPECT_EQ(ResolveEnumName(type, "unspecified"), v1::ORDER_STATUS_UNSPECIFIED);
  EXPECT_EQ(ResolveEnumName(type, "bogus"), -1);
  EXPECT_EQ(ResolveEnumName(v1::ContactLevel_descriptor(), "management"),
            v1::CONTACT_LEVEL_MANAGEMENT);
  EXPECT_EQ(ResolveEnumName(v1::CreditRisk_descriptor(), "downgraded"), v1::CREDIT_RISK_DOWNGRADED);
}

// ---------------------------------------------------------------------------------------------
// Integers

TEST_F(EventDecoderTest, Int64AcceptsNumberOrDecimalString) {
  ASSERT_FALSE(Json(EventKind::kOrder, Order(R"("quantity":"42","amount_minor":7)")));
  EXPECT_EQ(order().quantity(), 42);
  EXPECT_EQ(order().amount_minor(), 7);
  ASSERT_FALSE(Json(EventKind::kOrder, Order(R"("quantity":"-3","amount_minor":-4)")));
  EXPECT_EQ(order().quantity(), -3);  // range is the validator's job
  EXPECT_EQ(order().amount_minor(), -4);
  ASSERT_FALSE(Json(EventKind::kOrder, Order(R"("amount_minor":"9223372036854775807")")));
  EXPECT_EQ(order().amount_minor(), INT64_MAX);
  ASSERT_FALSE(Json(EventKind::kOrder, Order(R"("amount_minor":-9223372036854775808)")));
  EXPECT_EQ(order().amount_minor(), INT64_MIN);
}

TEST_F(EventDecoderTest, FractionsAndNonDecimalStringsAreMalformed) {
  for (const char* v : {R"("1.5")", "1.5", "1.0", "1e3", R"("")", R"(" 12")", R"("12 ")",
                        R"("0x10")", R"("12abc")", "true", "[1]", "{}"}) {
    EXPECT_EQ(JsonReject(EventKind::kOrder, Order(std::string("\"quantity\":") + v)),
              RejectReason::kMalformed)
        << v;
  }
}

TEST_F(EventDecoderTest, IntegersBeyondTheirTypeAreOutOfRange) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("quantity":9223372036854775808)")),
            RejectReason::kOutOfRange);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("quantity":"9223372036854775808")")),
            RejectReason::kOutOfRange);
  EXPECT_EQ(JsonReject(EventKind::kService, R"({"csat":2147483648})"), RejectReason::kOutOfRange);
  EXPECT_EQ(JsonReject(EventKind::kService, R"({"nps":-2147483649})"), RejectReason::kOutOfRange);
}

TEST_F(EventDecoderTest, Int32AcceptsItsFullRange) {
  ASSERT_FALSE(Json(EventKind::kService, R"({"csat":2147483647,"nps":"-2147483648"})"));
  EXPECT_EQ(service().csat(), INT32_MAX);
  EXPECT_EQ(service().nps(), INT32_MIN);
}

// ---------------------------------------------------------------------------------------------
// Strings, nested messages, timestamps

TEST_F(EventDecoderTest, NonStringForStringFieldIsMalformed) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"event_id":5})"), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"account_id":true})"), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("product_line":["a"])")),
            RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("currency":{})")), RejectReason::kMalformed);
}

TEST_F(EventDecoderTest, WrongTypeDetailNamesTheNestedPath) {
  auto r = Json(EventKind::kAccount, R"({"owner":{"id":"x","email":42}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, RejectReason::kMalformed);
  EXPECT_NE(r->detail.find("owner.email"), std::string::npos) << r->detail;
}

TEST_F(EventDecoderTest, NestedMessageMustBeAnObject) {
  EXPECT_EQ(JsonReject(EventKind::kAccount, R"({"owner":"alice"})"), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kAccount, R"({"owner":[]})"), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kContact, R"({"new_manager":1})"), RejectReason::kMalformed);
}

TEST_F(EventDecoderTest, PartialNestedOwnerKeepsOnlyGivenFields) {
  ASSERT_FALSE(Json(EventKind::kAccount, R"({"owner":{"email":"a@b.c"}})"));
  ASSERT_TRUE(account().has_owner());
  EXPECT_EQ(account().owner().id(), "");
  EXPECT_EQ(account().owner().email(), "a@b.c");
  EXPECT_FALSE(account().has_executive_sponsor());
}

TEST_F(EventDecoderTest, TimestampThatIsNotRfc3339IsBadTimestamp) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"occurred_at":"2026-02-30T00:00:00Z"})"),
            RejectReason::kBadTimestamp);
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"occurred_at":"2026-07-01T08:00:00"})"),
            RejectReason::kBadTimestamp);
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"occurred_at":1782892800})"),
            RejectReason::kBadTimestamp);
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"occurred_at":{"seconds":1}})"),
            RejectReason::kBadTimestamp);
}

// ---------------------------------------------------------------------------------------------
// null, unknown fields, reuse

TEST_F(EventDecoderTest, NullMeansAbsent) {
  auto r = Json(EventKind::kOrder, Order(R"("order_id":null,"quantity":null,"status":null,
      "currency":null)"));
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(order().order_id(), "");
  EXPECT_EQ(order().quantity(), 0);
  EXPECT_EQ(order().status(), v1::ORDER_STATUS_UNSPECIFIED);
  ASSERT_FALSE(Json(EventKind::kService, R"({"nps":null,"csat":null})"));
  EXPECT_FALSE(service().has_nps());
  ASSERT_FALSE(Json(EventKind::kAccount, R"({"owner":null,"occurred_at":null})"));
  EXPECT_FALSE(account().has_owner());
  EXPECT_FALSE(account().has_occurred_at());
}

TEST_F(EventDecoderTest, ExplicitZeroNpsIsPresent) {
  ASSERT_FALSE(Json(EventKind::kService, R"({"nps":0})"));
  EXPECT_TRUE(service().has_nps());
  EXPECT_EQ(service().nps(), 0);
}

TEST_F(EventDecoderTest, UnknownFieldsAreIgnoredAtAnyDepth) {
  auto r = Json(EventKind::kAccount, R"({"event_id":"e","future":{"deep":[1,{"x":null}]},
      "tier":"key","owner":{"id":"o","nickname":"ignored","extra":[true]},"schema_version":3})");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(account().event_id(), "e");
  EXPECT_EQ(account().tier(), v1::TIER_KEY);
  EXPECT_EQ(account().owner().id(), "o");
}

TEST_F(EventDecoderTest, DecodingReplacesThePreviousEvent) {
  ASSERT_FALSE(Json(EventKind::kOrder, Order(R"("order_id":"o1","quantity":5)")));
  ASSERT_FALSE(Json(EventKind::kOrder, R"({"event_id":"e2"})"));
  EXPECT_EQ(order().event_id(), "e2");
  EXPECT_EQ(order().order_id(), "");
  EXPECT_EQ(order().quantity(), 0);
  EXPECT_FALSE(order().has_occurred_at());
  ASSERT_FALSE(Json(EventKind::kContact, R"({"event_id":"e3","kind":"call"})"));
  EXPECT_EQ(event_.kind, EventKind::kContact);
  ASSERT_TRUE(std::holds_alternative<v1::ContactEvent>(event_.message));
  EXPECT_EQ(event_.event_id(), "e3");
}

// ---------------------------------------------------------------------------------------------
// Malformed documents

TEST_F(EventDecoderTest, InvalidUtf8IsInvalidUtf8) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order("\"product_line\":\"caf\xC3\"")),
            RejectReason::kInvalidUtf8);
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order("\"product_line\":\"\xFF\xFE\"")),
            RejectReason::kInvalidUtf8);
  // Also inside a field the decoder would ignore.
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order("\"unknown\":\"\xED\xA0\x80\"")),
            RejectReason::kInvalidUtf8);
}

TEST_F(EventDecoderTest, TruncatedJsonIsMalformed) {
  std::string full = Order(R"("product_line":"pumps")");
  for (size_t n : {size_t{1}, size_t{10}, full.size() / 2, full.size() - 2, full.size() - 1}) {
    EXPECT_EQ(JsonReject(EventKind::kOrder, full.substr(0, n)), RejectReason::kMalformed)
        << full.substr(0, n);
  }
}

TEST_F(EventDecoderTest, TrailingContentIsMalformed) {
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"event_id":"e"} x)"), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"event_id":"e"}{})"), RejectReason::kMalformed);
  EXPECT_EQ(JsonReject(EventKind::kOrder, R"({"event_id":"e"},)"), RejectReason::kMalformed);
}

TEST_F(EventDecoderTest, TrailingWhitespaceIsAccepted) {
  auto r = Json(EventKind::kOrder, "{\"event_id\":\"e\"} \n\t");
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(order().event_id(), "e");
}

TEST_F(EventDecoderTest, NonObjectDocumentsAreMalformed) {
  for (const char* doc : {"[]", "[{}]", "\"text\"", "42", "null", "true", "", "   "}) {
    EXPECT_EQ(JsonReject(EventKind::kOrder, doc), RejectReason::kMalformed) << "'" << doc << "'";
  }
}

TEST_F(EventDecoderTest, SyntaxErrorsAreMalformed) {
  for (const char* doc : {R"({event_id:"e"})", R"({'event_id':'e'})", R"({"event_id":"e",})",
                          R"({"event_id" "e"})", R"({"quantity":01})", "{\"a\":\"\x01\"}"}) {
    EXPECT_EQ(JsonReject(EventKind::kOrder, doc), RejectReason::kMalformed) << doc;
  }
}

TEST_F(EventDecoderTest, RepeatedFieldsOnInputAreRejected) {
  // No input schema has a repeated field today; lists for scalar fields are wrong types.
  EXPECT_EQ(JsonReject(EventKind::kOrder, Order(R"("order_id":["a","b"])")),
            RejectReason::kMalformed);
}

// ---------------------------------------------------------------------------------------------
// Protobuf binary

v1::OrderEvent FullOrder() {
  v1::OrderEvent o;
  o.set_event_id("evt-1");
  o.set_account_id("acct-1");
  o.mutable_occurred_at()->set_seconds(Utc(2026, 7, 1, 8) / kMicrosPerSecond);
  o.mutable_occurred_at()->set_nanos(250'000'000);
  o.set_order_id("ord-1");
  o.set_product_line("pumps");
  o.set_quantity(12);
  o.set_amount_minor(99900);
  o.set_currency("CNY");
  o.set_status(v1::ORDER_STATUS_RETURNED);
  return o;
}

TEST_F(EventDecoderTest, ProtoRoundTripOfEveryKind) {
  v1::OrderEvent order_msg = FullOrder();

  v1::ServiceEvent service_msg;
  service_msg.set_event_id("s-1");
  service_msg.set_account_id("acct-1");
  service_msg.mutable_occurred_at()->set_seconds(1);
  service_msg.set_ticket_id("T-1");
  service_msg.set_kind(v1::SERVICE_KIND_SURVEY);
  service_msg.set_severity(v1::SEVERITY_CRITICAL);
  service_msg.set_csat(3);
  service_msg.set_nps(0);

  v1::ContactEvent contact_msg;
  contact_msg.set_event_id("c-1");
  contact_msg.set_account_id("acct-1");
  contact_msg.mutable_occurred_at()->set_seconds(-86400);
  contact_msg.set_kind(v1::CONTACT_KIND_CONTACT_ROLE_CHANGED);
  contact_msg.set_meeting_type(v1::MEETING_TYPE_TRAINING);
  contact_msg.set_contact_id("p-1");
  contact_msg.set_contact_role(v1::CONTACT_ROLE_INFLUENCER);
  contact_msg.set_level(v1::CONTACT_LEVEL_MANAGEMENT);
  contact_msg.mutable_new_manager()->set_id("emp-9");
  contact_msg.mutable_new_manager()->set_name("N");
  contact_msg.mutable_new_manager()->set_email("n@example.com");

  v1::AccountEvent account_msg;
  account_msg.set_event_id("a-1");
  account_msg.set_account_id("acct-1");
  account_msg.mutable_occurred_at()->set_seconds(1'700'000'000);
  account_msg.set_name("名字");
  account_msg.set_tier(v1::TIER_GROWTH);
  account_msg.mutable_owner()->set_id("emp-1");
  account_msg.mutable_owner()->set_name("O");
  account_msg.mutable_owner()->set_email("o@example.com");
  account_msg.mutable_executive_sponsor()->set_id("emp-2");
  account_msg.set_region("North");
  account_msg.set_industry("Retail");
  account_msg.set_stage(v1::STAGE_DEVELOPING);
  account_msg.set_credit_risk(v1::CREDIT_RISK_DOWNGRADED);

  struct Case {
    EventKind kind;
    const google::protobuf::Message* msg;
  };
  for (const Case& c :
       {Case{EventKind::kOrder, &order_msg}, Case{EventKind::kService, &service_msg},
        Case{EventKind::kContact, &contact_msg}, Case{EventKind::kAccount, &account_msg}}) {
    std::string bytes = c.msg->SerializeAsString();
    auto r = decoder_.Decode(c.kind, PayloadFormat::kProto, bytes, &event_);
    ASSERT_FALSE(r.has_value()) << EventKindName(c.kind) << ": " << r->detail;
    EXPECT_EQ(event_.kind, c.kind);
    EXPECT_TRUE(MessageDifferencer::Equals(event_.proto(), *c.msg))
        << EventKindName(c.kind) << ": " << event_.proto().ShortDebugString();
  }
  EXPECT_EQ(event_.account_id(), "acct-1");
  EXPECT_EQ(event_.occurred_at(), 1'700'000'000 * kMicrosPerSecond);
}

TEST_F(EventDecoderTest, TruncatedProtoIsMalformed) {
  std::string bytes = FullOrder().SerializeAsString();
  // Cut inside the first length-delimited field (event_id), and just before the last value.
  for (size_t n : {size_t{1}, size_t{4}, bytes.size() - 1}) {
    auto r = decoder_.Decode(EventKind::kOrder, PayloadFormat::kProto, bytes.substr(0, n), &event_);
    ASSERT_TRUE(r.has_value()) << n;
    EXPECT_EQ(r->reason, RejectReason::kMalformed) << n;
  }
}

TEST_F(EventDecoderTest, EmptyPayloadIsMalformedInEveryFormat) {
  for (PayloadFormat f : {PayloadFormat::kJson, PayloadFormat::kProto, PayloadFormat::kAuto}) {
    auto r = decoder_.Decode(EventKind::kOrder, f, "", &event_);
    ASSERT_TRUE(r.has_value()) << PayloadFormatName(f);
    EXPECT_EQ(r->reason, RejectReason::kMalformed) << PayloadFormatName(f);
  }
}

TEST_F(EventDecoderTest, ProtoKeepsUnknownEnumNumbersForTheValidator) {
  std::string bytes = FullOrder().SerializeAsString();
  bytes += std::string("\x48\x2a", 2);  // field 9 (status), varint 42; last value wins
  auto r = decoder_.Decode(EventKind::kOrder, PayloadFormat::kProto, bytes, &event_);
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(static_cast<int>(order().status()), 42);
}

// ---------------------------------------------------------------------------------------------
// PayloadFormat::kAuto

TEST_F(EventDecoderTest, AutoPicksJsonOnlyWhenTheFirstByteIsABrace) {
  auto r = decoder_.Decode(EventKind::kOrder, PayloadFormat::kAuto,
                           "{\"event_id\":\"json-1\",\"quantity\":\"3\"}", &event_);
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_EQ(order().event_id(), "json-1");
  EXPECT_EQ(order().quantity(), 3);
  // Leading whitespace bytes are valid protobuf tags (0x0A is field 1), so they mean protobuf.
  auto ws = decoder_.Decode(EventKind::kOrder, PayloadFormat::kAuto,
                            " \r\n\t{\"event_id\":\"json-1\"}", &event_);
  ASSERT_TRUE(ws.has_value());
  EXPECT_EQ(ws->reason, RejectReason::kMalformed);
}

TEST_F(EventDecoderTest, AutoPicksProtoForBinary) {
  v1::OrderEvent msg = FullOrder();
  auto r =
      decoder_.Decode(EventKind::kOrder, PayloadFormat::kAuto, msg.SerializeAsString(), &event_);
  ASSERT_FALSE(r.has_value()) << r->detail;
  EXPECT_TRUE(MessageDifferencer::Equals(order(), msg));
}

TEST_F(EventDecoderTest, AutoTreatsNonObjectTextAsProtoAndRejectsIt) {
  auto r = decoder_.Decode(EventKind::kOrder, PayloadFormat::kAuto, "[1,2,3]", &event_);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, RejectReason::kMalformed);
  EXPECT_NE(r->detail.find("protobuf"), std::string::npos) << r->detail;
}

// BUG (engine/events/event_decoder.cc, Decode, kAuto detection): a binary OrderEvent whose
// first field is an event_id of exactly 123 bytes serialises as 0x0A 0x7B ... — '\n' (skipped
// as blank) followed by '{' — so kAuto decodes a valid protobuf payload as JSON and rejects it
// as malformed. 123 bytes is within max_id_bytes (128). Regression test: kAuto now looks only at
// the first byte.
TEST_F(EventDecoderTest, AutoDecodesProtoWhoseFirstBytesLookLikeJson) {
  v1::OrderEvent msg = FullOrder();
  msg.set_event_id(std::string(123, 'e'));
  std::string bytes = msg.SerializeAsString();
  ASSERT_EQ(bytes.substr(0, 2), "\n{");
  auto r = decoder_.Decode(EventKind::kOrder, PayloadFormat::kAuto, bytes, &event_);
  ASSERT_FALSE(r.has_value()) << RejectReasonName(r->reason) << ": " << r->detail;
  EXPECT_TRUE(MessageDifferencer::Equals(order(), msg));
}

// ---------------------------------------------------------------------------------------------
// Names

TEST(EventNames, KindNamesRoundTrip) {
  for (int i = 0; i < kEventKindCount; ++i) {
    auto kind = static_cast<EventKind>(i);
    auto back = EventKindFromName(EventKindName(kind));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, kind);
  }
  EXPECT_STREQ(EventKindName(EventKind::kOrder), "orders");
  EXPECT_STREQ(EventKindName(EventKind::kContact), "contacts");
  auto missing = EventKindFromName("order");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(EventNames, PayloadFormatNames) {
  EXPECT_EQ(*PayloadFormatFromName("json"), PayloadFormat::kJson);
  EXPECT_EQ(*PayloadFormatFromName("proto"), PayloadFormat::kProto);
  EXPECT_EQ(*PayloadFormatFromName("auto"), PayloadFormat::kAuto);
  auto bad = PayloadFormatFromName("JSON");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(EventNames, RejectReasonNamesAreTheMetricLabels) {
  const char* expected[kRejectReasonCount] = {"malformed",     "invalid_utf8", "too_large",
                                              "missing_field", "out_of_range", "unknown_enum",
                                              "bad_timestamp", "key_mismatch"};
  for (int i = 0; i < kRejectReasonCount; ++i) {
    EXPECT_STREQ(RejectReasonName(static_cast<RejectReason>(i)), expected[i]);
  }
}

}  // namespace
}  // namespace churnwatch
