#include "model/ranking.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace churnwatch::model {
namespace {

double Key(double score) { return std::isnan(score) ? -INFINITY : score; }

// Indices by descending score (stable: input order among ties).
std::vector<size_t> ByScoreDescending(const std::vector<double>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return Key(scores[a]) > Key(scores[b]); });
  return order;
}

}  // namespace

std::optional<double> RocAuc(const std::vector<double>& scores, const std::vector<bool>& positive) {
  const size_t n = std::min(scores.size(), positive.size());
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return Key(scores[a]) < Key(scores[b]); });
  // Sum of the positives' ranks (1-based, ties given their average rank).
  double rank_sum = 0;
  size_t positives = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && Key(scores[order[j]]) == Key(scores[order[i]])) ++j;
    double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) {
      if (positive[order[k]]) {
        rank_sum += average_rank;
        ++positives;
      }
    }
    i = j;
  }
  const size_t negatives = n - positives;
  if (positives == 0 || negatives == 0) return std::nullopt;
  double p = static_cast<double>(positives);
  return (rank_sum - p * (p + 1) / 2) / (p * static_cast<double>(negatives));
}

std::optional<double> PrecisionAtTop(const std::vector<double>& scores,
                                     const std::vector<bool>& positive, double fraction) {
  const size_t n = std::min(scores.size(), positive.size());
  if (n == 0) return std::nullopt;
  size_t top =
      static_cast<size_t>(std::ceil(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(n)));
  top = std::clamp<size_t>(top, 1, n);
  std::vector<double> head(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(n));
  auto order = ByScoreDescending(head);
  size_t hits = 0;
  for (size_t i = 0; i < top; ++i) hits += positive[order[i]] ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(top);
}

}  // namespace churnwatch::model
