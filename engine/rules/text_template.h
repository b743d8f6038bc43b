// TextTemplate: the annotation templates of rules — text with {{ name }} and
// {{ name | filter }} placeholders, where name is a feature (a number), a text field
// (features.h: account_name, owner_name, quarter_q1...), or `rule` / `severity`.
// Filters for numbers: pct (0.183 → "18.3%", -0.25 → "-25%"), int (rounded), fixed1, fixed2,
// money (minor units → "12,345.67"). A missing number renders as "n/a".
//
// Compile() checks every name and filter once, at rule load; Render() cannot fail.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/features.h"

namespace churnwatch::rules {

class TextTemplate {
 public:
  // InvalidArgument names the unknown placeholder or filter, or the unclosed {{.
  static Result<TextTemplate> Compile(const std::string& text);
  std::string Render(const features::FeatureValues& values, const std::string& rule,
                     const std::string& severity) const;

 private:
  struct Segment {
    std::string literal;  // emitted as is when name is empty
    std::string name;
    int feature = -1;  // index for numbers, -1 for text fields
    std::string filter;
  };
  std::vector<Segment> segments_;
};

// Formats a number with one of the filters above ("" = default %.6g).
std::string FormatNumber(double v, const std::string& filter);

}  // namespace churnwatch::rules
