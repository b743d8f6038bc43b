// Fuzz target cdnow_import: `churnwatch import cdnow` on an arbitrary file (either layout) and,
// when the import succeeds, the checks of import_check.h on what it wrote.
#include "backtest/cdnow_import.h"

#include <sstream>
#include <string>

#include "fuzz_target.h"
#include "import_check.h"

namespace churnwatch::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  auto stats = backtest::ImportCdnow(in, "fuzz.txt", out);
  if (!stats.ok()) {
    Check(!stats.status().message().empty(), "an import error without a message");
    return 0;
  }
  Check(stats->layout == "master" || stats->layout == "sample", "an unknown layout");
  CheckImportedEvents(EventKind::kOrder, out.str(), stats->rows);
  return 0;
}

}  // namespace churnwatch::fuzz
