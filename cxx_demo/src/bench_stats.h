// Summary statistics with the same definitions as lite/stats.py (population std, linear p90).
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

namespace mnv1 {

struct Summary {
  double min_ms, max_ms, mean_ms, median_ms, std_ms, p90_ms;
};

inline double percentile(std::vector<double> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  double rank = q / 100.0 * (sorted.size() - 1);
  size_t low = static_cast<size_t>(std::floor(rank));
  size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

inline Summary summarize(const std::vector<double>& samples) {
  Summary s{};
  if (samples.empty()) return s;
  double sum = 0;
  for (double v : samples) sum += v;
  s.mean_ms = sum / samples.size();
  double squares = 0;
  for (double v : samples) squares += (v - s.mean_ms) * (v - s.mean_ms);
  s.std_ms = std::sqrt(squares / samples.size());
  s.min_ms = *std::min_element(samples.begin(), samples.end());
  s.max_ms = *std::max_element(samples.begin(), samples.end());
  s.median_ms = percentile(samples, 50);
  s.p90_ms = percentile(samples, 90);
  return s;
}

}  // namespace mnv1
