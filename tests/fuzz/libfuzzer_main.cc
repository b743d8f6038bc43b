// libFuzzer's entry point for the target linked beside it (fuzz build only).
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return churnwatch::fuzz::FuzzOne(data, size);
}
