#include "support/metrics_text.h"

#include <cstdlib>
#include <sstream>

namespace churnwatch::test {

Metrics ParseMetrics(const std::string& text) {
  Metrics out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // The value follows the last space outside the label set.
    size_t end_of_series = line.find('}');
    size_t space = line.find(' ', end_of_series == std::string::npos ? 0 : end_of_series);
    if (space == std::string::npos) continue;
    std::string series = line.substr(0, space);
    std::string value = line.substr(space + 1);
    auto sp = value.find(' ');  // optional timestamp
    if (sp != std::string::npos) value.resize(sp);
    out[series] = std::strtod(value.c_str(), nullptr);
  }
  return out;
}

std::string SeriesName(const std::string& series, Labels* labels) {
  auto brace = series.find('{');
  if (brace == std::string::npos) return series;
  if (labels != nullptr) {
    size_t i = brace + 1;
    while (i < series.size() && series[i] != '}') {
      auto eq = series.find('=', i);
      if (eq == std::string::npos || eq + 1 >= series.size() || series[eq + 1] != '"') break;
      std::string key = series.substr(i, eq - i);
      std::string value;
      size_t j = eq + 2;
      for (; j < series.size() && series[j] != '"'; ++j) {
        if (series[j] == '\\' && j + 1 < series.size()) ++j;
        value += series[j];
      }
      (*labels)[key] = value;
      i = j + 1;
      if (i < series.size() && series[i] == ',') ++i;
    }
  }
  return series.substr(0, brace);
}

namespace {

bool Matches(const std::string& series, const std::string& name, const Labels& want) {
  Labels have;
  if (SeriesName(series, &have) != name) return false;
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

std::optional<double> MetricValue(const Metrics& m, const std::string& name, const Labels& labels) {
  std::optional<double> out;
  for (const auto& [series, value] : m) {
    if (Matches(series, name, labels)) out = out.value_or(0) + value;
  }
  return out;
}

double SumMetric(const Metrics& m, const std::string& name, const Labels& labels) {
  return MetricValue(m, name, labels).value_or(0);
}

int CountSeries(const Metrics& m, const std::string& name) {
  int n = 0;
  for (const auto& [series, value] : m) n += SeriesName(series) == name ? 1 : 0;
  return n;
}

std::optional<double> MaxMetric(const Metrics& m, const std::string& name) {
  std::optional<double> out;
  for (const auto& [series, value] : m) {
    if (SeriesName(series) == name && (!out || value > *out)) out = value;
  }
  return out;
}

}  // namespace churnwatch::test
