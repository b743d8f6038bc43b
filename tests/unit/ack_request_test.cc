// The acknowledgement body at the edge (ack_request.h): today's body, the optional repair plan,
// and hostile input — each refused with a message naming the field.
#include "http/ack_request.h"

#include <gtest/gtest.h>

#include "common/calendar.h"

namespace churnwatch::http {
namespace {

void ExpectRefused(const std::string& body, const std::string& names) {
  auto r = ParseAckRequest(body);
  ASSERT_FALSE(r.ok()) << body.substr(0, 100);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(names), std::string::npos)
      << "'" << names << "' named in: " << r.status().message();
}

TEST(AckRequest, TodaysBodyStillParsesWithoutAPlan) {
  auto r = ParseAckRequest(R"({"by":"王经理","note":"已致电\n明天拜访"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->by, "王经理");
  EXPECT_EQ(r->note, "已致电\n明天拜访");
  EXPECT_FALSE(r->plan.has_value());
  EXPECT_TRUE(ParseAckRequest(R"({"by":"x","plan":null})").ok()) << "null means no plan";
}

TEST(AckRequest, APlanCarriesTextOwnerAndDueTime) {
  auto r = ParseAckRequest(
      R"({"by":"王经理","plan":{"text":"拜访决策人","owner":"张总监","due_at":"2026-12-03T09:00:00+08:00"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->plan.has_value());
  EXPECT_EQ(r->plan->text(), "拜访决策人");
  EXPECT_EQ(r->plan->owner(), "张总监");
  EXPECT_EQ(r->plan->due_at_us(), ParseRfc3339("2026-12-03T01:00:00Z").value());
  EXPECT_EQ(r->plan->done_at_us(), 0);
  auto defaulted = ParseAckRequest(R"({"by":"王经理","plan":{"text":"x","due_at":"2026-12-03T01:00:00Z"}})");
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ(defaulted->plan->owner(), "王经理") << "the owner defaults to who acknowledged";
}

TEST(AckRequest, HostileBodiesNameTheField) {
  const std::string due = R"("due_at":"2026-12-03T01:00:00Z")";
  ExpectRefused("", "body must be JSON");
  ExpectRefused("[1]", "JSON object");
  ExpectRefused(R"({"note":"x"})", "'by' is required");
  ExpectRefused(R"({"by":""})", "'by'");
  ExpectRefused(R"({"by":1})", "'by' must be a string");
  ExpectRefused(R"({"by":")" + std::string(201, 'x') + R"("})", "'by'");
  ExpectRefused(R"({"by":"a\nb"})", "'by'");
  ExpectRefused(R"({"by":"x","note":")" + std::string(2001, 'n') + R"("})", "'note'");
  ExpectRefused(R"({"by":"x","extra":1})", "unknown field 'extra'");
  ExpectRefused("{\"by\":\"\xc3\x28\"}", "body must be JSON");  // invalid UTF-8
  ExpectRefused(R"({"by":"x","plan":[]})", "'plan' must be an object");
  ExpectRefused(R"({"by":"x","plan":{)" + due + "}}", "'plan.text' is required");
  ExpectRefused(R"({"by":"x","plan":{"text":"",)" + due + "}}", "'plan.text'");
  ExpectRefused(R"({"by":"x","plan":{"text":")" + std::string(2001, 't') + R"(",)" + due + "}}",
                "'plan.text'");
  ExpectRefused(R"({"by":"x","plan":{"text":"\u001b[31m",)" + due + "}}", "'plan.text'");
  ExpectRefused(R"({"by":"x","plan":{"text":"x","owner":")" + std::string(201, 'o') + R"(",)" +
                    due + "}}",
                "'plan.owner'");
  ExpectRefused(R"({"by":"x","plan":{"text":"x"}})", "'plan.due_at' is required");
  ExpectRefused(R"({"by":"x","plan":{"text":"x","due_at":"next monday"}})",
                "'plan.due_at' is not an RFC 3339 time");
  ExpectRefused(R"({"by":"x","plan":{"text":"x","due_at":"2026-12-03"}})", "'plan.due_at'");
  ExpectRefused(R"({"by":"x","plan":{"text":"x","due_at":1764723600}})",
                "'plan.due_at' must be a string");
  ExpectRefused(R"({"by":"x","plan":{"text":"x",)" + due + R"(,"done_at":"now"}})",
                "unknown field 'plan.done_at'");
}

TEST(AckRequest, PlanDoneBodyNamesWho) {
  auto ok = ParsePlanDoneRequest(R"({"by":"张总监"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "张总监");
  EXPECT_FALSE(ParsePlanDoneRequest(R"({})").ok());
  EXPECT_FALSE(ParsePlanDoneRequest(R"({"by":"x","note":"y"})").ok());
  EXPECT_FALSE(ParsePlanDoneRequest("not json").ok());
}

}  // namespace
}  // namespace churnwatch::http
