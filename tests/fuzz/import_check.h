// What the importer targets (csv_import, cdnow_import) check on the NDJSON an import wrote.
#pragma once

#include <cstdint>
#include <string>

namespace churnwatch::fuzz {

// Every line of `ndjson` is an order event the engine's decoder accepts, there are `rows`
// lines, and they are in time order. Aborts (Check) otherwise.
void CheckImportedOrders(const std::string& ndjson, int64_t rows);

}  // namespace churnwatch::fuzz
