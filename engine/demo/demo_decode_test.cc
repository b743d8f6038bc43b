// The engine's own decoder and validator (engine/events) accept every generated message: the
// demo speaks the input contract, not an approximation of it. Test-only dependency on events.
#include <gtest/gtest.h>

#include <chrono>

#include "demo/demo_generator.h"
#include "events/event_decoder.h"
#include "events/event_validator.h"

namespace churnwatch::demo {
namespace {

TEST(DemoDecode, EngineAcceptsEveryMessage) {
  using namespace std::chrono;
  DemoOptions o;
  o.now = duration_cast<microseconds>(sys_days{year{2026} / 5 / 14}.time_since_epoch()).count();
  DemoDataset data = GenerateDemo(o);
  ASSERT_FALSE(data.messages.empty());
  ManualClock clock(o.now);
  EventValidator validator(ValidationLimits{}, &clock);
  EventDecoder decoder;
  Event event;
  int rejected = 0;
  for (const DemoMessage& m : data.messages) {
    auto kind = EventKindFromName(m.topic);
    ASSERT_TRUE(kind.ok()) << m.topic;
    auto r = decoder.Decode(*kind, PayloadFormat::kJson, m.json, &event);
    if (!r) r = validator.Validate(event, m.key);
    if (r) {
      if (++rejected <= 5)
        ADD_FAILURE() << RejectReasonName(r->reason) << ": " << r->detail << " in " << m.json;
    } else {
      EXPECT_EQ(event.occurred_at(), m.occurred_at);
    }
  }
  EXPECT_EQ(rejected, 0);
}

}  // namespace
}  // namespace churnwatch::demo
