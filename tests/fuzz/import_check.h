// What the importer targets (csv_import, cdnow_import) check on the NDJSON an import wrote.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"

namespace churnwatch::fuzz {

// Every line of `ndjson` is an event of `kind` the engine's decoder accepts, there are `rows`
// lines, and they are in time order. Aborts (Check) otherwise.
void CheckImportedEvents(EventKind kind, const std::string& ndjson, int64_t rows);

}  // namespace churnwatch::fuzz
