#include "import_check.h"

#include <sstream>

#include "events/event_decoder.h"
#include "fuzz_target.h"

namespace churnwatch::fuzz {

void CheckImportedEvents(EventKind kind, const std::string& ndjson, int64_t rows) {
  static EventDecoder decoder;
  std::istringstream in(ndjson);
  std::string line;
  int64_t lines = 0;
  UnixMicros last = INT64_MIN;
  while (std::getline(in, line)) {
    ++lines;
    Event event;
    auto rejected = decoder.Decode(kind, PayloadFormat::kJson, line, &event);
    Check(!rejected.has_value(),
          "an imported line is not an event of its topic the engine decodes");
    Check(!event.account_id().empty(), "an imported event without account_id");
    Check(event.occurred_at() >= last, "imported events are not in time order");
    last = event.occurred_at();
  }
  Check(lines == rows, "the import wrote another number of lines than it reports");
}

}  // namespace churnwatch::fuzz
