// Reading the engine's /metrics (Prometheus text exposition format) in tests.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace churnwatch::test {

// Series text as exposed ("name{a=\"x\",b=\"y\"}" or "name") → value. Comments are skipped.
using Metrics = std::map<std::string, double>;
using Labels = std::map<std::string, std::string>;

Metrics ParseMetrics(const std::string& text);

// Splits a series key into its name and labels.
std::string SeriesName(const std::string& series, Labels* labels = nullptr);

// The value of the series named `name` whose labels include all of `labels`; nullopt if none.
// When several match, their sum.
std::optional<double> MetricValue(const Metrics& m, const std::string& name,
                                  const Labels& labels = {});
// Sum over every series named `name` whose labels include `labels` (0 if none).
double SumMetric(const Metrics& m, const std::string& name, const Labels& labels = {});
// How many series named `name` there are.
int CountSeries(const Metrics& m, const std::string& name);
// The largest value among series named `name` (nullopt if none).
std::optional<double> MaxMetric(const Metrics& m, const std::string& name);

}  // namespace churnwatch::test
