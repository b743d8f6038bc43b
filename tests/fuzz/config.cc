// Fuzz target config: a `churnwatch run --config` file (YAML) through the config loader and the
// engine config's validation. Every problem must come back as a Status with a message, never as
// an exception or a crash.
//
// The loader reads the files the config names (http.token_file, clv.params); the fuzz script
// runs targets in an empty directory so those reads find nothing.
#include <string>

#include "cli/config_loader.h"
#include "fuzz_target.h"
#include "ingest/engine_config.h"

namespace churnwatch::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ingest::EngineConfig config;
  Status s = cli::ApplyConfigText(text, "fuzz.yaml", &config);
  if (!s.ok()) {
    Check(!s.message().empty(), "a config error without a message");
    return 0;
  }
  Status valid = config.Validate();
  Check(valid.ok() || !valid.message().empty(), "an invalid config without a message");
  return 0;
}

}  // namespace churnwatch::fuzz
