// The customer pyramid's parameters file (config `pyramid.params`, flag `--pyramid-params`),
// written by `churnwatch pyramid fit` over a history, read by the engine:
//
//   {"format": "churnwatch.pyramid", "version": 1,
//    "as_of": "YYYY-MM-DD", "time_zone": "Asia/Shanghai", "accounts": N,
//    "cut_points": {"recency_days": [4 numbers], "frequency": [4], "monetary": [4]},
//    "strategic_industries": ["汽车", ...]}
//
// The cut points are the RFM quintile boundaries (rfm_cut_points.h); strategic_industries
// (optional, default none) are the industries that count toward strategic fit
// (customer_pyramid.h). as_of, time_zone and accounts document the fit. Every other key is
// refused, so a misspelt key is an error and not a silent default.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "pyramid/rfm_cut_points.h"

namespace churnwatch::pyramid {

inline constexpr int kPyramidFileVersion = 1;
inline constexpr size_t kMaxStrategicIndustries = 1000;

struct PyramidParams {
  RfmCutPoints cuts;
  std::vector<std::string> strategic_industries;  // each 1..128 bytes of UTF-8
  std::string as_of;                              // documentation only
  std::string time_zone;                          // documentation only
};

// OK when there are at most kMaxStrategicIndustries industries, each 1..128 bytes of UTF-8;
// InvalidArgument saying which rule an entry breaks otherwise.
Status CheckStrategicIndustries(const std::vector<std::string>& industries);

// The file's JSON text (pretty-printed, one trailing newline).
std::string FormatPyramidJson(const PyramidParams& params);

// Parses the file's text; `name` prefixes every message. InvalidArgument naming the field for
// anything but the format above: not JSON, another format, a version other than 1, a missing
// or malformed cut point array (4 finite numbers >= 0, non-decreasing), an industry that is
// empty, longer than 128 bytes, not UTF-8, or one too many, an unknown key.
Result<PyramidParams> ParsePyramidParams(const std::string& text, const std::string& name);

// Reads and parses `path` (at most 1 MiB). NotFound when it cannot be opened; InvalidArgument
// as ParsePyramidParams, and when the file is larger.
Result<PyramidParams> LoadPyramidParams(const std::string& path);

}  // namespace churnwatch::pyramid
