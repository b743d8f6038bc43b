// Fnv1a64: a stable 64-bit hash (FNV-1a). Used where a value derived from content must be the
// same on every machine and every run — deterministic alert ids, rule-set versions — which
// std::hash does not promise.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace churnwatch {

constexpr uint64_t kFnvOffset = 1469598103934665603ULL;

inline uint64_t Fnv1a64(std::string_view s, uint64_t h = kFnvOffset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// 16 lower-case hex digits.
inline std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace churnwatch
