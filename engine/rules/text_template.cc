#include "rules/text_template.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace churnwatch::rules {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

const std::vector<std::string>& Filters() {
  static const std::vector<std::string> f = {"pct", "int", "fixed1", "fixed2", "money"};
  return f;
}

}  // namespace

std::string FormatNumber(double v, const std::string& filter) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  if (filter == "pct") {
    std::snprintf(buf, sizeof buf, "%.1f", v * 100);
    std::string s = buf;
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s + "%";
  }
  if (filter == "int") {
    std::snprintf(buf, sizeof buf, "%.0f", std::round(v));
    return buf;
  }
  if (filter == "fixed1") {
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }
  if (filter == "fixed2") {
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
  }
  if (filter == "money") {
    // Minor units → major with thousands separators, built digit by digit.
    std::snprintf(buf, sizeof buf, "%.2f", std::fabs(v) / 100);
    std::string digits(buf);
    size_t dot = digits.find('.');
    std::string out = v < 0 ? "-" : "";
    for (size_t i = 0; i < dot; ++i) {
      if (i > 0 && (dot - i) % 3 == 0) out.push_back(',');
      out.push_back(digits[i]);
    }
    out.append(digits, dot, std::string::npos);
    return out;
  }
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

Result<TextTemplate> TextTemplate::Compile(const std::string& text) {
  TextTemplate t;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) {
      t.segments_.push_back({text.substr(pos), "", -1, ""});
      break;
    }
    if (open > pos) t.segments_.push_back({text.substr(pos, open - pos), "", -1, ""});
    size_t close = text.find("}}", open);
    if (close == std::string::npos)
      return InvalidArgument("template has '{{' without a closing '}}'");
    std::string inner = text.substr(open + 2, close - open - 2);
    Segment seg;
    size_t bar = inner.find('|');
    seg.name = Trim(inner.substr(0, bar));
    if (bar != std::string::npos) seg.filter = Trim(inner.substr(bar + 1));
    if (seg.name.empty()) return InvalidArgument("template has an empty placeholder {{}}");
    seg.feature = features::FeatureIndex(seg.name);
    const auto& text_fields = features::TextFieldNames();
    bool is_text =
        std::find(text_fields.begin(), text_fields.end(), seg.name) != text_fields.end() ||
        seg.name == "rule" || seg.name == "severity";
    if (seg.feature < 0 && !is_text) {
      return InvalidArgument("template placeholder '{{" + seg.name +
                             "}}' is neither a feature nor a text field");
    }
    if (!seg.filter.empty()) {
      if (is_text)
        return InvalidArgument("filter '" + seg.filter + "' applies to numbers, not to " +
                               seg.name);
      if (std::find(Filters().begin(), Filters().end(), seg.filter) == Filters().end()) {
        return InvalidArgument("unknown template filter '" + seg.filter +
                               "' (known: pct, int, fixed1, fixed2, money)");
      }
    }
    t.segments_.push_back(std::move(seg));
    pos = close + 2;
  }
  return t;
}

std::string TextTemplate::Render(const features::FeatureValues& values, const std::string& rule,
                                 const std::string& severity) const {
  std::string out;
  for (const auto& s : segments_) {
    if (s.name.empty()) {
      out += s.literal;
    } else if (s.feature >= 0) {
      out += FormatNumber(values.numbers[s.feature], s.filter);
    } else if (s.name == "rule") {
      out += rule;
    } else if (s.name == "severity") {
      out += severity;
    } else {
      auto it = values.text.find(s.name);
      if (it != values.text.end()) out += it->second;
    }
  }
  return out;
}

}  // namespace churnwatch::rules
