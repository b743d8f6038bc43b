// The contract of every fuzz target in this folder.
//
// A target is one FuzzOne() that feeds an input to the parser under test and checks what must
// hold whatever the input: no crash, no sanitizer report, no exception escaping the parser,
// and the invariants it names (a decoded event re-encodes to the same event, a parsed labels
// file formats and parses back to the same labels...). The same FuzzOne() runs under libFuzzer
// (libfuzzer_main.cc, the clang fuzz build) and under replay_main.cc (the normal build's ctest,
// over the seed corpus and the reproducers of past crashes), so it must compile with gcc and
// must be deterministic for a given input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace churnwatch::fuzz {

// Runs one input. Returns 0 (libFuzzer's only accepted value); a broken invariant aborts.
int FuzzOne(const uint8_t* data, size_t size);

// Aborts with `what` when `ok` is false, so libFuzzer saves the input and ctest's replay fails.
inline void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace churnwatch::fuzz
