// The customer file (customer_file.h) from hand-built snapshots: the decision chain's order,
// departures, the single-threaded warning, and a timeline with every kind the store keeps.
#include "http/customer_file.h"

#include <gtest/gtest.h>

namespace churnwatch::http {
namespace {

constexpr UnixMicros kDay = kMicrosPerDay;
const UnixMicros kJuly1 = ParseRfc3339("2026-07-01T02:00:00Z").value();

v1::ContactRecord Person(const std::string& id, v1::ContactRole role, v1::ContactLevel level,
                         UnixMicros added, UnixMicros left = 0) {
  v1::ContactRecord c;
  c.set_contact_id(id);
  c.set_role(role);
  c.set_level(level);
  c.set_active(left == 0);
  c.set_added_at_us(added);
  c.set_left_at_us(left);
  return c;
}

TEST(CustomerFile, DecisionChainInReadingOrderWithDepartures) {
  state::AccountSnapshot snap;
  snap.account_id = "ACC-1";
  // Sorted by id, as the store returns them.
  snap.contacts = {
      Person("a-user", v1::CONTACT_ROLE_USER, v1::CONTACT_LEVEL_OPERATIONAL, kJuly1),
      Person("b-dm-old", v1::CONTACT_ROLE_DECISION_MAKER, v1::CONTACT_LEVEL_EXECUTIVE, kJuly1,
             kJuly1 + 10 * kDay),
      Person("c-opp", v1::CONTACT_ROLE_OPPONENT, v1::CONTACT_LEVEL_MANAGEMENT, kJuly1),
      Person("d-dm", v1::CONTACT_ROLE_DECISION_MAKER, v1::CONTACT_LEVEL_MANAGEMENT, kJuly1),
      Person("e-inf", v1::CONTACT_ROLE_INFLUENCER, v1::CONTACT_LEVEL_MANAGEMENT, kJuly1,
             kJuly1 + 20 * kDay),
  };
  auto file = DecisionChainJson(snap);
  std::vector<std::string> roles;
  for (const auto& g : file["decision_chain"]) roles.push_back(g["role"]);
  EXPECT_EQ(roles, (std::vector<std::string>{"DECISION_MAKER", "INFLUENCER", "OPPONENT", "USER"}));
  // Active before departed within a role.
  EXPECT_EQ(file["decision_chain"][0]["people"][0]["contact_id"], "d-dm");
  EXPECT_EQ(file["decision_chain"][0]["people"][1]["contact_id"], "b-dm-old");
  // Departures, newest first, with when.
  ASSERT_EQ(file["departed"].size(), 2u);
  EXPECT_EQ(file["departed"][0]["contact_id"], "e-inf");
  EXPECT_EQ(file["departed"][0]["left_at"], FormatRfc3339(kJuly1 + 20 * kDay));
  EXPECT_EQ(file["departed"][1]["contact_id"], "b-dm-old");
  EXPECT_EQ(file["active_contacts"], 3);
  // d-dm and a-user carry it; the opponent does not count.
  EXPECT_EQ(file["single_threaded"]["warning"], false);

  snap.contacts.erase(snap.contacts.begin());  // the user leaves the story
  file = DecisionChainJson(snap);
  EXPECT_EQ(file["single_threaded"]["warning"], true);
  EXPECT_EQ(file["single_threaded"]["kind"], "single_threaded");
  EXPECT_EQ(file["single_threaded"]["carried_by"]["contact_id"], "d-dm");

  snap.contacts = {
      Person("c-opp", v1::CONTACT_ROLE_OPPONENT, v1::CONTACT_LEVEL_MANAGEMENT, kJuly1)};
  file = DecisionChainJson(snap);
  EXPECT_EQ(file["single_threaded"]["kind"], "no_relationship");

  snap.contacts.clear();
  file = DecisionChainJson(snap);
  EXPECT_EQ(file["single_threaded"]["warning"], false) << "nothing known is not a warning";
  EXPECT_TRUE(file["decision_chain"].empty());
}

TEST(CustomerFile, TimelineHasEveryKindNewestFirst) {
  auto calendar = Calendar::Load("Asia/Shanghai").value();
  state::AccountSnapshot snap;
  snap.account_id = "ACC-1";
  state::OrderDayCounters order(state::CounterLayout::kOrderDay);
  order.Add(state::kDayOrders, 2);
  order.Add(state::kDayQuantity, 30);
  snap.order_days = {{20260701, order}};
  state::ServiceDayCounters service(state::CounterLayout::kServiceDay);
  service.Add(state::kSvcComplaints, 1);
  snap.service_days = {{20260703, service}};
  state::EngagementDayCounters engagement(state::CounterLayout::kEngagementDay);
  engagement.Add(state::MeetingSlot(2, 0), 1);  // a strategy meeting cancelled
  engagement.Add(state::kEngContactsLeft, 1);
  snap.engagement_days = {{20260705, engagement}};
  // Left at 2026-07-05 17:00 UTC = 07-06 01:00 in Shanghai: the local day counts.
  snap.contacts = {Person("p-dm", v1::CONTACT_ROLE_DECISION_MAKER, v1::CONTACT_LEVEL_EXECUTIVE,
                          kJuly1, ParseRfc3339("2026-07-05T17:00:00Z").value())};
  v1::HistoryEntry fired, acked;
  fired.set_kind("FIRING");
  fired.set_at_us(ParseRfc3339("2026-07-06T03:00:00Z").value());
  fired.mutable_alert()->set_id("al-1");
  fired.mutable_alert()->set_severity("critical");
  acked = fired;
  acked.set_kind("ACKNOWLEDGED");
  acked.set_at_us(fired.at_us() + 3600 * kMicrosPerSecond);
  acked.mutable_ack()->set_by("王经理");

  auto t = TimelineJson(snap, {fired, acked}, 100, calendar);
  std::vector<std::string> seen;
  for (const auto& e : t["entries"])
    seen.push_back(e["date"].get<std::string>() + " " + e["kind"].get<std::string>() +
                   (e.contains("event") ? ":" + e["event"].get<std::string>() : ""));
  EXPECT_EQ(seen, (std::vector<std::string>{"2026-07-06 alert:ACKNOWLEDGED",
                                            "2026-07-06 alert:FIRING", "2026-07-06 contact_left",
                                            "2026-07-05 contact", "2026-07-03 service",
                                            "2026-07-01 contact_added", "2026-07-01 order"}));
  EXPECT_EQ(t["entries"][0]["by"], "王经理");
  EXPECT_EQ(t["entries"][3]["counts"]["meetings_cancelled"], 1);
  EXPECT_TRUE(t["entries"][3]["at"].is_null()) << "day entries have no exact time";
  EXPECT_EQ(t["truncated"], false);
  auto two = TimelineJson(snap, {fired, acked}, 2, calendar);
  EXPECT_EQ(two["entries"].size(), 2u);
  EXPECT_EQ(two["truncated"], true);
}

}  // namespace
}  // namespace churnwatch::http
