// Rng: the demo generator's deterministic randomness (internal to engine/demo).
//
// std::*_distribution results differ between standard libraries, so every draw here is explicit
// arithmetic on std::mt19937_64, whose output sequence the standard fixes: the same seed gives
// the same dataset with libstdc++, libc++ and MSVC. Not thread-safe; one Rng per stream.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace churnwatch::demo::internal {

// SplitMix64 finaliser: derives independent stream seeds from (seed, stream) so that changing one
// account or one aspect (orders, service, contacts) never shifts the draws of another.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive); the modulo bias is far below anything visible.
  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(engine_() % static_cast<uint64_t>(hi - lo + 1));
  }
  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }
  // An index drawn with the given non-negative weights (at least one positive).
  size_t Weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  // Fisher-Yates with Int(), so the permutation is the same on every standard library.
  template <typename T>
  void Shuffle(std::span<T> items) {
    for (size_t i = items.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(Int(0, static_cast<int64_t>(i) - 1));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace churnwatch::demo::internal
